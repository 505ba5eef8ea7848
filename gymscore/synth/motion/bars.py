"""Uneven bars: circles about a bar, releases and regrasps, transitions between bars, dismounts.

Apparatus frame: bars run along y; the low bar is at x = 0, z = 1.70, the high bar at x = BAR_GAP,
z = 2.50. The body angle ``phi`` about the bar is 0 in hang (head up, hands above) and pi in handstand
(head down); ``phi`` grows when the head moves toward +x. Flights between grips are ballistic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gymscore.codebook.attributes import Attributes
from gymscore.synth.motion.base import (
    ARMS_UP,
    LAND,
    PI,
    SALTO_SHAPES,
    STAND,
    Clip,
    both,
    ease,
    orientation,
    place_anchored,
    pose_track,
    rotation_profile,
)
from gymscore.synth.motion.context import MotionContext, has_flag

LOW_BAR = np.array([0.0, 0.0, 1.70])
BAR_GAP = 1.55
HIGH_BAR = np.array([BAR_GAP, 0.0, 2.50])
BARS = {"low": LOW_BAR, "high": HIGH_BAR}

HANDSTAND = {**ARMS_UP, **both(hip_flex=0.0, knee=0.0, ankle=1.3), "trunk_flex": 0.0}
HANG = {**ARMS_UP, **both(hip_flex=0.1, knee=0.0, ankle=1.2)}
SUPPORT = {**both(sh_flex=0.15, sh_abd=0.1, hip_flex=0.15, knee=0.0, ankle=1.2), "trunk_flex": 0.1}


@dataclass
class BarState:
    """Where a bars clip ends: which bar (or the floor) and in what position."""

    bar: str = "low"  # "low", "high" or "floor"
    position: str = "handstand"  # "handstand", "hang", "support", "stand"


# Grips change the arm position on the bar (the codebook sets none yet; ready when it does).
GRIP_POSE: dict[str, dict[str, float]] = {
    "undergrip": both(elbow=0.15, sh_abd=0.05),
    "mixed": {"l_elbow": 0.15},
    "l_grip": both(sh_abd=0.6),
    "dorsal": both(sh_flex=-0.6),
}


def _circle_shape(a: Attributes) -> dict[str, float]:
    """Pose through the lower half of a circle, from body shape, flags and grip."""
    return {**_circle_shape_body(a), **GRIP_POSE.get(a.grip, {})}


def _circle_shape_body(a: Attributes) -> dict[str, float]:
    if has_flag(a.flags, "seat"):
        return {**both(sh_flex=-0.4, hip_flex=2.5, knee=0.0, ankle=1.3), "trunk_flex": 0.2}
    if has_flag(a.flags, "hips_on_bar") or (a.body_shape == "none" and not has_flag(a.flags, "giant")):
        return {**both(sh_flex=0.3, hip_flex=0.5, knee=0.0, ankle=1.2), "trunk_flex": 0.3}
    if has_flag(a.flags, "clear_hip"):
        return {**both(sh_flex=0.9, hip_flex=0.35, knee=0.0, ankle=1.3)}
    if has_flag(a.flags, "feet_on_bar"):
        return {
            **both(
                sh_flex=2.3,
                hip_flex=2.7,
                knee=0.0,
                ankle=0.8,
                hip_abd=0.6 if a.body_shape == "straddled" else 0.0,
            ),
            "trunk_flex": 0.4,
        }
    if a.body_shape == "piked":
        return {**both(sh_flex=2.5, hip_flex=2.55, knee=0.0, ankle=1.3), "trunk_flex": 0.3}
    if a.body_shape == "straddled":
        return {**both(sh_flex=2.5, hip_flex=2.5, hip_abd=0.85, knee=0.0, ankle=1.3), "trunk_flex": 0.3}
    return {**ARMS_UP, **both(hip_flex=0.25, knee=0.0, ankle=1.3), "trunk_flex": 0.15}


def circle_clip(
    a: Attributes, ctx: MotionContext, bar: str, duration: float | None = None
) -> tuple[Clip, BarState]:
    """A circle about one bar, from handstand, ending in handstand (or the element's end position)."""
    sign = 1.0 if a.direction == "forward" else -1.0
    t_circle = ctx.jitter(1.35 if a.body_shape in ("stretched", "none") else 1.5, 0.04)
    t_turn = 0.3 + 0.35 * a.turn_amount
    t_pre, t_post = 0.2, 0.3
    core = t_pre + t_circle + t_turn + t_post
    if duration and duration > core:
        t_pre += 0.5 * (duration - core)
        t_post += 0.5 * (duration - core)
    n_pre, n_c, n_t, n_post = (ctx.n(t) for t in (t_pre, t_circle, t_turn, t_post))
    n = n_pre + n_c + n_t + n_post
    t0, t1 = n_pre, n_pre + n_c
    f = lambda i: i / (n - 1)  # noqa: E731
    shape = _circle_shape(a)
    end = dict(HANDSTAND)
    if has_flag(a.flags, "end_toes_on_bar", "end_rear_inverted"):
        end = {**both(sh_flex=2.4, hip_flex=2.6, ankle=0.9), "trunk_flex": 0.3}
    elif has_flag(a.flags, "end_clear_support") or (a.landing == "bar_support" and a.turn_amount == 0):
        end = {**both(sh_flex=1.2, hip_flex=0.4, ankle=1.2)}
    keys = [
        (0.0, HANDSTAND),
        (f(t0), HANDSTAND),
        (f(t0 + 0.3 * n_c), shape),
        (f(t0 + 0.62 * n_c), shape),
        (f(t1), end),
        (f(t1 + n_t), end),
        (1.0, end),
    ]
    if has_flag(a.flags, "one_arm"):
        keys.insert(4, (f(t0 + 0.8 * n_c), {**shape, "r_sh_flex": 1.2, "r_sh_abd": 1.4}))
        keys.insert(6, (f(t1 + n_t // 2), {**end, "r_sh_flex": 1.4, "r_sh_abd": 1.2}))
    pose = pose_track(n, keys)
    end_phi = PI * 0.65 if has_flag(a.flags, "end_rear_inverted", "end_toes_on_bar") else PI
    if end == {**both(sh_flex=1.2, hip_flex=0.4, ankle=1.2)}:
        end_phi = PI * 0.15
    phi = PI + rotation_profile(n, sign * 2 * PI, t0, t1, k=0.5)
    phi = phi + (end_phi - PI) * ease((np.arange(n) - t1 + n_c * 0.15) / max(n_c * 0.15, 1))
    twist = rotation_profile(n, 2 * PI * a.turn_amount, t1 - 2, t1 + n_t, k=0.2)
    if has_flag(a.flags, "turn_before_handstand"):
        twist = rotation_profile(n, 2 * PI * a.turn_amount, t0 + int(0.6 * n_c), t1, k=0.2)
    orient = orientation(phi, twist)
    anchor: list = [BARS[bar]] * n
    if has_flag(a.flags, "hop_turn"):
        for i in range(t1, t1 + n_t // 2):
            anchor[i] = None
    joints = place_anchored(ctx.body, pose, orient, anchor, ctx.fps)
    position = "handstand" if end == HANDSTAND else "support"
    yaw = PI * ((2 * a.turn_amount) % 2)
    return Clip(joints, yaw_change=float(yaw), absolute=True), BarState(bar, position)


def flight_clip(
    a: Attributes, ctx: MotionContext, start_bar: str, duration: float | None = None, background: bool = False
) -> tuple[Clip, BarState]:
    """Releases (regrasp same bar), transitions between bars and dismounts to the floor."""
    dismount = a.landing == "feet"
    if a.kind == "transition" or a.bar in ("low_to_high", "high_to_low"):
        end_bar = "high" if a.bar == "low_to_high" else "low"
        start_bar = "low" if a.bar == "low_to_high" else "high"
    else:
        end_bar = "floor" if dismount else start_bar
    counter = has_flag(a.flags, "counter")
    salto_sign = 1.0 if a.direction == "forward" else -1.0
    swing_sign = (
        -1.0
        if has_flag(a.flags, "from_swing_forward") or (a.direction == "backward" and not counter)
        else 1.0
    )
    if has_flag(a.flags, "from_hip_circle", "hecht"):
        swing_sign = -1.0
    twists = a.twist_count + a.turn_amount
    fly = ctx.jitter(0.65 + 0.25 * a.salto_count + 0.03 * twists + (0.35 if dismount else 0.0), 0.04)
    if has_flag(a.flags, "over_bar"):
        fly += 0.12
    t_sw, t_catch = 0.85, (0.7 if not dismount else 0.45)
    t_post = 0.3
    core = t_sw + fly + t_catch + t_post
    if duration and duration > core:
        t_sw += 0.4 * (duration - core)
        t_post += 0.6 * (duration - core)
    n_sw, n_fly, n_c, n_post = (ctx.n(t) for t in (t_sw, fly, t_catch, t_post))
    n = n_sw + n_fly + n_c + n_post
    t0, t1 = n_sw, n_sw + n_fly
    f = lambda i: i / (n - 1)  # noqa: E731
    # Body angle: swing from handstand to release (about 3/4 circle), flight rotation, catch swing.
    release = PI + swing_sign * 1.45 * PI
    if has_flag(a.flags, "from_underswing"):
        release -= swing_sign * 0.3 * PI
    if has_flag(a.flags, "from_high_bar"):
        release -= swing_sign * 0.12 * PI
    sw = PI + (release - PI) * ease(np.linspace(0.0, 1.0, n_sw)) ** 0.9
    rotation = salto_sign * 2 * PI * a.salto_count
    if dismount:
        catch = np.round((release + rotation) / (2 * PI)) * 2 * PI
    else:
        catch_side = -0.35 * PI if end_bar == start_bar else 0.3 * PI * swing_sign
        target = release + rotation
        catch = catch_side + np.round((target - catch_side) / (2 * PI)) * 2 * PI
        if counter and a.salto_count == 0:
            catch = release + swing_sign * 0.15 * PI - 0.3 * PI * swing_sign
    fl = release + (catch - release) * rotation_profile(n_fly + 2, 1.0, 0, n_fly + 1, k=0.5)[1:-1]
    hang = catch + (np.round(catch / (2 * PI)) * 2 * PI - catch) * ease(np.linspace(0, 1, n_c + n_post))
    phi = np.concatenate([sw, fl, hang])
    tw_a, tw_b = t0 + n_fly // 6, t1 - n_fly // 6
    if has_flag(a.flags, "turn_before_salto"):
        tw_a, tw_b = t0 - 2, t0 + n_fly // 3
    elif has_flag(a.flags, "turn_in_flight"):
        tw_a, tw_b = t0 + n_fly // 3, t0 + 2 * n_fly // 3
    twist = rotation_profile(n, 2 * PI * twists, tw_a, tw_b, k=0.3)
    shape_name = a.body_shape if a.body_shape in SALTO_SHAPES else "stretched"
    shape = dict(SALTO_SHAPES[shape_name])
    if shape_name == "stretched":
        shape = {**shape, **ARMS_UP} if a.twist_count == 0 else shape
    if has_flag(a.flags, "hecht"):
        shape = {**both(hip_flex=-0.2, sh_flex=0.3, sh_abd=1.4), "trunk_flex": -0.2}
    if has_flag(a.flags, "stoop", "vault_over_bar"):
        shape = {**shape, **both(hip_flex=2.4, hip_abd=0.7 if a.body_shape == "straddled" else 0.0)}
    sw_shape = {**ARMS_UP, **both(hip_flex=0.3 if swing_sign > 0 else -0.2, knee=0.0, ankle=1.3)}
    if has_flag(a.flags, "from_underswing"):
        sw_shape = {**both(sh_flex=2.0, hip_flex=2.2, ankle=1.2)}
    elif has_flag(a.flags, "from_sole_circle", "feet_support"):
        sw_shape = {**both(sh_flex=2.3, hip_flex=2.6, ankle=0.8)}
    elif has_flag(a.flags, "from_hip_circle"):
        sw_shape = {**both(sh_flex=0.8, hip_flex=0.4, ankle=1.2)}
    if start_bar == "low":
        sw_shape = {**sw_shape, **both(hip_flex=1.9, knee=0.2)}  # clear the floor under the low bar
    shape2 = dict(SALTO_SHAPES["piked"]) if has_flag(a.flags, "mixed_saltos") else shape
    reach = {**ARMS_UP, **both(hip_flex=0.5, knee=0.0, ankle=1.3)}
    hang_pose = {**HANG, **both(hip_flex=1.6, knee=0.2)} if end_bar == "low" else HANG
    finish = dict(hang_pose) if not dismount else {**LAND}
    keys = [
        (0.0, HANDSTAND),
        (f(t0 * 0.55), sw_shape),
        (f(t0), {**sw_shape, **both(hip_flex=-0.15)}),
        (f(t0 + 0.25 * n_fly), shape),
        (f(t1 - 0.3 * n_fly), shape2),
        (f(t1 - 1), reach),
        (f(t1 + n_c // 2), finish),
        (1.0, {**STAND, **ARMS_UP} if dismount else hang_pose),
    ]
    pose = pose_track(n, keys)
    orient = orientation(phi, twist)
    anchor: list = [BARS[start_bar]] * t0 + [None] * n_fly
    if dismount:
        land_x = BARS[start_bar][0] + (1.0 if start_bar == "high" else -1.0) * (1.9 + 0.4 * a.salto_count)
        anchor += [("feet", land_x, 0.0)] * (n_c + n_post)
    else:
        anchor += [BARS[end_bar]] * (n_c + n_post)
    joints = place_anchored(ctx.body, pose, orient, anchor, ctx.fps)
    if dismount:
        return Clip(joints, absolute=True, phases={"release": t0, "landing": t1}), BarState("floor", "stand")
    return Clip(joints, absolute=True, phases={"release": t0, "catch": t1}), BarState(end_bar, "hang")
