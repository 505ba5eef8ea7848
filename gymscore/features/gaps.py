"""Frames where the gymnast was not found: which ones to interpolate, and how.

Per-frame source codes: :data:`DETECTED` (the estimator found her), :data:`INTERPOLATED` (filled
between detections), :data:`MISSING` (left empty; holds the nearest known pose at visibility 0).
"""

from __future__ import annotations

import numpy as np

DETECTED, INTERPOLATED, MISSING = 1, 2, 0


def _same_place(a: np.ndarray, b: np.ndarray, distance: float) -> bool:
    """Whether two poses (J, 2) have centres at most ``distance`` body sizes apart and similar sizes."""
    size_a = float(np.ptp(a, axis=0).max())
    size_b = float(np.ptp(b, axis=0).max())
    if min(size_a, size_b) <= 0 or max(size_a, size_b) > 1.5 * min(size_a, size_b):
        return False
    gap = float(np.hypot(*(a.mean(axis=0) - b.mean(axis=0))))
    return gap <= distance * max(size_a, size_b)


def fill_gaps(
    joints: np.ndarray,
    visibility: np.ndarray,
    detected: np.ndarray,
    processed: np.ndarray,
    max_gap: int,
    camera: np.ndarray | None = None,
    bridge_gap: int = 0,
    bridge_distance: float = 0.75,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Interpolate joints linearly through short gaps.

    ``joints`` (T, J, 2) and ``visibility`` (T, J) hold values where ``detected`` (T,) is true.
    A gap between two detections is filled when it spans at most ``max_gap`` frames, or when it
    holds no processed frame (frames skipped by the stride), or when it spans at most ``bridge_gap``
    frames and she is found again where she was lost (pose centres at most ``bridge_distance`` body
    sizes apart, sizes within a factor 1.5: a giant swing or a salto in place, not a run across the
    floor). Filled visibility is interpolated, and halved in gaps where the estimator was run and
    failed. Frames left unfilled hold the nearest known joints with visibility 0. Returns (joints,
    visibility, source) with source per frame DETECTED, INTERPOLATED or MISSING. ``camera`` (T, 2),
    the camera's accumulated image motion in pixels, makes the interpolation follow a panning camera
    (joints move linearly relative to the scene).
    """
    if camera is not None:
        cam = camera.astype(np.float32)[:, None, :]
        j, v, src = fill_gaps(joints - cam, visibility, detected, processed, max_gap, None, bridge_gap,
                              bridge_distance)
        return j + cam, v, src
    t = joints.shape[0]
    out_j = joints.astype(np.float32).copy()
    out_v = np.where(detected[:, None], visibility, 0.0).astype(np.float32)
    source = np.where(detected, DETECTED, MISSING).astype(np.int8)
    idx = np.flatnonzero(detected)
    if len(idx) == 0:
        out_j[:] = 0.0
        return out_j, out_v, source
    for a, b in zip(idx[:-1], idx[1:], strict=True):
        gap = b - a - 1
        if gap <= 0:
            continue
        failed = bool(processed[a + 1:b].any())
        if failed and gap > max_gap and not (gap <= bridge_gap and _same_place(joints[a], joints[b],
                                                                                  bridge_distance)):
            continue
        w = (np.arange(1, gap + 1, dtype=np.float32) / (gap + 1))[:, None]
        out_j[a + 1:b] = (1 - w)[:, :, None] * joints[a] + w[:, :, None] * joints[b]
        vis = (1 - w) * visibility[a] + w * visibility[b]
        out_v[a + 1:b] = vis * (0.5 if failed else 1.0)
        source[a + 1:b] = INTERPOLATED
    # Frames after the last detection that the estimator never looked at (the stride's tail).
    last = idx[-1]
    if last + 1 < t and not processed[last + 1:].any():
        out_j[last + 1:] = joints[last]
        out_v[last + 1:] = visibility[last]
        source[last + 1:] = INTERPOLATED
    # Hold the nearest known pose where nothing was filled (visibility stays 0).
    known = source != MISSING
    kidx = np.flatnonzero(known)
    pos = np.clip(np.searchsorted(kidx, np.arange(t)), 0, len(kidx) - 1)
    prev = np.clip(pos - 1, 0, len(kidx) - 1)
    frames = np.arange(t)
    nearer = np.where(np.abs(kidx[prev] - frames) <= np.abs(kidx[pos] - frames), kidx[prev], kidx[pos])
    missing = ~known
    out_j[missing] = out_j[nearer[missing]]
    return out_j, out_v, source


def missing_spans(source: np.ndarray, min_frames: int = 1) -> list[tuple[int, int]]:
    """The runs of frames whose ``source`` is :data:`MISSING` (the gymnast not found, nothing
    filled in), as ``(start, end)`` frame pairs with ``end`` exclusive, those shorter than
    ``min_frames`` left out."""
    missing = np.concatenate([[False], np.asarray(source) == MISSING, [False]])
    edges = np.flatnonzero(missing[1:] != missing[:-1])
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True) if b - a >= min_frames]
