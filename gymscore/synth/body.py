"""The articulated body of GymSynth: proportions, joint-angle poses and vectorised forward kinematics.

Body frame: x forward (the way the chest faces), y to the gymnast's left, z up along the long axis,
origin at the pelvis. A pose is a set of joint angles (radians), each an array over frames; forward
kinematics turns all frames into the 17 joints of :mod:`gymscore.skeleton` at once.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from gymscore.skeleton import NUM_JOINTS

# Joint-angle degrees of freedom (radians). Flexion is positive when the angle closes forward
# (leg or arm raised forward, trunk bent forward); abduction raises a limb sideways; knee and elbow
# are bend angles (0 = straight); ankle is plantar flexion (0 = foot at right angle, ~1.4 = pointed).
DOFS: tuple[str, ...] = (
    "trunk_flex",
    "trunk_side",
    "head_flex",
    "l_hip_flex",
    "r_hip_flex",
    "l_hip_abd",
    "r_hip_abd",
    "l_knee",
    "r_knee",
    "l_ankle",
    "r_ankle",
    "l_sh_flex",
    "r_sh_flex",
    "l_sh_abd",
    "r_sh_abd",
    "l_elbow",
    "r_elbow",
)
NEUTRAL: dict[str, float] = {"l_ankle": 0.25, "r_ankle": 0.25, "l_sh_abd": 0.12, "r_sh_abd": 0.12}


@dataclass(frozen=True)
class BodyParams:
    """Segment lengths in metres (and colours for rendering) of one gymnast."""

    height: float = 1.57
    torso: float = 0.45  # pelvis -> neck
    neck: float = 0.17  # neck -> head centre
    head_radius: float = 0.10
    shoulder_half: float = 0.18
    hip_half: float = 0.085
    upper_arm: float = 0.29
    forearm: float = 0.23
    hand: float = 0.16
    thigh: float = 0.385
    shank: float = 0.385
    foot: float = 0.18
    ankle_height: float = 0.06

    @property
    def leg(self) -> float:
        return self.thigh + self.shank + self.ankle_height


def sample_body(rng: np.random.Generator | None = None) -> BodyParams:
    """Adult female gymnast proportions (1.45-1.68 m) with a few per-cent variation per segment."""
    if rng is None:
        return BodyParams()
    h = float(rng.uniform(1.45, 1.68))
    base = BodyParams()
    scale = h / base.height
    vals = {}
    for f in fields(BodyParams):
        if f.name == "height":
            vals[f.name] = h
        else:
            vals[f.name] = float(getattr(base, f.name) * scale * rng.normal(1.0, 0.03))
    return BodyParams(**vals)


# --- rotations over frames --------------------------------------------------------------------
def rot_x(a: np.ndarray) -> np.ndarray:
    """(T,3,3) rotations about x by angles ``a`` (T,)."""
    a = np.asarray(a, dtype=np.float64)
    c, s = np.cos(a), np.sin(a)
    o, z = np.ones_like(a), np.zeros_like(a)
    return np.stack([np.stack([o, z, z], -1), np.stack([z, c, -s], -1), np.stack([z, s, c], -1)], -2)


def rot_y(a: np.ndarray) -> np.ndarray:
    """(T,3,3) rotations about y (positive turns +z toward +x)."""
    a = np.asarray(a, dtype=np.float64)
    c, s = np.cos(a), np.sin(a)
    o, z = np.ones_like(a), np.zeros_like(a)
    return np.stack([np.stack([c, z, s], -1), np.stack([z, o, z], -1), np.stack([-s, z, c], -1)], -2)


def rot_z(a: np.ndarray) -> np.ndarray:
    """(T,3,3) rotations about z (positive turns +x toward +y, i.e. to the left)."""
    a = np.asarray(a, dtype=np.float64)
    c, s = np.cos(a), np.sin(a)
    o, z = np.ones_like(a), np.zeros_like(a)
    return np.stack([np.stack([c, -s, z], -1), np.stack([s, c, z], -1), np.stack([z, z, o], -1)], -2)


def _apply(r: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rotate vectors: r (T,3,3), v (3,) or (T,3) -> (T,3)."""
    if v.ndim == 1:
        return r @ v
    return np.einsum("tij,tj->ti", r, v)


def neutral_pose(n: int) -> dict[str, np.ndarray]:
    """A standing pose over ``n`` frames."""
    return {d: np.full(n, NEUTRAL.get(d, 0.0)) for d in DOFS}


def forward_kinematics(body: BodyParams, pose: dict[str, np.ndarray]) -> np.ndarray:
    """Joint positions (T,17,3) in the body frame (pelvis at the origin) for all frames at once."""
    n = len(pose["trunk_flex"])
    out = np.zeros((n, NUM_JOINTS, 3))
    down = np.array([0.0, 0.0, -1.0])
    up = np.array([0.0, 0.0, 1.0])
    rt = rot_y(pose["trunk_flex"]) @ rot_x(-pose["trunk_side"])
    neck = _apply(rt, up * body.torso)
    out[:, 1] = neck
    out[:, 0] = neck + _apply(rt @ rot_y(pose["head_flex"]), up * body.neck)
    for side, sign, (sh, el, wr, hp, kn, an, to) in (
        ("l", 1.0, (3, 5, 7, 9, 11, 13, 15)),
        ("r", -1.0, (4, 6, 8, 10, 12, 14, 16)),
    ):
        shoulder = neck + _apply(rt, np.array([0.0, sign * body.shoulder_half, -0.03]))
        r_arm = rt @ rot_x(sign * pose[f"{side}_sh_abd"]) @ rot_y(-pose[f"{side}_sh_flex"])
        elbow = shoulder + _apply(r_arm, down * body.upper_arm)
        wrist = elbow + _apply(r_arm @ rot_y(-pose[f"{side}_elbow"]), down * body.forearm)
        hip = np.zeros((n, 3))
        hip[:, 1] = sign * body.hip_half
        r_leg = rot_x(sign * pose[f"{side}_hip_abd"]) @ rot_y(-pose[f"{side}_hip_flex"])
        knee = hip + _apply(r_leg, down * body.thigh)
        r_shank = r_leg @ rot_y(pose[f"{side}_knee"])
        ankle = knee + _apply(r_shank, down * (body.shank + body.ankle_height))
        a = pose[f"{side}_ankle"]
        foot_dir = np.stack([np.cos(a), np.zeros(n), -np.sin(a)], -1)
        toe = ankle + _apply(r_shank, foot_dir * body.foot)
        out[:, sh], out[:, el], out[:, wr] = shoulder, elbow, wrist
        out[:, hp], out[:, kn], out[:, an], out[:, to] = hip, knee, ankle, toe
    return out


# Mass fractions used for the centre of mass (segments lumped onto joints).
_COM_WEIGHTS = np.array(
    [
        0.08,
        0.12,
        0.22,
        0.03,
        0.03,
        0.025,
        0.025,
        0.015,
        0.015,
        0.06,
        0.06,
        0.07,
        0.07,
        0.035,
        0.035,
        0.01,
        0.01,
    ]
)
COM_WEIGHTS = _COM_WEIGHTS / _COM_WEIGHTS.sum()


def centre_of_mass(joints: np.ndarray) -> np.ndarray:
    """Approximate centre of mass (…,3) of joints (…,17,3)."""
    return np.einsum("...jk,j->...k", joints, COM_WEIGHTS)


def place(local: np.ndarray, orient: np.ndarray, pelvis: np.ndarray) -> np.ndarray:
    """World joints (T,17,3) from body-frame joints, body orientation (T,3,3) and pelvis position (T,3)."""
    return pelvis[:, None, :] + np.einsum("tij,tkj->tki", orient, local)
