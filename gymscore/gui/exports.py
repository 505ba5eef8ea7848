"""Exports of the open routine (Qt-free): timeline JSON, CSV score table, FineGym routine layout and
"my corrections" (training data in ``user_data_dir()/corrections``)."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gymscore.gui.score_view import ScoreSummary
from gymscore.gui.services import Services
from gymscore.paths import user_data_dir
from gymscore.timeline import Timeline, save_timeline
from gymscore.timeline.export import CSV_COLUMNS, timeline_table
from gymscore.timeline.finegym import SET_IDS
from gymscore.util.atomic import atomic_write_json, atomic_write_text, atomic_write_with

POSE_SUFFIX = ".pose.npz"
# Set id -> the label stem FineGym routines use (the importer's table read backwards; keeps the
# dataset's own spelling "UB_fligh_same_bar", which is listed first there).
FINEGYM_SET_LABELS = {sid: name for name, sid in reversed(SET_IDS.items()) if sid != 1}
def write_json(tl: Timeline, path: str | os.PathLike) -> Path:
    """The timeline in gymscore's JSON format."""
    return save_timeline(tl, path)


def csv_text(tl: Timeline, summary: ScoreSummary, card: Any = None) -> str:
    """The same per-element table as ``gymscore export --csv`` (:func:`timeline_table`), then one row
    per part of the D breakdown (label in ``index``, amount in ``value``)."""
    df = timeline_table(tl, card)
    breakdown = [
        (label, value)
        for label, value in (("DV", summary.dv), ("CR", summary.cr), ("CV", summary.cv), ("SB", summary.sb),
                             ("D", summary.d_score))
        if value is not None and (value or label != "SB")
    ]
    if breakdown:
        extra = pd.DataFrame([{"index": label, "value": round(value, 3)} for label, value in breakdown],
                             columns=list(CSV_COLUMNS))
        df = pd.concat([df.astype(object), extra.astype(object)], ignore_index=True)
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def write_csv(tl: Timeline, summary: ScoreSummary, path: str | os.PathLike, card: Any = None) -> Path:
    """Write :func:`csv_text` atomically."""
    return atomic_write_text(path, csv_text(tl, summary, card))


def finegym_routine(tl: Timeline, services: Services) -> dict:
    """The routine in the FineGym / E2E-Spot routine layout: start and end marks per element."""
    fps = tl.video.fps or 25.0
    events = []
    for seg in tl.segments:
        info = services.element(tl.edition, seg.element_id)
        name = info.name if info else (seg.element_id or "unknown")
        comment = f"A_{int(seg.start_frame / fps):04d}_{int(seg.end_frame / fps):04d};({tl.apparatus}) {name}"
        if tl.apparatus == "VT" or seg.set_id == 1:
            labels = ("VT_0", "VT_3")
        else:
            base = FINEGYM_SET_LABELS.get(seg.set_id or -1, f"{tl.apparatus}_unknown")
            labels = (f"{base}_start", f"{base}_end")
        events.append({"comment": comment, "frame": seg.start_frame, "label": labels[0]})
        events.append(
            {"comment": comment, "frame": max(seg.start_frame, seg.end_frame - 1), "label": labels[1]}
        )
    return {
        "video": Path(tl.video.path).stem if tl.video.path else "routine",
        "fps": fps,
        "num_frames": tl.video.frame_count,
        "width": tl.video.width,
        "height": tl.video.height,
        "num_events": len(events),
        "events": events,
    }


def write_finegym(tl: Timeline, services: Services, path: str | os.PathLike) -> Path:
    """A one-routine FineGym routine file (a JSON list, like ``routines/val.json``)."""
    return atomic_write_json(path, [finegym_routine(tl, services)])


def write_correction(tl: Timeline, poses: np.ndarray | None = None, folder: str | Path | None = None) -> Path:
    """Add the edited timeline (absolute video path) to "my corrections"; with poses, also the pose track
    ``NAME.pose.npz`` the trainer needs. Returns the timeline path."""
    out = Path(folder) if folder is not None else user_data_dir() / "corrections"
    stem = Path(tl.video.path).stem if tl.video.path else "routine"
    name = f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}"
    corrected = tl.copy()
    if corrected.video.path:
        corrected.video.path = str(Path(corrected.video.path).resolve())
    corrected.metadata = {**corrected.metadata, "corrected_at": time.strftime("%Y-%m-%dT%H:%M:%S")}
    path = save_timeline(corrected, out / f"{name}.json")
    if poses is not None and len(poses):
        arr = np.asarray(poses, np.float32)
        vis = arr[..., 2] if arr.shape[-1] >= 3 else np.ones(arr.shape[:2], np.float32)
        atomic_write_with(
            out / f"{name}{POSE_SUFFIX}",
            lambda fh: np.savez_compressed(fh, joints2d=arr[..., :2], visibility=vis),
        )
    return path
