"""The classifier's clip tensors (gymscore.features.posefeat.skeleton_clip), v1 and v2."""

from __future__ import annotations

import numpy as np
import pytest

from gymscore.features.posefeat import CLIP_CHANNELS_V1, CLIP_CHANNELS_V2, skeleton_clip
from gymscore.skeleton import JOINT_INDEX


def _standing(T: int, dx: float = 0.0, dy: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """A rigid T-frame skeleton whose every joint moves by (dx, dy) pixels per frame."""
    rng = np.random.default_rng(0)
    base = rng.uniform(-40, 40, size=(17, 2)) + np.array([300.0, 200.0])
    base[JOINT_INDEX["neck"]] = (300.0, 150.0)
    base[JOINT_INDEX["pelvis"]] = (300.0, 250.0)  # torso 100 px
    t = np.arange(T, dtype=np.float64)[:, None, None]
    j = base[None] + t * np.array([dx, dy])[None, None, :]
    return j, np.ones((T, 17))


def test_v1_layout_is_the_old_one():
    j, v = _standing(30)
    x = skeleton_clip(j, v, 24, 25.0, CLIP_CHANNELS_V1)
    assert x.shape == (5, 24, 17)


def test_v2_channels_duration_and_travel():
    j, v = _standing(50, dx=2.0)  # 2 px per frame to the right, 50 frames at 25 fps = 2 s
    x = skeleton_clip(j, v, 48, 25.0)
    assert x.shape == (len(CLIP_CHANNELS_V2), 48, 17)
    assert np.allclose(x[7], np.log(2.0))  # log duration in seconds
    assert np.allclose(x[4], 1.0)  # every joint seen
    # pelvis-relative coordinates do not move; clip-relative ones travel 98 px = 0.98 torso lengths
    pel = JOINT_INDEX["pelvis"]
    assert np.allclose(x[0, :, pel], 0.0) and np.allclose(x[1, :, pel], 0.0)
    assert x[5, -1, pel] - x[5, 0, pel] == pytest.approx(0.98, abs=1e-4)
    assert np.allclose(x[5, :, pel].mean(), 0.0, atol=1e-3)


def test_v2_duration_and_velocity_follow_the_frame_rate():
    j, v = _standing(20)
    assert np.allclose(skeleton_clip(j, v, 48, 10.0)[7], np.log(2.0))
    # a pelvis-relative joint velocity is per 1/25 s: the same motion sampled at 50 fps moves half as
    # much per frame and is scaled back up
    j25 = j.copy()
    j25[:, JOINT_INDEX["head"], 1] -= np.arange(20) * 2.0
    j50 = j.copy()
    j50[:, JOINT_INDEX["head"], 1] -= np.arange(20) * 1.0
    h = JOINT_INDEX["head"]
    v25 = skeleton_clip(j25, v, 20, 25.0)[3, 5, h]
    v50 = skeleton_clip(j50, v, 20, 50.0)[3, 5, h]
    assert v25 == pytest.approx(-0.02, abs=1e-4) and v50 == pytest.approx(v25, abs=1e-4)


def test_v2_unseen_joints_are_zero_and_errors():
    j, v = _standing(10)
    v[:, JOINT_INDEX["l_wrist"]] = 0.0
    x = skeleton_clip(j, v, 16, 25.0)
    assert np.all(x[[0, 1, 5, 6], :, JOINT_INDEX["l_wrist"]] == 0.0)
    with pytest.raises(ValueError, match="empty pose sequence"):
        skeleton_clip(j[:0], v[:0], 16)
    with pytest.raises(ValueError, match="unknown channel layout"):
        skeleton_clip(j, v, 16, 25.0, ("x",))
