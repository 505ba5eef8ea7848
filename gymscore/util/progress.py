"""Progress reporting and cooperative cancellation shared by the CLI, the GUI and long jobs.

Long functions take ``progress: ProgressFn | None`` and ``cancel: CancelToken | None``. They call
``progress(done, total, message)`` now and then and ``cancel.check()`` between units of work, which
raises :class:`Cancelled` once cancellation has been requested.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

ProgressFn = Callable[[float, float, str], None]


class Cancelled(Exception):
    """Raised inside a job when the user cancelled it."""


class CancelToken:
    """A thread-safe flag that a worker polls to stop early."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Request cancellation."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise :class:`Cancelled` if cancellation was requested."""
        if self._event.is_set():
            raise Cancelled("cancelled by the user")


def check_cancel(cancel: CancelToken | None) -> None:
    """``cancel.check()`` that accepts ``None``."""
    if cancel is not None:
        cancel.check()


def report(progress: ProgressFn | None, done: float, total: float, message: str = "") -> None:
    """Call ``progress`` if one was given."""
    if progress is not None:
        progress(done, total, message)


class ProgressLine:
    """A one-line text progress bar for a terminal (stderr by default), throttled to ~10 updates/s."""

    def __init__(self, stream: TextIO | None = None, width: int = 30, min_interval: float = 0.1) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self.min_interval = min_interval
        self._last = 0.0
        self._start = time.monotonic()
        self._shown = False

    def __call__(self, done: float, total: float, message: str = "") -> None:
        now = time.monotonic()
        finished = total > 0 and done >= total
        if not finished and now - self._last < self.min_interval:
            return
        self._last = now
        frac = max(0.0, min(1.0, done / total)) if total > 0 else 0.0
        filled = int(round(frac * self.width))
        bar = "#" * filled + "-" * (self.width - filled)
        elapsed = now - self._start
        line = f"\r[{bar}] {frac * 100:5.1f}% {elapsed:6.1f}s {message[:60]:<60}"
        self.stream.write(line)
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        """End the line so that later output starts on a fresh one."""
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = False
