"""File handling of the main window: open (menu, drop, recent, command line), save, recovery, exports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl

from gymscore.gui import exports
from gymscore.gui.autosave import find_recovery
from gymscore.gui.frame_source import FrameSource, VideoOpenError
from gymscore.gui.pdf_export import write_score_sheet
from gymscore.gui.project import (
    PROJECT_SUFFIX,
    VIDEO_SUFFIXES,
    Project,
    ProjectFormatError,
    load_project,
    save_project,
)
from gymscore.gui.settings import add_recent
from gymscore.timeline import Timeline, VideoInfo
from gymscore.util.atomic import SaveError

OPEN_FILTER = (
    "Videos and projects (*.gymproj *.json " + " ".join(f"*{s}" for s in VIDEO_SUFFIXES) + ");;All files (*)"
)


class FileActions:
    """Mixin for :class:`~gymscore.gui.main_window.MainWindow` (uses its doc, player, prompts, views)."""

    # --- opening -------------------------------------------------------------------------
    def open_dialog(self) -> bool:
        path = self.prompts.open_path("Open a video or project", OPEN_FILTER)
        return self.open_path(path) if path else False

    def open_path(self, path: str) -> bool:
        """Open a video (a new project) or a ``.gymproj`` / timeline JSON; errors are shown, not raised."""
        if not self.confirm_discard():
            return False
        p = Path(path)
        try:
            if p.suffix.lower() in (PROJECT_SUFFIX, ".json", ".autosave"):
                self._open_project(p)
            else:
                self._open_video(p)
        except (ProjectFormatError, VideoOpenError, ValueError, OSError) as exc:
            self.prompts.error("Cannot open", str(exc))
            return False
        add_recent(str(p.resolve()))
        return True

    def _open_video(self, p: Path) -> None:
        source = FrameSource(p)
        tl = Timeline(
            video=VideoInfo(
                str(p.resolve()), None, source.fps, source.frame_count, source.width, source.height
            ),
            apparatus="FX",
            edition=self.settings.edition,
        )
        recovered = self._offer_recovery(None, tl.video.path)
        if recovered is not None:
            tl = recovered.timeline
        self._show(tl, None, recovered.view if recovered else {}, source, dirty=recovered is not None)

    def _open_project(self, p: Path) -> None:
        project = load_project(p)
        recovered = self._offer_recovery(str(p), project.timeline.video.path)
        if recovered is not None:
            project = recovered
        tl = project.timeline
        source = None
        if tl.video.path:
            try:
                source = FrameSource(tl.video.path)
            except VideoOpenError as exc:
                self.prompts.error("Video not found", f"{exc}\nThe timeline opens without pictures.")
        self._show(tl, str(p), project.view, source, dirty=recovered is not None)

    def _offer_recovery(self, project_path: str | None, video_path: str | None) -> Project | None:
        side = find_recovery(project_path, video_path)
        if side is None:
            return None
        if not self.prompts.confirm(
            "Recover unsaved edits?",
            f"gymscore was not closed cleanly. An autosave from {_mtime(side)} exists:\n{side}\n\n"
            "Recover it? (No discards it.)",
        ):
            side.unlink(missing_ok=True)
            return None
        try:
            return load_project(side)
        except ProjectFormatError as exc:
            self.prompts.error("Recovery failed", str(exc))
            return None

    def _show(
        self,
        tl: Timeline,
        project_path: str | None,
        view: dict[str, Any],
        source: FrameSource | None,
        dirty: bool = False,
    ) -> None:
        self.doc.load(tl, project_path, view)
        if dirty:
            self.doc.undo_stack.resetClean()
        self.timeline.set_fps(tl.video.fps, tl.video.frame_count)
        self.player.set_source(source, self.services.load_poses(tl) if source else None)
        self.transport.reset()
        self._apply_view_state(view)
        self._update_title()

    def _apply_view_state(self, view: dict[str, Any]) -> None:
        if "overlay" in view:
            self.set_overlay(bool(view["overlay"]))
        if "speed" in view:
            self.player.set_speed(float(view["speed"]))
        zoom = view.get("zoom")
        if isinstance(zoom, list) and len(zoom) == 2:
            self.timeline.set_visible_range(float(zoom[0]), float(zoom[1]))
        if isinstance(view.get("playhead"), int):
            self.player.seek(view["playhead"])

    def view_state(self) -> dict[str, Any]:
        """What a project remembers of the view."""
        x0, x1 = self.timeline.visible_range()
        return {
            "playhead": int(self.player.frame),
            "zoom": [round(x0, 2), round(x1, 2)],
            "selected": self.doc.selected,
            "overlay": self.video.show_overlay,
            "speed": self.player.speed,
        }

    # --- saving --------------------------------------------------------------------------
    def save(self) -> bool:
        if not self.doc.project_path:
            return self.save_as()
        return self.save_to(self.doc.project_path)

    def save_as(self) -> bool:
        suggested = str(Path(self.doc.timeline.video.path or "routine").with_suffix(PROJECT_SUFFIX))
        path = self.prompts.save_path("Save project", f"gymscore projects (*{PROJECT_SUFFIX})", suggested)
        if not path:
            return False
        if not path.endswith(PROJECT_SUFFIX):
            path += PROJECT_SUFFIX
        return self.save_to(path)

    def save_to(self, path: str) -> bool:
        """Write the project atomically; the autosave sidecar is removed once saved."""
        old_side = self.autosaver.path()
        try:
            save_project(Project(self.doc.timeline, self.view_state()), path)
        except (SaveError, ValueError) as exc:
            self.prompts.error("Save failed", str(exc))
            return False
        if old_side is not None:
            old_side.unlink(missing_ok=True)
        self.doc.project_path = str(Path(path).resolve())
        self.doc.undo_stack.setClean()
        self.autosaver.discard()
        self.doc.pathChanged.emit()
        add_recent(self.doc.project_path)
        self.statusBar().showMessage(f"Saved {path}", 4000)
        return True

    def confirm_discard(self) -> bool:
        """True when it is fine to drop the current document (saved, or the user says so)."""
        if not self.doc.dirty:
            return True
        choice = self.prompts.unsaved("The routine has unsaved edits. Save them first?")
        if choice == "save":
            return self.save()
        if choice == "discard":
            self.autosaver.discard()
            return True
        return False

    # --- exports -------------------------------------------------------------------------
    def export(self, kind: str) -> str | None:
        """Export as "json", "csv", "pdf" or "finegym"; returns the written path."""
        filters = {
            "json": "Timeline JSON (*.json)",
            "csv": "CSV (*.csv)",
            "pdf": "PDF score sheet (*.pdf)",
            "finegym": "FineGym routine JSON (*.json)",
        }
        suffix = {"json": ".timeline.json", "csv": ".csv", "pdf": ".pdf", "finegym": ".finegym.json"}[kind]
        base = Path(self.doc.project_path or self.doc.timeline.video.path or "routine")
        path = self.prompts.save_path(f"Export {kind.upper()}", filters[kind], str(base.with_suffix(suffix)))
        if not path:
            return None
        tl = self.doc.timeline
        try:
            if kind == "json":
                exports.write_json(tl, path)
            elif kind == "csv":
                exports.write_csv(tl, self.doc.summary, path, self.services.score(tl))
            elif kind == "finegym":
                exports.write_finegym(tl, self.services, path)
            else:
                write_score_sheet(tl, self.doc.summary, path)
        except (SaveError, ValueError, OSError) as exc:
            self.prompts.error("Export failed", str(exc))
            return None
        self.statusBar().showMessage(f"Exported {path}", 5000)
        return path

    def export_corrections(self) -> str | None:
        """Add the edited timeline to "my corrections" (training data)."""
        try:
            path = exports.write_correction(self.doc.timeline, self.player.poses)
        except (SaveError, ValueError, OSError) as exc:
            self.prompts.error("Export failed", str(exc))
            return None
        self.statusBar().showMessage(f"Added to my corrections: {path}", 6000)
        return str(path)

    # --- drag and drop -------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if _dropped_path(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        path = _dropped_path(event.mimeData())
        if path is not None:
            event.acceptProposedAction()
            self.open_path(path)


def _dropped_path(mime) -> str | None:
    urls = [QUrl(u) for u in mime.urls()] if mime.hasUrls() else []
    local = [u.toLocalFile() for u in urls if u.isLocalFile()]
    return local[0] if local else None


def _mtime(p: Path) -> str:
    import time

    return time.strftime("%Y-%m-%d %H:%M", time.localtime(p.stat().st_mtime))
