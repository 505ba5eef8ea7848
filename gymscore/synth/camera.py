"""Virtual cameras: a broadcast-like side view that pans, tilts and zooms to follow the gymnast (with
shake and occasional cuts between elements), a "hard" variant (steeper, faster, shakier), a fixed
wide view, and a "varied" follow camera whose viewpoint is drawn per shot from a wide range of
elevations (2-45 degrees) and azimuths (for training: view randomisation; it keeps the smooth
broadcast operator, so the hard camera's lag, shake and cut rate stay unseen).
Pinhole model; world x along the apparatus, y across it, z up; camera x right, y down,
z forward (OpenCV convention): ``p_cam = R @ p_world + t``, ``uv = K @ p_cam / z``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

MODES = ("broadcast", "fixed", "hard", "varied")


@dataclass
class CameraTrack:
    """Per-frame intrinsics ``K`` (T,3,3) and extrinsics ``R`` (T,3,3), ``t`` (T,3); image ``size``."""

    K: np.ndarray
    R: np.ndarray
    t: np.ndarray
    size: tuple[int, int]
    cuts: list[int] = field(default_factory=list)
    mode: str = "broadcast"

    @property
    def centres(self) -> np.ndarray:
        """Camera centres in world coordinates (T,3)."""
        return -np.einsum("tji,tj->ti", self.R, self.t)


def look_at(centre: np.ndarray, target: np.ndarray) -> np.ndarray:
    """World->camera rotations (T,3,3) looking from ``centre`` (T,3) at ``target`` (T,3), horizon level."""
    f = target - centre
    f /= np.linalg.norm(f, axis=1, keepdims=True)
    up = np.array([0.0, 0.0, 1.0])
    r = np.cross(f, up)
    r /= np.linalg.norm(r, axis=1, keepdims=True)
    d = np.cross(f, r)
    return np.stack([r, d, f], axis=1)


def project(points: np.ndarray, cam: CameraTrack) -> tuple[np.ndarray, np.ndarray]:
    """Pixel coordinates (T,N,2) and camera depth (T,N) of world points (T,N,3)."""
    pc = np.einsum("tij,tnj->tni", cam.R, points) + cam.t[:, None, :]
    z = pc[..., 2]
    zs = np.where(np.abs(z) < 1e-6, 1e-6, z)
    uv = np.einsum("tij,tnj->tni", cam.K, pc / zs[..., None])[..., :2]
    return uv, z


def _smooth(x: np.ndarray, sigma_frames: float) -> np.ndarray:
    """Gaussian smoothing along axis 0 with edge padding."""
    if sigma_frames < 0.5:
        return x.copy()
    r = int(3 * sigma_frames)
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma_frames) ** 2)
    k /= k.sum()
    pad = np.concatenate([np.repeat(x[:1], r, 0), x, np.repeat(x[-1:], r, 0)], 0)
    out = np.empty_like(x)
    for c in range(x.shape[1]):
        out[:, c] = np.convolve(pad[:, c], k, mode="valid")
    return out


def _lagged(x: np.ndarray, alpha: float) -> np.ndarray:
    """Causal exponential smoothing (an operator reacting late)."""
    out = np.empty_like(x)
    acc = x[0].copy()
    for i in range(len(x)):
        acc += alpha * (x[i] - acc)
        out[i] = acc
    return out


def make_camera(
    joints: np.ndarray,
    apparatus: str,
    mode: str,
    size: tuple[int, int],
    fps: float,
    rng: np.random.Generator,
    cut_candidates: list[int] | None = None,
) -> CameraTrack:
    """A camera track following the gymnast's joints (T,17,3)."""
    if mode not in MODES:
        raise ValueError(f"unknown camera {mode!r}; expected one of {', '.join(MODES)}")
    w, h = size
    n = len(joints)
    pelvis = joints[:, 2]
    lo, hi = joints[..., 2].min(1), joints[..., 2].max(1)
    extent = {"FX": 13.0, "BB": 6.0, "UB": 5.0, "VT": 30.0}[apparatus]
    centre_x = {"VT": -8.0, "UB": 0.8}.get(apparatus, 0.0)
    if mode == "fixed":
        dist = float(rng.uniform(14, 20)) if apparatus != "VT" else 26.0
        top = float(np.quantile(hi, 0.99)) + 0.3
        c = np.array([centre_x + rng.uniform(-1, 1), -dist, rng.uniform(1.5, 4.0)])
        tgt = np.array([centre_x, 0.0, 0.45 * top])
        R = look_at(np.repeat(c[None], n, 0), np.repeat(tgt[None], n, 0))
        fit_w = w * dist / (1.1 * min(extent, 16.0))
        fit_h = h * dist / (1.25 * top)
        fx = np.full(n, min(fit_w, fit_h))
        cuts: list[int] = []
        centres = np.repeat(c[None], n, 0)
    else:
        hard = mode == "hard"
        varied = mode == "varied"
        # shots: a camera position per shot, cut at some element gaps
        cuts = []
        for f in cut_candidates or []:
            if 0 < f < n - 1 and rng.uniform() < (0.45 if hard else 0.3):
                cuts.append(int(f))
        bounds = [0, *cuts, n]
        centres = np.zeros((n, 3))
        frac = np.zeros(n)
        for a, b in zip(bounds, bounds[1:], strict=False):
            if varied:
                dist = rng.uniform(9, 24)
                height = 1.0 + dist * np.tan(np.radians(rng.uniform(2.0, 45.0)))
                ang = rng.uniform(-0.6, 0.6)
            else:
                dist = rng.uniform(8, 14) if hard else rng.uniform(12, 24)
                height = rng.uniform(4.5, 9.0) if hard else rng.uniform(1.2, 4.5)
                ang = rng.uniform(-0.5, 0.5) if hard else rng.uniform(-0.25, 0.25)
            cx = float(np.median(pelvis[a:b, 0])) + dist * np.sin(ang)
            centres[a:b] = [cx, -dist * np.cos(ang), height]
            frac[a:b] = rng.uniform(0.45, 0.75) if hard else rng.uniform(0.35, 0.7 if varied else 0.6)
        target = np.stack([pelvis[:, 0], pelvis[:, 1], 0.5 * (lo + hi)], -1)
        span = _smooth((hi - lo)[:, None], fps * 0.8)[:, 0]
        if hard:
            target = _lagged(target, 0.25)
        else:
            target = _smooth(target, fps * 0.35)
        shake = np.cumsum(rng.normal(0, 0.004 if hard else 0.0012, (n, 3)), 0)
        shake = shake - _smooth(shake, fps * 1.5)
        target = target + shake * np.linalg.norm(target - centres, axis=1, keepdims=True)
        R = look_at(centres, target)
        dist = np.linalg.norm(target - centres, axis=1)
        subject = np.maximum(span, 1.6) + 0.6
        fx = frac * h * dist / subject
        fx = np.clip(_smooth(fx[:, None], fps * 0.5)[:, 0], 0.5 * w, 8.0 * w)
    K = np.zeros((n, 3, 3))
    K[:, 0, 0] = fx
    K[:, 1, 1] = fx
    K[:, 0, 2] = w / 2.0
    K[:, 1, 2] = h / 2.0
    K[:, 2, 2] = 1.0
    t = -np.einsum("tij,tj->ti", R, centres)
    return CameraTrack(K, R, t, (w, h), cuts, mode)


def visibility(uv: np.ndarray, depth: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """1 where a joint projects inside the frame, in front of the camera and not behind the torso."""
    w, h = size
    vis = (depth > 0.1) & (uv[..., 0] >= 0) & (uv[..., 0] < w) & (uv[..., 1] >= 0) & (uv[..., 1] < h)
    # torso quad (l_shoulder, r_shoulder, r_hip, l_hip) hides joints that are clearly behind it
    quad = uv[:, [3, 4, 10, 9]]
    inside = np.ones(uv.shape[:2], bool)
    sign = None
    for i in range(4):
        a, b = quad[:, i], quad[:, (i + 1) % 4]
        cross = (b[:, None, 0] - a[:, None, 0]) * (uv[..., 1] - a[:, None, 1]) - (
            b[:, None, 1] - a[:, None, 1]
        ) * (uv[..., 0] - a[:, None, 0])
        s = cross > 0
        inside &= s if sign is None else (s == sign)
        sign = s if sign is None else sign
    torso_depth = depth[:, [3, 4, 9, 10]].mean(1, keepdims=True)
    hidden = inside & (depth > torso_depth + 0.12)
    hidden[:, [1, 2, 3, 4, 9, 10]] = False
    return (vis & ~hidden).astype(np.uint8)
