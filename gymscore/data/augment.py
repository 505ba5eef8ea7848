"""2D pose augmentation that mimics broadcast video and MediaPipe failures (numpy only).

Applied to pixel joints before :func:`gymscore.features.posefeat.pose_features`: camera changes (scale,
in-plane rotation, horizontal foreshortening as from a yaw change, translation), left-right mirroring,
joint jitter, dropped joints, dropped frame spans (detection lost in fast saltos) and temporal speed
changes. Labels per frame are resampled with the same time map.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gymscore.skeleton import FLIP_PAIRS

_SWAP = np.arange(17)
for _a, _b in FLIP_PAIRS:
    _SWAP[_a], _SWAP[_b] = _b, _a


@dataclass
class AugmentConfig:
    """Strengths of each augmentation (0 disables one)."""

    scale: tuple[float, float] = (0.6, 1.5)
    rotate_deg: float = 12.0
    foreshorten: tuple[float, float] = (0.6, 1.0)  # horizontal squeeze from a camera yaw change
    foreshorten_y: tuple[float, float] = (0.7, 1.0)  # vertical squeeze from a high (steep) camera
    shear: float = 0.15
    cut_prob: float = 0.004  # chance per frame of a camera cut (a new random view from there on)
    translate: float = 0.15  # fraction of the frame
    flip_prob: float = 0.5
    noise_prob: float = 0.6  # chance that a sample gets the detector-noise family below at all
    jitter: float = 0.015  # joint noise, fraction of torso length
    drop_joint_prob: float = 0.05
    drop_span_prob: float = 0.01  # chance per frame that a lost-detection span starts
    drop_span_len: tuple[int, int] = (2, 8)
    fast_drop_prob: float = 0.3  # chance a joint is lost on frames of fast motion
    speed: tuple[float, float] = (0.8, 1.25)  # temporal speed factor
    visibility_noise: float = 0.15


def mirror(joints2d: np.ndarray, visibility: np.ndarray, width: float) -> tuple[np.ndarray, np.ndarray]:
    """Flip horizontally in a frame of ``width`` pixels and swap left/right joints."""
    j = joints2d[:, _SWAP].copy()
    j[..., 0] = width - j[..., 0]
    return j, visibility[:, _SWAP].copy()


def time_map(length: int, speed: float) -> np.ndarray:
    """Source frame index of each output frame when playing ``length`` frames ``speed`` times faster."""
    n = max(1, int(round(length / speed)))
    return np.clip(np.round(np.arange(n) * speed).astype(int), 0, length - 1)


def augment_pose(
    joints2d: np.ndarray,
    visibility: np.ndarray,
    frame_size: tuple[int, int],
    rng: np.random.Generator,
    cfg: AugmentConfig | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Augmented (joints2d, visibility, source_index): ``source_index[t]`` is the input frame of output t."""
    cfg = cfg or AugmentConfig()
    j = np.asarray(joints2d, dtype=np.float64)
    v = np.asarray(visibility, dtype=np.float64).copy()
    T = len(j)
    w, h = float(frame_size[0] or 1), float(frame_size[1] or 1)
    src = np.arange(T)
    if cfg.speed[0] != 1.0 or cfg.speed[1] != 1.0:
        src = time_map(T, float(rng.uniform(*cfg.speed)))
        j, v = j[src], v[src]
    if cfg.flip_prob and rng.random() < cfg.flip_prob:
        j, v = mirror(j, v, w)
    # camera: per shot (cuts at random frames), an affine view change about the frame centre
    n = len(j)
    cuts = np.flatnonzero(rng.random(n) < cfg.cut_prob) if cfg.cut_prob else np.zeros(0, int)
    bounds = [0, *[int(c) for c in cuts if 0 < c < n], n]
    c = np.array([w / 2, h / 2])
    for a, b in zip(bounds, bounds[1:], strict=False):
        if b <= a:
            continue
        s = rng.uniform(*cfg.scale)
        ang = np.deg2rad(rng.uniform(-cfg.rotate_deg, cfg.rotate_deg))
        rot = np.array([[np.cos(ang), -np.sin(ang)], [np.sin(ang), np.cos(ang)]])
        sh = np.array([[1.0, rng.uniform(-cfg.shear, cfg.shear)], [0.0, 1.0]])
        m = s * rot @ sh @ np.diag([rng.uniform(*cfg.foreshorten), rng.uniform(*cfg.foreshorten_y)])
        shift = rng.uniform(-cfg.translate, cfg.translate, 2) * np.array([w, h])
        j[a:b] = (j[a:b] - c) @ m.T + c + shift
    # jitter in units of the median torso length
    torso = np.linalg.norm(j[:, 1] - j[:, 2], axis=1)
    size = float(np.median(torso)) if T else 1.0
    noisy = rng.random() < cfg.noise_prob
    if noisy and cfg.jitter:
        j = j + rng.normal(0, cfg.jitter * max(size, 1.0), j.shape)
    if noisy and cfg.drop_joint_prob:
        v[rng.random((n, 17)) < cfg.drop_joint_prob] = 0.0
    if noisy and cfg.fast_drop_prob and n > 1:
        speed = np.zeros(n)
        speed[1:] = np.linalg.norm(np.diff(j, axis=0), axis=2).mean(axis=1) / max(size, 1.0)
        fast = speed > 0.35
        lost = fast[:, None] & (rng.random((n, 17)) < cfg.fast_drop_prob)
        v[lost] = 0.0
    if noisy and cfg.drop_span_prob:
        starts = np.flatnonzero(rng.random(n) < cfg.drop_span_prob)
        for s0 in starts:
            v[s0 : s0 + int(rng.integers(cfg.drop_span_len[0], cfg.drop_span_len[1] + 1))] = 0.0
    if noisy and cfg.visibility_noise:
        lowered = v - np.abs(rng.normal(0, cfg.visibility_noise, v.shape))
        v = np.where(v > 0, lowered.clip(0.31, 1.0), 0.0)
    return j.astype(np.float32), v.astype(np.float32), src
