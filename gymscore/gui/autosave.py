"""Autosave to a sidecar file every N seconds while there are unsaved edits, and crash recovery."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from gymscore.gui.project import Project, save_project
from gymscore.paths import user_data_dir
from gymscore.util.atomic import SaveError

AUTOSAVE_SUFFIX = ".autosave"


def autosave_path(project_path: str | None, video_path: str | None) -> Path | None:
    """Sidecar of a project (``NAME.gymproj.autosave``), or a per-video file in the user data folder."""
    if project_path:
        p = Path(project_path)
        return p.with_name(p.name + AUTOSAVE_SUFFIX)
    if video_path:
        key = hashlib.sha1(str(Path(video_path).resolve()).encode()).hexdigest()[:10]
        return user_data_dir() / "autosave" / f"{Path(video_path).stem}-{key}.gymproj{AUTOSAVE_SUFFIX}"
    return None


def find_recovery(project_path: str | None, video_path: str | None) -> Path | None:
    """An autosave left by a session that did not close cleanly, newer than the saved project."""
    side = autosave_path(project_path, video_path)
    if side is None or not side.exists():
        return None
    if (
        project_path
        and Path(project_path).exists()
        and Path(project_path).stat().st_mtime > side.stat().st_mtime
    ):
        return None
    return side


class Autosaver(QObject):
    """Writes the document to its sidecar on a timer when it has unsaved edits."""

    saved = Signal(str)
    failed = Signal(str)

    def __init__(self, doc, interval_s: int = 60, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.save_now)
        self.set_interval(interval_s)

    def set_interval(self, seconds: int) -> None:
        """Autosave every ``seconds`` (0 turns it off)."""
        self.timer.stop()
        if seconds > 0:
            self.timer.start(int(seconds * 1000))

    def path(self) -> Path | None:
        return autosave_path(self.doc.project_path, self.doc.timeline.video.path or None)

    def save_now(self) -> Path | None:
        """Write the sidecar if there is something unsaved; returns its path."""
        side = self.path()
        if side is None or not self.doc.dirty or not self.doc.timeline.video.path:
            return None
        try:
            save_project(Project(self.doc.timeline, dict(self.doc.view_state)), side)
        except (SaveError, ValueError) as exc:
            self.failed.emit(str(exc))
            return None
        self.saved.emit(str(side))
        return side

    def discard(self) -> None:
        """Remove the sidecar (after a save or a clean close)."""
        side = self.path()
        if side is not None and side.exists():
            side.unlink(missing_ok=True)
