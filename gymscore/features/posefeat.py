"""Per-frame pose features shared by the segmenter, the skeleton classifier and the pipeline (numpy only).

Layout of the feature vector of one frame (``F = 89``):

=========  ======================================================================
columns    meaning
=========  ======================================================================
0:34       joints (17 x [x, y]) relative to the body centre, divided by body size
34:68      per-frame velocity of those normalised joints (x, y), clipped to +-3
68:85      joint seen (1) or not (0): visibility >= 0.3; unseen joints have zero coords
85:87      velocity of the body centre in body sizes per frame, clipped to +-3
87:89      body-centre speed and log(body size / frame height)
=========  ======================================================================

The body centre is the pelvis (the mean of visible hips / neck when it is missing). Body size is the
neck-pelvis distance, taken as a running maximum over about one second and smoothed, so that saltos
(where the torso is foreshortened) do not blow up the scale. Missing frames are filled from the nearest
frame that has them.
"""

from __future__ import annotations

import numpy as np

from gymscore.skeleton import JOINT_INDEX, NUM_JOINTS

FEATURE_DIM = 89
COORD_SLICE = slice(0, 34)
VEL_SLICE = slice(34, 68)
VIS_SLICE = slice(68, 85)
ROOT_SLICE = slice(85, 89)
VIS_THRESHOLD = 0.3
SCALE_WINDOW = 25  # frames for the running maximum of the torso length

_NECK, _PELVIS = JOINT_INDEX["neck"], JOINT_INDEX["pelvis"]
_LHIP, _RHIP = JOINT_INDEX["l_hip"], JOINT_INDEX["r_hip"]
_LSH, _RSH = JOINT_INDEX["l_shoulder"], JOINT_INDEX["r_shoulder"]


def _fill_nearest(values: np.ndarray, valid: np.ndarray, default: np.ndarray | float) -> np.ndarray:
    """Replace rows where ``valid`` is False by the nearest valid row (``default`` when none is)."""
    out = np.array(values, dtype=np.float64, copy=True)
    idx = np.flatnonzero(valid)
    if idx.size == 0:
        out[...] = default
        return out
    t = np.arange(len(values))
    pos = np.searchsorted(idx, t).clip(0, idx.size - 1)
    prev = (pos - 1).clip(0, idx.size - 1)
    nearest = np.where(np.abs(idx[prev] - t) <= np.abs(idx[pos] - t), idx[prev], idx[pos])
    return out[nearest]


def _running_max(x: np.ndarray, window: int) -> np.ndarray:
    if len(x) == 0:
        return x
    half = window // 2
    padded = np.pad(x, (half, half), mode="edge")
    view = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    return view.max(axis=1)


def _smooth(x: np.ndarray, window: int) -> np.ndarray:
    if len(x) < 2 or window < 2:
        return x
    half = window // 2
    padded = np.pad(x, (half, half), mode="edge")
    kernel = np.ones(2 * half + 1) / (2 * half + 1)
    return np.convolve(padded, kernel, mode="valid")


def body_centre_and_scale(
    joints2d: np.ndarray, visibility: np.ndarray, frame_size: tuple[int, int] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame body centre (T, 2) in pixels and body size (T,) in pixels (see module doc)."""
    j = np.asarray(joints2d, dtype=np.float64)
    vis = np.asarray(visibility, dtype=np.float64) >= VIS_THRESHOLD
    T = j.shape[0]
    # centre: pelvis, else mean of the visible hips, else mean of the visible shoulders / neck
    centre = np.zeros((T, 2))
    has_centre = np.zeros(T, dtype=bool)
    for group in ((_PELVIS,), (_LHIP, _RHIP), (_NECK, _LSH, _RSH)):
        g = list(group)
        m = vis[:, g]
        cnt = m.sum(axis=1)
        ok = (cnt > 0) & ~has_centre
        if ok.any():
            s = (j[:, g, :] * m[:, :, None]).sum(axis=1)
            centre[ok] = s[ok] / cnt[ok, None]
            has_centre |= ok
    fallback_centre = np.array(frame_size, dtype=np.float64) / 2 if frame_size else np.zeros(2)
    centre = _fill_nearest(centre, has_centre, fallback_centre)
    # scale: neck-pelvis distance, running max over ~1 s, smoothed
    torso_ok = vis[:, _NECK] & vis[:, _PELVIS]
    torso = np.linalg.norm(j[:, _NECK] - j[:, _PELVIS], axis=1)
    torso_ok &= torso > 1e-6
    default_scale = 0.1 * float(frame_size[1]) if frame_size and frame_size[1] else 1.0
    torso = _fill_nearest(torso, torso_ok, default_scale)
    scale = _smooth(_running_max(torso, SCALE_WINDOW), SCALE_WINDOW)
    scale = np.maximum(scale, 1e-6)
    return centre, scale


def pose_features(
    joints2d: np.ndarray,
    visibility: np.ndarray,
    frame_size: tuple[int, int] | None = None,
) -> np.ndarray:
    """Per-frame features (T, 89) float32 of 2D joints (T, 17, 2) in pixels and visibility (T, 17).

    ``frame_size`` = (width, height) in pixels; it only sets the fallback scale when no torso is
    visible and the body-size column, so clips without a known frame size may pass ``None``.
    """
    j = np.asarray(joints2d, dtype=np.float64)
    v = np.asarray(visibility, dtype=np.float64)
    if j.ndim != 3 or j.shape[1:] != (NUM_JOINTS, 2):
        raise ValueError(f"pose_features: joints2d must have shape (T, {NUM_JOINTS}, 2), got {j.shape}")
    if v.shape != j.shape[:2]:
        raise ValueError(f"pose_features: visibility must have shape {j.shape[:2]}, got {v.shape}")
    T = j.shape[0]
    out = np.zeros((T, FEATURE_DIM), dtype=np.float32)
    if T == 0:
        return out
    v = np.nan_to_num(v, nan=0.0).clip(0.0, 1.0)
    bad = ~np.isfinite(j).all(axis=2)
    v[bad] = 0.0
    j = np.nan_to_num(j, nan=0.0, posinf=0.0, neginf=0.0)
    centre, scale = body_centre_and_scale(j, v, frame_size)
    norm = (j - centre[:, None, :]) / scale[:, None, None]
    norm = norm.clip(-5.0, 5.0)
    seen = v >= VIS_THRESHOLD
    norm[~seen] = 0.0
    vel = np.zeros_like(norm)
    if T > 1:
        vel[1:] = norm[1:] - norm[:-1]
        both = seen[1:] & seen[:-1]
        vel[1:][~both] = 0.0
    vel = vel.clip(-3.0, 3.0)
    root_vel = np.zeros((T, 2))
    if T > 1:
        root_vel[1:] = (centre[1:] - centre[:-1]) / scale[1:, None]
    root_vel = root_vel.clip(-3.0, 3.0)
    out[:, COORD_SLICE] = norm.reshape(T, -1)
    out[:, VEL_SLICE] = vel.reshape(T, -1)
    out[:, VIS_SLICE] = seen  # binary: detectors' confidence scales differ; seen / not seen does not
    out[:, 85:87] = root_vel
    out[:, 87] = np.linalg.norm(root_vel, axis=1)
    height = float(frame_size[1]) if frame_size and frame_size[1] else 0.0
    out[:, 88] = np.log(scale / height).clip(-6, 0) if height > 0 else 0.0
    return out


def features_to_joint_channels(features: np.ndarray) -> np.ndarray:
    """Reshape (T, 89) features into per-joint channels (5, T, 17): x, y, vx, vy, visibility."""
    f = np.asarray(features, dtype=np.float32)
    T = f.shape[0]
    coords = f[:, COORD_SLICE].reshape(T, NUM_JOINTS, 2)
    vel = f[:, VEL_SLICE].reshape(T, NUM_JOINTS, 2)
    vis = f[:, VIS_SLICE].reshape(T, NUM_JOINTS, 1)
    return np.concatenate([coords, vel, vis], axis=2).transpose(2, 0, 1).copy()


def resample_pose(joints2d: np.ndarray, visibility: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Linearly resample a pose sequence in time to ``length`` frames (visibility: nearest frame)."""
    j = np.asarray(joints2d, dtype=np.float64)
    v = np.asarray(visibility, dtype=np.float64)
    T = j.shape[0]
    if T == 0:
        raise ValueError("resample_pose: empty pose sequence")
    if T == length:
        return j.copy(), v.copy()
    pos = np.linspace(0, T - 1, length) if length > 1 else np.array([(T - 1) / 2])
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, T - 1)
    w = (pos - lo)[:, None, None]
    jr = j[lo] * (1 - w) + j[hi] * w
    # a joint interpolated from an invisible neighbour takes that neighbour's position
    v_lo, v_hi = v[lo], v[hi]
    lo_bad = v_lo < VIS_THRESHOLD
    hi_bad = v_hi < VIS_THRESHOLD
    jr = np.where(lo_bad[..., None], j[hi], jr)
    jr = np.where(hi_bad[..., None], j[lo], jr)
    vr = np.where(w[..., 0] < 0.5, v_lo, v_hi)
    return jr, vr


CLIP_CHANNELS_V1 = ("x", "y", "vx", "vy", "visibility")
CLIP_CHANNELS_V2 = ("x", "y", "vx", "vy", "visibility", "x_clip", "y_clip", "log_duration")
REFERENCE_FPS = 25.0  # velocities of v2 clips are per 1/25 s whatever the video's frame rate


def skeleton_clip(
    joints2d: np.ndarray,
    visibility: np.ndarray,
    clip_len: int,
    fps: float = REFERENCE_FPS,
    channels: tuple[str, ...] = CLIP_CHANNELS_V2,
) -> np.ndarray:
    """Per-joint channels (C, clip_len, 17) of one segment clip for the skeleton classifiers.

    v1 (5 channels) resamples the pose to ``clip_len`` frames first and then computes per-frame
    features (the shipped models up to 0.1). v2 (8 channels) computes the features at the video's own
    frame rate, so that velocities of fast saltos and twists are not aliased, and adds where each
    joint is relative to the clip's mean body centre (``x_clip``, ``y_clip``: flight height and travel,
    in body sizes) and the clip's log duration in seconds; then it resamples all channels in time.
    """
    if tuple(channels) == CLIP_CHANNELS_V1:
        j, v = resample_pose(joints2d, visibility, clip_len)
        return features_to_joint_channels(pose_features(j, v, None))
    if tuple(channels) != CLIP_CHANNELS_V2:
        raise ValueError(f"skeleton_clip: unknown channel layout {channels}")
    j = np.nan_to_num(np.asarray(joints2d, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    v = np.asarray(visibility, dtype=np.float64)
    T = j.shape[0]
    if T == 0:
        raise ValueError("skeleton_clip: empty pose sequence")
    f = pose_features(j, v, None)
    per_frame = features_to_joint_channels(f)  # (5, T, 17)
    per_frame[2:4] *= float(fps) / REFERENCE_FPS if fps else 1.0
    per_frame[2:4] = per_frame[2:4].clip(-3.0, 3.0)
    centre, scale = body_centre_and_scale(j, v, None)
    ref = centre.mean(axis=0)
    size = float(np.median(scale))
    rel = ((j - ref) / max(size, 1e-6)).clip(-8.0, 8.0)
    rel[per_frame[4] < 0.5] = 0.0
    stacked = np.concatenate([per_frame, rel.transpose(2, 0, 1).astype(np.float32)], axis=0)  # (7, T, 17)
    if T != clip_len:
        pos = np.linspace(0, T - 1, clip_len) if clip_len > 1 else np.array([(T - 1) / 2])
        lo = np.floor(pos).astype(int)
        hi = np.minimum(lo + 1, T - 1)
        w = (pos - lo).astype(np.float32)[None, :, None]
        stacked = stacked[:, lo] * (1 - w) + stacked[:, hi] * w
        stacked[4] = (stacked[4] >= 0.5).astype(np.float32)
    duration = np.log(max(T / float(fps or REFERENCE_FPS), 1e-3))
    dur = np.full((1, clip_len, NUM_JOINTS), duration, dtype=np.float32)
    return np.concatenate([stacked.astype(np.float32), dur], axis=0)
