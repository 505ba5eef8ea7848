"""The helpers the accuracy benchmark draws its conclusions with (bench/pose_error.py,
bench/compare_predictions.py, bench/bench_outside_gym99.py, bench/bench_score_parts.py,
bench/bench_pose_oracle_roi.py, bench/bench_lost_spans.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from bench_lost_spans import class_of, lost_share, summarise, tally  # noqa: E402
from bench_outside_gym99 import with_oracle  # noqa: E402
from bench_pose_oracle_roi import LIMBS, limb_error, true_region  # noqa: E402
from bench_score_parts import part_errors, table  # noqa: E402
from compare_predictions import mcnemar_p, right_elements  # noqa: E402
from pose_error import frame_errors, summary  # noqa: E402


def test_exact_mcnemar_p_values():
    assert mcnemar_p(0, 0) == 1.0
    assert mcnemar_p(8, 8) == 1.0
    assert mcnemar_p(7, 1) == pytest.approx(2 * 9 / 256)  # 2 * P(X <= 1), X ~ Bin(8, 1/2)
    assert mcnemar_p(1, 7) == mcnemar_p(7, 1)
    assert mcnemar_p(10, 0) == pytest.approx(2 / 1024)


def test_pose_error_is_the_median_joint_per_frame_over_frames_with_a_pose(tmp_path):
    true = np.zeros((3, 17, 2), np.float32)
    true[:, 1] = (0, 0)
    true[:, 2] = (0, 100)  # neck to pelvis: a torso of 100 px
    np.savez(tmp_path / "joints.npz", joints2d=true)
    est = true.copy()
    est[0] += (3, 4)  # every joint 5 px off
    est[1, :9] += (0, 150)  # 9 of 17 joints 150 px off: the median joint is off
    source = np.array([1, 2, 0], np.int8)  # the third frame has no pose
    err, rel, missing = frame_errors(est, source, tmp_path / "joints.npz")
    np.testing.assert_allclose(err, [5.0, 150.0])
    np.testing.assert_allclose(rel, [0.05, 1.5])
    assert missing == 1
    s = summary([(err, rel, missing)])
    assert s["pose_error_mean_px"] == pytest.approx(77.5) and s["pose_far_pct"] == pytest.approx(50.0)
    assert s["pose_missing_pct"] == pytest.approx(100 / 3)


def test_right_elements_matches_segments_as_gymscore_eval_does(tmp_path):
    from gymscore.codebook import default_codebook
    from gymscore.timeline import Segment, Timeline, save_timeline

    ids = sorted(default_codebook().gym99_ids())[:3]
    truth, pred = tmp_path / "truth", tmp_path / "pred"
    truth.mkdir()
    pred.mkdir()

    def timeline(segs):
        return Timeline(segments=[Segment(start_frame=a, end_frame=b, element_id=e) for a, b, e in segs])

    save_timeline(timeline([(0, 50, ids[0]), (100, 150, ids[1]), (200, 250, ids[2])]), truth / "r.json")
    # right; right id but overlapping too little (IoU < 0.5); wrong id
    save_timeline(timeline([(0, 48, ids[0]), (130, 190, ids[1]), (200, 250, ids[0])]), pred / "r.json")
    assert right_elements(pred, truth, set(ids)) == {("r", 0): True, ("r", 1): False, ("r", 2): False}


def test_the_oracle_names_only_matched_segments_whose_true_element_is_outside_the_label_space():
    from gymscore.timeline import Segment, Timeline

    truth = Timeline(apparatus="VT", segments=[Segment(0, 10, 1, "VT-038"), Segment(20, 30, 1, "VT-019"),
                                                Segment(40, 50, 1, "VT-046")])
    pred = Timeline(apparatus="VT", segments=[Segment(1, 10, 1, "VT-019"), Segment(20, 30, 1, "VT-020"),
                                               Segment(44, 60, 1, "VT-019")])
    assert with_oracle(pred, truth, {"VT-019", "VT-020"}) == 1
    # the first is given its true element; the second's true element is named (left as predicted);
    # the third overlaps its truth by 6 / 20 < 0.5 (left as predicted)
    assert [s.element_id for s in pred.segments] == ["VT-038", "VT-020", "VT-019"]


def test_score_parts_split_the_d_error_into_dv_cr_cv_and_count_extra_elements():
    from gymscore.timeline import Segment, Timeline

    truth = Timeline(apparatus="FX", segments=[Segment(0, 20, 21, "FX-075")])  # split leap, A 0.1
    # one switch leap (B 0.2) read instead, and the split leap found again later: DV 0.3 against 0.1
    pred = Timeline(apparatus="FX", segments=[Segment(0, 20, 21, "FX-074"), Segment(40, 60, 21, "FX-075")])
    assert part_errors(pred, truth) == pytest.approx([0.2, 0.2, 0.0, 0.0, 1.0])
    rows = table({"FX": [[0.2, 0.2, 0.0, 0.0, 1.0], [0.0] * 5], "VT": [[-0.4, -0.4, 0.0, 0.0, 0.0]]})
    zero = "0.000 / +0.000"
    assert rows[2] == f"| FX | 2 | 0.100 / +0.100 | 0.100 / +0.100 | {zero} | {zero} | +0.50 |"
    assert rows[4] == f"| all | 3 | 0.200 / -0.067 | 0.200 / -0.067 | {zero} | {zero} | +0.33 |"


NAMES = ["head", "neck", "pelvis", *LIMBS]


def _standing() -> np.ndarray:
    """17 joints of an upright body 100 px tall, head at the top, centre (50, 100)."""
    y = np.linspace(50.0, 150.0, len(NAMES))
    return np.column_stack([np.full(len(NAMES), 50.0), y]).astype(np.float32)


def test_the_true_region_is_upright_on_a_standing_body_and_turned_on_an_inverted_one():
    body = _standing()
    cx, cy, side, rot = true_region(body, NAMES)
    assert (cx, cy, side) == pytest.approx((50.0, 100.0, 130.0)) and rot == pytest.approx(0.0)
    inverted = body.copy()
    inverted[:, 1] = 200.0 - inverted[:, 1]
    assert abs(true_region(inverted, NAMES)[3]) == pytest.approx(np.pi)


def test_limb_error_is_relative_to_her_extent_and_forgives_a_left_right_swap():
    body = _standing()
    lm = np.zeros((33, 2), np.float32)
    ids = list(LIMBS.values())
    lm[ids] = body[[NAMES.index(n) for n in LIMBS]]
    assert limb_error(lm, body, NAMES) == 0.0
    swapped = lm.copy()
    swapped[ids] = lm[[ids[k ^ 1] for k in range(len(ids))]]
    assert limb_error(swapped, body, NAMES) == 0.0
    lm[ids] += (10.0, 0.0)  # every limb joint 10 px off; her extent is 100 px
    assert limb_error(lm, body, NAMES) == pytest.approx(0.1)


def test_lost_spans_are_set_against_the_true_elements_found_missed_and_named():
    from gymscore.timeline import Segment, Timeline, VideoInfo

    assert lost_share(10, 20, [[0, 12], [18, 30]]) == pytest.approx(0.4)
    assert lost_share(10, 20, []) == 0.0 and lost_share(10, 20, [[5, 25]]) == 1.0
    assert [class_of(x) for x in (0.0, 0.1, 0.49, 0.5, 1.0)] == ["none", "under half", "under half",
                                                                   "half or more", "half or more"]
    truth = Timeline(video=VideoInfo(fps=25, frame_count=200), apparatus="FX", segments=[
        Segment(0, 20, 21, "FX-094"), Segment(40, 60, 21, "FX-094"), Segment(100, 140, 31, "FX-183")])
    pred = Timeline(video=VideoInfo(fps=25, frame_count=200), apparatus="FX", segments=[
        Segment(0, 20, 21, "FX-094"), Segment(42, 60, 21, "FX-144")])
    pred.metadata["analysis"] = {"pose_lost": [[50, 60], [100, 140]]}
    rows = tally(pred, truth)
    assert rows == [{"share": 0.0, "found": True, "right": True},
                    {"share": 0.5, "found": True, "right": False},
                    {"share": 1.0, "found": False, "right": False},
                    {"predicted": True, "share": 0.0, "right": True},
                    {"predicted": True, "share": pytest.approx(10 / 18), "right": False}]
    out = summarise(rows)
    assert out["table_predicted"] == [{"class": "none", "segments": 1, "right": 1},
                                      {"class": "under half", "segments": 0, "right": 0},
                                      {"class": "half or more", "segments": 1, "right": 0}]
    assert out["table"] == [{"class": "none", "elements": 1, "found": 1, "right": 1},
                            {"class": "under half", "elements": 0, "found": 0, "right": 0},
                            {"class": "half or more", "elements": 2, "found": 1, "right": 0}]
    assert (out["missed"], out["missed_touching"], out["found_n"], out["found_touching"]) == (1, 1, 2, 1)


def test_the_real_clips_apparatus_comes_from_the_file_name_and_a_wrong_reading_is_marked():
    from bench_realclips_reading import to_md, true_apparatus

    assert [true_apparatus(n) for n in ("ub_01.gif", "VT_2.gif", "other.gif")] == ["UB", "VT", None]
    row = {"clip": "fx_01.gif", "seconds": 1.7, "true_apparatus": "FX", "apparatus": "BB",
           "apparatus_share": 0.46, "apparatus_probs": {"BB": 0.46, "FX": 0.22}, "found": 1.0,
           "elements": [], "d_score": 0.0}
    text = to_md({"machine": "x", "clips": [row, {**row, "clip": "bb_01.gif", "true_apparatus": "BB"}]})
    assert "**Apparatus read right: 1 of 2.**" in text
    wrong = "| fx_01.gif | 1.7 s | 100% | BB (46%), **wrong** (it is FX; BB 46%, FX 22%) | none | 0.0 |"
    assert wrong in text
    assert "| bb_01.gif | 1.7 s | 100% | BB (46%) | none | 0.0 |" in text
