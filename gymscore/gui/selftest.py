"""``gymscore gui --self-test [VIDEO]``: open a video in the real main window, analyse it, report, exit.

Used by the packaging smoke test (``packaging/smoke_test.sh``) to prove that a frozen bundle can start
the GUI, find its resources, decode a video and run the whole analysis from the window, offscreen
(``QT_QPA_PLATFORM=offscreen``). Without VIDEO the first bundled demo routine (``resources/demo/``) is
used. Exit status 0 on success; otherwise a message on stderr and a non-zero status:
2 no video / cannot open it, 3 the analysis failed or was cancelled, 4 timeout, 5 the pose estimator
found nobody in the whole video (a broken pose backend). Finding no element is reported, not failed:
untrained weights may find none.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_OPEN, EXIT_ANALYSIS, EXIT_TIMEOUT, EXIT_NO_POSE = 0, 2, 3, 4, 5


class SilentPrompts:
    """Answers the window's questions without dialogs (no recovery, discard edits) and keeps its errors."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def confirm(self, title: str, text: str) -> bool:
        return False

    def unsaved(self, text: str) -> str:
        return "discard"

    def error(self, title: str, text: str) -> None:
        self.errors.append(f"{title}: {text}")

    def info(self, title: str, text: str) -> None:
        pass

    def open_path(self, title: str, filters: str) -> str | None:
        return None

    def save_path(self, title: str, filters: str, suggested: str) -> str | None:
        return None

    def run_dialog(self, dialog: Any) -> bool:
        return False


def default_video() -> Path | None:
    """The first bundled demo routine's video, or None when no demo is shipped."""
    from gymscore.cli.cmd_demo import demo_dir, find_demos  # noqa: PLC0415

    demos = find_demos(demo_dir())
    return demos[0][1] if demos else None


def _fail(code: int, message: str) -> int:
    print(f"gymscore gui --self-test: FAILED: {message}", file=sys.stderr)
    return code


def run_self_test(
    video: str | Path | None = None, timeout_s: float = 900.0, services: Any = None, settings: Any = None
) -> int:
    """Open ``video`` (default: the demo routine) in a MainWindow, analyse it, print a summary line.

    ``services`` / ``settings`` are passed to :class:`~gymscore.gui.main_window.MainWindow` (tests pass
    fakes). Returns the exit status (see the module doc).
    """
    path = Path(video) if video else default_video()
    if path is None:
        from gymscore.cli.cmd_demo import demo_dir  # noqa: PLC0415

        return _fail(EXIT_OPEN, f"no video given and no demo routine in {demo_dir()}")
    if not path.is_file():
        return _fail(EXIT_OPEN, f"{path}: no such file")

    from PySide6.QtCore import QEventLoop, QTimer  # noqa: PLC0415

    from gymscore.gui.app import make_app  # noqa: PLC0415
    from gymscore.gui.main_window import MainWindow  # noqa: PLC0415
    from gymscore.gui.settings import Settings  # noqa: PLC0415

    t0 = time.perf_counter()
    make_app()
    win = MainWindow(services, settings or Settings(autosave_s=0))
    prompts = SilentPrompts()
    win.prompts = prompts
    win.show()
    try:
        if not win.open_path(str(path)) or not win.doc.has_video:
            return _fail(EXIT_OPEN, f"the window could not open {path}: {'; '.join(prompts.errors) or '?'}")
        outcome: dict[str, Any] = {}
        loop = QEventLoop()
        win.runner.succeeded.connect(lambda tl: outcome.setdefault("ok", tl))
        win.runner.failed.connect(lambda msg: outcome.setdefault("failed", msg))
        win.runner.cancelled.connect(lambda: outcome.setdefault("failed", "the analysis was cancelled"))
        win.runner.finished.connect(loop.quit)
        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(lambda: (outcome.setdefault("timeout", True), loop.quit()))
        if not win.analyse():
            return _fail(EXIT_ANALYSIS, f"the analysis did not start: {'; '.join(prompts.errors) or '?'}")
        timer.start(int(timeout_s * 1000))
        loop.exec()
        timer.stop()
        if outcome.get("timeout") and "ok" not in outcome:
            win.runner.cancel()
            win.runner.wait(5000)
            return _fail(EXIT_TIMEOUT, f"the analysis did not end within {timeout_s:g} s")
        if "failed" in outcome:
            return _fail(EXIT_ANALYSIS, str(outcome["failed"]).strip())
        tl = win.doc.timeline
        analysis = tl.metadata.get("analysis", {}) if isinstance(tl.metadata, dict) else {}
        if analysis.get("pose_found", 1.0) == 0:
            estimator = analysis.get("pose", "?")
            return _fail(EXIT_NO_POSE, f"the pose estimator ({estimator}) found nobody in {path}")
        s = win.doc.summary
        d = f"{s.d_score:.3f}" if s.d_score is not None else f"not scored ({s.error or 'no score card'})"
        print(
            f"gymscore gui --self-test: OK: {path.name}: apparatus {tl.apparatus}, {len(tl.segments)} "
            f"elements, D {d}, {time.perf_counter() - t0:.1f} s"
        )
        return EXIT_OK
    finally:
        win.close()
        win.deleteLater()
