"""Pose mapping (33 -> 17), gap filling and the choice of the gymnast among several people."""

from __future__ import annotations

import numpy as np
import pytest

from gymscore.features.gaps import DETECTED, INTERPOLATED, MISSING, fill_gaps
from gymscore.features.pose import PoseCandidate, candidate_from_landmarks, map_landmarks, map_visibility
from gymscore.features.tracking import GymnastTracker
from gymscore.skeleton import JOINT_INDEX
from tests.test_pipeline_fakes import FakeEstimator, stick_figure


def test_map_33_landmarks_to_17_joints():
    lm = np.zeros((33, 3), np.float32)
    lm[:, 0] = np.arange(33)  # x = landmark index
    lm[:, 1] = 100 + np.arange(33)
    j = map_landmarks(lm)
    assert j.shape == (17, 3)
    assert j[JOINT_INDEX["head"], 0] == 0  # nose
    assert j[JOINT_INDEX["neck"], 0] == pytest.approx(11.5)  # mean of shoulders 11, 12
    assert j[JOINT_INDEX["pelvis"], 0] == pytest.approx(23.5)  # mean of hips 23, 24
    expected = {"l_shoulder": 11, "r_shoulder": 12, "l_elbow": 13, "r_elbow": 14, "l_wrist": 15,
                "r_wrist": 16, "l_hip": 23, "r_hip": 24, "l_knee": 25, "r_knee": 26, "l_ankle": 27,
                "r_ankle": 28, "l_toe": 31, "r_toe": 32}
    for name, src in expected.items():
        assert j[JOINT_INDEX[name], 0] == src and j[JOINT_INDEX[name], 1] == 100 + src
    # batched input keeps the leading axes
    assert map_landmarks(np.zeros((5, 33, 2))).shape == (5, 17, 2)
    vis = np.linspace(0, 1, 33)
    v = map_visibility(vis)
    assert v[JOINT_INDEX["neck"]] == pytest.approx(vis[11])  # the lower of the two shoulders
    with pytest.raises(ValueError, match="expected 33 landmarks"):
        map_landmarks(np.zeros((17, 2)))


def test_candidate_box_and_size():
    c = candidate_from_landmarks(stick_figure(50, 40, 60), np.full(33, 0.5))
    assert c.box == pytest.approx((44.0, 10.0, 56.0, 70.0))
    assert c.size == pytest.approx(60.0) and c.center == pytest.approx((50.0, 40.0))
    assert c.score == pytest.approx(0.5)


def test_fill_gaps_interpolates_short_gaps_and_stride_frames_only():
    t = 12
    joints = np.zeros((t, 1, 2), np.float32)
    vis = np.zeros((t, 1), np.float32)
    detected = np.zeros(t, bool)
    processed = np.zeros(t, bool)
    for i, x in ((0, 0.0), (2, 20.0), (4, 40.0), (10, 100.0)):
        joints[i, 0] = (x, 0)
        vis[i] = 1.0
        detected[i] = True
    processed[[0, 2, 4, 6, 8, 10]] = True  # stride 2; the estimator failed on 6 and 8
    j, v, src = fill_gaps(joints, vis, detected, processed, max_gap=3)
    assert j[1, 0, 0] == pytest.approx(10.0) and v[1, 0] == 1.0 and src[1] == INTERPOLATED
    assert j[3, 0, 0] == pytest.approx(30.0)
    # gap 5..9 (5 frames, with failed processed frames) is longer than max_gap: left missing
    assert list(src[5:10]) == [MISSING] * 5 and v[5:10].max() == 0.0
    assert j[6, 0, 0] == pytest.approx(40.0)  # holds the nearest known pose
    assert j[8, 0, 0] == pytest.approx(100.0)
    assert src[10] == DETECTED and src[11] == INTERPOLATED and j[11, 0, 0] == pytest.approx(100.0)
    # with a longer max_gap the failed frames are filled at half visibility
    j, v, src = fill_gaps(joints, vis, detected, processed, max_gap=5)
    assert list(src[5:10]) == [INTERPOLATED] * 5
    assert j[7, 0, 0] == pytest.approx(70.0) and v[7, 0] == pytest.approx(0.5)


def test_fill_gaps_with_no_detection_at_all():
    j, v, src = fill_gaps(np.ones((4, 17, 2)), np.ones((4, 17)), np.zeros(4, bool), np.ones(4, bool), 3)
    assert (src == MISSING).all() and v.max() == 0 and j.max() == 0


def _people_estimator(people: dict[str, tuple[float, float, float]], full_frame_pick: str):
    """Whole frame: returns ``full_frame_pick``; a ROI: the person whose centre lies inside it."""

    def where(call, roi):
        if roi is None:
            return people[full_frame_pick]
        for cx, cy, h in people.values():
            if roi[0] <= cx <= roi[2] and roi[1] <= cy <= roi[3]:
                return (cx, cy, h)
        return None

    return where


def test_tracker_prefers_the_moving_person_when_acquiring():
    # A big judge at the left edge is what the whole-frame detector sees; the gymnast moves at the centre.
    people = {"judge": (40.0, 300.0, 200.0), "gymnast": (320.0, 200.0, 150.0)}
    est = FakeEstimator(_people_estimator(people, "judge"))
    tracker = GymnastTracker(est, 640, 360)
    motion = np.zeros((9, 16))
    motion[4:6, 7:9] = 5.0  # residual motion around the gymnast
    cand = tracker.update(0, np.zeros((360, 640, 3), np.uint8), motion)
    assert cand is not None and cand.center == pytest.approx((320.0, 200.0))


def test_tracker_rejects_a_far_detection_and_redetects_in_the_predicted_roi():
    people = {"gymnast": (320.0, 200.0, 150.0), "judge": (60.0, 300.0, 160.0)}
    pick = {"name": "gymnast"}
    est = FakeEstimator(lambda call, roi: _people_estimator(people, pick["name"])(call, roi))
    tracker = GymnastTracker(est, 640, 360)
    frame = np.zeros((360, 640, 3), np.uint8)
    assert tracker.update(0, frame).center == pytest.approx((320.0, 200.0))
    pick["name"] = "judge"  # BlazePose's own tracking jumps to the judge
    cand = tracker.update(1, frame)
    assert cand is not None and cand.from_roi and cand.center == pytest.approx((320.0, 200.0))
    assert tracker.stats["rejected"] == 1 and est.resets == 1


def test_tracker_drops_a_lost_track_and_reacquires():
    spot = {"xy": (320.0, 200.0, 150.0)}
    est = FakeEstimator(lambda call, roi: spot["xy"] if (roi is None or roi[0] <= spot["xy"][0] <= roi[2])
                        else None)
    tracker = GymnastTracker(est, 640, 360, lost_after=3)
    frame = np.zeros((360, 640, 3), np.uint8)
    tracker.update(0, frame)
    spot["xy"] = (600.0, 80.0, 40.0)  # a scene cut: someone small in a corner
    results = [tracker.update(k, frame) for k in (1, 2, 3)]
    assert results == [None, None, None] and tracker.track is None
    cand = tracker.update(4, frame)
    assert isinstance(cand, PoseCandidate) and cand.center == pytest.approx((600.0, 80.0))


def test_after_a_miss_a_candidate_near_where_she_was_last_seen_is_consistent():
    from gymscore.features.tracking import Track

    tracker = GymnastTracker(FakeEstimator(), 320, 240)
    # a wrong jump gave the track a fast velocity; the guess runs off the frame while she swings back
    tracker.track = Track(np.array([280.0, 181.0]), 84.0, velocity=np.array([32.0, 32.0]), last_index=13)
    back = candidate_from_landmarks(stick_figure(230, 150, 84), np.full(33, 0.9))
    assert not tracker.consistent(back, 16)  # 3 steps on: far from the guess (376, 277), no miss yet
    tracker.track.misses = 2
    assert tracker.consistent(back, 16)  # near where she was last seen
    far = candidate_from_landmarks(stick_figure(40, 40, 84), np.full(33, 0.9))
    assert not tracker.consistent(far, 16)
    small = candidate_from_landmarks(stick_figure(270, 180, 20), np.full(33, 0.9))
    assert not tracker.consistent(small, 16)  # near, but a quarter of her size
