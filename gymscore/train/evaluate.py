"""Timeline-level evaluation: folders of Timeline JSONs, and the shipped models on held-out routines.

``evaluate_timeline_dirs(PRED, TRUTH)`` matches files by name and reports segment F1@{10,25,50} and edit
(segments labelled by set), mAP over tIoU 0.5:0.05:0.95 (confidence = segment confidence), element
top-1 and mean-class accuracy over matched segments (a predicted segment matches the unused truth
segment of highest IoU >= 0.5), and the D-score mean absolute error via ``gymscore.scoring.score``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from gymscore.train import metrics as M


def match_segments(
    pred: list[tuple[int, int]],
    true: list[tuple[int, int]],
    min_iou: float = 0.5,
) -> list[tuple[int, int]]:
    """Greedy one-to-one (pred index, truth index) pairs by descending IoU, IoU >= ``min_iou``."""
    pairs = sorted(
        ((M.iou_1d(p, t), i, j) for i, p in enumerate(pred) for j, t in enumerate(true)), reverse=True
    )
    used_p, used_t, out = set(), set(), []
    for iou, i, j in pairs:
        if iou < min_iou:
            break
        if i not in used_p and j not in used_t:
            used_p.add(i)
            used_t.add(j)
            out.append((i, j))
    return sorted(out)


def _d_score(timeline: Any) -> float | None:
    try:
        from gymscore.scoring import score
    except ImportError:
        return None
    try:
        card = score(timeline)
    except Exception:  # a timeline the scorer cannot handle (e.g. unknown elements) has no D-score
        return None
    for attr in ("d_score", "d", "total"):
        v = getattr(card, attr, None)
        if isinstance(v, int | float):
            return float(v)
    return float(card) if isinstance(card, int | float) else None


def evaluate_timelines(pairs: list[tuple[Any, Any]]) -> dict[str, Any]:
    """Metrics over (predicted Timeline, true Timeline) pairs (see the module doc)."""
    preds, truths, dets = [], [], []
    el_pred, el_true, d_err = [], [], []
    for p, t in pairs:
        ps = sorted(p.segments, key=lambda s: s.start_frame)
        ts = sorted(t.segments, key=lambda s: s.start_frame)
        preds.append([(s.start_frame, s.end_frame, s.set_id) for s in ps])
        truths.append([(s.start_frame, s.end_frame, s.set_id) for s in ts])
        dets.append([(s.start_frame, s.end_frame, s.set_id, s.confidence) for s in ps])
        for i, j in match_segments(
            [(s.start_frame, s.end_frame) for s in ps], [(s.start_frame, s.end_frame) for s in ts]
        ):
            if ts[j].element_id:
                el_pred.append(ps[i].element_id)
                el_true.append(ts[j].element_id)
        dp, dt = _d_score(p), _d_score(t)
        if dp is not None and dt is not None:
            d_err.append(abs(dp - dt))
    out: dict[str, Any] = {"routines": len(pairs)}
    out.update(M.segmentation_report(preds, truths))
    out["mAP"] = M.detection_map(dets, truths)["mAP"]
    n_true = sum(len(t) for t in truths)
    out["matched_segments"] = len(el_true)
    out["true_segments"] = n_true
    out["element_top1"] = M.top1_accuracy(el_pred, el_true)
    out["element_mean_class"] = M.mean_class_accuracy(el_pred, el_true)
    out["d_score_mae"] = float(np.mean(d_err)) if d_err else None
    return out


def evaluate_timeline_dirs(pred_dir: str | Path, truth_dir: str | Path) -> dict[str, Any]:
    """Compare two folders of Timeline JSON files matched by file name."""
    from gymscore.timeline import load_timeline

    pred_dir, truth_dir = Path(pred_dir), Path(truth_dir)
    for d in (pred_dir, truth_dir):
        if not d.is_dir():
            raise FileNotFoundError(f"timeline folder {d} does not exist")
    pred_names = {p.name for p in pred_dir.glob("*.json")}
    truth_names = {p.name for p in truth_dir.glob("*.json")}
    common = sorted(pred_names & truth_names)
    if not common:
        raise ValueError(f"no timeline file names are common to {pred_dir} and {truth_dir}")
    pairs = [(load_timeline(pred_dir / n), load_timeline(truth_dir / n)) for n in common]
    out = evaluate_timelines(pairs)
    out["missing_predictions"] = sorted(truth_names - pred_names)
    out["unmatched_predictions"] = sorted(pred_names - truth_names)
    return out


def evaluate_models(segmenter: Any, classifier: Any, routines: list[Any]) -> dict[str, Any]:
    """Shipped-model figures on routines with true timelines (e.g. held-out GymSynth routines).

    Segmentation: the segmenter's segments vs the truth (F1@k, edit, mAP). Classification as in
    FineGym's element benchmark: each true segment (trimmed) is classified; element top-1 and
    mean-class accuracy over segments whose element is in the classifier's label space, set and event
    accuracy over all. End to end: element top-1 over predicted segments matched to true ones.
    """
    from gymscore.models.labels import event_of_set

    preds, truths, dets = [], [], []
    el_p, el_t, set_p, set_t, ev_p, ev_t, e2e_p, e2e_t = [], [], [], [], [], [], [], []
    label_space = set(classifier.element_ids)
    for r in routines:
        segs = segmenter.segment(r.joints2d, r.visibility, r.frame_size, r.fps)
        ts = sorted(r.timeline.segments, key=lambda s: s.start_frame)
        preds.append([(s, e, sid) for s, e, sid, _ in segs])
        dets.append(segs)
        truths.append([(s.start_frame, s.end_frame, s.set_id) for s in ts])
        clips = [
            (r.joints2d[s.start_frame : s.end_frame], r.visibility[s.start_frame : s.end_frame]) for s in ts
        ]
        res = classifier.predict(clips) if clips else []
        for s, out in zip(ts, res, strict=True):
            best_set = max(out["set_probs"], key=out["set_probs"].get)
            set_p.append(int(best_set))
            set_t.append(int(s.set_id))
            ev_p.append(max(out["event_probs"], key=out["event_probs"].get))
            ev_t.append(event_of_set(int(s.set_id)))
            if s.element_id in label_space:
                el_p.append(max(out["element_probs"], key=out["element_probs"].get))
                el_t.append(s.element_id)
        pred_clips = [(r.joints2d[s:e], r.visibility[s:e]) for s, e, _, _ in segs]
        pres = classifier.predict(pred_clips) if pred_clips else []
        for i, j in match_segments(
            [(s, e) for s, e, _, _ in segs], [(s.start_frame, s.end_frame) for s in ts]
        ):
            if ts[j].element_id in label_space:
                e2e_p.append(max(pres[i]["element_probs"], key=pres[i]["element_probs"].get))
                e2e_t.append(ts[j].element_id)
    out: dict[str, Any] = {"routines": len(routines), "true_segments": sum(len(t) for t in truths)}
    out.update({f"segment_{k}": v for k, v in M.segmentation_report(preds, truths).items()})
    out["segment_mAP"] = M.detection_map(dets, truths)["mAP"]
    out["element_segments"] = len(el_t)
    out["element_classes"] = len(set(el_t))
    out["element_top1"] = M.top1_accuracy(el_p, el_t)
    out["element_mean_class"] = M.mean_class_accuracy(el_p, el_t)
    out["set_top1"] = M.top1_accuracy(set_p, set_t)
    out["set_mean_class"] = M.mean_class_accuracy(set_p, set_t)
    out["event_top1"] = M.top1_accuracy(ev_p, ev_t)
    out["end_to_end_element_top1"] = M.top1_accuracy(e2e_p, e2e_t)
    out["end_to_end_matched"] = len(e2e_t)
    return out
