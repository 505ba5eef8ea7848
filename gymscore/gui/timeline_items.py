"""What the timeline draws: an element's block and the strip where the analysis lost the gymnast.

Both are drawn in screen space (text and hatching stay sharp at any zoom) and only emit requests
through the :class:`~gymscore.gui.timeline_view.TimelineView` that owns them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPen

from gymscore.gui.score_view import format_time

if TYPE_CHECKING:
    from gymscore.gui.timeline_view import TimelineView

LOW_CONFIDENCE = 0.6
EDGE_PIXELS = 7
LOST_COLOR = "#b0413e"  # the strip under the blocks where the analysis lost the gymnast
SET_ORDER = (1, 21, 22, 23, 24, 25, 31, 32, 33, 34, 35, 41, 42, 43, 44)
PALETTE = (
    "#8e6cd8",
    "#e0656b",
    "#e59a3b",
    "#d6c23c",
    "#4fb06d",
    "#3fa7c9",
    "#e07aa8",
    "#c98a4b",
    "#7fbf3f",
    "#3f8fd9",
    "#b06be0",
    "#47b8a8",
    "#d9773f",
    "#6c8ed8",
    "#c9b458",
)


def set_color(set_id: int | None) -> QColor:
    """A stable colour per FineGym set id (grey for unknown)."""
    if set_id in SET_ORDER:
        return QColor(PALETTE[SET_ORDER.index(set_id)])
    if set_id is None:
        return QColor("#8a8f98")
    return QColor(PALETTE[hash(set_id) % len(PALETTE)])


@dataclass
class BlockSpec:
    """What one block shows."""

    index: int
    start: int
    end: int
    title: str  # e.g. "3  D"
    name: str
    set_id: int | None
    confidence: float
    connected_to_next: bool
    next_start: int | None
    set_name: str = ""



class SegmentBlock(pg.GraphicsObject):
    """One element on the timeline."""

    def __init__(self, owner: TimelineView, spec: BlockSpec) -> None:
        super().__init__()
        self.owner = owner
        self.selected = False
        self._drag: str | None = None
        self._grab = 0.0
        self.setAcceptHoverEvents(True)
        self.setZValue(5)
        self.set_spec(spec)

    def set_spec(self, spec: BlockSpec) -> None:
        """Show another element (blocks are reused: removing scene items leaks in PySide6 6.12)."""
        self.prepareGeometryChange()
        self.spec = spec
        self.start, self.end = float(spec.start), float(spec.end)
        conf = f"confidence {spec.confidence:.0%}" + (
            " (low: check it)" if spec.confidence < LOW_CONFIDENCE else ""
        )
        self.setToolTip(
            f"{spec.index + 1}. {spec.name}\n{spec.set_name} · frames {spec.start}-{spec.end} · {conf}\n"
            "drag an edge to move that boundary, the middle to move the element; double-click to relabel"
        )
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        right = self.spec.next_start if self.spec.connected_to_next and self.spec.next_start else self.end
        return QRectF(self.start, 0.0, max(right, self.end) - self.start, 1.0)

    def rect(self) -> QRectF:
        return QRectF(self.start, 0.12, self.end - self.start, 0.76)

    def paint(self, p: QPainter, *args) -> None:
        dev = p.transform().mapRect(self.rect())
        link_to = None
        if self.spec.connected_to_next and self.spec.next_start is not None:
            link_to = p.transform().map(QPointF(self.spec.next_start, 0.5))
        p.save()
        p.resetTransform()
        color = set_color(self.spec.set_id)
        low = self.spec.confidence < LOW_CONFIDENCE
        p.setBrush(color.lighter(135) if low else color)  # opaque fills: alpha blending is slow here
        pen = QPen(QColor("#ffd84a") if self.selected else color.darker(150), 3 if self.selected else 1.5)
        if low and not self.selected:
            pen.setStyle(Qt.PenStyle.DashLine)
            pen.setColor(QColor("#303036"))
        p.setPen(pen)
        p.drawRect(dev)
        if low:
            p.setBrush(QBrush(QColor(255, 255, 255, 150), Qt.BrushStyle.BDiagPattern))
            p.setPen(Qt.PenStyle.NoPen)
            p.drawRect(dev.adjusted(2, 2, -1, -1))
        if link_to is not None:
            p.setPen(
                QPen(
                    pg.mkColor(pg.getConfigOption("foreground")),
                    4,
                    Qt.PenStyle.SolidLine,
                    Qt.PenCapStyle.RoundCap,
                )
            )
            y = dev.center().y()
            p.drawLine(QPointF(dev.right(), y), QPointF(link_to.x(), y))
            p.setBrush(pg.mkColor(pg.getConfigOption("foreground")))
            p.drawEllipse(QPointF((dev.right() + link_to.x()) / 2, y), 4.5, 4.5)  # visible when blocks touch
        if dev.width() > 14:
            self._paint_text(p, dev)
        p.restore()

    def _paint_text(self, p: QPainter, dev: QRectF) -> None:
        inner = dev.adjusted(4, 3, -3, -3)
        p.setClipRect(inner)
        p.setPen(QColor("#101014"))
        bold = QFont("DejaVu Sans", 9)
        bold.setBold(True)
        p.setFont(bold)
        p.drawText(inner, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, self.spec.title)
        small = QFont("DejaVu Sans", 8)
        p.setFont(small)
        fm = QFontMetrics(small)
        lines = _wrap(
            self.spec.name, fm, int(inner.width()), max(1, int((inner.height() - 16) // fm.height()))
        )
        p.drawText(inner.adjusted(0, 16, 0, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, lines)

    # --- interaction ---------------------------------------------------------------------
    def _edge_at(self, x: float) -> str:
        px = self.pixelWidth() or 1.0
        tol = min(EDGE_PIXELS * px, (self.end - self.start) / 3)
        if abs(x - self.start) <= tol:
            return "start"
        if abs(x - self.end) <= tol:
            return "end"
        return "move"

    def hoverEvent(self, ev) -> None:  # noqa: N802
        if ev.isExit():
            self.setCursor(Qt.CursorShape.ArrowCursor)
            return
        mode = self._edge_at(ev.pos().x())
        self.setCursor(Qt.CursorShape.SizeHorCursor if mode != "move" else Qt.CursorShape.OpenHandCursor)

    def mouseClickEvent(self, ev) -> None:  # noqa: N802
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self.owner.segmentClicked.emit(self.spec.index)
            if ev.double():
                self.owner.segmentActivated.emit(self.spec.index)

    def mouseDragEvent(self, ev) -> None:  # noqa: N802
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        ev.accept()
        x = ev.pos().x()
        if ev.isStart():
            self._drag = self._edge_at(ev.buttonDownPos().x())
            self._grab = ev.buttonDownPos().x()
            self.owner.segmentClicked.emit(self.spec.index)
        if self._drag is None:
            return
        self.prepareGeometryChange()
        if self._drag == "start":
            self.start = round(min(x, self.end - 1))
        elif self._drag == "end":
            self.end = round(max(x, self.start + 1))
        else:
            d = round(x - self._grab)
            self.start, self.end = self.spec.start + d, self.spec.end + d
        self.update()
        if ev.isFinish():
            mode, self._drag = self._drag, None
            if mode == "move":
                self.owner.segmentMoved.emit(self.spec.index, int(self.start - self.spec.start))
            else:
                self.owner.boundaryMoved.emit(self.spec.index, mode, int(getattr(self, mode)))


class LostMark(pg.GraphicsObject):
    """A stretch where the analysis lost the gymnast: a red strip under the blocks. A click moves the
    playhead to its start (to look for elements the analysis could not see)."""

    def __init__(self, owner: TimelineView) -> None:
        super().__init__()
        self.owner = owner
        self.start, self.end = 0.0, 1.0
        self.setZValue(6)  # above the blocks, whose bounding boxes span the height

    def set_span(self, start: int, end: int, fps: float) -> None:
        self.prepareGeometryChange()
        self.start, self.end = float(start), float(end)
        self.setToolTip(
            f"The gymnast was not found from {format_time(start / fps, fps)} "
            f"to {format_time(end / fps, fps)} "
            f"(frames {start}-{end}): elements here may be missing or misread.\n"
            "Click to go there; insert what the analysis missed at the playhead (I)."
        )
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        return QRectF(self.start, 0.0, self.end - self.start, 0.1)

    def paint(self, p: QPainter, *args) -> None:
        dev = p.transform().mapRect(QRectF(self.start, 0.015, self.end - self.start, 0.075))
        if dev.width() < 2:
            dev.setWidth(2)
        p.save()
        p.resetTransform()
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(LOST_COLOR))
        p.drawRect(dev)
        p.restore()

    def mouseClickEvent(self, ev) -> None:  # noqa: N802
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self.owner.playheadMoved.emit(int(self.start))


def _wrap(text: str, fm: QFontMetrics, width: int, max_lines: int) -> str:
    """Word-wrap ``text`` into at most ``max_lines`` lines, eliding the last."""
    words, lines, cur = text.split(), [], ""
    for w in words:
        trial = f"{cur} {w}".strip()
        if fm.horizontalAdvance(trial) <= width or not cur:
            cur = trial
        else:
            lines.append(cur)
            cur = w
    if cur:
        lines.append(cur)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1] + " …"
    return "\n".join(fm.elidedText(line, Qt.TextElideMode.ElideRight, width) for line in lines)
