"""Where the tracker spends estimator calls: crop first, rotated crops, reacquisition; long gaps in place."""

from __future__ import annotations

import numpy as np
import pytest

from gymscore.features.tracking import INTERPOLATED, MISSING, GymnastTracker, fill_gaps
from tests.test_pipeline_fakes import FakeEstimator

FRAME = np.zeros((360, 640, 3), np.uint8)


class Scripted(FakeEstimator):
    """Records the kind of each call: 'full' (whole frame) or 'roi'; rotated crops are 'rot'."""

    def __init__(self, where):
        super().__init__(where)
        self.kinds: list[str] = []

    def detect(self, rgb, roi=None):
        kind = "full" if roi is None else ("rot" if rgb.shape != FRAME.shape else "roi")
        self.kinds.append(kind)
        return super().detect(rgb, roi)


def test_crop_first_while_the_whole_frame_keeps_losing_her():
    gymnast = (320.0, 200.0, 150.0)
    state = {"full_sees_her": True}
    est = Scripted(lambda call, roi: gymnast if roi is not None or state["full_sees_her"] else None)
    tracker = GymnastTracker(est, 640, 360, probe_every=3)
    tracker.update(0, FRAME)
    state["full_sees_her"] = False
    est.kinds.clear()
    for k in range(1, 6):
        assert tracker.update(k, FRAME) is not None
    # frame 1: whole frame, then the crop; 2, 3: crop only; 4: the whole frame is probed again; 5: crop
    assert est.kinds == ["full", "roi", "roi", "roi", "full", "roi", "roi"]
    state["full_sees_her"] = True
    est.kinds.clear()
    for k in (6, 7, 8):  # 6: crop first; 7: probe, the whole frame finds her again: streak over
        tracker.update(k, FRAME)
    assert est.kinds == ["roi", "full", "full"]


def test_rotated_crop_on_every_other_frame_after_two_lost_frames():
    gymnast = (320.0, 200.0, 150.0)
    state = {"lost": False}
    est = Scripted(lambda call, roi: None if state["lost"] else gymnast)
    tracker = GymnastTracker(est, 640, 360, lost_after=20)
    tracker.update(0, FRAME)
    state["lost"] = True
    est.kinds.clear()
    for k in range(1, 7):
        assert tracker.update(k, FRAME) is None
    per_frame = "".join("F" if c == "full" else "R" if c == "roi" else "r" for c in est.kinds)
    # misses 0, 1: full, crop, rotated; then the rotated crop on odd misses only
    assert per_frame == "FRr" + "FRr" + "FR" + "FRr" + "FR" + "FRr"


def test_reacquires_where_she_was_lost_when_nothing_moves():
    spot = {"xy": (500.0, 250.0, 60.0), "full": True}

    def where(call, roi):
        x, y, _ = spot["xy"]
        if roi is None:
            return spot["xy"] if spot["full"] else None
        return spot["xy"] if roi[0] <= x <= roi[2] and roi[1] <= y <= roi[3] else None

    est = Scripted(where)
    tracker = GymnastTracker(est, 640, 360, lost_after=2, try_rotations=False)
    tracker.update(0, FRAME)
    spot["full"] = False  # small and still: the whole-frame detector no longer sees her, nor the crop
    spot["xy"] = (500.0, 250.0, 60.0)
    real_roi = tracker._roi
    tracker._roi = lambda index: (0.0, 0.0, 1.0, 1.0)  # the crop looks elsewhere: the track is lost
    assert tracker.update(1, FRAME) is None and tracker.update(2, FRAME) is None
    assert tracker.track is None
    tracker._roi = real_roi
    est.kinds.clear()
    # no motion map: the first try already looks where she was lost
    cand = tracker.update(3, FRAME)
    assert cand is not None and cand.center == pytest.approx((500.0, 250.0))
    assert est.kinds == ["full", "roi"] and tracker.stats["acquired"] == 2


def test_sweeps_the_frame_after_a_cut_when_nothing_moves():
    spot = {"xy": (128.0, 180.0, 60.0)}  # left fifth of the frame

    def where(call, roi):
        if roi is None:
            return None
        x, y, _ = spot["xy"]
        return spot["xy"] if roi[0] <= x <= roi[2] and roi[1] <= y <= roi[3] else None

    est = Scripted(where)
    tracker = GymnastTracker(est, 640, 360)
    results = [tracker.update(k, FRAME) for k in range(3)]  # centre, left
    assert results[0] is None and results[1] is not None
    assert results[1].center == pytest.approx((128.0, 180.0))


def _pose(cx: float, cy: float, size: float) -> np.ndarray:
    j = np.zeros((17, 2), np.float32)
    j[:, 0] = cx
    j[:, 1] = np.linspace(cy - size / 2, cy + size / 2, 17)
    return j


def test_long_gap_is_bridged_only_when_she_is_found_again_in_place():
    t = 12
    joints = np.zeros((t, 17, 2), np.float32)
    vis = np.ones((t, 17), np.float32)
    detected = np.zeros(t, bool)
    processed = np.ones(t, bool)
    joints[0], joints[9] = _pose(100, 100, 60), _pose(120, 105, 60)  # found again in place
    joints[10], joints[11] = _pose(120, 105, 60), _pose(400, 105, 60)
    detected[[0, 9, 10]] = True
    j, v, src = fill_gaps(joints, vis, detected, processed, max_gap=3, bridge_gap=8)
    assert list(src[1:9]) == [INTERPOLATED] * 8
    assert v[1:9].max() <= 0.5  # failed frames: halved visibility
    assert j[5, 8, 0] == pytest.approx(100 + 20 * 5 / 9, abs=1e-3)
    # without bridging (or a gap longer than bridge_gap) the gap stays missing
    _, _, src = fill_gaps(joints, vis, detected, processed, max_gap=3)
    assert list(src[1:9]) == [MISSING] * 8
    _, _, src = fill_gaps(joints, vis, detected, processed, max_gap=3, bridge_gap=7)
    assert list(src[1:9]) == [MISSING] * 8
    # found again far away (she ran on): not bridged
    detected[[9, 10]] = False
    detected[11] = True
    _, _, src = fill_gaps(joints, vis, detected, processed, max_gap=3, bridge_gap=12)
    assert list(src[1:11]) == [MISSING] * 10
