"""Tiny procedural routines for tests and benchmarks (no GymSynth needed; numpy only).

Each element gets a distinct, easily learnt motion (joint-group oscillations at element-specific
frequencies and phases); gaps between elements are a still standing pose with noise.
"""

from __future__ import annotations

import numpy as np

from gymscore.data.routines import RoutineSample
from gymscore.timeline import Segment, Timeline, VideoInfo

_STAND = np.array(
    [
        [0, -1.55],
        [0, -1.35],
        [0, -0.85],
        [-0.2, -1.35],
        [0.2, -1.35],
        [-0.25, -1.1],
        [0.25, -1.1],
        [-0.28, -0.85],
        [0.28, -0.85],
        [-0.12, -0.85],
        [0.12, -0.85],
        [-0.13, -0.45],
        [0.13, -0.45],
        [-0.14, -0.05],
        [0.14, -0.05],
        [-0.2, 0.0],
        [0.2, 0.0],
    ]
)
_GROUPS = ([5, 7], [6, 8], [11, 13, 15], [12, 14, 16], [0, 1])


def toy_pose(
    element_index: int | None,
    length: int,
    rng: np.random.Generator,
    size: float = 200.0,
    centre: tuple[float, float] = (640.0, 500.0),
) -> np.ndarray:
    """(length, 17, 2) pixel joints of one element (``None``: standing still).

    Element ``k`` moves joint group ``k % 5`` along direction ``(k // 5) % 4`` with ``1 + (k // 20) % 2``
    strokes, so elements stay distinct after resampling a clip to a fixed length.
    """
    u = np.linspace(0.0, 1.0, length)
    pose = np.repeat(_STAND[None], length, axis=0).copy()
    if element_index is not None:
        k = element_index
        group = _GROUPS[k % len(_GROUPS)]
        angle = np.pi / 2 * ((k // 5) % 4)
        direction = np.array([np.cos(angle), np.sin(angle)])
        strokes = 1 + (k // 20) % 2
        disp = 0.5 * np.sin(np.pi * strokes * u)[:, None] * direction[None]
        for j in group:
            pose[:, j] += disp
    pose = pose * size + np.array(centre) + rng.normal(0, 2.0, pose.shape)
    return pose.astype(np.float32)


def toy_routine(
    element_ids: list[str],
    set_ids: list[int],
    choices: list[int],
    seed: int,
    apparatus: str = "FX",
    gap: tuple[int, int] = (10, 25),
    length: tuple[int, int] = (20, 40),
) -> RoutineSample:
    """A routine performing ``element_ids[c]`` for each ``c`` in ``choices``, with gaps between them."""
    rng = np.random.default_rng(seed)
    parts, segs, f = [], [], 0
    for c in choices:
        g = int(rng.integers(*gap))
        parts.append(toy_pose(None, g, rng))
        f += g
        n = int(rng.integers(*length))
        parts.append(toy_pose(c, n, rng))
        segs.append(Segment(f, f + n, set_id=set_ids[c], element_id=element_ids[c], source="synth"))
        f += n
    tail = int(rng.integers(*gap))
    parts.append(toy_pose(None, tail, rng))
    j = np.concatenate(parts)
    vis = np.ones(j.shape[:2], np.float32)
    tl = Timeline(
        video=VideoInfo(path=f"toy-{seed}.mp4", fps=25.0, frame_count=len(j), width=1280, height=720),
        apparatus=apparatus,
        segments=segs,
    )
    return RoutineSample(j, vis, tl, name=f"toy-{seed}", source="synth")


def toy_dataset(
    codebook,
    num_elements: int = 6,
    routines: int = 8,
    per_routine: int = 4,
    seed: int = 0,
    set_ids: list[int] | None = None,
) -> tuple[list[RoutineSample], list[str]]:
    """Routines over the first ``num_elements`` Gym99 elements of ``set_ids`` (default FX sets)."""
    wanted = set(set_ids or [21, 22, 23, 24, 25])
    ids = [e for e in codebook.gym99_ids() if codebook.get(e).set_id in wanted][:num_elements]
    sets = [int(codebook.get(e).set_id) for e in ids]
    rng = np.random.default_rng(seed)
    out = []
    for r in range(routines):
        choices = [int(c) for c in rng.integers(0, len(ids), per_routine)]
        out.append(toy_routine(ids, sets, choices, seed * 1000 + r))
    return out, ids
