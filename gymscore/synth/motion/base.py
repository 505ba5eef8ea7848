"""Building blocks of motion: clips, keyframed poses, body shapes and ballistic placement.

A :class:`Clip` holds the body-frame pose, the body orientation and the pelvis position of a piece of
motion in the clip's own frame: x is the direction the gymnast faces at the clip's start, z is height
above the support surface (floor, beam top) unless ``absolute`` (bars: apparatus coordinates).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from gymscore.synth.body import (
    DOFS,
    NEUTRAL,
    BodyParams,
    centre_of_mass,
    forward_kinematics,
    rot_x,
    rot_y,
    rot_z,
)

G = 9.81
FEET = (13, 14, 15, 16)
HANDS = (7, 8)
PI = np.pi


@dataclass
class Clip:
    """A piece of motion: ``joints`` (n,17,3) in the clip frame plus what the assembler needs."""

    joints: np.ndarray
    yaw_change: float = 0.0  # heading change (radians) from start to end, for the next clip
    absolute: bool = False  # joints are in apparatus coordinates (bars)
    phases: dict[str, int] = field(default_factory=dict)  # named frame offsets (take-off, landing...)

    @property
    def n(self) -> int:
        return len(self.joints)

    @property
    def end_pos(self) -> np.ndarray:
        """Ground point under the pelvis at the end (clip frame)."""
        p = self.joints[-1, 2].copy()
        p[2] = 0.0
        return p


# --- body shapes (partial poses) ---------------------------------------------------------------
def mirror(p: dict[str, float]) -> dict[str, float]:
    """Swap left and right of a partial pose."""
    out = {}
    for k, v in p.items():
        if k.startswith("l_"):
            out["r_" + k[2:]] = v
        elif k.startswith("r_"):
            out["l_" + k[2:]] = v
        else:
            out[k] = v
    return out


def both(**kw: float) -> dict[str, float]:
    """A partial pose with the same value on both sides: both(hip_flex=1) -> l_ and r_."""
    out = {}
    for k, v in kw.items():
        if k in ("trunk_flex", "trunk_side", "head_flex"):
            out[k] = v
        else:
            out["l_" + k] = v
            out["r_" + k] = v
    return out


STAND = both(sh_flex=0.0, ankle=0.25)
ARMS_UP = both(sh_flex=2.95, sh_abd=0.15, elbow=0.0)
ARMS_SIDE = both(sh_flex=0.2, sh_abd=1.45, elbow=0.1)
ARMS_FRONT = both(sh_flex=1.5, sh_abd=0.2)
ARMS_CHEST = both(sh_flex=0.9, sh_abd=0.0, elbow=2.4)
POINTED = both(ankle=1.35)
CROUCH = {**both(hip_flex=0.9, knee=1.5, ankle=0.0, sh_flex=-0.6), "trunk_flex": 0.5}
LAND = {**both(hip_flex=0.8, knee=1.1, ankle=0.05, sh_flex=1.8, sh_abd=0.6), "trunk_flex": 0.35}

SALTO_SHAPES: dict[str, dict[str, float]] = {
    "tucked": {**both(hip_flex=2.35, knee=2.4, sh_flex=0.9, elbow=1.1, ankle=1.2), "trunk_flex": 0.35},
    "piked": {**both(hip_flex=2.2, knee=0.0, sh_flex=1.2, elbow=0.1, ankle=1.35), "trunk_flex": 0.45},
    "stretched": {**both(hip_flex=-0.08, knee=0.0, ankle=1.35), **ARMS_CHEST, "trunk_flex": -0.1},
    "straddled": {**both(hip_flex=1.5, hip_abd=0.75, knee=0.0, sh_flex=1.3, ankle=1.3), "trunk_flex": 0.4},
    "arched": {
        **both(hip_flex=-0.45, knee=0.1, ankle=1.3, sh_flex=2.9),
        "trunk_flex": -0.45,
        "head_flex": -0.4,
    },
    "none": {**both(hip_flex=0.0, knee=0.0, ankle=1.3, sh_flex=2.9)},
}


# --- keyframes ---------------------------------------------------------------------------------
def frames(seconds: float, fps: float) -> int:
    """Frame count of a duration (at least 2)."""
    return max(2, int(round(seconds * fps)))


def ease(u: np.ndarray) -> np.ndarray:
    """Smoothstep easing of 0..1."""
    u = np.clip(u, 0.0, 1.0)
    return u * u * (3.0 - 2.0 * u)


def track(n: int, keys: Sequence[tuple[float, float]]) -> np.ndarray:
    """Eased interpolation of (fraction, value) keys over ``n`` frames."""
    t = np.linspace(0.0, 1.0, n)
    ks = np.array([k[0] for k in keys], dtype=np.float64)
    vs = np.array([k[1] for k in keys], dtype=np.float64)
    if len(ks) == 1:
        return np.full(n, vs[0])
    i = np.clip(np.searchsorted(ks, t, side="right") - 1, 0, len(ks) - 2)
    span = np.maximum(ks[i + 1] - ks[i], 1e-9)
    u = ease((t - ks[i]) / span)
    return vs[i] + (vs[i + 1] - vs[i]) * u


def pose_track(n: int, keys: Sequence[tuple[float, dict[str, float]]]) -> dict[str, np.ndarray]:
    """Eased interpolation of partial poses at fractions of the clip; a missing DOF keeps its last value."""
    out = {}
    for d in DOFS:
        cur = NEUTRAL.get(d, 0.0)
        vals = []
        for frac, p in keys:
            cur = p.get(d, cur)
            vals.append((frac, cur))
        out[d] = track(n, vals)
    return out


def rotation_profile(n: int, total: float, start: int, end: int, k: float = 0.55) -> np.ndarray:
    """Angle over frames: 0 before ``start``, ``total`` after ``end``, faster mid-flight."""
    t = np.arange(n, dtype=np.float64)
    s = np.clip((t - start) / max(end - start, 1), 0.0, 1.0)
    return total * (s - k * np.sin(2 * PI * s) / (2 * PI))


def orientation(
    salto: np.ndarray, twist: np.ndarray, yaw: np.ndarray | None = None, side: np.ndarray | None = None
) -> np.ndarray:
    """Body orientation: yaw about vertical, salto about the transverse axis, twist about the long axis.

    ``salto`` > 0 rotates forward (head toward +x); ``side`` rotates about the sagittal axis.
    """
    r = rot_y(salto) @ rot_z(twist)
    if side is not None:
        r = rot_x(side) @ r
    if yaw is not None:
        r = rot_z(yaw) @ r
    return r


# --- placement ---------------------------------------------------------------------------------
def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Contiguous [start, end) runs where ``mask`` is true."""
    m = np.concatenate([[False], mask.astype(bool), [False]])
    d = np.flatnonzero(m[1:] != m[:-1])
    return list(zip(d[::2].tolist(), d[1::2].tolist(), strict=True))


def place_on_support(
    body: BodyParams,
    pose: dict[str, np.ndarray],
    orient: np.ndarray,
    com_x: np.ndarray,
    airborne: np.ndarray,
    contact: Sequence[int] = FEET,
    hands_support: np.ndarray | None = None,
    lift: np.ndarray | None = None,
    com_y: np.ndarray | None = None,
    fps: float = 25.0,
    surface: np.ndarray | None = None,
) -> np.ndarray:
    """World joints (n,17,3) of a clip on a support surface at z = 0.

    On the support the lowest contact joint touches z = 0 (hands too where ``hands_support``); in the
    air (``airborne``) the centre of mass follows a ballistic parabola between take-off and landing.
    ``com_x`` is the forward position of the centre of mass; ``lift`` adds height on the support;
    ``surface`` (n,) is the support height per frame (a beam dismount lands 1.25 m lower).
    """
    local = forward_kinematics(body, pose)
    rel = np.einsum("tij,tkj->tki", orient, local)
    com_rel = centre_of_mass(rel)
    low = rel[:, list(contact), 2].min(axis=1)
    if hands_support is not None:
        hl = rel[:, list(HANDS), 2].min(axis=1)
        low = np.where(hands_support, np.minimum(low, hl), low)
    com_z = com_rel[:, 2] - low
    if lift is not None:
        com_z = com_z + lift
    if surface is not None:
        com_z = com_z + surface
    n = len(com_x)
    for a, b in runs(airborne):
        z0 = com_z[a - 1] if a > 0 else com_z[a]
        z1 = com_z[b] if b < n else com_z[b - 1]
        ta, tb = a - 1, b
        t = np.arange(a, b, dtype=np.float64)
        dur = max(tb - ta, 1)
        s = (t - ta) / dur
        fps_dt = 1.0 / fps
        com_z[a:b] = z0 + (z1 - z0) * s + 0.5 * G * (t - ta) * (tb - t) * fps_dt * fps_dt
    com = np.stack([com_x, np.zeros(n) if com_y is None else com_y, com_z], -1)
    pelvis = com - com_rel
    return pelvis[:, None, :] + rel


def linear_x(n: int, speed_keys: Sequence[tuple[float, float]], fps: float) -> np.ndarray:
    """Forward position from eased speed keys (fraction, m/s), integrated over frames."""
    v = track(n, speed_keys)
    x = np.concatenate([[0.0], np.cumsum(v[:-1])]) / fps
    return x


def place_anchored(
    body: BodyParams, pose: dict[str, np.ndarray], orient: np.ndarray, anchor: list, fps: float
) -> np.ndarray:
    """World joints from per-frame anchors; frames without an anchor fly ballistically.

    An anchor is a point (hands on it, e.g. a bar or the vault table), ``("feet", x, z)`` (lowest
    foot joint on a surface at height z, pelvis over x), ``("ground", x, z)`` (lowest of feet and
    hands) or None (airborne: the centre of mass follows a parabola between its neighbours).
    """
    local = forward_kinematics(body, pose)
    rel = np.einsum("tij,tkj->tki", orient, local)
    com_rel = centre_of_mass(rel)
    n = len(anchor)
    pelvis = np.full((n, 3), np.nan)
    for i, a in enumerate(anchor):
        if a is None:
            continue
        if isinstance(a, tuple):
            joints = FEET if a[0] == "feet" else FEET + HANDS
            pelvis[i] = [a[1], 0.0, a[2] - rel[i, list(joints), 2].min()]
        else:
            pelvis[i] = a - rel[i, list(HANDS)].mean(axis=0)
    com = pelvis + com_rel
    dt = 1.0 / fps
    for a, b in runs(np.isnan(pelvis[:, 0])):
        c0, c1 = com[max(a - 1, 0)], com[min(b, n - 1)]
        ta, tb = a - 1, b
        t = np.arange(a, b, dtype=np.float64)
        s = ((t - ta) / (tb - ta))[:, None]
        com[a:b] = c0 + (c1 - c0) * s
        com[a:b, 2] += 0.5 * G * (t - ta) * (tb - t) * dt * dt
    pelvis = com - com_rel
    return pelvis[:, None, :] + rel
