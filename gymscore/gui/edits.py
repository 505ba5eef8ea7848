"""Qt-free timeline edits: every editing action of the GUI as a pure function.

Each function takes a :class:`~gymscore.timeline.Timeline`, leaves it untouched and returns an
:class:`EditResult` holding the edited copy and the index of the segment to select afterwards. Invalid
requests raise :class:`EditError` with a sentence the GUI can show as is. The undo stack in
:mod:`gymscore.gui.commands` wraps these functions; tests call them directly.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace

from gymscore.timeline import APPARATUS, Alternative, Segment, Timeline

MIN_LENGTH = 1  # frames
DEFAULT_INSERT_LENGTH = 25  # frames of a newly inserted element when the gap allows


class EditError(ValueError):
    """An edit cannot be applied; the message says why."""


@dataclass
class EditResult:
    """The edited timeline and the segment to select afterwards (None: no selection)."""

    timeline: Timeline
    selected: int | None


def _check_index(tl: Timeline, index: int) -> None:
    if not 0 <= index < len(tl.segments):
        raise EditError(f"there is no element {index + 1} (the routine has {len(tl.segments)})")


def copy_timeline(tl: Timeline) -> Timeline:
    """A copy deep enough for editing (segments and alternatives are new objects), ~50x faster than
    ``Timeline.copy()``'s deepcopy; metadata values are copied shallowly."""
    segs = [
        replace(s, alternatives=[Alternative(a.element_id, a.probability) for a in s.alternatives])
        for s in tl.segments
    ]
    return Timeline(
        video=replace(tl.video),
        apparatus=tl.apparatus,
        edition=tl.edition,
        segments=segs,
        schema_version=tl.schema_version,
        metadata=copy.copy(tl.metadata),
    )


def _sorted_copy(tl: Timeline) -> Timeline:
    out = copy_timeline(tl)
    out.segments.sort(key=lambda s: (s.start_frame, s.end_frame))
    return out


def _limits(tl: Timeline, index: int) -> tuple[int, int]:
    """First free frame before segment ``index`` and the first frame after its free space."""
    lo = tl.segments[index - 1].end_frame if index > 0 else 0
    hi = tl.segments[index + 1].start_frame if index + 1 < len(tl.segments) else tl.video.frame_count
    if hi <= 0:  # unknown length
        hi = max(s.end_frame for s in tl.segments) + 10**9
    return lo, hi


def _user(seg: Segment) -> Segment:
    seg.source = "user"
    return seg


def move_boundary(tl: Timeline, index: int, side: str, frame: float) -> EditResult:
    """Move the start or end (``side`` = "start" / "end") of a segment to ``frame``.

    The frame snaps to the nearest integer and is clamped so that the segment keeps at least one frame
    and does not overlap its neighbours.
    """
    out = _sorted_copy(tl)
    _check_index(out, index)
    if side not in ("start", "end"):
        raise EditError(f"side must be 'start' or 'end', got {side!r}")
    seg = out.segments[index]
    lo, hi = _limits(out, index)
    f = int(round(frame))
    if side == "start":
        seg.start_frame = max(lo, min(f, seg.end_frame - MIN_LENGTH))
    else:
        seg.end_frame = min(hi, max(f, seg.start_frame + MIN_LENGTH))
    _user(seg)
    return EditResult(out, index)


def move_segment(tl: Timeline, index: int, delta: float) -> EditResult:
    """Shift a segment by ``delta`` frames, stopping at its neighbours and the ends of the video."""
    out = _sorted_copy(tl)
    _check_index(out, index)
    seg = out.segments[index]
    lo, hi = _limits(out, index)
    d = int(round(delta))
    d = max(lo - seg.start_frame, min(d, hi - seg.end_frame))
    seg.start_frame += d
    seg.end_frame += d
    _user(seg)
    return EditResult(out, index)


def split_segment(tl: Timeline, index: int, frame: float) -> EditResult:
    """Split a segment at ``frame`` into two with the same label; the second half is selected."""
    out = _sorted_copy(tl)
    _check_index(out, index)
    seg = out.segments[index]
    f = int(round(frame))
    if not seg.start_frame + MIN_LENGTH <= f <= seg.end_frame - MIN_LENGTH:
        raise EditError(
            f"cannot split element {index + 1} at frame {f}: the playhead must be inside it "
            f"(frames {seg.start_frame + 1}-{seg.end_frame - 1})"
        )
    second = seg.copy()
    second.start_frame = f
    seg.end_frame = f
    seg.connected_to_next = False
    out.segments.insert(index + 1, _user(second))
    _user(seg)
    return EditResult(out, index + 1)


def merge_with_next(tl: Timeline, index: int) -> EditResult:
    """Merge a segment with the following one; the merged segment keeps the first one's label."""
    out = _sorted_copy(tl)
    _check_index(out, index)
    if index + 1 >= len(out.segments):
        raise EditError(f"element {index + 1} is the last one: there is nothing to merge it with")
    seg, nxt = out.segments[index], out.segments[index + 1]
    seg.end_frame = nxt.end_frame
    seg.connected_to_next = nxt.connected_to_next
    del out.segments[index + 1]
    _user(seg)
    return EditResult(out, index)


def delete_segment(tl: Timeline, index: int) -> EditResult:
    """Remove a segment; the element after it (or the new last one) is selected."""
    out = _sorted_copy(tl)
    _check_index(out, index)
    del out.segments[index]
    if index > 0 and index == len(out.segments):
        out.segments[index - 1].connected_to_next = False
    sel = min(index, len(out.segments) - 1) if out.segments else None
    return EditResult(out, sel)


def insert_segment(
    tl: Timeline,
    frame: float,
    element_id: str | None = None,
    set_id: int | None = None,
    length: int = DEFAULT_INSERT_LENGTH,
) -> EditResult:
    """Insert a new element starting at ``frame`` in free time, at most ``length`` frames long."""
    out = _sorted_copy(tl)
    f = int(round(frame))
    n = out.video.frame_count
    if f < 0 or (n and f >= n):
        raise EditError(f"frame {f} is outside the video (0-{max(n - 1, 0)})")
    if out.segment_at(f) is not None:
        i = out.segment_at(f)
        raise EditError(f"frame {f} is inside element {i + 1}: move the playhead to free time to insert")
    nxt = next((s.start_frame for s in out.segments if s.start_frame > f), n if n else f + length)
    end = min(f + max(MIN_LENGTH, int(length)), nxt)
    seg = Segment(start_frame=f, end_frame=end, set_id=set_id, element_id=element_id, source="user")
    out.segments.append(seg)
    out.segments.sort(key=lambda s: (s.start_frame, s.end_frame))
    return EditResult(out, out.segments.index(seg))


def toggle_connected(tl: Timeline, index: int) -> EditResult:
    """Flip "connected to next" of a segment (the last element cannot connect to anything)."""
    out = _sorted_copy(tl)
    _check_index(out, index)
    seg = out.segments[index]
    if not seg.connected_to_next and index + 1 >= len(out.segments):
        raise EditError(f"element {index + 1} is the last one: it cannot be connected to a next element")
    seg.connected_to_next = not seg.connected_to_next
    return EditResult(out, index)


def relabel(tl: Timeline, index: int, element_id: str | None, set_id: int | None = None) -> EditResult:
    """Give a segment another element (and set); it becomes a user-confirmed label (confidence 1), and
    its note (why the model or an import chose the old label) goes."""
    out = _sorted_copy(tl)
    _check_index(out, index)
    seg = out.segments[index]
    seg.element_id, seg.note = element_id, ""
    if set_id is not None:
        seg.set_id = set_id
    seg.confidence = 1.0
    _user(seg)
    return EditResult(out, index)


def set_apparatus(tl: Timeline, apparatus: str, selected: int | None = None) -> EditResult:
    """Change the apparatus of the routine (remembered as the user's choice: a new analysis keeps it)."""
    if apparatus not in APPARATUS:
        raise EditError(f"apparatus {apparatus!r} is not one of {', '.join(APPARATUS)}")
    out = copy_timeline(tl)
    out.apparatus = apparatus
    out.metadata["apparatus_source"] = "user"
    return EditResult(out, selected)


def apparatus_for_analysis(tl: Timeline) -> str | None:
    """The apparatus a new analysis of this routine should keep: the one the user chose, or the one of
    a routine with elements; None lets the analysis recognise it."""
    analysis = tl.metadata.get("analysis") or {}
    chosen = tl.metadata.get("apparatus_source") == "user" or analysis.get("apparatus_source") == "user"
    return tl.apparatus if chosen or tl.segments else None


def set_edition(tl: Timeline, edition: str, selected: int | None = None) -> EditResult:
    """Change the codebook edition the routine is scored with."""
    if not edition:
        raise EditError("the codebook edition must not be empty")
    out = copy_timeline(tl)
    out.edition = edition
    return EditResult(out, selected)


def replace_timeline(tl: Timeline, new: Timeline, selected: int | None = None) -> EditResult:
    """Replace the whole timeline (an analysis result of the open video): the video path stays the one
    the window opened (the result may name it relatively); missing video facts come from ``tl``."""
    out = copy_timeline(new)
    if tl.video.path:
        out.video.path = tl.video.path
        out.video.sha256 = out.video.sha256 or tl.video.sha256
        out.video.frame_count = out.video.frame_count or tl.video.frame_count
        out.video.width, out.video.height = (
            out.video.width or tl.video.width,
            out.video.height or tl.video.height,
        )
    return EditResult(out, selected)
