"""Where the tracker spends estimator calls: crop first, rotated crops, reacquisition; long gaps in place."""

from __future__ import annotations

import numpy as np
import pytest

from gymscore.features.gaps import INTERPOLATED, MISSING, fill_gaps
from gymscore.features.pose import candidate_from_landmarks
from gymscore.features.tracking import GymnastTracker, motion_centre, roi_around
from tests.test_pipeline_fakes import FakeEstimator, stick_figure

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


def test_motion_centre_is_the_weighted_mean_of_the_strong_cells():
    motion = np.zeros((9, 16), np.float32)
    motion[2, 4] = 4.0  # the peak (a swinging foot)
    motion[6, 10] = 2.0  # half the peak: counted
    motion[8, 15] = 1.0  # below half: ignored
    centre = motion_centre(motion, 640, 360)
    # cell centres (4.5, 2.5) and (10.5, 6.5) weighted 4:2, in image pixels (40 px per cell)
    assert centre == pytest.approx(((4.5 * 4 + 10.5 * 2) / 6 * 40, (2.5 * 4 + 6.5 * 2) / 6 * 40))
    assert motion_centre(np.zeros((9, 16), np.float32), 640, 360) is None


def _lose_track_at(tracker: GymnastTracker, est: Scripted, place: tuple[float, float, float]) -> None:
    """Start a track at ``place`` then lose it (nothing found anywhere for ``lost_after`` frames)."""
    state = est.state
    state["where"] = place
    tracker.update(0, FRAME)
    state["where"] = None
    for k in range(1, tracker.lost_after + 1):
        assert tracker.update(k, FRAME) is None
    assert tracker.track is None
    est.kinds.clear()
    est.rois.clear()


class Recording(Scripted):
    """A scripted estimator that also records the ROI of every call (None: whole frame)."""

    def __init__(self):
        self.state = {"where": None, "rotated": None}
        self.rois: list = []

        def where(call, roi):
            return self.state["where"]

        super().__init__(where)

    def detect(self, rgb, roi=None):
        self.rois.append(roi)
        if rgb.shape != FRAME.shape and self.state["rotated"] is not None:
            self.kinds.append("rot")
            self.calls += 1
            h, w = rgb.shape[:2]  # a body upright in the turned crop: centred, a third of its height
            body = stick_figure(w / 2, h / 2, h / 3)
            return candidate_from_landmarks(body, np.full(33, 0.9, np.float32), True)
        return super().detect(rgb, roi)


def test_reacquisition_after_a_loss_tries_her_place_upright_then_turned_then_the_motion():
    est = Recording()
    tracker = GymnastTracker(est, 640, 360, lost_after=2, try_rotations=False)
    _lose_track_at(tracker, est, (300.0, 180.0, 100.0))
    motion = np.zeros((9, 16), np.float32)
    motion[2, 13] = 1.0  # something moves at (540, 100)
    for k in range(3, 6):
        assert tracker.update(k, FRAME, motion) is None
    assert est.kinds == ["full", "roi", "full", "rot", "full", "roi"]
    size = tracker._last_place[1]
    place = roi_around(tracker._last_place[0], size, 2.5, 640, 360)
    assert est.rois[1] == pytest.approx(place)  # where she was lost, 2.5 times her size
    assert est.rois[3] is not None and est.rois[3][:2] == (0.0, 0.0)  # the turned crop of that place
    assert est.rois[5] == pytest.approx(roi_around(np.array([540.0, 100.0]), 0.7 * 360, 1.0, 640, 360))


def test_an_inverted_gymnast_is_reacquired_in_the_turned_crop():
    est = Recording()
    tracker = GymnastTracker(est, 640, 360, lost_after=2, try_rotations=False)
    _lose_track_at(tracker, est, (300.0, 180.0, 100.0))
    est.state["rotated"] = True  # only the 180-degree crop sees her
    assert tracker.update(3, FRAME) is None  # upright crop of her place: nothing
    cand = tracker.update(4, FRAME)
    assert est.kinds == ["full", "roi", "full", "rot"]
    assert cand is not None and tracker.track is not None and tracker.stats["acquired"] == 2
    x0, y0, x1, y1 = (int(v) for v in roi_around(np.array([300.0, 180.0]), 100.0, 2.5, 640, 360))
    # mapped back from the turned crop: centred on the crop, head down (head below the ankles)
    assert cand.center == pytest.approx(((x0 + x1 - 1) / 2, (y0 + y1 - 1) / 2), abs=1.0)
    assert cand.joints[0, 1] > cand.joints[13, 1]


def test_without_a_lost_place_tries_alternate_the_motion_crop_and_the_sweep():
    est = Recording()
    tracker = GymnastTracker(est, 640, 360)
    motion = np.zeros((9, 16), np.float32)
    motion[4, 8] = 1.0  # centre cell (340, 180)
    for k in range(4):
        assert tracker.update(k, FRAME, motion) is None
    assert est.kinds == ["full", "roi"] * 4
    centre_crop = roi_around(np.array([340.0, 180.0]), 0.7 * 360, 1.0, 640, 360)
    sweep = [roi_around(np.array([x, 180.0]), 0.6 * 360, 1.0, 640, 360) for x in (320.0, 128.0)]
    assert np.array(est.rois[1::2]) == pytest.approx(np.array([centre_crop, sweep[0], centre_crop, sweep[1]]))


def test_weak_detector_only_on_reacquisition_and_turned_crops():
    """With an estimator offering ``detect_weak`` (a lower detector threshold), the tracker uses it for
    the crops of re-acquisition and the turned crops, never for the whole frame or the follow crop."""

    class WithWeak(Recording):
        def detect_weak(self, rgb, roi):
            cand = self.detect(rgb, roi)
            self.kinds[-1] = "weak-" + self.kinds[-1]
            return cand

    est = WithWeak()
    tracker = GymnastTracker(est, 640, 360, lost_after=2)
    est.state["where"] = (300.0, 180.0, 150.0)
    tracker.update(0, FRAME)
    est.state["where"] = None
    for k in (1, 2):  # follow: whole frame, crop around the prediction, turned crop
        tracker.update(k, FRAME)
    assert est.kinds[1:] == ["full", "roi", "weak-rot", "full", "roi", "weak-rot"]
    est.kinds.clear()
    for k in (3, 4):  # re-acquisition where she was lost: upright, then turned
        tracker.update(k, FRAME)
    assert est.kinds == ["full", "weak-roi", "full", "weak-rot"]


class Following(Scripted):
    """Scripted, plus ``detect_follow`` ('follow' calls) answered by ``follows(call)``."""

    def __init__(self, where, follows):
        super().__init__(where)
        self.follows = follows
        self.follow_resets = 0

    def detect_follow(self, rgb, roi):
        self.kinds.append("follow")
        spot = self.follows(len(self.kinds))
        if spot is None:
            return None
        return candidate_from_landmarks(stick_figure(*spot), np.full(33, 0.9, np.float32), True)

    def reset_follow(self):
        self.follow_resets += 1


def test_lean_mode_follows_her_with_one_call_a_frame_and_probes_the_whole_frame():
    gymnast = (320.0, 200.0, 150.0)
    est = Following(lambda call, roi: gymnast, lambda n: gymnast)
    tracker = GymnastTracker(est, 640, 360, lean=True, lean_probe_every=4)
    tracker.update(0, FRAME)  # acquisition: the whole frame (and no crop: it found her)
    est.kinds.clear()
    for k in range(1, 9):
        assert tracker.update(k, FRAME) is not None
    assert est.kinds == ["follow"] * 4 + ["full"] + ["follow"] * 4 + ["full"]
    assert tracker.stats["follow"] == 8


def test_lean_mode_skips_the_frame_after_a_loss_and_turns_the_crop_later():
    gymnast = (320.0, 200.0, 150.0)
    state = {"lost": False}
    est = Following(lambda call, roi: None if state["lost"] else gymnast,
                    lambda n: None if state["lost"] else gymnast)
    tracker = GymnastTracker(est, 640, 360, lean=True, lost_after=20)
    tracker.update(0, FRAME)
    state["lost"] = True
    est.kinds.clear()
    for k in range(1, 8):
        assert tracker.update(k, FRAME) is None
    # misses 0, 2: the following crop; 1, 3, 5: nothing; 4, 6: the crop, then the turned crop
    assert est.kinds == ["follow", "follow", "follow", "rot", "follow", "rot"]
    state["lost"] = False
    assert tracker.update(8, FRAME) is None  # (an odd miss: skipped)
    assert tracker.update(9, FRAME) is not None and est.kinds[-1] == "follow"


def test_lean_mode_drops_a_following_crop_that_holds_someone_else():
    gymnast, judge = (320.0, 200.0, 150.0), (40.0, 300.0, 60.0)
    est = Following(lambda call, roi: gymnast, lambda n: judge)
    tracker = GymnastTracker(est, 640, 360, lean=True)
    tracker.update(0, FRAME)
    assert tracker.update(1, FRAME) is None
    assert est.follow_resets >= 1 and tracker.track.misses == 1


def test_without_lean_or_without_detect_follow_the_thorough_search_runs():
    gymnast = (320.0, 200.0, 150.0)
    est = Following(lambda call, roi: gymnast, lambda n: gymnast)
    tracker = GymnastTracker(est, 640, 360)  # lean off
    for k in range(3):
        tracker.update(k, FRAME)
    assert "follow" not in est.kinds
    plain = Scripted(lambda call, roi: gymnast)
    tracker = GymnastTracker(plain, 640, 360, lean=True)  # no detect_follow: lean has no effect
    for k in range(3):
        tracker.update(k, FRAME)
    assert plain.kinds == ["full"] * 3


@pytest.mark.parametrize(("height", "lean"), [(120, False), (640, True)])
def test_the_fast_first_pass_is_lean_only_where_the_full_rate_pass_will_redo_elements(tmp_path, height, lean):
    from gymscore.features.extract import LEAN_MIN_HEIGHT, ExtractConfig, extract_features
    from gymscore.video.testclips import write_video

    video = write_video(tmp_path / "v.mp4", frames=12, fps=25, width=160, height=height)
    spot = (80.0, height / 2, height / 3)
    est = Following(lambda call, roi: spot, lambda n: spot)
    feats = extract_features(video, est, ExtractConfig(pose_fps=12.5, lean_min_height=LEAN_MIN_HEIGHT),
                             use_cache=False)
    assert feats.stride == 2
    assert (feats.tracker_stats["follow"] > 0) == lean
    assert feats.found_rate == 1.0
