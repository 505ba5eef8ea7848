"""Undo-stack commands: thin QUndoCommand wrappers around the pure edits of :mod:`gymscore.gui.edits`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from gymscore.timeline import Timeline

if TYPE_CHECKING:
    from gymscore.gui.document import ProjectDocument


class TimelineCommand(QUndoCommand):
    """Swap the document's timeline between a before and an after snapshot.

    Timelines held by the document are never changed in place (every edit returns a new one), so the
    snapshots are shared, not copied.
    """

    def __init__(
        self,
        doc: ProjectDocument,
        text: str,
        before: Timeline,
        after: Timeline,
        selected_before: int | None,
        selected_after: int | None,
    ) -> None:
        super().__init__(text)
        self._doc = doc
        self._before = before
        self._after = after
        self._sel_before = selected_before
        self._sel_after = selected_after

    def redo(self) -> None:
        self._doc.set_timeline(self._after, self._sel_after)

    def undo(self) -> None:
        self._doc.set_timeline(self._before, self._sel_before)
