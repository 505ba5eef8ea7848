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


def d_score_of(timeline: Any) -> float | None:
    """The D-score of a timeline (true or predicted); None when the scorer cannot handle it (e.g.
    unknown elements)."""
    from gymscore.scoring import score

    try:
        return float(score(timeline).d_score)
    except Exception:  # noqa: BLE001 - such a timeline has no D-score
        return None


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
        dp, dt = d_score_of(p), d_score_of(t)
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


def load_timeline_pairs(pred_dir: str | Path,
                        truth_dir: str | Path) -> tuple[list[tuple[Any, Any]], list[str], list[str]]:
    """(predicted, true) Timelines of two folders matched by file name, with the names only in the truth
    folder and only in the predictions folder."""
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
    return pairs, sorted(truth_names - pred_names), sorted(pred_names - truth_names)


def evaluate_timeline_pairs(pairs: list[tuple[Any, Any]]) -> dict[str, Any]:
    """:func:`evaluate_timelines`, plus element top-1 on the matched segments whose true element is a
    Gym99 class (the benchmark's element protocol) and the share of routines whose apparatus is right."""
    from gymscore.codebook import default_codebook

    out = evaluate_timelines(pairs)
    out["element_top1_gym99"], out["gym99_matched_segments"] = element_top1_within(
        pairs, set(default_codebook().gym99_ids()))
    out["apparatus_accuracy"] = sum(p.apparatus == t.apparatus for p, t in pairs) / len(pairs)
    return out


def evaluate_timeline_dirs(pred_dir: str | Path, truth_dir: str | Path) -> dict[str, Any]:
    """Compare two folders of Timeline JSON files matched by file name (:func:`evaluate_timeline_pairs`);
    what ``gymscore eval`` prints."""
    pairs, missing, unmatched = load_timeline_pairs(pred_dir, truth_dir)
    out = evaluate_timeline_pairs(pairs)
    out["missing_predictions"], out["unmatched_predictions"] = missing, unmatched
    return out


def _argmax(probs: dict[Any, float], allowed: set[Any] | None = None) -> Any:
    keys = [k for k in probs if allowed is None or k in allowed]
    return max(keys, key=probs.get)


def evaluate_models(segmenter: Any, classifier: Any, routines: list[Any]) -> dict[str, Any]:
    """Shipped-model figures on routines with true timelines (e.g. held-out GymSynth routines).

    Segmentation: the segmenter's segments vs the truth, labelled by set (F1@k, edit, mAP), with every
    set allowed (``segment_*``) and with the routine's apparatus given, as the app does when the user
    names it (``segment_app_*``), and with each segment's set taken from the classifier's set head
    (apparatus given: ``segment_pipeline_*``); ``segment_agnostic_f1@50`` ignores labels.
    Classification as in FineGym's element benchmark: each true segment (trimmed) is classified;
    element top-1 and mean-class accuracy over segments whose element is in the classifier's label
    space, set and event accuracy over all; ``*_app`` variants restrict the answer to the apparatus.
    End to end: element top-1 over the apparatus-given segmenter's segments matched to true ones.
    """
    from gymscore.models.labels import event_of_set

    seg_variants: dict[str, tuple[list, list]] = {
        "": ([], []),
        "app_": ([], []),
        "pipeline_": ([], []),
        "agnostic_": ([], []),
    }
    truths: list[list[tuple[int, int, Any]]] = []
    acc: dict[str, tuple[list, list]] = {
        k: ([], []) for k in ("element", "element_app", "set", "set_app", "event", "e2e")
    }
    ids = list(classifier.element_ids)
    label_space = set(ids)
    el_event = {
        e: event_of_set(int(s))
        for e, s in zip(ids, classifier.manifest.label_space["element_sets"], strict=True)
    }

    def add(key: str, p: Any, t: Any) -> None:
        acc[key][0].append(p)
        acc[key][1].append(t)

    for r in routines:
        app = r.timeline.apparatus
        ts = sorted(r.timeline.segments, key=lambda s: s.start_frame)
        truth = [(s.start_frame, s.end_frame, s.set_id) for s in ts]
        truths.append(truth)
        segs_all = segmenter.segment(r.joints2d, r.visibility, r.frame_size, r.fps)
        segs_app = segmenter.segment(r.joints2d, r.visibility, r.frame_size, r.fps, apparatus=app)
        seg_variants[""][0].append(segs_all)
        seg_variants["app_"][0].append(segs_app)
        seg_variants["agnostic_"][0].append([(s, e, 0, c) for s, e, _, c in segs_app])
        app_sets = {s for s in classifier.set_ids if event_of_set(s) == app}
        app_elements = {e for e in ids if el_event[e] == app}
        clips = [
            (r.joints2d[s.start_frame : s.end_frame], r.visibility[s.start_frame : s.end_frame]) for s in ts
        ]
        for s, out in zip(ts, classifier.predict(clips, fps=r.fps) if clips else [], strict=True):
            add("set", int(_argmax(out["set_probs"])), int(s.set_id))
            add("set_app", int(_argmax(out["set_probs"], app_sets)), int(s.set_id))
            add("event", _argmax(out["event_probs"]), event_of_set(int(s.set_id)))
            if s.element_id in label_space:
                add("element", _argmax(out["element_probs"]), s.element_id)
                add("element_app", _argmax(out["element_probs"], app_elements), s.element_id)
        pred_clips = [(r.joints2d[s:e], r.visibility[s:e]) for s, e, _, _ in segs_app]
        pres = classifier.predict(pred_clips, fps=r.fps) if pred_clips else []
        seg_variants["pipeline_"][0].append(
            [
                (s, e, int(_argmax(p["set_probs"], app_sets)), c)
                for (s, e, _, c), p in zip(segs_app, pres, strict=True)
            ]
        )
        for i, j in match_segments(
            [(s, e) for s, e, _, _ in segs_app], [(s.start_frame, s.end_frame) for s in ts]
        ):
            if ts[j].element_id in label_space:
                add("e2e", _argmax(pres[i]["element_probs"], app_elements), ts[j].element_id)
    out: dict[str, Any] = {"routines": len(routines), "true_segments": sum(len(t) for t in truths)}
    for key, (dets, _) in seg_variants.items():
        tr = truths if key != "agnostic_" else [[(s, e, 0) for s, e, _ in t] for t in truths]
        preds = [[(s, e, lab) for s, e, lab, _ in d] for d in dets]
        rep = M.segmentation_report(preds, tr)
        if key == "agnostic_":
            out["segment_agnostic_f1@50"] = rep["f1@50"]
            continue
        out.update({f"segment_{key}{k}": v for k, v in rep.items()})
        out[f"segment_{key}mAP"] = M.detection_map(dets, tr)["mAP"]
    el_p, el_t = acc["element"]
    out["element_segments"] = len(el_t)
    out["element_classes"] = len(set(el_t))
    out["element_top1"] = M.top1_accuracy(el_p, el_t)
    out["element_mean_class"] = M.mean_class_accuracy(el_p, el_t)
    out["element_top1_app"] = M.top1_accuracy(*acc["element_app"])
    out["element_mean_class_app"] = M.mean_class_accuracy(*acc["element_app"])
    out["set_top1"] = M.top1_accuracy(*acc["set"])
    out["set_mean_class"] = M.mean_class_accuracy(*acc["set"])
    out["set_top1_app"] = M.top1_accuracy(*acc["set_app"])
    out["event_top1"] = M.top1_accuracy(*acc["event"])
    out["end_to_end_element_top1_app"] = M.top1_accuracy(*acc["e2e"])
    out["end_to_end_matched"] = len(acc["e2e"][1])
    return out


def true_element_results(pred: Any, truth: Any, element_ids: set[str]) -> list[tuple[int, bool, bool]]:
    """(index in time order, matched, named right) for each true element of ``truth`` whose id is in
    ``element_ids``: matched by a predicted segment at IoU >= 0.5 (as ``gymscore eval``), named right
    when that segment carries its id."""
    ps = sorted(pred.segments, key=lambda s: s.start_frame)
    ts = sorted(truth.segments, key=lambda s: s.start_frame)
    match = {j: i for i, j in match_segments([(s.start_frame, s.end_frame) for s in ps],
                                             [(s.start_frame, s.end_frame) for s in ts])}
    return [(j, j in match, j in match and ps[match[j]].element_id == seg.element_id)
            for j, seg in enumerate(ts) if seg.element_id in element_ids]


def element_top1_within(pairs: list[tuple[Any, Any]], element_ids: set[str]) -> tuple[float | None, int]:
    """Element top-1 over (predicted, true) Timeline pairs, on the matched segments (IoU >= 0.5) whose
    true element is in ``element_ids`` (e.g. the Gym99 classes); also the number of such segments."""
    results = [r for p, t in pairs for r in true_element_results(p, t, element_ids) if r[1]]
    hit = sum(r[2] for r in results)
    return (hit / len(results) if results else None), len(results)


def evaluate_system(segmenter: Any, classifier: Any, routines: list[Any]) -> dict[str, Any]:
    """The analysis pipeline's own decisions on known poses (no video, no pose estimator).

    Each routine's 2D joints go through :func:`gymscore.pipeline.recognise_pose` exactly as the
    features of a video would (apparatus recognised, not given; segments; sets; elements through the
    decision trees; connections), and the resulting Timelines are scored against the truth with
    :func:`evaluate_timelines` (``system_*``), plus element top-1 over matched segments whose true
    element is in the classifier's label space and the share of routines whose apparatus is right.
    """
    from gymscore.pipeline import recognise_pose

    pairs, app_ok = [], 0
    for r in routines:
        tl = recognise_pose(r.joints2d, r.visibility, r.fps, r.frame_size, segmenter, classifier)
        pairs.append((tl, r.timeline))
        app_ok += tl.apparatus == r.timeline.apparatus
    rep = evaluate_timelines(pairs)
    out = {f"system_{k}": v for k, v in rep.items() if k not in ("routines",)}
    out["system_element_top1_label_space"] = element_top1_within(pairs, set(classifier.element_ids))[0]
    out["system_apparatus_accuracy"] = app_ok / len(routines) if routines else None
    return out
