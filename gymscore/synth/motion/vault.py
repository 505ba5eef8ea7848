"""Vault: hurdle (or round-off) onto the springboard, first flight with the entry, push off the table,
second flight with saltos and twists, landing on the mat.

Apparatus frame: runway along +x, springboard top at x = BOARD_X, table top centre at the origin,
1.25 m high; the landing mat top is at LANDING_Z.
"""

from __future__ import annotations

import numpy as np

from gymscore.codebook.attributes import Attributes
from gymscore.synth.motion.base import (
    ARMS_UP,
    CROUCH,
    LAND,
    PI,
    SALTO_SHAPES,
    STAND,
    Clip,
    both,
    ease,
    place_anchored,
    pose_track,
    rot_x,
    rot_y,
    rot_z,
    rotation_profile,
)
from gymscore.synth.motion.context import MotionContext, has_flag

TABLE_TOP = np.array([0.0, 0.0, 1.25])
BOARD_X = -1.7
BOARD_Z = 0.2
LANDING_Z = 0.2
RUN_SPEED = 7.5


def vault_clip(a: Attributes, ctx: MotionContext, duration: float | None = None) -> Clip:
    """The vault from the last running steps to the landing; absolute apparatus coordinates."""
    round_off = a.vault_entry == "round_off"
    entry_turn = a.entry_turn + (0.5 if a.vault_entry == "tsukahara" and a.entry_turn == 0 else 0.0)
    fly2 = ctx.jitter(0.75 + 0.25 * a.salto_count + 0.03 * a.twist_count, 0.04)
    t_run, t_hurdle, t_board, t_fly1, t_table, t_land, t_hold = (
        0.3,
        (0.55 if round_off else 0.3),
        0.1,
        0.2,
        0.14,
        0.35,
        0.5,
    )
    core = t_run + t_hurdle + t_board + t_fly1 + t_table + fly2 + t_land + t_hold
    if duration and duration > core:
        t_hold += duration - core
    ns = [ctx.n(t) for t in (t_run, t_hurdle, t_board, t_fly1, t_table, fly2, t_land, t_hold)]
    n = sum(ns)
    b = np.cumsum([0, *ns])  # phase boundaries
    f = lambda i: i / (n - 1)  # noqa: E731
    shape_name = a.body_shape if a.body_shape in SALTO_SHAPES else "stretched"
    shape = dict(SALTO_SHAPES[shape_name])
    if shape_name == "stretched":
        shape = {**shape, **(ARMS_UP if a.twist_count == 0 else {})}
    if has_flag(a.flags, "yamashita"):
        shape = dict(SALTO_SHAPES["piked"])
    run_pose = {
        "l_hip_flex": 0.9,
        "l_knee": 1.2,
        "r_hip_flex": -0.5,
        "r_knee": 0.6,
        **both(sh_flex=0.8),
        "trunk_flex": 0.2,
    }
    hurdle = {**both(hip_flex=0.6, knee=0.9, sh_flex=-0.6), "trunk_flex": 0.3}
    if round_off:
        hurdle = {**ARMS_UP, "l_hip_flex": 1.2, "r_hip_flex": -1.0, **both(knee=0.0)}
    keys = [
        (0.0, run_pose),
        (f(b[1]), {**hurdle}),
        (f(b[2]), {**CROUCH, **ARMS_UP}),
        (f(b[3]), {**ARMS_UP, **both(hip_flex=0.1, ankle=1.3), "trunk_flex": 0.0}),
        (f(b[4]), {**ARMS_UP, **both(hip_flex=-0.15, ankle=1.3)}),
        (f(b[5] + 0.25 * ns[5]), shape),
        (f(b[6] - 0.25 * ns[5]), shape),
        (f(b[6]), {**both(hip_flex=0.3, knee=0.2, sh_flex=2.4, sh_abd=0.6)}),
        (f(b[7]), LAND),
        (1.0, {**STAND, **ARMS_UP}),
    ]
    pose = pose_track(n, keys)
    # Orientation: world salto angle phi about y, long-axis turn psi (the facing direction at phi = 0).
    ts = np.arange(n, dtype=float)
    phi_table = 0.92 * PI
    phi = np.zeros(n)
    phi += 0.15 * ease((ts - b[1]) / max(ns[1] + ns[2], 1))
    phi += (phi_table - 0.15) * ease((ts - b[3]) / max(ns[3] + ns[4] // 2, 1))
    phi += (2 * PI + 2 * PI * a.salto_count - phi_table) * np.clip(
        rotation_profile(n, 1.0, b[4] + ns[4] // 2, b[6], k=0.45), 0, 1
    )
    psi = np.zeros(n)
    if round_off:
        psi += PI * ease((ts - b[1]) / max(ns[1], 1))
    psi += 2 * PI * entry_turn * ease((ts - b[2]) / max(ns[3] + ns[2], 1))
    if a.direction == "backward" and not round_off and entry_turn == 0:
        psi += PI * ease((ts - b[3]) / max(ns[3] + ns[4], 1))
    tw_a, tw_b = (
        (b[5] - 1, b[5] + ns[5] // 3)
        if has_flag(a.flags, "turn_before_salto")
        else (b[5] + ns[5] // 8, b[6] - ns[5] // 6)
    )
    psi += rotation_profile(n, 2 * PI * a.twist_count, tw_a, tw_b, k=0.3)
    orient = rot_y(phi) @ rot_z(psi)
    if round_off:
        side = 2 * PI * ease((ts - b[0] - ns[0] // 2) / max(ns[1] - 1, 1))
        ro = rot_z(np.full(n, 0.5 * PI)) @ rot_x(side)
        mask = (ts >= b[0] + ns[0] // 2) & (ts < b[2])
        orient[mask] = (rot_y(phi) @ ro @ rot_z(psi - PI * 0.5 * (ts < b[2])))[mask]
    x_run0 = BOARD_X - RUN_SPEED * (t_run + t_hurdle)
    anchor: list = []
    for i in range(n):
        if i < b[1]:
            anchor.append(("feet", x_run0 + RUN_SPEED * i / ctx.fps, 0.0))
        elif i < b[2]:
            if round_off:
                anchor.append(("ground", x_run0 + RUN_SPEED * i / ctx.fps, 0.0))
            else:
                anchor.append(None)
        elif i < b[3]:
            anchor.append(("feet", BOARD_X, BOARD_Z))
        elif i < b[4]:
            anchor.append(None)
        elif i < b[5]:
            anchor.append(TABLE_TOP)
        elif i < b[6]:
            anchor.append(None)
        else:
            anchor.append(("feet", 2.6 + 0.5 * a.salto_count, LANDING_Z))
    joints = place_anchored(ctx.body, pose, orient, anchor, ctx.fps)
    return Clip(joints, absolute=True, phases={"board": int(b[2]), "table": int(b[4]), "landing": int(b[6])})
