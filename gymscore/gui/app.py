"""Start the desktop application."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from gymscore.paths import resource_path


def icon_path() -> Path:
    """The application icon (PNG)."""
    return resource_path("resources", "icons", "gymscore.png")


def check_display() -> None:
    """Raise a clear OSError when no window can be shown (Qt would abort the process instead)."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise OSError(
            "no display to open the desktop application on (DISPLAY is not set); run it in a desktop "
            "session, with xvfb-run or QT_QPA_PLATFORM=offscreen, or use the command line: gymscore --help"
        )


def make_app(argv: list[str] | None = None):
    """The QApplication (created once), with name, icon and theme set."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from gymscore.gui.settings import Settings, apply_theme

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("gymscore")
    app.setOrganizationName("gymscore")
    if icon_path().exists():
        app.setWindowIcon(QIcon(str(icon_path())))
    apply_theme(Settings.load().theme)
    return app


def run(path: str | None = None, quit_after_ms: int = 0) -> int:
    """Open the main window (on ``path`` when given) and run the event loop; returns the exit code."""
    check_display()
    app = make_app()
    from PySide6.QtCore import QTimer

    from gymscore.gui.main_window import MainWindow

    win = MainWindow()
    win.show()
    if path:
        QTimer.singleShot(0, lambda: win.open_path(path))
    if quit_after_ms > 0:
        QTimer.singleShot(quit_after_ms, win.close)
    return app.exec()
