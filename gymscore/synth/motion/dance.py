"""Dance elements: leaps, jumps and hops (leg positions in flight) and turns on one leg."""

from __future__ import annotations

import numpy as np

from gymscore.codebook.attributes import Attributes
from gymscore.synth.motion.base import (
    ARMS_SIDE,
    ARMS_UP,
    CROUCH,
    FEET,
    HANDS,
    LAND,
    PI,
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

# Leg positions in flight (left leg leads). Values are partial poses.
LEG_POSITIONS: dict[str, dict[str, float]] = {
    "split": {
        "l_hip_flex": 1.6,
        "r_hip_flex": -1.45,
        **both(knee=0.0, ankle=1.35),
        **ARMS_SIDE,
        "trunk_flex": 0.1,
    },
    "switch": {
        "l_hip_flex": 1.6,
        "r_hip_flex": -1.45,
        **both(knee=0.0, ankle=1.35),
        **ARMS_SIDE,
        "trunk_flex": 0.05,
    },
    "side_split": {**both(hip_flex=0.15, hip_abd=1.5, knee=0.0, ankle=1.35, sh_flex=0.2, sh_abd=1.5)},
    "straddle_pike": {
        **both(hip_flex=1.45, hip_abd=1.05, knee=0.0, ankle=1.35, sh_flex=1.4, sh_abd=0.6),
        "trunk_flex": 0.45,
    },
    "ring": {
        "l_hip_flex": 1.5,
        "r_hip_flex": -1.3,
        "l_knee": 0.0,
        "r_knee": 2.3,
        **both(ankle=1.35),
        **both(sh_flex=2.8, elbow=0.6),
        "trunk_flex": -0.65,
        "head_flex": -0.6,
    },
    "stag": {
        "l_hip_flex": 1.5,
        "l_knee": 1.7,
        "r_hip_flex": -1.4,
        "r_knee": 0.0,
        **both(ankle=1.35),
        **ARMS_SIDE,
        "trunk_flex": 0.05,
    },
    "sheep": {
        **both(hip_flex=-0.8, knee=2.4, ankle=1.35, sh_flex=2.9, elbow=0.3),
        "trunk_flex": -0.8,
        "head_flex": -0.7,
    },
    "wolf": {
        "l_hip_flex": 1.55,
        "l_knee": 0.0,
        "r_hip_flex": 1.6,
        "r_knee": 2.5,
        **both(ankle=1.3),
        **both(sh_flex=1.4, sh_abd=0.3),
        "trunk_flex": 0.35,
    },
    "tuck": {**both(hip_flex=2.1, knee=2.4, ankle=1.3, sh_flex=1.2), "trunk_flex": 0.2},
    "pike": {**both(hip_flex=1.7, knee=0.0, ankle=1.35, sh_flex=1.5), "trunk_flex": 0.6},
    "stretched": {**both(hip_flex=0.0, knee=0.0, ankle=1.35), **ARMS_UP},
    "sissone": {
        "l_hip_flex": 1.1,
        "r_hip_flex": -1.3,
        **both(knee=0.0, ankle=1.35),
        **ARMS_UP,
        "trunk_flex": -0.15,
    },
    "cossack": {
        **both(hip_abd=0.6, ankle=1.3, sh_flex=1.3, sh_abd=1.0),
        "l_hip_flex": 1.55,
        "l_knee": 0.0,
        "r_hip_flex": 1.5,
        "r_knee": 2.4,
        "trunk_flex": 0.3,
    },
    "butterfly": {
        "l_hip_flex": -0.4,
        "r_hip_flex": -1.6,
        **both(knee=0.1, ankle=1.3, sh_abd=1.5),
        "trunk_flex": 1.45,
    },
    "none": {**both(hip_flex=0.2, knee=0.4, ankle=1.3), **ARMS_UP},
}

TURN_POSITIONS: dict[str, dict[str, float]] = {
    "free_leg_low": {
        "r_hip_flex": 0.9,
        "r_hip_abd": 0.6,
        "r_knee": 1.9,
        **both(sh_flex=1.2, sh_abd=0.5, elbow=0.8),
    },
    "free_leg_horizontal": {"r_hip_flex": 1.55, "r_knee": 0.0, **ARMS_SIDE},
    "free_leg_up": {
        "r_hip_flex": 2.85,
        "r_knee": 0.0,
        "r_sh_flex": 2.9,
        "l_sh_flex": 0.3,
        "l_sh_abd": 1.3,
        "trunk_flex": -0.1,
    },
    "tuck_stand": {
        "l_hip_flex": 1.9,
        "l_knee": 2.3,
        "l_ankle": 0.7,
        "r_hip_flex": 1.5,
        "r_knee": 0.1,
        **both(sh_flex=1.5, sh_abd=0.3),
        "trunk_flex": 0.5,
    },
    "illusion": {"r_hip_flex": -2.6, "r_knee": 0.0, **both(sh_flex=2.0), "trunk_flex": 1.6},
    "wolf": {
        "l_hip_flex": 1.9,
        "l_knee": 2.3,
        "l_ankle": 0.7,
        "r_hip_flex": 1.3,
        "r_hip_abd": 1.0,
        "r_knee": 0.0,
        **ARMS_SIDE,
        "trunk_flex": 0.4,
    },
    "attitude": {"r_hip_flex": -1.2, "r_hip_abd": 0.3, "r_knee": 1.3, **ARMS_UP, "trunk_flex": -0.1},
    "split_hold": {
        "r_hip_flex": -2.5,
        "r_knee": 0.3,
        **both(sh_flex=2.8, elbow=0.8),
        "trunk_flex": -0.55,
        "head_flex": -0.4,
    },
    "none": {"r_hip_flex": 0.9, "r_knee": 1.9, **ARMS_UP},
}


def _leg_shape(a: Attributes) -> dict[str, float]:
    """Leg (and body) position in flight from the leg position, body shape and flags."""
    legpos = a.leg_position if a.leg_position in LEG_POSITIONS else "none"
    shape = dict(LEG_POSITIONS[legpos])
    if a.direction == "sideward" and legpos in ("split", "switch"):
        shape.update(both(hip_abd=0.35))
    if has_flag(a.flags, "front_leg_bent"):
        shape.update({"l_knee": 1.5, "l_hip_flex": 1.3})
    if has_flag(a.flags, "front_leg_low"):
        shape.update({"l_hip_flex": 0.8})
    if a.body_shape == "arched":
        shape.update({"trunk_flex": -0.55, "head_flex": -0.5, "r_hip_flex": -1.8, **both(sh_flex=2.6)})
    if has_flag(a.flags, "horizontal_body"):
        shape.update({"trunk_flex": 1.2, "l_hip_flex": 0.3, "r_hip_flex": -1.2})
    if has_flag(a.flags, "arabesque"):
        shape.update({"r_hip_flex": -1.3, "r_knee": 0.0})
    return shape


EXTRA_LEGS: dict[str, dict[str, float]] = {
    "cat": {
        "l_hip_flex": 1.7,
        "l_knee": 2.0,
        "r_hip_flex": 1.2,
        "r_knee": 2.2,
        **ARMS_SIDE,
        "trunk_flex": 0.1,
    },
    "free_leg_extended": {"r_hip_flex": 1.6, "r_knee": 0.0, "l_hip_flex": 0.0, "l_knee": 0.1, **ARMS_SIDE},
    "straddle": {**both(hip_flex=0.7, hip_abd=0.8, knee=0.0, ankle=1.3), **ARMS_UP},
}
LEG_POSITIONS.update(EXTRA_LEGS)


def leap_clip(a: Attributes, ctx: MotionContext, duration: float | None = None) -> Clip:
    """Leaps (one-foot take-off), jumps (two feet) and hops, with leg positions and turns in flight.

    Flags: leg change (switch), quarter turn (Johnson), tuck to split, fouette, side position,
    arabesque, horizontal body; landings on one foot, in front lying or in a split sit.
    """
    fps = ctx.fps
    one_foot = a.take_off == "one_foot" or a.kind == "leap"
    shape = _leg_shape(a)
    switch = a.leg_position == "switch" or has_flag(a.flags, "leg_change")
    turn = a.turn_amount
    quarter = has_flag(a.flags, "quarter_turn")
    fly = ctx.jitter(0.56 if ctx.apparatus == "FX" else 0.48, 0.04) + 0.04 * turn
    t_prep, t_take, t_land, t_rec = 0.35, 0.14, 0.25, 0.3
    if a.landing in ("front_lying", "sit"):
        t_land, t_rec = 0.45, 0.5
    core = t_prep + t_take + fly + t_land + t_rec
    if duration and duration > core:
        t_prep += 0.5 * (duration - core)
        t_rec += 0.5 * (duration - core)
    n_prep, n_take, n_fly, n_land, n_rec = (ctx.n(t) for t in (t_prep, t_take, fly, t_land, t_rec))
    n = n_prep + n_take + n_fly + n_land + n_rec
    t0, t1 = n_prep + n_take, n_prep + n_take + n_fly
    f = lambda i: i / (n - 1)  # noqa: E731
    take = (
        dict(CROUCH)
        if not one_foot
        else {
            "l_hip_flex": -0.3,
            "r_hip_flex": 0.6,
            "r_knee": 0.9,
            "l_knee": 0.4,
            "trunk_flex": 0.15,
            **both(sh_flex=-0.4),
        }
    )
    keys: list[tuple[float, dict[str, float]]] = [(0.0, {**STAND, **both(sh_flex=0.3)})]
    if one_foot:
        keys.append(
            (f(n_prep * 0.5), {"l_hip_flex": 0.5, "r_hip_flex": -0.4, "l_knee": 0.3, **both(sh_flex=0.6)})
        )
    keys.append((f(n_prep), take))
    if switch:
        kick = {**shape, "l_hip_flex": -0.7, "r_hip_flex": 1.3, "r_knee": 0.0, "l_knee": 0.1}
        keys.append((f(t0 + 0.12 * n_fly), kick))
        keys.append((f(t0 + 0.45 * n_fly), shape))
    elif has_flag(a.flags, "tuck_to_split"):
        keys.append((f(t0 + 0.2 * n_fly), LEG_POSITIONS["tuck"]))
        keys.append((f(t0 + 0.5 * n_fly), shape))
    elif has_flag(a.flags, "fouette"):
        keys.append((f(t0 + 0.15 * n_fly), {**shape, "r_hip_flex": 1.7, "r_knee": 0.0}))
        keys.append((f(t0 + 0.5 * n_fly), {**shape, "r_hip_flex": -1.2}))
    else:
        keys.append((f(t0 + 0.35 * n_fly), shape))
    keys.append((f(t0 + 0.72 * n_fly), shape))
    land = dict(LAND)
    if a.landing == "one_foot" or one_foot:
        land.update({"l_hip_flex": 0.6, "l_knee": 0.7, "r_hip_flex": -0.6, "r_knee": 0.05})
    end = {**STAND, **ARMS_SIDE}
    contact = FEET
    if a.landing == "front_lying":
        land = {**both(hip_flex=0.1, knee=0.0, sh_flex=1.6, elbow=0.3), "trunk_flex": 0.0}
        end = {**both(hip_flex=0.0, knee=0.0, sh_flex=1.5, elbow=0.2, ankle=0.5)}
        contact = FEET + HANDS
    elif a.landing == "sit":
        land = {"l_hip_flex": 1.5, "r_hip_flex": -1.5, **both(knee=0.0, ankle=1.3), **ARMS_SIDE}
        end = dict(land)
        contact = FEET + (2,)
    if has_flag(a.flags, "arabesque"):
        land.update({"r_hip_flex": -1.2, "r_knee": 0.0})
    keys.append((f(t1), {**land, **both(sh_flex=1.2, sh_abd=1.2), "trunk_flex": 0.2}))
    if a.landing in ("front_lying", "sit"):
        keys[-1] = (f(t1), land)
    keys.append((1.0, end))
    pose = pose_track(n, keys)
    tw = rotation_profile(n, 2 * PI * turn, t0 - 2, t0 + int(0.5 * n_fly), k=0.0)
    if quarter:
        tw = tw + rotation_profile(n, 0.5 * PI, t0, t0 + int(0.4 * n_fly), k=0.0)
    ts = np.arange(n, dtype=float)
    yaw = None
    if has_flag(a.flags, "side_position"):
        yaw = 0.5 * PI * (ease(ts / max(n_prep, 1)) - ease((ts - t1 - n_land) / max(n_rec, 1)))
    salto = np.zeros(n)
    if a.landing == "front_lying":
        salto = 0.5 * PI * ease((ts - t1 + 3) / max(n_land, 1))
    orient = orientation(salto, tw, yaw=yaw)
    airborne = np.zeros(n, bool)
    airborne[t0:t1] = True
    travel = (2.0 if a.kind == "leap" else 0.4) * (1.0 if ctx.apparatus == "FX" else 0.5)
    if a.direction == "backward":
        travel = -travel
    com_x = travel * (0.3 * ease(ts / t0) + 0.7 * np.clip((ts - t0) / max(n_fly, 1), 0, 1))
    joints = place_on_support(ctx.body, pose, orient, com_x, airborne, contact=contact, fps=fps)
    extra = 0.5 * PI if quarter else 0.0
    return Clip(
        joints, yaw_change=float((2 * PI * turn + extra) % (2 * PI)), phases={"take_off": t0, "landing": t1}
    )


def turn_clip(a: Attributes, ctx: MotionContext, duration: float | None = None) -> Clip:
    """Turns (pirouettes) on one leg in releve with the free leg in the attribute's position; spins
    on the back, on one knee or in prone position."""
    turns = a.turn_amount if a.turn_amount > 0 else 1.0
    pos = a.turn_position if a.turn_position in TURN_POSITIONS else "none"
    shape = dict(TURN_POSITIONS[pos])
    low_support = pos in ("tuck_stand", "wolf")
    if not low_support and pos in TURN_POSITIONS and pos not in LYING_TURNS:
        shape.update({"l_ankle": 1.3, "l_knee": 0.0, "l_hip_flex": 0.0})
    if has_flag(a.flags, "free_leg_bent"):
        shape.update({"r_knee": 1.4})
    if has_flag(a.flags, "free_leg_straight"):
        shape.update({"r_knee": 0.0})
    if has_flag(a.flags, "or_more"):
        turns += 0.25
    per_turn = 0.42 if pos in ("free_leg_low", "none") else 0.5
    t_prep, t_rot, t_rec = 0.5, ctx.jitter(per_turn * turns, 0.05), 0.4
    core = t_prep + t_rot + t_rec
    if duration and duration > core:
        t_prep += 0.5 * (duration - core)
        t_rec += 0.5 * (duration - core)
    n_prep, n_rot, n_rec = ctx.n(t_prep), ctx.n(t_rot), ctx.n(t_rec)
    n = n_prep + n_rot + n_rec
    t0, t1 = n_prep, n_prep + n_rot
    f = lambda i: i / (n - 1)  # noqa: E731
    prep = {
        "l_hip_flex": 0.3,
        "l_knee": 0.5,
        "r_hip_flex": -0.5,
        "r_knee": 0.1,
        **both(sh_flex=1.4, sh_abd=0.9),
    }
    keys = [
        (0.0, {**STAND, **ARMS_SIDE}),
        (f(t0 - n_prep // 3), prep),
        (f(t0 + 3), shape),
        (f(t1 - 2), shape),
        (f(t1 + n_rec // 2), {**STAND, **ARMS_SIDE, "r_hip_flex": -0.3}),
        (1.0, {**STAND, **ARMS_UP}),
    ]
    pose = pose_track(n, keys)
    sign = -1.0 if a.direction == "backward" else 1.0
    yaw = rotation_profile(n, sign * 2 * PI * turns, t0, t1, k=0.2)
    ts = np.arange(n, dtype=float)
    lying = LYING_TURNS.get(pos, 0.0)
    salto = lying * (
        ease((ts - t0 + n_prep // 2) / max(n_prep // 2, 1)) - ease((ts - t1) / max(n_rec // 2, 1))
    )
    orient = orientation(salto, np.zeros(n), yaw=yaw)
    com_x = 0.3 * ease(ts / t0)
    contact = FEET + HANDS + (0, 2, 11, 12) if pos in LYING_TURNS else FEET
    joints = place_on_support(ctx.body, pose, orient, com_x, np.zeros(n, bool), contact=contact, fps=ctx.fps)
    return Clip(joints, yaw_change=float((sign * 2 * PI * turns) % (2 * PI)), phases={"turn": t0})


# Turns in a lying or kneeling position: body pitch (radians) during the spin.
LYING_TURNS = {"on_back": -0.5 * PI, "prone": 0.5 * PI, "knee": 0.0}
TURN_POSITIONS.update(
    {
        "on_back": {**both(hip_flex=1.3, knee=0.6, sh_flex=0.3, sh_abd=1.2), "trunk_flex": 0.2},
        "prone": {**both(hip_flex=-0.2, knee=0.0, sh_flex=1.3, elbow=0.8), "trunk_flex": -0.2},
        "knee": {
            "l_hip_flex": 0.0,
            "l_knee": 1.6,
            "l_ankle": 1.3,
            "r_hip_flex": -1.2,
            "r_knee": 0.0,
            **ARMS_SIDE,
            "trunk_flex": 0.3,
        },
    }
)
