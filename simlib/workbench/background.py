"""One long computation at a time, off the kernel's thread (the explorer's on-demand buttons).

A button's handler runs on the kernel's thread: a computation of seconds there blocks every
other message (a typed amount, a second click, the notebook's own cells) until it ends. The
`Background` runner runs the computation in a daemon thread and hands its result to a `done`
callback — on the kernel's event loop when one was running at the click (the widgets are then
updated from the kernel's own thread, between messages), else (a test, a script) in the worker
thread as soon as it ends. While one computation runs, `start` refuses another: a second click
does not queue a second run.

A computation that reports progress (the optimiser's engine runs) can be stopped: `cancel()`
asks, and the computation honours it where it calls `check()` (between its engine calls), which
then raises `Cancelled`; `done` receives that error. `tell(fn, ...)` hands a progress update to
the kernel's event loop (or calls it at once without one), like `done`. `Debouncer` merges a
burst of changes into one call on the same event loop; `soon` calls a function there once the
current handler returns (the explorer's year switch, `simlib.workbench.grid`). `settle` makes the garbage collector's
full pass at the view's opening rather than in a change.
"""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Callable
from typing import Any


class Cancelled(Exception):
    """The computation was stopped on request (`Background.cancel`)."""


class Background:
    """Runs `work()` in a thread, then `done(result, error)` (error None on success)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy = False
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._cancel = threading.Event()
        self.name: str | None = None  # what is running (e.g. "probability", "suggest")

    @property
    def busy(self) -> bool:
        """A computation started and its `done` has not run yet."""
        return self._busy

    def start(self, name: str, work: Callable[[], Any], done: Callable[[Any, BaseException | None], None]) -> bool:
        """Start `work` unless a computation is running (then False, nothing started)."""
        with self._lock:
            if self._busy:
                return False
            self._busy, self.name = True, name
        self._cancel.clear()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        self._loop = loop
        self._thread = threading.Thread(target=self._run, args=(work, done, loop), name=f"simlib-{name}", daemon=True)
        self._thread.start()
        return True

    def _run(self, work, done, loop) -> None:
        try:
            result, error = work(), None
        except Exception as exc:  # handed to `done`, which says it in words
            result, error = None, exc
        if loop is not None and loop.is_running():
            loop.call_soon_threadsafe(self._finish, done, result, error)
        else:
            self._finish(done, result, error)

    def _finish(self, done, result, error) -> None:
        try:
            done(result, error)
        finally:
            with self._lock:
                self._busy, self.name = False, None

    def cancel(self) -> bool:
        """Ask the running computation to stop at its next `check()`; False when none runs."""
        if not self._busy:
            return False
        self._cancel.set()
        return True

    @property
    def cancelled(self) -> bool:
        """A stop was asked for the running computation."""
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise `Cancelled` when a stop was asked (called by the computation, in its thread)."""
        if self._cancel.is_set():
            raise Cancelled()

    def tell(self, fn: Callable[..., Any], *args: Any) -> None:
        """Call `fn(*args)` on the event loop that was running at `start` (a progress update of
        the widgets from the kernel's own thread), or at once when there was none."""
        loop = self._loop
        if loop is not None and loop.is_running():
            loop.call_soon_threadsafe(fn, *args)
        else:
            fn(*args)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the running computation's thread (where no event loop takes its result:
        tests, scripts); True when nothing is running any more."""
        t = self._thread
        if t is not None:
            t.join(timeout)
        return not self._busy


class Debouncer:
    """Call `fn` once, `delay` seconds after the last of a burst of calls — on the running event
    loop (a kernel's); with no running loop or no delay, at once."""

    def __init__(self, delay: float, fn):
        self.delay, self.fn, self._handle = float(delay), fn, None

    def __call__(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        try:
            loop = asyncio.get_running_loop() if self.delay > 0 else None
        except RuntimeError:
            loop = None
        if loop is None:
            self.fn()
        else:
            self._handle = loop.call_later(self.delay, self._fire)

    def _fire(self) -> None:
        self._handle = None
        self.fn()


def soon(fn: Callable[[], Any]) -> None:
    """Call `fn` on the running event loop once the current handler returns (in a live kernel the
    widget messages the handler sent leave first, and messages already queued may be handled
    before `fn`), or at once with no running loop (a test, a script)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        fn()
        return
    loop.call_soon(fn)


def settle() -> None:
    """One full garbage collection once the view has opened (issue 18). Opening makes several
    hundred thousand objects the collector tracks (the scenario, models, tables, widgets); Python
    (3.11) makes a full pass over every tracked object once the objects moved to its oldest
    generation since the last full pass reach a quarter of those there, which opening does: that
    pass (about 130 ms of CPU for multidim_2030) then fell into the first or second change. Made
    here, at the open (seconds), it leaves too few new long-lived objects per change for another
    in a planner's session (none in 40 changes of multidim_2030 across its years, measured)."""
    gc.collect()
