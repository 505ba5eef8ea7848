"""Assemble a routine's motion from a plan: element clips joined by background linking movement.

Floor and beam travel along the x axis (floor within +-6 m, beam within its 5 m); bars and vault
clips are in apparatus coordinates. Joins are cross-faded over a few frames and bone lengths are
restored afterwards, so every frame is a valid body.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gymscore.skeleton import BONES
from gymscore.synth import linking
from gymscore.synth.body import BodyParams, forward_kinematics, neutral_pose, rot_z
from gymscore.synth.motion import BEAM_HEIGHT, BarState, Clip, MotionContext, element_clip, start_bar
from gymscore.synth.motion.base import PI
from gymscore.synth.motion.vault import BOARD_X
from gymscore.synth.sampler import RoutinePlan

HALF_LENGTH = {"FX": 5.6, "BB": 2.25}
CONNECT_S = 0.5  # segments closer than this are marked connected_to_next
BLEND_FRAMES = 4


@dataclass
class MotionSegment:
    """An element in frames (end exclusive)."""

    start: int
    end: int
    element_id: str
    set_id: int
    connected_to_next: bool = False


@dataclass
class RoutineMotion:
    """World joints of a whole routine and its element segments."""

    joints: np.ndarray  # (T,17,3)
    segments: list[MotionSegment] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)


class _Builder:
    def __init__(self, ctx: MotionContext, surface: float = 0.0) -> None:
        self.ctx = ctx
        self.parts: list[np.ndarray] = []
        self.frames = 0
        self.x = 0.0
        self.yaw = 0.0
        self.surface = surface
        self.segments: list[MotionSegment] = []

    def add(self, clip: Clip, label: tuple[str, int] | None = None) -> None:
        j = clip.joints
        if not clip.absolute:
            r = rot_z(np.array([self.yaw]))[0]
            j = j @ r.T + np.array([self.x, 0.0, self.surface])
        else:
            j = j.copy()
        if self.parts:
            off = self.parts[-1][-1] - j[0]
            k = min(BLEND_FRAMES, len(j))
            w = np.linspace(1.0, 0.0, k + 1)[1:][:, None, None]
            if np.abs(off).max() < 0.6:
                j[:k] += off[None] * w
        if label is not None:
            self.segments.append(MotionSegment(self.frames, self.frames + len(j), label[0], label[1]))
        self.parts.append(j)
        self.frames += len(j)
        self.x = float(j[-1, 2, 0])
        self.yaw = (self.yaw + clip.yaw_change) % (2 * PI)

    def hold(self, seconds: float) -> None:
        """Stand still (repeat the last frame) for ``seconds``."""
        n = int(round(seconds * self.ctx.fps))
        if n > 0 and self.parts:
            self.parts.append(np.repeat(self.parts[-1][-1:], n, axis=0))
            self.frames += n


def _travel(clips: list[Clip]) -> tuple[float, float]:
    """Displacement along the facing direction and the yaw change of a chain of relative clips."""
    x, yaw = 0.0, 0.0
    for c in clips:
        dx = float(c.joints[-1, 2, 0] - c.joints[0, 2, 0])
        x += dx * np.cos(yaw)
        yaw += c.yaw_change
    return x, yaw


def _go_to(b: _Builder, target_x: float, facing: float, seconds: float) -> None:
    """Background: poses, then walk to ``target_x`` and turn to ``facing`` (0 or pi) within ~seconds."""
    ctx = b.ctx
    dist = target_x - b.x
    walk_dir = 0.0 if dist >= 0 else PI
    walk_s = abs(dist) / 1.6
    turn_s = 0.9
    rest = seconds - walk_s - 2 * turn_s
    if rest > 0.6:
        b.add(linking.stand_clip(ctx, rest, poses=max(1, int(rest / 1.5))))
    if abs(dist) > 0.15:
        d = _wrap(walk_dir - b.yaw)
        if abs(d) > 0.3:
            b.add(linking.pivot_clip(ctx, d))
        b.add(linking.locomotion_clip(ctx, abs(dist), 1.6))
    d = _wrap(facing - b.yaw)
    if abs(d) > 0.3:
        b.add(linking.pivot_clip(ctx, d))


def _facing(joints: np.ndarray) -> float:
    """Heading (yaw) of a standing body from its hip line."""
    side = joints[9] - joints[10]
    return float(np.arctan2(-side[0], side[1]))


def _wrap(a: float) -> float:
    return float((a + PI) % (2 * PI) - PI)


def build_support_routine(plan: RoutinePlan, ctx: MotionContext) -> _Builder:
    """Floor or beam: stands, walks and runs between elements; tumbling passes from a corner."""
    app = plan.apparatus
    half = HALF_LENGTH[app]
    b = _Builder(ctx, BEAM_HEIGHT if app == "BB" else 0.0)
    b.x = -half + 0.4 if app == "BB" else float(ctx.rng.uniform(-2, 2))
    b.add(linking.stand_clip(ctx, max(plan.lead_in_s, 0.8), poses=1))
    for i, pe in enumerate(plan.elements):
        a = pe.attributes
        dismount = app == "BB" and pe.set_id == 35
        clip, _ = element_clip(a, pe.set_id, app, ctx, pe.duration_s)
        connected = i > 0 and pe.gap_before_s < CONNECT_S
        prefix: list[Clip] = []
        if app == "FX" and pe.set_id in (23, 24, 25) and not connected:
            prefix = linking.tumbling_entry(ctx, backward=a.direction == "backward")
        if not connected:
            d, _ = _travel([*prefix, clip])
            if dismount:
                facing = 0.0 if d > 0 else PI
                start = half - 0.2  # the world travel is +x with this facing
                facing, start = (facing, start) if ctx.rng.uniform() < 0.5 else (_wrap(facing + PI), -start)
            else:
                facing = 0.0 if (b.x < 0) == (d > 0) else PI
                if abs(d) < 0.3:
                    facing = 0.0 if b.x < 0 else PI
                travel = d * np.cos(facing)
                start = float(np.clip(b.x, -half - min(travel, 0), half - max(travel, 0)))
                if abs(travel) > 2 * half - 1:
                    start = -half if travel > 0 else half
            _go_to(b, start, facing % (2 * PI), pe.gap_before_s if i else 0.0)
            for c in prefix:
                b.add(c)
        b.add(clip, (pe.element_id, pe.set_id))
        if dismount:
            b.surface = 0.0
            break
    b.add(linking.stand_clip(ctx, max(plan.tail_s, 0.8), poses=1))
    return b


def build_bars_routine(plan: RoutinePlan, ctx: MotionContext) -> _Builder:
    """Bars: mount, then each element from a handstand on its bar, with kips, casts and transfers."""
    b = _Builder(ctx)
    b.add(linking.stand_clip(ctx, max(plan.lead_in_s - 1.5, 0.5), poses=1), None)
    b.parts[-1] = b.parts[-1] + np.array([-0.9, 0.0, 0.0])
    b.add(linking.bars_mount(ctx, "low"))
    state = BarState("low", "handstand")
    for pe in plan.elements:
        a = pe.attributes
        want = start_bar(a) if a.bar != "none" else state.bar
        if a.kind == "circle" and (a.body_shape == "stretched" or "giant" in a.flags):
            want = "high"  # giant swings need the high bar
        if state.bar == "floor":
            break
        if state.position != "handstand":
            b.add(linking.bars_to_handstand(ctx, state.bar, state.position))
        if want != state.bar:
            b.add(linking.bars_transfer(ctx, state.bar, want))
            b.add(linking.bars_to_handstand(ctx, want, "hang"))
            state = BarState(want, "handstand")
        b.hold(min(pe.gap_before_s, 1.0) * 0.5)
        clip, state = element_clip(a, pe.set_id, "UB", ctx, pe.duration_s, bar=state.bar)
        b.add(clip, (pe.element_id, pe.set_id))
    if state.bar != "floor":
        dis = (
            linking.bars_to_handstand(ctx, state.bar, state.position)
            if state.position != "handstand"
            else None
        )
        if dis is not None:
            b.add(dis)
    if state.bar == "floor":
        b.yaw = _facing(b.parts[-1][-1])
        b.add(linking.stand_clip(ctx, max(plan.tail_s, 0.8), poses=1))
    return b


def build_vault_routine(plan: RoutinePlan, ctx: MotionContext) -> _Builder:
    """Vault: salute at the end of the runway, run-up, the vault, salute after the landing."""
    pe = plan.elements[0]
    clip, _ = element_clip(pe.attributes, pe.set_id, "VT", ctx, pe.duration_s)
    x0 = float(clip.joints[0, 2, 0])
    run = linking.locomotion_clip(ctx, ctx.jitter(16.0, 0.1), 7.0)
    run_len = float(run.joints[-1, 2, 0] - run.joints[0, 2, 0])
    b = _Builder(ctx)
    b.x = x0 - run_len - 0.1
    b.add(linking.stand_clip(ctx, max(plan.lead_in_s - run.n / ctx.fps, 1.0), poses=1))
    b.add(run)
    b.add(clip, (pe.element_id, pe.set_id))
    b.yaw = _facing(b.parts[-1][-1])
    b.add(linking.stand_clip(ctx, max(plan.tail_s, 1.0), poses=1))
    return b


def repair_bones(joints: np.ndarray, body: BodyParams) -> np.ndarray:
    """Restore every bone's length (walking out from the pelvis) after cross-fades."""
    ref = forward_kinematics(body, neutral_pose(1))[0]
    out = joints.copy()
    order = sorted(BONES, key=lambda pc: _depth(pc[1]))
    for p, c in order:
        if c == 2:  # pelvis is the root: re-attach the neck instead
            p, c = 2, 1
        length = np.linalg.norm(ref[c] - ref[p])
        v = out[:, c] - out[:, p]
        norm = np.linalg.norm(v, axis=1, keepdims=True)
        out[:, c] = out[:, p] + v / np.maximum(norm, 1e-9) * length
    return out


_PARENT = {
    0: 1,
    1: 2,
    3: 1,
    4: 1,
    5: 3,
    6: 4,
    7: 5,
    8: 6,
    9: 2,
    10: 2,
    11: 9,
    12: 10,
    13: 11,
    14: 12,
    15: 13,
    16: 14,
}


def _depth(j: int) -> int:
    d = 0
    while j in _PARENT:
        j = _PARENT[j]
        d += 1
    return d


def build_routine_motion(
    plan: RoutinePlan, body: BodyParams, fps: float, rng: np.random.Generator
) -> RoutineMotion:
    """The whole routine: world joints (T,17,3) and element segments."""
    ctx = MotionContext(body, fps, rng, plan.apparatus)
    if plan.apparatus == "UB":
        b = build_bars_routine(plan, ctx)
    elif plan.apparatus == "VT":
        b = build_vault_routine(plan, ctx)
    else:
        b = build_support_routine(plan, ctx)
    joints = repair_bones(np.concatenate(b.parts, axis=0), body)
    segs = b.segments
    for s, t in zip(segs, segs[1:], strict=False):
        s.connected_to_next = (t.start - s.end) <= CONNECT_S * fps
    board = BOARD_X
    return RoutineMotion(joints, segs, {"apparatus": plan.apparatus, "board_x": board})
