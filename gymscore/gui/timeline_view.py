"""The pyqtgraph timeline under the video: one block per element, a playhead, zoom and pan.

x is in frames (the axis shows timecodes); blocks are drawn in screen space so that text and hatching
stay sharp at any zoom. Dragging a block's edge moves that boundary, dragging its middle moves the
block; the view only emits requests, the main window turns them into undoable edits.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal

from gymscore.gui.score_view import format_time
from gymscore.gui.services import Services
from gymscore.gui.timeline_items import (
    LOST_COLOR,
    LOW_CONFIDENCE,
    BlockSpec,
    LostMark,
    SegmentBlock,
    set_color,
)
from gymscore.timeline import Timeline, lost_stretches

TICK_SECONDS = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0)  # axis ticks


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
            if lost_stretches(tl) else [])
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
