"""GymSynth motion: body layout, ballistic flight, rotation counts, attribute-driven distinctness."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from gymscore.codebook import default_codebook
from gymscore.codebook.attributes import Attributes
from gymscore.skeleton import JOINT_INDEX, NUM_JOINTS
from gymscore.synth.body import BodyParams, centre_of_mass, forward_kinematics, neutral_pose
from gymscore.synth.motion import MotionContext, element_clip

FPS = 25.0
# Documented in docs/synth.md: two Gym99 classes of one set must differ by at least this mean per-joint
# distance (metres) after resampling both trajectories to 50 frames and putting the first pelvis at 0.
PAIR_THRESHOLD_M = 0.025


def ctx(apparatus: str = "FX", fps: float = FPS) -> MotionContext:
    return MotionContext(BodyParams(), fps, np.random.default_rng(0), apparatus, variation=0.0)


def clip_of(a: Attributes, set_id: int, apparatus: str = "FX", fps: float = FPS):
    clip, _ = element_clip(a, set_id, apparatus, ctx(apparatus, fps))
    return clip


def normalised(joints: np.ndarray, samples: int = 50) -> np.ndarray:
    t = np.linspace(0, len(joints) - 1, samples)
    i0 = np.floor(t).astype(int)
    i1 = np.minimum(i0 + 1, len(joints) - 1)
    w = (t - i0)[:, None, None]
    r = joints[i0] * (1 - w) + joints[i1] * w
    return r - r[0, JOINT_INDEX["pelvis"]]


def salto_turns(j: np.ndarray) -> float:
    """Rotations about the transverse (y) axis of the pelvis->neck axis."""
    v = j[:, 1] - j[:, 2]
    ang = np.unwrap(np.arctan2(v[:, 0], v[:, 2]))
    return float((ang[-1] - ang[0]) / (2 * np.pi))


def twist_turns(j: np.ndarray) -> float:
    """Rotations of the shoulder line about the body's long axis (relative to the salto plane)."""
    u = j[:, 1] - j[:, 2]
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    s = j[:, 3] - j[:, 4]
    s -= (s * u).sum(1, keepdims=True) * u
    e1 = np.array([0.0, 1.0, 0.0])
    e2 = np.cross(u, e1)
    ang = np.unwrap(np.arctan2((s * e2).sum(1), s @ e1))
    return float((ang[-1] - ang[0]) / (2 * np.pi))


def test_forward_kinematics_layout():
    j = forward_kinematics(BodyParams(), neutral_pose(3))
    assert j.shape == (3, NUM_JOINTS, 3)
    p = j[0]
    assert p[JOINT_INDEX["head"], 2] > p[JOINT_INDEX["neck"], 2] > p[JOINT_INDEX["pelvis"], 2]
    assert p[JOINT_INDEX["pelvis"], 2] > p[JOINT_INDEX["l_knee"], 2] > p[JOINT_INDEX["l_ankle"], 2]
    for left, right in (("l_shoulder", "r_shoulder"), ("l_hip", "r_hip"), ("l_toe", "r_toe")):
        assert p[JOINT_INDEX[left], 1] > 0 > p[JOINT_INDEX[right], 1]
    assert p[JOINT_INDEX["l_toe"], 0] > p[JOINT_INDEX["l_ankle"], 0]  # feet point forward (+x)


def test_double_back_is_ballistic_and_about_one_second():
    a = Attributes(kind="salto", direction="backward", body_shape="tucked", salto_count=2, landing="feet")
    clip = clip_of(a, 25)
    t0, t1 = clip.phases["take_off"], clip.phases["landing"]
    airtime = (t1 - t0 + 1) / FPS
    assert 0.9 <= airtime <= 1.1
    com_z = centre_of_mass(clip.joints)[t0:t1, 2]
    acc = np.diff(com_z, 2) * FPS**2
    assert np.allclose(acc, -9.81, atol=1e-6)
    assert com_z.max() - com_z[0] > 0.9  # rises about a metre above take-off


@pytest.mark.parametrize(
    ("shape", "saltos", "twists", "direction"),
    [
        ("tucked", 2, 0, "backward"),
        ("stretched", 1, 2, "backward"),
        ("stretched", 1, 1.5, "forward"),
        ("piked", 1, 0, "forward"),
        ("stretched", 2, 1, "backward"),
    ],
)
def test_rotation_counts_recovered(shape, saltos, twists, direction):
    a = Attributes(
        kind="salto",
        direction=direction,
        body_shape=shape,
        salto_count=saltos,
        twist_count=twists,
        landing="feet",
    )
    clip = clip_of(a, 25)
    t0, t1 = clip.phases["take_off"] - 1, clip.phases["landing"] + 1
    j = clip.joints[t0:t1]
    sign = 1 if direction == "forward" else -1
    assert salto_turns(j) == pytest.approx(sign * saltos, abs=0.08)
    assert abs(twist_turns(j)) == pytest.approx(twists, abs=0.08)


def test_turn_amount_on_floor():
    a = Attributes(kind="turn", turn_position="free_leg_horizontal", turn_amount=2)
    clip = clip_of(a, 22)
    hips = clip.joints[:, 9] - clip.joints[:, 10]
    ang = np.unwrap(np.arctan2(hips[:, 1], hips[:, 0]))
    assert (ang[-1] - ang[0]) / (2 * np.pi) == pytest.approx(2.0, abs=0.05)


def test_leg_positions_differ_in_flight():
    split = clip_of(Attributes(kind="leap", take_off="one_foot", leg_position="split"), 21)
    straddle = clip_of(Attributes(kind="jump", take_off="two_feet", leg_position="side_split"), 21)
    mid = (split.phases["take_off"] + split.phases["landing"]) // 2
    ks, ka = JOINT_INDEX["l_ankle"], JOINT_INDEX["r_ankle"]
    s = split.joints[mid]
    assert abs(s[ks, 0] - s[ka, 0]) > 1.0  # split: feet apart front to back
    mid2 = (straddle.phases["take_off"] + straddle.phases["landing"]) // 2
    d = straddle.joints[mid2]
    assert abs(d[ks, 1] - d[ka, 1]) > 1.0  # side split: feet apart sideways


@pytest.fixture(scope="module")
def all_clips():
    cb = default_codebook()
    out = {}
    for eid, el in cb.elements.items():
        clip, _ = element_clip(el.attributes, el.set_id, el.apparatus, ctx(el.apparatus))
        out[eid] = clip.joints
    return cb, out


def test_every_codebook_element_has_a_valid_motion(all_clips):
    cb, clips = all_clips
    assert len(clips) == len(cb.elements) == 530
    for eid, j in clips.items():
        assert j.ndim == 3 and j.shape[1:] == (NUM_JOINTS, 3), eid
        assert np.isfinite(j).all(), eid
        assert j[..., 2].min() > -1.3, eid  # nothing below the floor (beam dismounts land 1.25 m lower)


def test_gym99_pairs_in_a_set_differ(all_clips):
    cb, clips = all_clips
    ids = cb.gym99_ids()
    assert len(ids) == 99
    norm = {e: normalised(clips[e]) for e in ids}
    too_close = []
    for a, b in itertools.combinations(ids, 2):
        if cb.get(a).set_id != cb.get(b).set_id:
            continue
        d = float(np.linalg.norm(norm[a] - norm[b], axis=-1).mean())
        if d < PAIR_THRESHOLD_M:
            too_close.append((a, b, round(d, 4)))
    assert too_close == []
