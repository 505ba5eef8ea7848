"""The pipeline-like pose corruption used in training (gymscore.data.augment.simulate_estimator)."""

from __future__ import annotations

import numpy as np

from gymscore.data.augment import AugmentConfig, augment_pose, simulate_estimator


def _walk(T: int) -> tuple[np.ndarray, np.ndarray]:
    j = np.zeros((T, 17, 2))
    j[:, :, 0] = 100.0 + np.arange(T)[:, None] * 3.0  # every joint moves 3 px per frame
    j[:, :, 1] = np.linspace(100, 300, 17)[None, :]  # upright: head (0) above pelvis (2)
    j[:, 1, 1], j[:, 2, 1] = 150.0, 250.0
    return j, np.ones((T, 17))


def _clean(**kw: float) -> AugmentConfig:
    base = dict(lose_prob=0.0, lose_inverted_prob=0.0, lose_fast_prob=0.0, swap_prob=0.0, jitter=0.0,
                visibility_noise=0.0)
    base.update(kw)
    return AugmentConfig(estimator_prob=1.0, **base)


def test_skipped_frames_are_interpolated_like_the_pipeline():
    j, v = _walk(20)
    out_j, out_v = simulate_estimator(j, v, np.random.default_rng(0), _clean(strides=(3,)), 100.0)
    # linear motion survives stride-3 sampling + linear interpolation inside the sampled span
    first = int(np.flatnonzero(out_v[:, 0] > 0)[0])
    assert first <= 2
    assert np.allclose(out_j[first:18], j[first:18], atol=1e-4)
    assert out_v.shape == (20, 17)


def test_losing_every_frame_leaves_nothing_visible():
    j, v = _walk(12)
    _, out_v = simulate_estimator(j, v, np.random.default_rng(1), _clean(lose_prob=1.0), 100.0)
    assert np.all(out_v == 0.0)


def test_inverted_bodies_are_lost_more_often():
    j, v = _walk(400)
    inv = j.copy()
    inv[:, 0, 1], inv[:, 2, 1] = 300.0, 100.0  # head below pelvis
    cfg = _clean(lose_inverted_prob=0.5, strides=(1,), max_gap_s=0.0, bridge_gap_s=0.0)
    _, up = simulate_estimator(j, v, np.random.default_rng(2), cfg, 100.0)
    _, down = simulate_estimator(inv, v, np.random.default_rng(2), cfg, 100.0)
    assert (up[:, 3] > 0).mean() == 1.0
    assert 0.35 < (down[:, 3] > 0).mean() < 0.65


def test_augment_pose_uses_the_estimator_family_when_asked():
    j, v = _walk(30)
    cfg = AugmentConfig(estimator_prob=1.0, speed=(1.0, 1.0), flip_prob=0.0, cut_prob=0.0)
    a = augment_pose(j, v, (640, 360), np.random.default_rng(5), cfg)
    b = augment_pose(j, v, (640, 360), np.random.default_rng(5), cfg)
    assert np.array_equal(a[0], b[0]) and a[0].shape == (30, 17, 2)


def test_label_swap_and_torso_stretch():
    from gymscore.data.augment import stretch_torso
    from gymscore.skeleton import JOINT_INDEX

    j, v = _walk(5)
    j[:, JOINT_INDEX["l_wrist"], 1] = 111.0
    j[:, JOINT_INDEX["r_wrist"], 1] = 222.0
    cfg = AugmentConfig(swap_labels_prob=1.0, speed=(1.0, 1.0), flip_prob=0.0, cut_prob=0.0, noise_prob=0.0,
                        scale=(1.0, 1.0), rotate_deg=0.0, foreshorten=(1.0, 1.0), foreshorten_y=(1.0, 1.0),
                        shear=0.0, translate=0.0)
    out, _, _ = augment_pose(j, v, (640, 360), np.random.default_rng(0), cfg)
    assert np.allclose(out[:, JOINT_INDEX["l_wrist"], 1], 222.0)  # labels swapped, x not mirrored
    assert np.allclose(out[:, JOINT_INDEX["l_wrist"], 0], j[:, JOINT_INDEX["r_wrist"], 0])
    s = stretch_torso(j, 1.2)  # neck 150 -> 130 (pelvis 250), the head moves with it
    assert np.allclose(s[:, JOINT_INDEX["neck"], 1], 130.0)
    assert np.allclose(s[:, JOINT_INDEX["pelvis"], 1], 250.0)
    assert np.allclose(s[:, JOINT_INDEX["head"], 1] - j[:, JOINT_INDEX["head"], 1], -20.0)
    assert np.allclose(s[:, JOINT_INDEX["l_knee"]], j[:, JOINT_INDEX["l_knee"]])


def test_per_frame_swap_rate_comes_from_the_training_config():
    from gymscore.train.config import DataConfig
    from gymscore.train.tasks import _augment_config

    assert _augment_config(DataConfig(estimator_aug=0.5)).swap_prob == 0.03
    assert _augment_config(DataConfig(estimator_aug=0.5, swap_frame_aug=0.3)).swap_prob == 0.3
    j, v = _walk(400)
    j[:, 3, 0], j[:, 4, 0] = 90.0, 110.0  # shoulders apart
    out, _ = simulate_estimator(j, v, np.random.default_rng(3), _clean(swap_prob=0.3, strides=(1,)), 100.0)
    assert 0.2 < (out[:, 3, 0] == 110.0).mean() < 0.4
