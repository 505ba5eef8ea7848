"""Contact sheets: rendered frames across one element, a row per element, for looking at the motion."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from gymscore.codebook import default_codebook
from gymscore.synth.api import _rng, generate_skeleton_routine
from gymscore.synth.render import Renderer, make_look
from gymscore.synth.scene import make_scene


def element_row(
    element_id: str,
    seed: int = 0,
    frames: int = 8,
    thumb: tuple[int, int] = (160, 160),
    render_size: tuple[int, int] = (640, 480),
) -> np.ndarray:
    """One row: ``frames`` rendered frames spread over the element's segment, labelled."""
    apparatus = element_id[:2]
    r = generate_skeleton_routine(apparatus, seed, elements=[element_id], size=render_size)
    seg = r.timeline.segments[0]
    rng = _rng(seed, apparatus, 4)
    ren = Renderer(make_scene(apparatus, rng), r.camera, r.body, make_look(rng, "broadcast"), rng)
    ren.look.noise = 0.0
    idx = np.linspace(seg.start_frame, seg.end_frame - 1, frames).round().astype(int)
    uv = r.joints2d[idx]
    ext = (uv.max(1) - uv.min(1)).max(0)
    half = int(0.62 * max(ext[0] * thumb[1] / thumb[0], ext[1], 40))
    hw = int(half * thumb[0] / thumb[1])
    tiles = []
    for k, i in enumerate(idx):
        img = ren.frame(int(i), r.joints3d[i])
        cx, cy = (uv[k].max(0) + uv[k].min(0)) / 2
        pad = cv2.copyMakeBorder(img, half, half, hw, hw, cv2.BORDER_REPLICATE)
        x0, y0 = int(cx), int(cy)
        crop = pad[y0 : y0 + 2 * half, x0 : x0 + 2 * hw]
        tiles.append(cv2.resize(crop, thumb, interpolation=cv2.INTER_AREA))
    row = np.hstack(tiles)
    name = default_codebook().get(element_id).name
    cv2.rectangle(row, (0, 0), (row.shape[1], 18), (0, 0, 0), -1)
    cv2.putText(
        row,
        f"{element_id} {name}"[:120],
        (4, 13),
        cv2.FONT_HERSHEY_SIMPLEX,
        0.45,
        (255, 255, 255),
        1,
        cv2.LINE_AA,
    )
    return row


def contact_sheet(element_ids: list[str], path: str | os.PathLike, seed: int = 0, frames: int = 8) -> Path:
    """Write a PNG with one row per element."""
    rows = [element_row(e, seed, frames) for e in element_ids]
    sheet = (np.vstack(rows) // 16) * 16 + 8  # fewer grey levels: a much smaller PNG
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(out), sheet, [cv2.IMWRITE_PNG_COMPRESSION, 9]):
        raise OSError(f"cannot write {out}")
    return out
