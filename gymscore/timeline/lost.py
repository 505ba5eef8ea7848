"""Where the analysis that made a timeline lost the gymnast: ``metadata["analysis"]["pose_lost"]``.

The pipeline writes the stretches (:func:`gymscore.analysis_notes.lost_spans`); the command line, the app's
timeline and its PDF sheet read them here, so a hand-edited file cannot break any of them.
"""

from __future__ import annotations

from gymscore.timeline.model import Timeline


def lost_stretches(tl: Timeline) -> list[tuple[int, int]]:
    """The stretches (start, end exclusive frames) where the analysis did not find the gymnast,
    sorted and inside the video; entries that are not frame pairs are skipped."""
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


def describe_lost(tl: Timeline, most: int = 8) -> str | None:
    """One line naming the stretches in seconds (at most ``most``, then how many more), or None."""
    spans = lost_stretches(tl)
    if not spans:
        return None
    shown = ", ".join(f"{tl.frame_to_seconds(a):.2f}-{tl.frame_to_seconds(b):.2f}s" for a, b in spans[:most])
    more = f" and {len(spans) - most} more" if len(spans) > most else ""
    total = sum(b - a for a, b in spans) / (tl.video.fps or 25.0)
    return f"gymnast not found at {shown}{more} ({total:.1f} s in all): elements there may be missing"
