"""Export a Timeline (with its score card) as CSV; JSON is :func:`gymscore.timeline.save_timeline`."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pandas as pd

from gymscore.timeline.model import Timeline
from gymscore.util.atomic import atomic_write_text

CSV_COLUMNS = (
    "index",
    "start_frame",
    "end_frame",
    "start_s",
    "end_s",
    "set_id",
    "element_id",
    "name",
    "cop_number",
    "value_letter",
    "value",
    "counted",
    "reason",
    "confidence",
    "connected_to_next",
    "source",
)


def timeline_table(tl: Timeline, card: Any = None, codebook: Any = None) -> pd.DataFrame:
    """One row per segment: timing, element facts from the codebook, and the score card's verdict.

    ``card`` is a :class:`gymscore.scoring.ScoreCard` of ``tl`` (optional: without it the counted and
    reason columns stay empty); ``codebook`` fills name, CoP number and value when no card is given.
    """
    lines = {e.index: e for e in card.elements} if card is not None else {}
    rows = []
    fps = tl.video.fps if tl.video.fps > 0 else 25.0
    for i, seg in enumerate(tl.segments):
        line = lines.get(i)
        name = cop = letter = None
        value = None
        if line is not None and line.id is not None and line.name:
            name, cop, letter, value = line.name, line.cop_number, line.letter or None, line.value
        elif codebook is not None and seg.element_id:
            try:
                el = codebook.get(seg.element_id)
                name, cop, letter, value = el.name, el.cop_number, el.value_letter, el.value
            except LookupError:
                pass
        rows.append(
            {
                "index": i,
                "start_frame": seg.start_frame,
                "end_frame": seg.end_frame,
                "start_s": round(seg.start_frame / fps, 3),
                "end_s": round(seg.end_frame / fps, 3),
                "set_id": seg.set_id,
                "element_id": seg.element_id,
                "name": name,
                "cop_number": cop,
                "value_letter": letter,
                "value": value,
                "counted": line.counted if line is not None else None,
                "reason": line.reason if line is not None else None,
                "confidence": seg.confidence,
                "connected_to_next": seg.connected_to_next,
                "source": seg.source,
            }
        )
    df = pd.DataFrame(rows, columns=list(CSV_COLUMNS))
    return df.astype({"set_id": "Int64"})


def export_csv(tl: Timeline, path: str | os.PathLike, card: Any = None, codebook: Any = None) -> Path:
    """Write :func:`timeline_table` as UTF-8 CSV, atomically."""
    buf = io.StringIO()
    timeline_table(tl, card, codebook).to_csv(buf, index=False, lineterminator="\n")
    return atomic_write_text(path, buf.getvalue())
