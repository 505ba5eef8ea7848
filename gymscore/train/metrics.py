"""Evaluation metrics as in FineGym and the temporal action segmentation literature (numpy only).

Classification: top-1 and mean-class accuracy (the mean over classes present in the truth of each
class's recall), confusion matrix, per-class report. Segmentation: frame accuracy, edit score and
F1@{10,25,50} (Lea et al. 2017; MS-TCN's definitions, background excluded), and detection mAP
averaged over tIoU thresholds 0.5:0.05:0.95 (ActivityNet protocol, all-point interpolated AP).
A segment is ``(start, end_exclusive, label)``; a detection adds a confidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

Segment = tuple[int, int, Any]
TIOU_THRESHOLDS = tuple(round(0.5 + 0.05 * i, 2) for i in range(10))


# --- classification -------------------------------------------------------------------------
def top1_accuracy(pred: Sequence[Any], true: Sequence[Any]) -> float:
    """Fraction of items whose prediction equals the truth (0.0 for no items)."""
    if len(pred) != len(true):
        raise ValueError(f"top1_accuracy: {len(pred)} predictions for {len(true)} truths")
    if not len(true):
        return 0.0
    return float(np.mean([p == t for p, t in zip(pred, true, strict=True)]))


def topk_accuracy(scores: np.ndarray, true: Sequence[int], k: int = 5) -> float:
    """Fraction of items whose true index is among the ``k`` highest scores."""
    s = np.asarray(scores)
    if not len(true):
        return 0.0
    top = np.argsort(-s, axis=1)[:, :k]
    return float(np.mean([t in row for t, row in zip(true, top, strict=True)]))


def mean_class_accuracy(pred: Sequence[Any], true: Sequence[Any]) -> float:
    """Mean over the classes present in ``true`` of the per-class accuracy (recall)."""
    per = per_class_accuracy(pred, true)
    return float(np.mean(list(per.values()))) if per else 0.0


def per_class_accuracy(pred: Sequence[Any], true: Sequence[Any]) -> dict[Any, float]:
    """Recall of every class present in ``true``."""
    hits: dict[Any, list[int]] = {}
    for p, t in zip(pred, true, strict=True):
        h = hits.setdefault(t, [0, 0])
        h[0] += int(p == t)
        h[1] += 1
    return {c: h[0] / h[1] for c, h in hits.items()}


def confusion_matrix(
    pred: Sequence[Any],
    true: Sequence[Any],
    labels: Sequence[Any] | None = None,
) -> tuple[np.ndarray, list[Any]]:
    """(matrix[true, pred] counts, label order); labels default to the sorted union."""
    if labels is None:
        labels = sorted(set(true) | set(pred), key=str)
    index = {c: i for i, c in enumerate(labels)}
    m = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for p, t in zip(pred, true, strict=True):
        if p in index and t in index:
            m[index[t], index[p]] += 1
    return m, list(labels)


def per_class_report(pred: Sequence[Any], true: Sequence[Any]) -> list[dict[str, Any]]:
    """Per class: support, precision, recall, F1 (sorted by class)."""
    rows = []
    for c in sorted(set(true) | set(pred), key=str):
        tp = sum(1 for p, t in zip(pred, true, strict=True) if p == c and t == c)
        n_pred = sum(1 for p in pred if p == c)
        n_true = sum(1 for t in true if t == c)
        prec = tp / n_pred if n_pred else 0.0
        rec = tp / n_true if n_true else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        rows.append({"class": c, "support": n_true, "precision": prec, "recall": rec, "f1": f1})
    return rows


# --- segmentation ---------------------------------------------------------------------------
def labels_to_segments(labels: Sequence[Any], background: Any = None) -> list[Segment]:
    """Runs of equal labels as (start, end_excl, label), skipping ``background``."""
    out: list[Segment] = []
    start = 0
    for i in range(1, len(labels) + 1):
        if i == len(labels) or labels[i] != labels[start]:
            if labels[start] != background:
                out.append((start, i, labels[start]))
            start = i
    return out


def frame_accuracy(pred: Sequence[Any], true: Sequence[Any], ignore: Any = -100) -> float:
    """Fraction of frames (those whose truth is not ``ignore``) labelled correctly."""
    p, t = np.asarray(pred), np.asarray(true)
    keep = t != ignore
    return float((p[keep] == t[keep]).mean()) if keep.any() else 0.0


def _levenshtein(a: Sequence[Any], b: Sequence[Any]) -> int:
    d = np.arange(len(b) + 1)
    for i in range(1, len(a) + 1):
        prev, d[0] = d[0], i
        for j in range(1, len(b) + 1):
            cur = min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] != b[j - 1]))
            prev, d[j] = d[j], cur
    return int(d[len(b)])


def edit_score(pred: Sequence[Segment], true: Sequence[Segment]) -> float:
    """Segmental edit score in percent: (1 - Levenshtein(label sequences) / max length) * 100."""
    a, b = [s[2] for s in pred], [s[2] for s in true]
    n = max(len(a), len(b))
    return 100.0 if n == 0 else (1.0 - _levenshtein(a, b) / n) * 100.0


def iou_1d(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Temporal intersection over union of two [start, end) intervals."""
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union > 0 else 0.0


def segment_f1_counts(
    pred: Sequence[Segment],
    true: Sequence[Segment],
    overlap: float,
) -> tuple[int, int, int]:
    """(TP, FP, FN) with MS-TCN's rule: a prediction hits the unused same-label truth of highest IoU."""
    used = [False] * len(true)
    tp = fp = 0
    for s, e, lab in pred:
        best, best_j = 0.0, -1
        for j, (ts, te, tl) in enumerate(true):
            if tl == lab:
                iou = iou_1d((s, e), (ts, te))
                if iou > best:
                    best, best_j = iou, j
        if best >= overlap and best_j >= 0 and not used[best_j]:
            tp += 1
            used[best_j] = True
        else:
            fp += 1
    return tp, fp, len(true) - sum(used)


def f1_score(tp: int, fp: int, fn: int) -> float:
    """F1 in [0, 1] from counts (0.0 when nothing is predicted or true)."""
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    return 2 * prec * rec / (prec + rec) if prec + rec else 0.0


def segment_f1(pred: Sequence[Segment], true: Sequence[Segment], overlap: float) -> float:
    """F1@overlap for one sequence."""
    return f1_score(*segment_f1_counts(pred, true, overlap))


def average_precision(tp: np.ndarray, n_true: int) -> float:
    """All-point interpolated AP from TP flags of detections sorted by descending confidence."""
    if n_true == 0:
        return 0.0
    tp = np.asarray(tp, dtype=np.float64)
    if tp.size == 0:
        return 0.0
    ctp = np.cumsum(tp)
    prec = ctp / np.arange(1, len(tp) + 1)
    rec = ctp / n_true
    mprec = np.concatenate([[0.0], prec, [0.0]])
    mrec = np.concatenate([[0.0], rec, [1.0]])
    for i in range(len(mprec) - 2, -1, -1):
        mprec[i] = max(mprec[i], mprec[i + 1])
    idx = np.flatnonzero(mrec[1:] != mrec[:-1]) + 1
    return float(np.sum((mrec[idx] - mrec[idx - 1]) * mprec[idx]))


def detection_map(
    preds: Sequence[Sequence[tuple[int, int, Any, float]]],
    truths: Sequence[Sequence[Segment]],
    thresholds: Sequence[float] = TIOU_THRESHOLDS,
) -> dict[str, float]:
    """mAP over classes at each tIoU threshold and their mean (``"mAP"``), over several videos.

    ``preds[v]`` are (start, end, label, confidence) detections of video ``v``; ``truths[v]`` its segments.
    Classes are those present in the truth; a class's AP is 0 when it has no correct detection.
    """
    if len(preds) != len(truths):
        raise ValueError(f"detection_map: {len(preds)} prediction lists for {len(truths)} truth lists")
    classes = sorted({s[2] for t in truths for s in t}, key=str)
    out: dict[str, float] = {}
    for thr in thresholds:
        aps = []
        for c in classes:
            dets = [(conf, v, (s, e)) for v, p in enumerate(preds) for s, e, lab, conf in p if lab == c]
            dets.sort(key=lambda d: -d[0])
            gts = {v: [(s, e) for s, e, lab in t if lab == c] for v, t in enumerate(truths)}
            used = {v: [False] * len(g) for v, g in gts.items()}
            n_true = sum(len(g) for g in gts.values())
            flags = []
            for _, v, seg in dets:
                best, best_j = 0.0, -1
                for j, g in enumerate(gts[v]):
                    iou = iou_1d(seg, g)
                    if iou > best:
                        best, best_j = iou, j
                if best >= thr and not used[v][best_j]:
                    used[v][best_j] = True
                    flags.append(1)
                else:
                    flags.append(0)
            aps.append(average_precision(np.array(flags), n_true))
        out[f"mAP@{thr:.2f}"] = float(np.mean(aps)) if aps else 0.0
    out["mAP"] = float(np.mean([out[f"mAP@{t:.2f}"] for t in thresholds])) if thresholds else 0.0
    return out


def segmentation_report(
    preds: Sequence[Sequence[Segment]],
    truths: Sequence[Sequence[Segment]],
    overlaps: Sequence[float] = (0.10, 0.25, 0.50),
) -> dict[str, float]:
    """F1@k pooled over sequences (counts summed, as MS-TCN does) and mean edit score."""
    out: dict[str, float] = {}
    for k in overlaps:
        tp = fp = fn = 0
        for p, t in zip(preds, truths, strict=True):
            a, b, c = segment_f1_counts(p, t, k)
            tp, fp, fn = tp + a, fp + b, fn + c
        out[f"f1@{int(round(k * 100))}"] = f1_score(tp, fp, fn)
    edits = [edit_score(p, t) for p, t in zip(preds, truths, strict=True)]
    out["edit"] = float(np.mean(edits)) if edits else 0.0
    return out
