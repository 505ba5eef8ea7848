"""RGB clip preprocessing for the TSM/TSN classifiers (segment sampling, resize, normalise)."""

from __future__ import annotations

from typing import Any

import numpy as np

DEFAULT_MEAN = (0.45, 0.45, 0.45)
DEFAULT_STD = (0.225, 0.225, 0.225)


def sample_indices(num_frames: int, num_segments: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """TSN segment sampling: one frame per equal segment (its centre, or a random one with ``rng``)."""
    if num_frames <= 0:
        raise ValueError("sample_indices: a clip has no frames")
    edges = np.linspace(0, num_frames, num_segments + 1)
    if rng is None:
        idx = (edges[:-1] + edges[1:]) / 2
    else:
        idx = edges[:-1] + rng.random(num_segments) * (edges[1:] - edges[:-1])
    return np.clip(idx.astype(int), 0, num_frames - 1)


def _resize(frame: np.ndarray, size: int) -> np.ndarray:
    if frame.shape[0] == size and frame.shape[1] == size:
        return frame
    import cv2

    return cv2.resize(frame, (size, size), interpolation=cv2.INTER_AREA)


def preprocess_frames(
    frames: np.ndarray,
    spec: dict[str, Any],
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """(t, H, W, 3) uint8 RGB -> (num_segments, 3, size, size) float32 normalised by the spec's mean/std.

    ``spec`` keys: ``clip_len`` (segments, default 8), ``frame_size`` (square side, default 64),
    ``mean``/``std``. With ``rng``, frames are sampled randomly within segments and flipped at random.
    """
    f = np.asarray(frames)
    if f.ndim != 4 or f.shape[-1] != 3:
        raise ValueError(f"RGB clip must have shape (t, H, W, 3), got {f.shape}")
    n = int(spec.get("clip_len", 8))
    size = int(spec.get("frame_size", 64))
    idx = sample_indices(len(f), n, rng)
    out = np.stack([_resize(f[i], size) for i in idx]).astype(np.float32) / 255.0
    if rng is not None and rng.random() < 0.5:
        out = out[:, :, ::-1]
    mean = np.asarray(spec.get("mean", DEFAULT_MEAN), np.float32)
    std = np.asarray(spec.get("std", DEFAULT_STD), np.float32)
    out = (out - mean) / std
    return np.ascontiguousarray(out.transpose(0, 3, 1, 2))
