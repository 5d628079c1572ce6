"""While the first run on a machine compiles the multidimensional engine's kernels (numba,
`cache=True`: 278–322 s on a quiet 2-core machine, much longer on a busy one, with the progress
bar standing still), say that work goes on: the kernels compiled so far and the time since the
scenarios started — on the progress bar on a terminal, as a plain line every minute otherwise
(CI logs, papermill) — and, once every year kernel the run needs is compiled, that compiling is
over. The watch is told which year kernels the work calls (`needed`: `_year_both` only when a
scenario continues into its previous-standard twin's year, `simlib.batch.warmup.kernels_of`): a
batch's scenarios', `simlib run`'s scenario's, said there on a line of its own (`line_display`).
Without them, every year kernel numba has indexed is waited for (`years_compiled`). A watch that
ends before compiling is over (a kernel waited for was never reached) ends on a line too
(`CompileWatch.ended`).

What is said is read from numba's cache folder (`cache_folder`): whichever process compiles a
kernel writes its machine code there (`*.nbc`) when it is done (a batch's workers compile the
year kernels once each, before the scenarios, `simlib.batch.warmup`); a warm cache gets no new
file, and nothing is said. One thread of this process looks at the folder once a `TICK` while a
batch with multidimensional scenarios runs (`compile_watch`); nothing else is touched: the runs,
their outputs and their speed are the same.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from simlib import i18n
from simlib.engines.kernel_cache import ENGINES_DIR

#: the start of the file names of the multidimensional engine's year (`multidim_jit._year`,
#: `_year_both`): the last and largest kernels a first run compiles (a run with a change of
#: standard compiles both, one after the other)
YEAR_KERNELS = "multidim_jit._year"

#: seconds by which numba writes a kernel's index (`*.nbi`) after its code (`*.nbc`), at most
INDEX_AFTER = 5.0

#: seconds between two looks at the cache folder
TICK = 1.0


def cache_folder(engines: Path = ENGINES_DIR) -> Path:
    """Where numba keeps the machine code of the kernels of the modules in `engines`: the
    `__pycache__` beside them, or under `NUMBA_CACHE_DIR` when it is set (numba's own layout:
    the folder's name and the SHA-1 of its absolute path)."""
    root = os.environ.get("NUMBA_CACHE_DIR")
    if not root:
        return Path(engines) / "__pycache__"
    path = os.path.abspath(engines)
    return Path(root) / f"{os.path.basename(path)}_{hashlib.sha1(path.encode()).hexdigest()}"


def elapsed_text(seconds: float, lang: str) -> str:
    """`seconds` as minutes and seconds, e.g. «4 phút 05 giây» / «4 min 05 s»."""
    m, s = divmod(int(seconds), 60)
    return i18n.t("cli.compile_elapsed", lang, min=m, sec=f"{s:02d}")


@dataclass
class CompileWatch:
    """What numba's cache folder `folder` says of the kernels compiled since `start` (a
    `time.time()`): `poll` reads it and returns what to say in `lang` (`short`: the count
    alone, for a progress bar, which shows its own elapsed time)."""

    folder: Path
    lang: str
    start: float
    short: bool = False
    #: the year kernels the run calls (None: not known, every one numba has indexed)
    needed: frozenset | None = None
    kernels: set = field(default_factory=set)  # the kernels compiled since `start`

    def poll(self, now: float) -> tuple[str | None, bool]:
        """(what to say now, whether compiling is over): (None, False) while no kernel has been
        compiled since `start`; the count and the time so far while they compile; the final
        sentence and True once every year kernel is compiled (`years_compiled`: the `needed`
        ones when known, else every one indexed)."""
        code, index = {}, {}
        with contextlib.suppress(OSError):  # not there yet (nothing compiled), or removed
            with os.scandir(self.folder) as entries:
                for e in entries:
                    kind = code if e.name.endswith(".nbc") else index if e.name.endswith(".nbi") else None
                    if kind is not None and (kind is code or e.name.startswith(YEAR_KERNELS)):
                        key = e.name.rsplit("-", 1)[0]
                        kind[key] = max(kind.get(key, 0.0), _stat_mtime(e))
        self.kernels |= {k for k, t in code.items() if t >= self.start}
        if not self.kernels:
            return None, False
        took = elapsed_text(now - self.start, self.lang)
        if self.needed is not None:  # those with code (its index may come a moment later)
            index = {k: index.get(k, 0.0) for k in self.needed} if self.needed <= code.keys() else {}
        if years_compiled(code, index):
            return i18n.t("cli.compile_done", self.lang, n=len(self.kernels), elapsed=took), True
        if self.short:
            return i18n.t("cli.compile_bar", self.lang, n=len(self.kernels)), False
        return i18n.t("cli.compile_progress", self.lang, n=len(self.kernels), elapsed=took), False

    def ended(self, now: float) -> str:
        """The last sentence when the work ends (at `now`) before every year kernel `poll` waits
        for is compiled (one the run did not call after all, a run stopped or failed): the
        kernels compiled so far, the time, and that a kernel not compiled yet is compiled by the
        first run that calls it."""
        took = elapsed_text(now - self.start, self.lang)
        return i18n.t("cli.compile_ended", self.lang, n=len(self.kernels), elapsed=took)


def years_compiled(code: dict, index: dict) -> bool:
    """Whether every year kernel of `index` (kernel -> the time of numba's index of it) has its
    code written with its index or after (`code`: kernel -> the latest code's time). Importing the
    engines on a cold cache writes an empty index of every kernel, and compiling one writes its
    code then its index; code older than its index was left by an older version."""
    return bool(index) and all(code.get(k, 0.0) >= t - INDEX_AFTER for k, t in index.items())


def _stat_mtime(entry: os.DirEntry) -> float:
    try:
        return entry.stat().st_mtime
    except OSError:  # replaced while being read (numba writes a file then renames it)
        return 0.0


def watch_loop(
    watch: CompileWatch, show: Callable, stop: threading.Event, tick: float, every: float, clock=time.time
) -> None:
    """Poll `watch` once a `tick` until `stop` is set or compiling is over, calling `show(text,
    done)`: every tick with progress when `every` is 0 (a line that updates), else at most once
    every `every` seconds (plain lines); the final sentence (`done` True) when compiling is over.
    Stopped after progress was shown, a last look: the final sentence if compiling is over by
    then, else `watch.ended` (what was compiled; a kernel waited for was never reached), so that
    what was said always ends on a line of its own. `clock`: the time now."""
    said = None
    while not stop.wait(tick):
        now = clock()
        text, done = watch.poll(now)
        if done:
            show(text, True)
            return
        if text is not None and (not every or said is None or now - said >= every):
            show(text, False)
            said = now
    if said is not None:
        now = clock()
        text, done = watch.poll(now)
        show(text if done else watch.ended(now), True)


def plain_line(text: str | None, done: bool) -> None:
    """`text` as a line of its own on stderr (nothing to clear in a log)."""
    if text is not None:
        print(text, file=sys.stderr, flush=True)


def bar_display(bar) -> tuple[Callable, float]:
    """How the watch speaks with the tqdm `bar`: on the bar itself (its postfix) when the bar is
    shown, the final sentence on a line of its own above it; plain lines to stderr when it is not
    shown (a log): (show, every) for `watch_loop`."""
    if bar.disable:
        return plain_line, 60.0

    def show(text: str | None, done: bool) -> None:
        if text is None or done:
            bar.set_postfix_str("")
        if text is not None and done:
            bar.write(text, file=sys.stderr)
        elif text is not None:
            bar.set_postfix_str(text)

    return show, 0.0


def line_display(live: bool) -> tuple[Callable, float]:
    """How the watch speaks without a progress bar (`simlib run`): one line of stderr rewritten
    every tick when `live` (a terminal with nothing else drawn on it), the final sentence left on
    it (cleared when told `None`); plain lines every minute otherwise (a log)."""
    if not live:
        return plain_line, 60.0

    def show(text: str | None, done: bool) -> None:
        line = "\r" + (text or "") + "\x1b[K" + ("\n" if done and text is not None else "")
        sys.stderr.write(line)
        sys.stderr.flush()

    return show, 0.0


@contextlib.contextmanager
def compile_watch(
    bar,
    lang: str,
    models: set,
    *,
    needed: set | None = None,
    folder: Path | None = None,
    tick: float | None = None,
    display=bar_display,
    short: bool | None = None,
) -> Iterator[None]:
    """Say, on or beside the tqdm `bar`, what the kernels compiled while the body runs (see the
    module); only for a batch whose scenarios' poverty `models` include the multidimensional
    model (the others' kernels compile in seconds). The watching thread ends with the body
    (Ctrl-C included) and never keeps the process alive. `folder`: numba's cache folder
    (default `cache_folder()`); `tick`: seconds between looks (default `TICK`); `display`: how to
    speak with the bar (`bar_display`), called with `bar`; `short`: the count alone (default: when
    `display` updates every tick, as a bar that shows its own time); `needed`: the year kernels
    the work calls (`CompileWatch.needed`; None: not known)."""
    if "multidim" not in models:
        yield
        return
    show, every = display(bar)
    folder = folder if folder is not None else cache_folder()
    short = not every if short is None else short
    needed = None if needed is None else frozenset(needed)
    watch = CompileWatch(folder, lang, time.time(), short=short, needed=needed)
    stop = threading.Event()
    thread = threading.Thread(
        target=watch_loop, args=(watch, show, stop, tick or TICK, every), name="simlib-compile-watch", daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5.0)
