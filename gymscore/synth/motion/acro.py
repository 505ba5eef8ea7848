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


def _yaw_offsets(a: Attributes, n: int, t_in: int, t_land: int) -> np.ndarray:
    """Side position at the start and/or landing in side position: quarter-turn yaw offsets."""
    ts = np.arange(n, dtype=float)
    yaw = np.zeros(n)
    if has_flag(a.flags, "side_position", "side_of_beam"):
        yaw += 0.5 * PI * ease(ts / max(t_in, 1))
    if a.landing == "side":
        yaw += 0.5 * PI * ease((ts - t_land) / max((n - t_land) // 2, 1))
    return yaw


def salto_clip(a: Attributes, ctx: MotionContext, duration: float | None = None, drop: float = 0.0) -> Clip:
    """A salto / aerial / salto dismount from take-off to landing, with optional twists.

    ``drop`` is how much lower the landing surface is than the take-off (beam dismounts). Flags:
    arabian (half twist at take-off, then forward), gainer (backward salto travelling forward), twist
    before salto, whip (low, fast), step out, leg change, round-off / cartwheel entry, side position.
    """
    fps = ctx.fps
    salto = a.salto_count if a.salto_count > 0 else 1.0
    twist = a.twist_count + (a.turn_amount if a.kind == "aerial" else 0.0)
    if has_flag(a.flags, "round_off"):
        twist += 0.5
    arabian = has_flag(a.flags, "arabian")
    sideward = a.direction == "sideward"
    sign = _direction_sign(a.direction) or 1.0
    if arabian:
        sign = -1.0
    one_foot = a.take_off == "one_foot" or (a.kind == "aerial" and a.take_off != "two_feet")
    fly = ctx.jitter(airtime(salto, twist, ctx.apparatus, a.kind), 0.04)
    if has_flag(a.flags, "whip"):
        fly *= 0.7
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
    split = a.kind == "aerial" or has_flag(a.flags, "walkover")
    if split and a.body_shape in ("none", "stretched"):
        shape = {
            **both(knee=0.0, ankle=1.3, sh_flex=0.4, sh_abd=1.3),
            "l_hip_flex": 1.4,
            "r_hip_flex": -1.2,
            "trunk_flex": 0.1,
        }
    if shape_name == "stretched" and twist == 0 and not split:
        shape.update(both(sh_flex=0.25, sh_abd=0.9, elbow=0.1))
    take = {**CROUCH}
    if one_foot:
        take = {**take, "l_hip_flex": 0.5, "l_knee": 0.7, "r_hip_flex": -0.3, "r_knee": 0.1}
    push = {"r_hip_flex": 0.9, "r_knee": 0.3} if one_foot else {}
    land = dict(LAND)
    if a.landing in ("one_foot",) or has_flag(a.flags, "step_out"):
        land.update({"l_hip_flex": 0.6, "l_knee": 0.8, "r_hip_flex": -0.5, "r_knee": 0.1})
    in_ = 0.12 if shape_name == "tucked" else 0.2
    keys = [
        (0.0, {**STAND, **both(sh_flex=0.5)}),
        (f(n_prep), {**both(sh_flex=-0.5, knee=0.4, hip_flex=0.3)}),
        (f(t0 - 1), {**ARMS_UP, **both(hip_flex=0.05, knee=0.05, ankle=1.2), "trunk_flex": 0.0, **push}),
        (f(t0 + in_ * n_fly), shape),
    ]
    if has_flag(a.flags, "leg_change"):
        keys.append((f(t0 + 0.5 * n_fly), {**shape, "l_hip_flex": -1.2, "r_hip_flex": 1.4}))
    keys += [
        (f(t1 - 0.18 * n_fly), shape if not has_flag(a.flags, "leg_change") else keys[-1][1]),
        (f(t1 - 1), {**both(hip_flex=0.3, knee=0.2, ankle=0.4, sh_flex=2.6), "trunk_flex": 0.15}),
        (f(t1 + n_land // 2), land),
        (1.0, {**STAND, **ARMS_UP}),
    ]
    pose = pose_track(n, keys)
    rot = rotation_profile(n, 2 * PI * salto, t0 - 1, t1)
    tw_a, tw_b = t0 + n_fly // 8, t1 - n_fly // 6
    if has_flag(a.flags, "twist_before_salto", "cartwheel_entry"):
        tw_a, tw_b = t0 - 2, t0 + n_fly // 3
    tw = rotation_profile(n, 2 * PI * twist, tw_a, tw_b, k=0.3)
    if arabian:
        tw = tw + rotation_profile(n, PI, t0 - 3, t0 + n_fly // 4, k=0.0)
        twist += 0.5
    yaw = _yaw_offsets(a, n, n_prep, t1)
    if has_flag(a.flags, "cartwheel_entry"):
        ts_ = np.arange(n, dtype=float)
        yaw = yaw + 0.5 * PI * (ease(ts_ / max(t0, 1)) - ease((ts_ - t0) / max(n_fly // 2, 1)))
    if sideward:
        orient = side_orientation(n, rot, tw, n_prep, t1 + n_land, PI * ((twist * 2) % 2))
        orient = orientation(np.zeros(n), np.zeros(n), yaw=yaw) @ orient
    else:
        orient = orientation(sign * rot, tw, yaw=yaw)
    airborne = np.zeros(n, bool)
    airborne[t0:t1] = True
    travel = {"FX": 2.6, "BB": 0.7, "VT": 2.0}.get(ctx.apparatus, 1.5) * (1.6 if drop else 1.0)
    if has_flag(a.flags, "whip"):
        travel *= 1.4
    travel_sign = 1.0 if sideward else sign
    if has_flag(a.flags, "gainer") or arabian:
        travel_sign = -travel_sign if not arabian else -1.0
    ts = np.arange(n, dtype=float)
    prog = 0.25 * ease(ts / t0) + 0.75 * np.clip((ts - t0) / max(n_fly, 1), 0, 1)
    com_x = travel_sign * travel * prog
    com_y = None
    if has_flag(a.flags, "side_of_beam"):
        com_x, com_y = com_x * 0.1, -np.abs(com_x)
    surface = np.where(ts >= t1, -drop, 0.0)
    joints = place_on_support(ctx.body, pose, orient, com_x, airborne, fps=fps, surface=surface, com_y=com_y)
    yaw_change = PI * ((twist * 2) % 2) + float(yaw[-1])
    return Clip(joints, yaw_change=float(yaw_change % (2 * PI)), phases={"take_off": t0, "landing": t1})


def handspring_clip(a: Attributes, ctx: MotionContext, duration: float | None = None) -> Clip:
    """Handsprings, round-offs, walkovers and cartwheels: one rotation through a hand support.

    Flags and attributes: gainer, jump backward entry, high flight, piked shape, step out, leg change,
    tic-toc, twist before/after the support, a handspring after, side position; endings in handstand,
    straddle sit, front support or a hip circle.
    """
    fps = ctx.fps
    sign = _direction_sign(a.direction)
    sideward = a.direction == "sideward" or sign == 0.0
    walkover = a.kind == "walkover" or has_flag(a.flags, "walkover", "tic_toc")
    turns = (a.twist_count or a.turn_amount) + (0.5 if has_flag(a.flags, "round_off") else 0.0)
    revs = 2.0 if has_flag(a.flags, "handspring_after") else 1.0
    end_rot = {"handstand": 0.5, "sit": 0.85, "support": 0.8}.get(a.landing, 1.0)
    t_prep, t_rot, t_rec = 0.2, (0.75 if walkover else 0.55) * revs, 0.3
    if has_flag(a.flags, "jump_backward_entry"):
        t_prep += 0.25
    core = t_prep + t_rot + t_rec
    if duration and duration > core:
        t_prep += 0.5 * (duration - core)
        t_rec += 0.5 * (duration - core)
    n_prep, n_rot, n_rec = ctx.n(t_prep), ctx.n(t_rot), ctx.n(t_rec)
    n = n_prep + n_rot + n_rec
    t0, t1 = n_prep, n_prep + n_rot
    f = lambda i: i / (n - 1)  # noqa: E731
    legs = {"l_hip_flex": 1.3, "r_hip_flex": -1.0} if walkover or sideward else both(hip_flex=-0.2)
    if has_flag(a.flags, "step_out"):
        legs = {"l_hip_flex": 0.9, "r_hip_flex": -0.6}
    if a.body_shape == "piked":
        legs = both(hip_flex=1.3)
    if has_flag(a.flags, "tic_toc"):
        legs = {"l_hip_flex": -1.1, "r_hip_flex": 1.4}
    mid2 = dict(legs)
    if has_flag(a.flags, "leg_change"):
        legs = {"l_hip_flex": 1.1, "r_hip_flex": -0.9}
        mid2 = {"l_hip_flex": -0.9, "r_hip_flex": 1.1}
    end = {**STAND, **ARMS_UP}
    if a.landing == "handstand":
        end = {**ARMS_UP, **both(hip_flex=0.0, knee=0.0, ankle=1.3)}
        if has_flag(a.flags, "side_handstand"):
            end.update(both(hip_abd=0.8))
    elif a.landing == "sit":
        end = {**both(hip_flex=1.5, hip_abd=0.8, knee=0.0, ankle=1.3, sh_flex=0.2, sh_abd=0.6)}
    elif a.landing == "support":
        end = {**both(sh_flex=0.1, hip_flex=0.0, ankle=1.3), "trunk_flex": 0.0}
    keys = [
        (0.0, {**STAND, **ARMS_UP}),
        (f(t0), {**ARMS_UP, "l_hip_flex": 0.6, "l_knee": 0.5, "trunk_flex": 0.2 * max(sign, 0)}),
        (
            f(t0 + n_rot * 0.3 / revs),
            {
                **ARMS_UP,
                **both(knee=0.0, ankle=1.2),
                **legs,
                "trunk_flex": -0.35 if sign < 0 else 0.0,
                "head_flex": -0.3,
            },
        ),
        (f(t0 + n_rot * 0.7 / revs), {**ARMS_UP, **both(knee=0.0, ankle=1.2), **mid2, "trunk_flex": -0.2}),
        (
            f(t1),
            {**ARMS_UP, **both(hip_flex=0.4, knee=0.5, ankle=0.2), "trunk_flex": 0.3}
            if end_rot == 1.0
            else end,
        ),
        (1.0, end),
    ]
    pose = pose_track(n, keys)
    rot = rotation_profile(n, 2 * PI * (revs - 1.0 + end_rot), t0, t1, k=0.3)
    if has_flag(a.flags, "hip_circle"):
        rot = rot + rotation_profile(n, 2 * PI, t1, n - 2, k=0.0)
    tw_a, tw_b = t0, t0 + n_rot // 2
    if has_flag(a.flags, "twist_after_support"):
        tw_a, tw_b = t0 + n_rot // 2, t1
    elif has_flag(a.flags, "twist_before_support"):
        tw_a, tw_b = t0 - n_prep // 2, t0 + n_rot // 4
    tw = rotation_profile(n, 2 * PI * turns, tw_a, tw_b, k=0.0)
    yaw = _yaw_offsets(a, n, n_prep, t1)
    if sideward:
        orient = side_orientation(n, rot, np.zeros(n), t0, t1, PI * ((turns * 2) % 2))
        orient = orientation(np.zeros(n), np.zeros(n), yaw=yaw) @ orient
    else:
        orient = orientation((sign or 1.0) * rot, tw, yaw=yaw)
    ts = np.arange(n, dtype=float)
    hands = (ts > t0 + 0.2 * n_rot) & (ts < t1 - 0.2 * n_rot)
    lift = np.zeros(n)
    if not walkover:
        s = np.clip((ts - t0) / n_rot, 0, 1)
        high = 1.8 if has_flag(a.flags, "high_flight") else 1.0
        lift = 0.18 * high * np.sin(PI * revs * s) ** 2 * ctx.jitter(1.0, 0.1)
    # the straight arms hold the shoulders up while the body passes the horizontal
    lift = lift + 0.5 * ctx.body.upper_arm / 0.29 * np.sin(rot) ** 2 * (ts > t0) * (ts < t1)
    if has_flag(a.flags, "jump_backward_entry"):
        lift = lift + 0.3 * np.sin(PI * np.clip((ts - n_prep * 0.4) / (n_prep * 0.6), 0, 1))
    travel = (1.6 if ctx.apparatus != "BB" else 1.1) * revs
    direction = 1.0 if sideward else (sign or 1.0)
    if has_flag(a.flags, "gainer"):
        direction = -direction
    com_x = direction * travel * ease((ts - t0 * 0.5) / (n_rot + t0 * 0.5))
    contact = FEET + HANDS + ((2,) if a.landing in ("sit", "support") else ())
    joints = place_on_support(
        ctx.body,
        pose,
        orient,
        com_x,
        np.zeros(n, bool),
        contact=contact,
        hands_support=hands,
        lift=lift,
        fps=fps,
    )
    yaw_change = PI * ((turns * 2) % 2) + float(yaw[-1])
    return Clip(joints, yaw_change=float(yaw_change % (2 * PI)), phases={"hands": t0 + n_rot // 2})
