"""The open project: its timeline, selection, undo stack and current score card (a thin Qt model)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from gymscore.gui.commands import TimelineCommand
from gymscore.gui.edits import EditError, EditResult
from gymscore.gui.score_view import ScoreSummary, summarize
from gymscore.gui.services import Services
from gymscore.timeline import Timeline


class ProjectDocument(QObject):
    """Holds the Timeline being edited; every change goes through :meth:`edit` and the undo stack."""

    timelineChanged = Signal()
    selectionChanged = Signal(object)  # int | None
    scoreChanged = Signal(object)  # ScoreSummary
    editFailed = Signal(str)
    pathChanged = Signal()

    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.timeline = Timeline()
        self.selected: int | None = None
        self.project_path: str | None = None
        self.view_state: dict[str, Any] = {}
        self.undo_stack = QUndoStack(self)
        self.summary: ScoreSummary = summarize(None, self.timeline, services)
        self.last_score_ms = 0.0

    # --- state ---------------------------------------------------------------------------
    @property
    def has_video(self) -> bool:
        return bool(self.timeline.video.path)

    @property
    def dirty(self) -> bool:
        return not self.undo_stack.isClean()

    def load(self, tl: Timeline, project_path: str | None = None, view_state: dict | None = None) -> None:
        """Start editing ``tl`` (a fresh undo history)."""
        self.undo_stack.clear()
        self.project_path = project_path
        self.view_state = dict(view_state or {})
        sel = self.view_state.get("selected")
        self.set_timeline(tl, sel if isinstance(sel, int) and 0 <= sel < len(tl.segments) else None)
        self.undo_stack.setClean()
        self.pathChanged.emit()

    def set_timeline(self, tl: Timeline, selected: int | None = None) -> None:
        """Replace the timeline (commands call this), rescore and tell the views."""
        self.timeline = tl
        self.rescore()
        self.timelineChanged.emit()
        self.select(selected, force=True)

    def select(self, index: int | None, force: bool = False) -> None:
        """Select a segment by index (None clears the selection)."""
        if index is not None and not 0 <= index < len(self.timeline.segments):
            index = None
        if index == self.selected and not force:
            return
        self.selected = index
        self.selectionChanged.emit(index)

    def rescore(self) -> None:
        """Score the current timeline and publish the summary."""
        t0 = time.perf_counter()
        card, error = None, ""
        try:
            card = self.services.score(self.timeline)
        except Exception as exc:  # noqa: BLE001 - the score panel shows the problem
            error = f"cannot score this routine: {exc}"
        self.summary = summarize(card, self.timeline, self.services, error)
        self.last_score_ms = (time.perf_counter() - t0) * 1000
        self.scoreChanged.emit(self.summary)

    # --- editing -------------------------------------------------------------------------
    def edit(self, text: str, fn: Callable[..., EditResult], *args: Any, **kw: Any) -> bool:
        """Apply ``fn(timeline, *args, **kw)`` as one undoable command; False (and editFailed) on error."""
        try:
            result = fn(self.timeline, *args, **kw)
            problems = result.timeline.problems()
            if problems:
                raise EditError(problems[0])
        except EditError as exc:
            self.editFailed.emit(str(exc))
            return False
        cmd = TimelineCommand(self, text, self.timeline, result.timeline, self.selected, result.selected)
        self.undo_stack.push(cmd)
        return True
