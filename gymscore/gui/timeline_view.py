"""The pyqtgraph timeline under the video: one block per element, a playhead, zoom and pan.

x is in frames (the axis shows timecodes); blocks are drawn in screen space so that text and hatching
stay sharp at any zoom. Dragging a block's edge moves that boundary, dragging its middle moves the
block; the view only emits requests, the main window turns them into undoable edits.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPen

from gymscore.gui.score_view import format_time
from gymscore.gui.services import Services
from gymscore.timeline import Timeline

LOW_CONFIDENCE = 0.6
EDGE_PIXELS = 7
LOST_COLOR = "#b0413e"  # the strip under the blocks where the analysis lost the gymnast
TICK_SECONDS = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0)  # axis ticks
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


def block_specs(tl: Timeline, services: Services) -> list[BlockSpec]:
    """What each block of a timeline shows (number, value letter, name, set, confidence, link)."""
    specs = []
    for i, seg in enumerate(tl.segments):
        info = services.element(tl.edition, seg.element_id)
        nxt = tl.segments[i + 1].start_frame if i + 1 < len(tl.segments) else None
        specs.append(
            BlockSpec(
                i,
                seg.start_frame,
                seg.end_frame,
                f"{i + 1}  {info.value_letter if info else ''}".strip(),
                info.name if info else "unlabelled",
                seg.set_id,
                seg.confidence,
                seg.connected_to_next,
                nxt,
                services.set_name(tl.edition, seg.set_id),
            )
        )
    return specs


def lost_spans_of(tl: Timeline) -> list[tuple[int, int]]:
    """Where the analysis did not find the gymnast: ``metadata["analysis"]["pose_lost"]`` as
    (start, end exclusive) frames inside the video; entries that are not frame pairs are skipped (the
    file may have been edited by hand)."""
    analysis = tl.metadata.get("analysis") if isinstance(tl.metadata, dict) else None
    raw = analysis.get("pose_lost") if isinstance(analysis, dict) else None
    end_max = tl.video.frame_count or None
    spans = []
    for item in raw if isinstance(raw, list) else []:
        if not (isinstance(item, (list, tuple)) and len(item) == 2
                and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in item)):
            continue
        a, b = int(item[0]), int(item[1])
        if end_max is not None:
            a, b = max(0, a), min(b, end_max)
        if b > a:
            spans.append((a, b))
    return sorted(spans)


def legend_html(tl: Timeline, services: Services) -> str:
    """One line explaining the colours (the sets present), the marks and the strip where the gymnast
    was not found."""
    seen: list[int | None] = []
    for seg in tl.segments:
        if seg.set_id not in seen:
            seen.append(seg.set_id)
    parts = [
        f"<span style='color:{set_color(sid).name()}'>&#9632;</span> {services.set_name(tl.edition, sid)}"
        for sid in sorted(seen, key=lambda x: (x is None, x or 0))
    ]
    marks = f"hatched, dashed: confidence &lt; {LOW_CONFIDENCE:.0%} &nbsp; &#9679; connected to next"
    lost = ([f"<span style='color:{LOST_COLOR}'>&#9644;</span> gymnast not found: elements may be missing"]
            if lost_spans_of(tl) else [])
    if not parts:
        return "&nbsp;&nbsp; ".join(lost)
    return "&nbsp;&nbsp; ".join(parts + [marks] + lost)


class TimeAxis(pg.AxisItem):
    """Bottom axis labelled with timecodes instead of frame numbers."""

    def __init__(self, fps: float = 25.0) -> None:
        super().__init__(orientation="bottom")
        self.fps = fps

    def tickSpacing(self, minVal, maxVal, size):  # noqa: N802 - pyqtgraph override
        """Major ticks on round times (0.1 s ... 5 min) at least 90 pixels apart, minor ticks on the
        finest round time that divides them and stays 12 pixels apart."""
        span = abs(maxVal - minVal)
        if span <= 0 or size <= 0:
            return []
        px_per_s = size / span * self.fps
        major = next((t for t in TICK_SECONDS if t * px_per_s >= 90), TICK_SECONDS[-1])
        minor = next((t for t in TICK_SECONDS if t < major and t * px_per_s >= 12
                      and abs(major / t - round(major / t)) < 1e-6), major)
        return [(major * self.fps, 0.0), (minor * self.fps, 0.0)]

    def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph override
        return [format_time(v / self.fps, self.fps, snap=False) for v in values]


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


class TimelineView(pg.PlotWidget):
    """Element blocks over time with a movable playhead; emits edit requests."""

    segmentClicked = Signal(int)
    segmentActivated = Signal(int)  # double click: relabel
    boundaryMoved = Signal(int, str, int)  # index, "start"/"end", frame
    segmentMoved = Signal(int, int)  # index, delta frames
    playheadMoved = Signal(int)

    def __init__(self, parent=None) -> None:
        self._axis = TimeAxis()
        super().__init__(parent, axisItems={"bottom": self._axis})
        self.setMinimumHeight(120)
        self.setMaximumHeight(190)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys go to the window's shortcuts
        pi = self.getPlotItem()
        pi.hideAxis("left")
        pi.setMenuEnabled(False)
        pi.hideButtons()
        vb = pi.getViewBox()
        vb.setMouseEnabled(x=True, y=False)
        vb.setYRange(0, 1, padding=0)
        vb.setDefaultPadding(0.0)
        self.blocks: list[SegmentBlock] = []
        self._pool: list[SegmentBlock] = []
        self.lost: list[LostMark] = []
        self._lost_pool: list[LostMark] = []
        self.frame_count = 0
        self.playhead = pg.InfiniteLine(
            pos=0,
            angle=90,
            movable=True,
            pen=pg.mkPen("#ff4d4d", width=2),
            hoverPen=pg.mkPen("#ff8080", width=3),
        )
        self.playhead.setZValue(20)
        self.addItem(self.playhead)
        self._updating = False
        self.empty_hint = pg.TextItem(
            "No elements yet: Analyse the video (F5), or insert one at the playhead (I)",
            color=pg.getConfigOption("foreground"),
            anchor=(0, 0.5),
        )
        self.empty_hint.setPos(0, 0.5)
        self.addItem(self.empty_hint)
        self.playhead.sigPositionChanged.connect(self._on_playhead)
        self.scene().sigMouseClicked.connect(self._on_scene_click)

    def set_fps(self, fps: float, frame_count: int) -> None:
        """Set the time scale and the length of the video in frames."""
        self._axis.fps = fps if fps > 0 else 25.0
        self.frame_count = max(1, frame_count)
        vb = self.getPlotItem().getViewBox()
        vb.setLimits(xMin=0, xMax=self.frame_count, yMin=0, yMax=1, minXRange=5)
        vb.setXRange(0, self.frame_count, padding=0)
        for mark in self.lost:  # (their tooltips give times)
            mark.set_span(int(mark.start), int(mark.end), self._axis.fps)

    def set_blocks(self, specs: list[BlockSpec], selected: int | None) -> None:
        """Show these blocks, reusing the existing items (never removing any from the scene)."""
        for i, spec in enumerate(specs):
            if i < len(self._pool):
                self._pool[i].set_spec(spec)
            else:
                blk = SegmentBlock(self, spec)
                self._pool.append(blk)
                self.addItem(blk)
            self._pool[i].setVisible(True)
        for blk in self._pool[len(specs) :]:
            blk.setVisible(False)
            blk.selected = False
        self.blocks = self._pool[: len(specs)]
        self.empty_hint.setVisible(not specs)
        self.set_selected(selected)

    def set_lost(self, spans: list[tuple[int, int]]) -> None:
        """Mark the stretches (start, end exclusive frames) where the analysis lost the gymnast."""
        while len(self._lost_pool) < len(spans):
            mark = LostMark(self)
            self._lost_pool.append(mark)
            self.addItem(mark)
        for mark, (a, b) in zip(self._lost_pool, spans, strict=False):
            mark.set_span(a, b, self._axis.fps)
            mark.setVisible(True)
        for mark in self._lost_pool[len(spans):]:
            mark.setVisible(False)
        self.lost = self._lost_pool[: len(spans)]

    def set_selected(self, index: int | None) -> None:
        for b in self.blocks:
            sel = b.spec.index == index
            if sel != b.selected:
                b.selected = sel
                b.update()

    def set_playhead(self, frame: int) -> None:
        """Move the playhead without emitting :attr:`playheadMoved`."""
        self._updating = True
        self.playhead.setValue(frame)
        self._updating = False

    def visible_range(self) -> tuple[float, float]:
        return tuple(self.getPlotItem().getViewBox().viewRange()[0])  # type: ignore[return-value]

    def set_visible_range(self, x0: float, x1: float) -> None:
        self.getPlotItem().getViewBox().setXRange(x0, x1, padding=0)

    def _on_playhead(self) -> None:
        f = int(round(self.playhead.value()))
        f = max(0, min(f, self.frame_count - 1))
        if not self._updating:
            self.playheadMoved.emit(f)

    def _on_scene_click(self, ev) -> None:
        if ev.isAccepted() or ev.button() != Qt.MouseButton.LeftButton:
            return
        vb = self.getPlotItem().getViewBox()
        pos = vb.mapSceneToView(ev.scenePos())
        if vb.sceneBoundingRect().contains(ev.scenePos()):
            self.playheadMoved.emit(max(0, min(int(round(pos.x())), self.frame_count - 1)))
