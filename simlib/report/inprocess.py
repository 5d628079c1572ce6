"""Run a report notebook inside the current process, without starting a kernel.

A batch renders about a dozen notebooks; a Jupyter kernel per notebook costs a process start and
the import of simlib, numpy, pandas and matplotlib each time (several seconds). Here each worker
process keeps one IPython shell (`InteractiveShell`, the interpreter a kernel runs, without the
kernel's messaging) and runs the notebooks' cells in it, one notebook after another:

- every notebook starts from an empty namespace and history (`shell.reset`), so nothing a
  notebook defines is seen by the next one; only imported modules (and their caches on immutable
  objects, `simlib.memo`) are shared — which is the point;
- what a cell displays (`IPython.display.display`, a cell's last value, matplotlib figures through
  the inline backend) and prints becomes the cell's outputs, in the notebook's own format, so
  `render.to_html` renders them as it renders a kernel's;
- a failing cell stops the notebook as papermill does: the partly executed notebook carries the
  error output and `render.NotebookFailed` is raised by the caller.

It is safe for the project's report notebooks, which only call library functions. A notebook that
changes the interpreter itself (`sys.path`, environment variables, global matplotlib settings)
would leak into the next one: use a kernel for such notebooks (`render.execute(...,
in_process=False)`, the default).
"""

from __future__ import annotations

import builtins
import functools
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from IPython.core.displayhook import DisplayHook
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from traitlets.config import Config, SingletonConfigurable


class _RecordingHook(DisplayHook):
    """A cell's last value, formatted as a kernel would send it, kept instead of printed."""

    sink: list | None = None

    def write_output_prompt(self):  # no "Out[n]:" in a notebook's outputs
        pass

    def flush(self):
        """Forget the cached outputs (`_1`, `Out`, `_`), as IPython's `flush` on a shell reset, but
        without its full garbage collection: that walks every object of the process (0.3–0.8 s CPU
        a notebook in a batch, half a second per page for nothing), and it runs before the reset
        clears the namespace, so it cannot free the previous notebook's objects anyway; those are
        freed when the namespace is cleared, and reference cycles by Python's own collector."""
        hidden, ns = self.shell.user_ns_hidden, self.shell.user_ns
        for n in range(1, self.prompt_count + 1):
            hidden.pop(f"_{n}", None)
            ns.pop(f"_{n}", None)
        if ns.get("_oh") is not None:
            ns["_oh"].clear()
        self._, self.__, self.___ = "", "", ""
        if "_" not in builtins.__dict__:
            ns.update({"_": self._, "__": self.__, "___": self.___})

    def write_format_data(self, format_dict, md_dict=None):
        if self.sink is not None:
            self.sink.append(
                nbformat.v4.new_output(
                    "execute_result", data=format_dict, metadata=md_dict or {}, execution_count=self.prompt_count
                )
            )


class _Shell(InteractiveShell):
    """An IPython shell whose error reports go into the notebook's error output, as a kernel
    sends them, rather than to the terminal."""

    last_traceback: list | None = None

    def _showtraceback(self, etype, evalue, stb):
        self.last_traceback = list(stb)

    def enable_gui(self, gui=None):  # the inline backend needs no event loop
        pass


@dataclass
class CellRun:
    """The outputs of one cell and the error that stopped it (None if it ran)."""

    outputs: list = field(default_factory=list)
    error: BaseException | None = None


@functools.cache
def shell() -> _Shell:
    """This process's shell (made once): no history file, the inline matplotlib backend.

    It is not IPython's process-wide shell (`InteractiveShell.instance()`, `get_ipython()`): it
    is that only while it runs a notebook (`_as_instance`), so that a process which has its own
    (a Jupyter kernel, an IPython session, a test) keeps it, and one which has none gets none."""
    cfg = Config()
    cfg.HistoryManager.enabled = False  # no history database: `In` is kept in memory
    cfg.InteractiveShell.colors = "nocolor"
    cfg.InteractiveShell.xmode = "Plain"
    with _as_main(sys.modules.get("__main__")):  # IPython installs its own `__main__`: keep the real one
        sh = _Shell(config=cfg, displayhook_class=_RecordingHook)
    with _as_instance(sh):
        sh.enable_matplotlib("inline")
    return sh


@contextmanager
def _as_instance(sh: _Shell):
    """`sh` as IPython's process-wide shell inside the block (what `get_ipython()`, `display`
    and the inline backend write to), the previous one (or none) restored after: left in place,
    a later `InteractiveShell.instance()` in this process would get this recording shell, whose
    error reports go to the notebook rather than to the screen, and a Jupyter kernel's shell
    could not be made its singleton sibling at all (traitlets' `MultipleInstanceError`)."""
    classes = [c for c in type(sh).mro() if issubclass(c, SingletonConfigurable) and c is not SingletonConfigurable]
    old = [c._instance for c in classes]
    for c in classes:
        c._instance = sh
    try:
        yield
    finally:
        for c, inst in zip(classes, old, strict=True):
            c._instance = inst


@contextmanager
def _as_main(module):
    """`module` as `sys.modules["__main__"]` inside the block, the previous one restored after
    (a process that starts workers — multiprocessing, Dask — needs its own `__main__`)."""
    old = sys.modules.get("__main__")
    sys.modules["__main__"] = module
    try:
        yield
    finally:
        sys.modules["__main__"] = old


@contextmanager
def _cwd(path: Path):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def _stream(name: str, text: str) -> dict:
    return nbformat.v4.new_output("stream", name=name, text=text)


def run_cell(sh: _Shell, source: str) -> CellRun:
    """Run one cell's source; its displays, last value and printed text as notebook outputs."""
    out = CellRun()
    sh.displayhook.sink, sh.last_traceback = out.outputs, None
    try:
        with capture_output() as cap:
            result = sh.run_cell(source, store_history=True)
    finally:
        sh.displayhook.sink = None
    if cap.stdout:
        out.outputs.insert(0, _stream("stdout", cap.stdout))
    if cap.stderr:
        out.outputs.insert(0, _stream("stderr", cap.stderr))
    out.outputs.extend(nbformat.v4.new_output("display_data", data=o.data, metadata=o.metadata) for o in cap.outputs)
    err = result.error_before_exec or result.error_in_exec
    if err is not None:
        out.error = err
        out.outputs.append(
            nbformat.v4.new_output(
                "error",
                ename=type(err).__name__,
                evalue=str(err),
                traceback=sh.last_traceback or [f"{type(err).__name__}: {err}"],
            )
        )
    return out


def execute(nb, cwd: str | Path) -> BaseException | None:
    """Run every code cell of `nb` (a parameterised notebook) in this process's shell, in `cwd`,
    filling in each cell's outputs and execution count; stops at the first failing cell and
    returns its error (None when every cell ran). A Ctrl-C during a cell (which IPython's shell
    catches as the cell's error) is raised again as `KeyboardInterrupt`: it stops the batch, not
    only this notebook."""
    sh = shell()
    sh.reset(new_session=False)
    hist = sh.history_manager
    hist.input_hist_parsed[:], hist.input_hist_raw[:] = [""], [""]  # `In` as in a new kernel
    sh.execution_count = 1
    with _cwd(Path(cwd)), _as_main(sh.user_module), _as_instance(sh):
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            count = sh.execution_count
            run = run_cell(sh, cell.source)
            cell.outputs, cell.execution_count = run.outputs, count
            if isinstance(run.error, KeyboardInterrupt):  # the user's Ctrl-C, not the notebook's failure
                raise KeyboardInterrupt
            if run.error is not None:
                return run.error
    return None
