"""2D pose augmentation that mimics broadcast video and MediaPipe failures (numpy only).

Applied to pixel joints before :func:`gymscore.features.posefeat.pose_features`: camera changes (scale,
in-plane rotation, horizontal foreshortening as from a yaw change, translation), left-right mirroring,
joint jitter, dropped joints, dropped frame spans (detection lost in fast saltos) and temporal speed
changes. Labels per frame are resampled with the same time map.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from gymscore.skeleton import FLIP_PAIRS, JOINT_INDEX

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
    # BlazePose often takes a side-on body for one facing the other way: left and right labels swap
    # while the image does not mirror (measured on rendered GymSynth video: in about a third of the
    # joint-frames the estimate lies nearer the other side's true joint)
    swap_labels_prob: float = 0.0
    # BlazePose's neck-pelvis length is 9-15 % longer than GymSynth's (rendered video, median)
    torso_stretch: tuple[float, float] = (1.0, 1.0)
    noise_prob: float = 0.6  # chance that a sample gets the detector-noise family below at all
    jitter: float = 0.015  # joint noise, fraction of torso length
    drop_joint_prob: float = 0.05
    drop_span_prob: float = 0.01  # chance per frame that a lost-detection span starts
    drop_span_len: tuple[int, int] = (2, 8)
    fast_drop_prob: float = 0.3  # chance a joint is lost on frames of fast motion
    speed: tuple[float, float] = (0.8, 1.25)  # temporal speed factor
    visibility_noise: float = 0.15
    # "estimator" family (instead of the detector-noise one): what the analysis pipeline does to a
    # video -- the estimator runs on every ``stride``-th frame only, loses the body (mostly when it is
    # inverted or moving fast), swaps left and right, and the pipeline interpolates the gaps
    estimator_prob: float = 0.0
    strides: tuple[int, ...] = (1, 2, 2, 3)
    lose_prob: float = 0.06  # chance per processed frame that the body is not found
    lose_inverted_prob: float = 0.45  # ... when the head is below the pelvis
    lose_fast_prob: float = 0.3  # ... when the body moves more than 0.35 torso lengths per frame
    # chance per processed frame of a left/right identity swap. BlazePose inside rendered elements
    # swaps in 33-39 % of the frames, saltos or not (bench/results/swap_rate.md); training with that
    # rate (data.swap_frame_aug) did not help the shipped models, so the default stays low
    swap_prob: float = 0.03
    max_gap_s: float = 0.6  # the pipeline's gap filling (gymscore.features.extract.ExtractConfig)
    bridge_gap_s: float = 1.0  # ... and its longer bridge where the body reappears in place
    fps: float = 25.0


def mirror(joints2d: np.ndarray, visibility: np.ndarray, width: float) -> tuple[np.ndarray, np.ndarray]:
    """Flip horizontally in a frame of ``width`` pixels and swap left/right joints."""
    j = joints2d[:, _SWAP].copy()
    j[..., 0] = width - j[..., 0]
    return j, visibility[:, _SWAP].copy()


_UPPER = [JOINT_INDEX[n] for n in ("head", "neck", "l_shoulder", "r_shoulder", "l_elbow", "r_elbow",
                                    "l_wrist", "r_wrist")]


def stretch_torso(joints2d: np.ndarray, factor: float) -> np.ndarray:
    """Lengthen the neck-pelvis segment by ``factor``, carrying head and arms along with the neck."""
    j = np.array(joints2d, dtype=np.float64)
    shift = (factor - 1.0) * (j[:, JOINT_INDEX["neck"]] - j[:, JOINT_INDEX["pelvis"]])
    j[:, _UPPER] += shift[:, None, :]
    return j


def time_map(length: int, speed: float) -> np.ndarray:
    """Source frame index of each output frame when playing ``length`` frames ``speed`` times faster."""
    n = max(1, int(round(length / speed)))
    return np.clip(np.round(np.arange(n) * speed).astype(int), 0, length - 1)


def for_estimated_poses(cfg: AugmentConfig) -> AugmentConfig:
    """The augmentation for poses that already come from the pose estimator (``source="estimated"``
    routines): the view, speed and mirror changes stay; the simulated estimator errors go."""
    return replace(cfg, estimator_prob=0.0, swap_labels_prob=0.0, torso_stretch=(1.0, 1.0))


def augment_pose(
    joints2d: np.ndarray,
    visibility: np.ndarray,
    frame_size: tuple[int, int],
    rng: np.random.Generator,
    cfg: AugmentConfig | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Augmented (joints2d, visibility, source_index): ``source_index[t]`` is the input frame of output t."""
    cfg = cfg or AugmentConfig()
    j = np.array(joints2d, dtype=np.float64)  # a copy: the caller's array is never changed
    v = np.asarray(visibility, dtype=np.float64).copy()
    T = len(j)
    w, h = float(frame_size[0] or 1), float(frame_size[1] or 1)
    src = np.arange(T)
    if cfg.speed[0] != 1.0 or cfg.speed[1] != 1.0:
        src = time_map(T, float(rng.uniform(*cfg.speed)))
        j, v = j[src], v[src]
    if cfg.flip_prob and rng.random() < cfg.flip_prob:
        j, v = mirror(j, v, w)
    if cfg.swap_labels_prob and rng.random() < cfg.swap_labels_prob:
        j, v = j[:, _SWAP], v[:, _SWAP]
    if cfg.torso_stretch[0] != 1.0 or cfg.torso_stretch[1] != 1.0:
        j = stretch_torso(j, float(rng.uniform(*cfg.torso_stretch)))
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
    if cfg.estimator_prob and rng.random() < cfg.estimator_prob:
        j, v = simulate_estimator(j, v, rng, cfg, size)
        return j.astype(np.float32), v.astype(np.float32), src
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


def simulate_estimator(
    joints2d: np.ndarray,
    visibility: np.ndarray,
    rng: np.random.Generator,
    cfg: AugmentConfig,
    torso: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Pose as the analysis pipeline sees it (see :class:`AugmentConfig`'s "estimator" family).

    Returns joints and visibility after the pipeline's own gap filling
    (:func:`gymscore.features.tracking.fill_gaps`), so that training clips show the same linear
    interpolation through lost saltos and skipped frames as analysed videos do.
    """
    from gymscore.features.gaps import fill_gaps  # numpy only

    j = np.asarray(joints2d, dtype=np.float64).copy()
    v = np.asarray(visibility, dtype=np.float64).copy()
    n = len(j)
    if n == 0:
        return j, v
    stride = int(rng.choice(cfg.strides))
    processed = np.zeros(n, bool)
    processed[int(rng.integers(0, stride)) :: stride] = True
    size = max(torso, 1.0)
    speed = np.zeros(n)
    if n > 1:
        speed[1:] = np.linalg.norm(np.diff(j, axis=0), axis=2).mean(axis=1) / size
    inverted = j[:, 0, 1] > j[:, 2, 1]  # head below the pelvis (image y grows downwards)
    p_lose = np.full(n, cfg.lose_prob)
    p_lose = np.where(inverted, np.maximum(p_lose, cfg.lose_inverted_prob), p_lose)
    p_lose = np.where(speed > 0.35, np.maximum(p_lose, cfg.lose_fast_prob), p_lose)
    detected = processed & (rng.random(n) >= p_lose)
    swap = detected & (rng.random(n) < cfg.swap_prob)
    if swap.any():
        j[swap] = j[swap][:, _SWAP]
        v[swap] = v[swap][:, _SWAP]
    j = j + rng.normal(0, cfg.jitter * size, j.shape)
    lowered = v - np.abs(rng.normal(0, cfg.visibility_noise, v.shape))
    v = np.where(v > 0, lowered.clip(0.31, 1.0), 0.0)
    max_gap = max(int(round(cfg.max_gap_s * cfg.fps)), stride)
    bridge = max(int(round(cfg.bridge_gap_s * cfg.fps)), max_gap)
    j2, v2, _ = fill_gaps(j.astype(np.float32), v.astype(np.float32), detected, processed, max_gap,
                          bridge_gap=bridge)
    return j2.astype(np.float64), v2.astype(np.float64)
