"""Acrobatic elements on floor and beam: saltos (with twists), aerials, handsprings and walkovers.

Flight is ballistic (see :func:`place_on_support`); saltos rotate about the transverse axis and
twists about the long axis with a rotation speed that peaks mid-flight.
"""

from __future__ import annotations

import numpy as np

from gymscore.codebook.attributes import Attributes
from gymscore.synth.motion.base import (
    ARMS_UP,
    CROUCH,
    FEET,
    HANDS,
    LAND,
    PI,
    SALTO_SHAPES,
    STAND,
    Clip,
    both,
    ease,
    orientation,
    place_on_support,
    pose_track,
    rotation_profile,
)
from gymscore.synth.motion.context import MotionContext, has_flag


def airtime(salto: float, twist: float, apparatus: str, kind: str = "salto") -> float:
    """Seconds in the air of a salto: ~0.75 s single, ~1.0 s double on floor (less on beam)."""
    if salto <= 0:
        base = 0.5
    else:
        base = {1.0: 0.72, 1.5: 0.85, 2.0: 1.0, 2.5: 1.08}.get(salto, 0.55 + 0.23 * salto)
    base += 0.03 * twist
    if apparatus == "BB" and kind != "dismount":
        base *= 0.82
    return base


def _direction_sign(direction: str) -> float:
    return {"forward": 1.0, "backward": -1.0}.get(direction, 0.0)


def side_orientation(
    n: int, rot: np.ndarray, twist: np.ndarray, t_in: int, t_out: int, end_yaw: float
) -> np.ndarray:
    """Cartwheel-like rotation in the travel plane: quarter turn in, side rotation, turn out."""
    ts = np.arange(n, dtype=float)
    yaw = 0.5 * PI * ease(ts / max(t_in, 1)) + (end_yaw - 0.5 * PI) * ease((ts - t_out) / max(n - t_out, 1))
    return orientation(np.zeros(n), twist, yaw=yaw, side=rot)


def salto_clip(a: Attributes, ctx: MotionContext, duration: float | None = None, drop: float = 0.0) -> Clip:
    """A salto / aerial / salto dismount from take-off to landing, with optional twists.

    ``drop`` is how much lower the landing surface is than the take-off (beam dismounts).
    """
    fps = ctx.fps
    salto = a.salto_count if a.salto_count > 0 else 1.0
    twist = a.twist_count + (a.turn_amount if a.kind == "aerial" else 0.0)
    sideward = a.direction == "sideward"
    sign = _direction_sign(a.direction) or 1.0
    one_foot = a.take_off == "one_foot" or a.kind == "aerial"
    fly = ctx.jitter(airtime(salto, a.twist_count, ctx.apparatus, a.kind), 0.04)
    t_prep, t_take, t_land, t_rec = 0.25, 0.16, 0.32, 0.3
    core = t_prep + t_take + fly + t_land + t_rec
    if duration and duration > core:
        extra = duration - core
        t_prep += 0.5 * extra
        t_rec += 0.5 * extra
    n_prep, n_take, n_fly = ctx.n(t_prep), ctx.n(t_take), ctx.n(fly)
    n_land, n_rec = ctx.n(t_land), ctx.n(t_rec)
    n = n_prep + n_take + n_fly + n_land + n_rec
    t0 = n_prep + n_take  # first airborne frame
    t1 = t0 + n_fly  # first landed frame
    f = lambda i: i / (n - 1)  # noqa: E731

    shape_name = a.body_shape if a.body_shape in SALTO_SHAPES else "stretched"
    shape = dict(SALTO_SHAPES[shape_name])
    if a.kind == "aerial" or has_flag(a.flags, "walkover", "split"):
        shape = {
            **both(knee=0.0, ankle=1.3, sh_flex=0.4, sh_abd=1.3),
            "l_hip_flex": 1.4,
            "r_hip_flex": -1.2,
            "trunk_flex": 0.1,
        }
    if shape_name == "stretched" and twist == 0:
        shape.update(both(sh_flex=0.25, sh_abd=0.9, elbow=0.1))
    take = {**CROUCH}
    if one_foot:
        take = {**take, "l_hip_flex": 0.5, "l_knee": 0.7, "r_hip_flex": -0.3, "r_knee": 0.1}
    land = dict(LAND)
    if a.landing in ("one_foot",) or has_flag(a.flags, "step", "successive"):
        land.update({"l_hip_flex": 0.6, "l_knee": 0.8, "r_hip_flex": -0.5, "r_knee": 0.1})
    if has_flag(a.flags, "together"):
        land.update(both(hip_flex=0.7, knee=1.2))
    in_ = 0.12 if shape_name == "tucked" else 0.2
    keys = [
        (0.0, {**STAND, **both(sh_flex=0.5)}),
        (f(n_prep), {**both(sh_flex=-0.5, knee=0.4, hip_flex=0.3)}),
        (f(t0 - 1), {**take, **ARMS_UP, **both(hip_flex=0.05, knee=0.05, ankle=1.2), "trunk_flex": 0.0}),
        (f(t0 + in_ * n_fly), shape),
        (f(t1 - 0.18 * n_fly), shape),
        (f(t1 - 1), {**both(hip_flex=0.3, knee=0.2, ankle=0.4, sh_flex=2.6), "trunk_flex": 0.15}),
        (f(t1 + n_land // 2), land),
        (1.0, {**STAND, **ARMS_UP}),
    ]
    pose = pose_track(n, keys)
    rot = rotation_profile(n, 2 * PI * salto, t0 - 1, t1)
    tw = rotation_profile(n, 2 * PI * twist, t0 + n_fly // 8, t1 - n_fly // 6, k=0.3)
    if sideward:
        orient = side_orientation(n, rot, tw, n_prep, t1 + n_land, PI * ((twist * 2) % 2))
    else:
        orient = orientation(sign * rot, tw)
    if a.landing in ("front_lying", "hands"):
        orient = orient @ orientation(np.full(n, 0.0), np.zeros(n))
    airborne = np.zeros(n, bool)
    airborne[t0:t1] = True
    travel = {"FX": 2.6, "BB": 0.7, "VT": 2.0}.get(ctx.apparatus, 1.5) * (
        1.6 if a.kind == "dismount" else 1.0
    )
    travel_sign = 1.0 if sideward else sign
    ts = np.arange(n, dtype=float)
    com_x = travel_sign * travel * (0.25 * ease(ts / t0) + 0.75 * np.clip((ts - t0) / max(n_fly, 1), 0, 1))
    surface = np.where(ts >= t1, -drop, 0.0)
    joints = place_on_support(ctx.body, pose, orient, com_x, airborne, fps=fps, surface=surface)
    yaw = PI * ((twist * 2) % 2)
    return Clip(joints, yaw_change=float(yaw), phases={"take_off": t0, "landing": t1})


def handspring_clip(a: Attributes, ctx: MotionContext, duration: float | None = None) -> Clip:
    """Handsprings, round-offs, walkovers and cartwheels: one rotation through a hand support."""
    fps = ctx.fps
    sign = _direction_sign(a.direction)
    sideward = a.direction == "sideward" or sign == 0.0
    walkover = a.kind == "walkover" or has_flag(a.flags, "walkover")
    turns = a.twist_count or a.turn_amount
    t_prep, t_rot, t_rec = 0.2, (0.75 if walkover else 0.55), 0.3
    core = t_prep + t_rot + t_rec
    if duration and duration > core:
        t_prep += 0.5 * (duration - core)
        t_rec += 0.5 * (duration - core)
    n_prep, n_rot, n_rec = ctx.n(t_prep), ctx.n(t_rot), ctx.n(t_rec)
    n = n_prep + n_rot + n_rec
    t0, t1 = n_prep, n_prep + n_rot
    f = lambda i: i / (n - 1)  # noqa: E731
    legs = {"l_hip_flex": 1.3, "r_hip_flex": -1.0} if walkover or sideward else both(hip_flex=-0.2)
    if has_flag(a.flags, "step"):
        legs = {"l_hip_flex": 0.9, "r_hip_flex": -0.6}
    keys = [
        (0.0, {**STAND, **ARMS_UP}),
        (f(t0), {**ARMS_UP, "l_hip_flex": 0.6, "l_knee": 0.5, "trunk_flex": 0.2 * max(sign, 0)}),
        (
            f(t0 + n_rot * 0.3),
            {
                **ARMS_UP,
                **both(knee=0.0, ankle=1.2),
                **legs,
                "trunk_flex": -0.35 if sign < 0 else 0.0,
                "head_flex": -0.3,
            },
        ),
        (f(t0 + n_rot * 0.7), {**ARMS_UP, **both(knee=0.0, ankle=1.2), **legs, "trunk_flex": -0.2}),
        (f(t1), {**ARMS_UP, **both(hip_flex=0.4, knee=0.5, ankle=0.2), "trunk_flex": 0.3}),
        (1.0, {**STAND, **ARMS_UP}),
    ]
    pose = pose_track(n, keys)
    rot = rotation_profile(n, 2 * PI, t0, t1, k=0.3)
    tw = rotation_profile(n, 2 * PI * turns, t0, t0 + n_rot // 2, k=0.0)
    if sideward:
        orient = side_orientation(n, rot, np.zeros(n), t0, t1, PI * ((turns * 2) % 2))
    else:
        orient = orientation((sign or 1.0) * rot, tw)
    ts = np.arange(n, dtype=float)
    hands = (ts > t0 + 0.2 * n_rot) & (ts < t1 - 0.2 * n_rot)
    lift = np.zeros(n)
    if not walkover:
        s = np.clip((ts - t0) / n_rot, 0, 1)
        lift = 0.18 * np.sin(PI * s) ** 2 * ctx.jitter(1.0, 0.1)
    travel = 1.6 if ctx.apparatus != "BB" else 1.1
    com_x = (1.0 if sideward else (sign or 1.0)) * travel * ease((ts - t0 * 0.5) / (n_rot + t0 * 0.5))
    joints = place_on_support(
        ctx.body,
        pose,
        orient,
        com_x,
        np.zeros(n, bool),
        contact=FEET + HANDS,
        hands_support=hands,
        lift=lift,
        fps=fps,
    )
    yaw = PI * ((turns * 2) % 2)
    return Clip(joints, yaw_change=float(yaw), phases={"hands": t0 + n_rot // 2})
