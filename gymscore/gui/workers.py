"""Background analysis: runs ``analyze(video, ...)`` in a QThread with progress and cancel."""

from __future__ import annotations

import traceback
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from gymscore.gui.services import AnalyzeFn
from gymscore.util.progress import Cancelled, CancelToken


class AnalysisJob(QObject):
    """The work object living in the worker thread; talks to the window through signals only."""

    progress = Signal(float, float, str)
    succeeded = Signal(object)  # Timeline
    failed = Signal(str)
    cancelled = Signal()
    done = Signal()

    def __init__(self, analyze: AnalyzeFn, video_path: str, options: dict[str, Any]) -> None:
        super().__init__()
        self.analyze = analyze
        self.video_path = video_path
        self.options = options
        self.token = CancelToken()

    def run(self) -> None:
        try:
            tl = self.analyze(
                self.video_path,
                progress=lambda d, t, m="": self.progress.emit(float(d), float(t), str(m)),
                cancel=self.token,
                **self.options,
            )
        except Cancelled:
            self.cancelled.emit()
        except Exception as exc:  # noqa: BLE001 - any failure is shown to the user
            traceback.print_exc()  # the details go to the terminal / log, the window shows the message
            self.failed.emit(f"{type(exc).__name__}: {str(exc) or 'no details'}")
        else:
            self.succeeded.emit(tl)
        finally:
            self.done.emit()


class AnalysisRunner(QObject):
    """Starts one :class:`AnalysisJob` at a time in its own thread and cleans up after it."""

    progress = Signal(float, float, str)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    finished = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thread: QThread | None = None
        self.job: AnalysisJob | None = None

    @property
    def running(self) -> bool:
        return self.thread is not None

    def start(self, analyze: AnalyzeFn, video_path: str, **options: Any) -> None:
        if self.running:
            raise RuntimeError("an analysis is already running")
        self.job = AnalysisJob(analyze, video_path, options)
        self.thread = QThread()
        self.job.moveToThread(self.thread)
        self.thread.started.connect(self.job.run)
        self.job.progress.connect(self.progress)
        self.job.succeeded.connect(self.succeeded)
        self.job.failed.connect(self.failed)
        self.job.cancelled.connect(self.cancelled)
        self.job.done.connect(self.thread.quit)
        self.thread.finished.connect(self._cleanup)
        self.thread.start()

    def cancel(self) -> None:
        """Ask the running job to stop at its next check."""
        if self.job is not None:
            self.job.token.cancel()

    def wait(self, ms: int = 5000) -> bool:
        """Block until the thread ends (used on close)."""
        return self.thread.wait(ms) if self.thread is not None else True

    def _cleanup(self) -> None:
        if self.thread is not None:
            self.thread.deleteLater()
        if self.job is not None:
            self.job.deleteLater()
        self.thread, self.job = None, None
        self.finished.emit()
