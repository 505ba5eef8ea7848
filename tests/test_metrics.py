"""Metric functions against small hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from gymscore.train import metrics as M

TRUE = [(0, 10, "a"), (10, 20, "b"), (30, 40, "a")]
PRED = [(0, 8, "a"), (12, 20, "b"), (20, 25, "b"), (30, 35, "a")]


def test_top1_and_mean_class_accuracy():
    pred, true = [1, 2, 3, 3], [1, 2, 2, 3]
    assert M.top1_accuracy(pred, true) == 0.75
    # per class recall: 1 -> 1/1, 2 -> 1/2, 3 -> 1/1
    assert M.mean_class_accuracy(pred, true) == pytest.approx((1 + 0.5 + 1) / 3)
    assert M.top1_accuracy([], []) == 0.0
    with pytest.raises(ValueError, match="3 predictions for 2 truths"):
        M.top1_accuracy([1, 2, 3], [1, 2])


def test_topk_confusion_and_report():
    scores = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]])
    assert M.topk_accuracy(scores, [2, 2], k=2) == 0.5
    m, labels = M.confusion_matrix([1, 2, 3, 3], [1, 2, 2, 3])
    assert labels == [1, 2, 3]
    assert m.tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    rep = {r["class"]: r for r in M.per_class_report([1, 2, 3, 3], [1, 2, 2, 3])}
    assert rep[3]["precision"] == 0.5 and rep[3]["recall"] == 1.0
    assert rep[2]["f1"] == pytest.approx(2 * 1 * 0.5 / 1.5)


def test_segment_f1_hand_computed():
    # IoUs of the predictions with their best same-label truth: 0.8, 0.8, 0 (extra b), 0.5
    assert M.segment_f1_counts(PRED, TRUE, 0.5) == (3, 1, 0)
    assert M.segment_f1(PRED, TRUE, 0.5) == pytest.approx(2 * 0.75 * 1 / 1.75)
    assert M.segment_f1_counts(PRED, TRUE, 0.6) == (2, 2, 1)
    assert M.segment_f1(PRED, TRUE, 0.6) == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert M.segment_f1([], [], 0.5) == 0.0


def test_edit_score_and_frame_accuracy():
    # label sequences a b b a vs a b a: one insertion -> (1 - 1/4) * 100
    assert M.edit_score(PRED, TRUE) == pytest.approx(75.0)
    assert M.edit_score([], []) == 100.0
    assert M.frame_accuracy([0, 1, 1, 2], [0, 1, 2, -100]) == pytest.approx(2 / 3)


def test_labels_to_segments_and_report():
    assert M.labels_to_segments([0, 0, 5, 5, 0, 7], background=0) == [(2, 4, 5), (5, 6, 7)]
    rep = M.segmentation_report([PRED], [TRUE])
    assert rep["f1@50"] == pytest.approx(6 / 7)
    assert rep["edit"] == pytest.approx(75.0)


def test_average_precision_hand_computed():
    # precisions 1, 1/2, 2/3 at recalls 1/2, 1/2, 1 -> 0.5 * 1 + 0.5 * 2/3
    assert M.average_precision(np.array([1, 0, 1]), 2) == pytest.approx(0.5 + 1 / 3)
    assert M.average_precision(np.array([]), 2) == 0.0


def test_detection_map_over_tiou_thresholds():
    truth = [[(0, 10, "a"), (20, 30, "a")]]
    dets = [[(0, 10, "a", 0.9), (50, 60, "a", 0.8), (21, 30, "a", 0.7)]]
    res = M.detection_map(dets, truth)
    # the third detection has IoU 0.9: a hit at every threshold up to 0.90, a miss at 0.95
    assert res["mAP@0.50"] == pytest.approx(5 / 6)
    assert res["mAP@0.90"] == pytest.approx(5 / 6)
    assert res["mAP@0.95"] == pytest.approx(0.5)
    assert res["mAP"] == pytest.approx((9 * 5 / 6 + 0.5) / 10)
