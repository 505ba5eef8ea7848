"""Motion generators, one module per family, chosen from an element's attributes (never per class).

:func:`element_clip` is the single entry point: attributes + set id + apparatus -> :class:`Clip`.
"""

from __future__ import annotations

import numpy as np

from gymscore.codebook.attributes import Attributes
from gymscore.synth.motion.acro import handspring_clip, salto_clip
from gymscore.synth.motion.bars import BarState, circle_clip, flight_clip
from gymscore.synth.motion.base import ARMS_UP, STAND, Clip, both, place_on_support, pose_track
from gymscore.synth.motion.context import MotionContext
from gymscore.synth.motion.dance import leap_clip, turn_clip
from gymscore.synth.motion.vault import vault_clip

BEAM_HEIGHT = 1.25

__all__ = ["BarState", "Clip", "MotionContext", "element_clip", "start_bar"]


def start_bar(a: Attributes) -> str:
    """The bar a bars element starts on."""
    return {"low": "low", "low_to_high": "low"}.get(a.bar, "high")


def element_clip(
    a: Attributes,
    set_id: int,
    apparatus: str,
    ctx: MotionContext,
    duration: float | None = None,
    bar: str | None = None,
) -> tuple[Clip, BarState | None]:
    """The motion of one element. Bars elements also return where they end (bar and position)."""
    if apparatus == "VT" or a.kind == "vault":
        return vault_clip(a, ctx, duration), None
    if apparatus == "UB":
        b = bar or start_bar(a)
        if a.kind == "circle" or set_id == 41:
            return circle_clip(a, ctx, b, duration)
        return flight_clip(a, ctx, b, duration)
    if a.kind == "turn" or set_id in (22, 32):
        return turn_clip(a, ctx, duration), None
    if a.kind in ("leap", "jump", "hop") or set_id in (21, 31):
        return leap_clip(a, ctx, duration), None
    if (a.kind in ("handspring", "walkover") or set_id == 34) and set_id != 35:
        return handspring_clip(a, ctx, duration), None
    if a.kind in ("salto", "aerial", "dismount", "flight") or set_id in (23, 24, 25, 33, 35):
        drop = BEAM_HEIGHT if set_id == 35 else 0.0
        return salto_clip(a, ctx, duration, drop=drop), None
    return other_clip(a, ctx, duration), None


def other_clip(a: Attributes, ctx: MotionContext, duration: float | None = None) -> Clip:
    """Elements outside the families (mounts, holds): a rise to a balance with the attribute's shape."""
    n = ctx.n(duration or 1.5)
    lean = {"forward": 0.8, "backward": -0.6}.get(a.direction, 0.0)
    hold = {**ARMS_UP, "r_hip_flex": -1.0 if lean >= 0 else 1.0, "trunk_flex": lean, **both(ankle=1.0)}
    pose = pose_track(n, [(0.0, STAND), (0.4, hold), (0.7, hold), (1.0, STAND)])
    orient = np.broadcast_to(np.eye(3), (n, 3, 3)).copy()
    joints = place_on_support(ctx.body, pose, orient, np.zeros(n), np.zeros(n, bool), fps=ctx.fps)
    return Clip(joints)
