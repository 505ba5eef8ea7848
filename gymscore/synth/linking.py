"""Background movement between elements: stands, poses, walks, runs and pivots on floor and beam;
mounts, kips, casts, swings and transfers on bars; the run-up and the salute on vault.

Linking clips are never labelled as segments.
"""

from __future__ import annotations

import numpy as np

from gymscore.codebook.attributes import Attributes
from gymscore.synth.motion.acro import handspring_clip
from gymscore.synth.motion.bars import BARS, HANDSTAND, HANG, SUPPORT
from gymscore.synth.motion.base import (
    ARMS_SIDE,
    ARMS_UP,
    PI,
    STAND,
    Clip,
    both,
    ease,
    orientation,
    place_anchored,
    place_on_support,
    pose_track,
)
from gymscore.synth.motion.context import MotionContext

POSES: tuple[dict[str, float], ...] = (
    {**STAND, **ARMS_UP},
    {**STAND, **ARMS_SIDE},
    {**ARMS_UP, "r_hip_flex": -0.5, "r_ankle": 1.2, "trunk_flex": -0.3, "head_flex": -0.3},
    {
        "l_hip_flex": 0.6,
        "l_knee": 0.9,
        "r_hip_flex": -0.4,
        "l_sh_flex": 2.5,
        "r_sh_flex": 1.2,
        "r_sh_abd": 1.2,
        "trunk_flex": 0.2,
    },
    {**both(sh_flex=1.5, sh_abd=0.8, elbow=0.6), "r_hip_flex": 0.4, "r_ankle": 1.3, "trunk_side": 0.2},
    {**ARMS_UP, **both(ankle=1.2), "trunk_side": -0.25},
)


def _static_orient(n: int) -> np.ndarray:
    return np.broadcast_to(np.eye(3), (n, 3, 3)).copy()


def stand_clip(ctx: MotionContext, seconds: float, poses: int = 2) -> Clip:
    """Standing with a few dance poses (arm waves, lunges, releves)."""
    n = ctx.n(seconds)
    idx = ctx.rng.integers(0, len(POSES), size=poses)
    keys = [(0.0, {**STAND, **ARMS_UP})]
    for i, k in enumerate(idx):
        keys.append(((i + 0.6) / (poses + 0.5), POSES[int(k)]))
    keys.append((1.0, {**STAND, **ARMS_UP}))
    pose = pose_track(n, keys)
    return Clip(
        place_on_support(ctx.body, pose, _static_orient(n), np.zeros(n), np.zeros(n, bool), fps=ctx.fps)
    )


def locomotion_clip(ctx: MotionContext, distance: float, speed: float, drop: float = 0.0) -> Clip:
    """Walking (< 2.5 m/s) or running forward ``distance`` metres with alternating legs and arm swing."""
    distance = max(distance, 0.05)
    seconds = max(distance / speed, 0.4)
    n = ctx.n(seconds)
    t = np.arange(n) / ctx.fps
    running = speed > 2.5
    cadence = 3.2 if running else 1.8
    ph = 2 * PI * cadence * t / 2
    ramp = np.clip(np.minimum(t / 0.25, (t[-1] - t) / 0.25), 0, 1)
    amp_h, amp_k = (0.75, 1.3) if running else (0.35, 0.45)
    pose = pose_track(
        n, [(0.0, {**STAND, **ARMS_UP}), (0.15, STAND), (0.85, STAND), (1.0, {**STAND, **ARMS_UP})]
    )
    for side, off in (("l", 0.0), ("r", PI)):
        pose[f"{side}_hip_flex"] = pose[f"{side}_hip_flex"] + ramp * amp_h * np.sin(ph + off)
        pose[f"{side}_knee"] = pose[f"{side}_knee"] + ramp * amp_k * np.clip(np.sin(ph + off + 1.2), 0, None)
        pose[f"{side}_sh_flex"] = pose[f"{side}_sh_flex"] + ramp * (0.8 if running else 0.4) * np.sin(
            ph + off + PI
        )
        pose[f"{side}_elbow"] = pose[f"{side}_elbow"] + ramp * (1.3 if running else 0.3)
    pose["trunk_flex"] = pose["trunk_flex"] + ramp * (0.18 if running else 0.03)
    com_x = (
        distance * ease(t / max(t[-1], 1e-6) * 1.0)
        if not running
        else np.interp(
            t, [0, 0.4, t[-1] - 0.3, t[-1]], [0, 0.4 * speed / 2, distance - 0.3 * speed / 2, distance]
        )
    )
    lift = (0.06 if running else 0.0) * np.abs(np.sin(ph)) * ramp
    surface = np.full(n, -drop) * ease(t / max(t[-1], 1e-6)) if drop else None
    joints = place_on_support(
        ctx.body, pose, _static_orient(n), com_x, np.zeros(n, bool), lift=lift, fps=ctx.fps, surface=surface
    )
    return Clip(joints)


def pivot_clip(ctx: MotionContext, angle: float) -> Clip:
    """A pivot turn in place by ``angle`` radians."""
    n = ctx.n(0.35 + 0.25 * abs(angle) / PI)
    pose = pose_track(
        n,
        [
            (0.0, {**STAND, **ARMS_UP}),
            (0.5, {**STAND, **ARMS_SIDE, **both(ankle=1.1)}),
            (1.0, {**STAND, **ARMS_UP}),
        ],
    )
    yaw = angle * ease(np.linspace(0, 1, n))
    orient = orientation(np.zeros(n), np.zeros(n), yaw=yaw)
    joints = place_on_support(ctx.body, pose, orient, np.zeros(n), np.zeros(n, bool), fps=ctx.fps)
    return Clip(joints, yaw_change=float(angle))


def tumbling_entry(ctx: MotionContext, backward: bool) -> list[Clip]:
    """Run, then round-off and flic-flac (backward passes) or a hurdle (forward passes)."""
    clips = [locomotion_clip(ctx, ctx.jitter(3.5, 0.1), 5.5)]
    if backward:
        clips.append(
            handspring_clip(
                Attributes(kind="handspring", direction="sideward", twist_count=0.5, flags=["round_off"]), ctx
            )
        )
        clips.append(handspring_clip(Attributes(kind="handspring", direction="backward"), ctx))
    return clips


# --- bars ---------------------------------------------------------------------------------------
def hang_on(bar: str) -> dict[str, float]:
    """Hang pose: on the low bar the legs are piked forward to clear the floor."""
    return {**HANG, **both(hip_flex=1.6, knee=0.2)} if bar == "low" else HANG


def _bar_clip(ctx: MotionContext, keys, phi: np.ndarray, anchor: list) -> Clip:
    n = len(phi)
    pose = pose_track(n, keys)
    joints = place_anchored(ctx.body, pose, orientation(phi, np.zeros(n)), anchor, ctx.fps)
    return Clip(joints, absolute=True)


def bars_mount(ctx: MotionContext, bar: str = "low") -> Clip:
    """Stand in front of the bar, jump to hang, glide kip to support, cast to handstand."""
    b = BARS[bar]
    n_st, n_j, n_g, n_k, n_c = ctx.n(0.8), ctx.n(0.35), ctx.n(0.9), ctx.n(0.6), ctx.n(0.9)
    n = n_st + n_j + n_g + n_k + n_c
    f = lambda i: i / (n - 1)  # noqa: E731
    keys = [
        (0.0, {**STAND, **ARMS_UP}),
        (f(n_st), {**both(hip_flex=0.6, knee=1.0), **ARMS_UP}),
        (f(n_st + n_j), hang_on(bar)),
        (f(n_st + n_j + n_g * 0.5), {**HANG, **both(hip_flex=1.2)}),
        (f(n_st + n_j + n_g), {**HANG, **both(hip_flex=2.4)}),
        (f(n_st + n_j + n_g + n_k), SUPPORT),
        (f(n - n_c * 0.4), {**HANDSTAND, **both(hip_flex=1.2, sh_flex=1.6)}),
        (1.0, HANDSTAND),
    ]
    ts = np.arange(n)
    k0 = n_st + n_j
    phi = np.zeros(n)
    phi += 0.5 * np.sin(PI * np.clip((ts - k0) / n_g, 0, 1)) * -1.0
    phi += -PI * ease((ts - (n - n_c)) / n_c)
    anchor: list = [("feet", b[0] - 0.9, 0.0)] * n_st + [None] * n_j + [b] * (n - n_st - n_j)
    return _bar_clip(ctx, keys, phi, anchor)


def bars_to_handstand(ctx: MotionContext, bar: str, position: str) -> Clip:
    """From hang (kip, cast) or support (cast) back to a handstand on the same bar."""
    b = BARS[bar]
    if position == "hang":
        n_sw, n_k, n_c = ctx.n(0.8), ctx.n(0.6), ctx.n(0.9)
        n = n_sw + n_k + n_c
        f = lambda i: i / (n - 1)  # noqa: E731
        keys = [
            (0.0, hang_on(bar)),
            (f(n_sw * 0.5), {**HANG, **both(hip_flex=-0.3 if bar == "high" else 1.2)}),
            (f(n_sw), {**HANG, **both(hip_flex=2.4)}),
            (f(n_sw + n_k), SUPPORT),
            (f(n - n_c * 0.4), {**HANDSTAND, **both(hip_flex=1.2, sh_flex=1.6)}),
            (1.0, HANDSTAND),
        ]
        ts = np.arange(n)
        phi = 0.6 * np.sin(2 * PI * np.clip(ts / n_sw, 0, 1)) - PI * ease((ts - n_sw - n_k) / n_c)
    else:
        n = ctx.n(1.0)
        keys = [(0.0, SUPPORT), (0.5, {**HANDSTAND, **both(hip_flex=1.2, sh_flex=1.6)}), (1.0, HANDSTAND)]
        phi = -PI * ease(np.linspace(0, 1, n))
    return _bar_clip(ctx, keys, phi, [b] * len(phi))


def bars_transfer(ctx: MotionContext, from_bar: str, to_bar: str) -> Clip:
    """Move between bars: swing down from handstand, release and catch the other bar in hang."""
    n_sw, n_f, n_c = ctx.n(0.9), ctx.n(0.45), ctx.n(0.5)
    n = n_sw + n_f + n_c
    f = lambda i: i / (n - 1)  # noqa: E731
    keys = [
        (0.0, HANDSTAND),
        (f(n_sw * 0.6), {**HANG, **both(hip_flex=0.5 if from_bar == "high" else 1.8)}),
        (f(n_sw), {**HANG, **both(hip_flex=0.5 if from_bar == "high" else 1.2)}),
        (f(n_sw + n_f // 2), {**HANG, **both(hip_flex=1.2, knee=0.8)}),
        (f(n_sw + n_f), hang_on(to_bar)),
        (1.0, hang_on(to_bar)),
    ]
    ts = np.arange(n)
    sign = 1.0 if BARS[to_bar][0] > BARS[from_bar][0] else -1.0
    after = sign * 0.3 * (1.0 - ease((ts - n_sw) / (n_f + n_c)))
    phi = np.where(ts < n_sw, PI - (PI - sign * 0.3) * ease(ts / n_sw), after)
    anchor: list = [BARS[from_bar]] * n_sw + [None] * n_f + [BARS[to_bar]] * n_c
    return _bar_clip(ctx, keys, phi, anchor)
