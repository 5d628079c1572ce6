"""One long computation at a time, off the kernel's thread (the explorer's on-demand buttons).

A button's handler runs on the kernel's thread: a computation of seconds there blocks every
other message (a typed amount, a second click, the notebook's own cells) until it ends. The
`Background` runner runs the computation in a daemon thread and hands its result to a `done`
callback — on the kernel's event loop when one was running at the click (the widgets are then
updated from the kernel's own thread, between messages), else (a test, a script) in the worker
thread as soon as it ends. While one computation runs, `start` refuses another: a second click
does not queue a second run.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any


class Background:
    """Runs `work()` in a thread, then `done(result, error)` (error None on success)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy = False
        self._thread: threading.Thread | None = None
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
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
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

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the running computation's thread (where no event loop takes its result:
        tests, scripts); True when nothing is running any more."""
        t = self._thread
        if t is not None:
            t.join(timeout)
        return not self._busy
