"""Reading which apparatus a routine is on, and its segments (:mod:`gymscore.pipeline`'s steps 2-4).

The segmenter's per-frame set probabilities give each apparatus a share; the favourite and a
runner-up with some mass are decoded into segments with their own sets only, each segment is
classified, and a vote (the share times the classifier's event probability) picks the apparatus.
When the full-rate poses disagree with that choice, :func:`second_look` reads the apparatus they
favour too. No Qt and no torch here: the runners are passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from gymscore.element_choice import set_apparatus
from gymscore.features.extract import VideoFeatures
from gymscore.features.posefeat import pose_features, resample_pose
from gymscore.timeline import APPARATUS


def apparatus_probabilities(probs: np.ndarray, label_space: list[Any], codebook: Any) -> dict[str, float]:
    """Share of the non-background probability mass that falls on each apparatus' sets."""
    mass = dict.fromkeys(APPARATUS, 0.0)
    for c, label in enumerate(label_space):
        app = set_apparatus(codebook, label) if label != "background" else None
        if app in mass:
            mass[app] += float(probs[:, c].sum())
    total = sum(mass.values())
    return {a: (m / total if total > 0 else 0.0) for a, m in mass.items()}


def restrict_to_apparatus(
    probs: np.ndarray, label_space: list[Any], apparatus: str, codebook: Any
) -> np.ndarray:
    """Zero the sets of other apparatus and renormalise each frame."""
    keep = np.array([lab == "background" or set_apparatus(codebook, lab) == apparatus
                     for lab in label_space])
    out = np.where(keep[None, :], probs, 0.0)
    s = out.sum(axis=1, keepdims=True)
    return np.divide(out, s, out=np.zeros_like(out), where=s > 0)


def model_fps(runner: Any, default: float) -> float:
    """The frame rate a runner's model works at (its ``fps`` or its manifest's), else ``default``."""
    fps = getattr(runner, "fps", None)
    if fps is None:
        fps = (getattr(getattr(runner, "manifest", None), "input", None) or {}).get("fps")
    return float(fps or default)


def min_len(runner: Any) -> int:
    """The shortest segment a segmenter decodes, in its own frames (its manifest's, default 5)."""
    return int((getattr(getattr(runner, "manifest", None), "input", None) or {}).get("min_segment_frames", 5))


def candidate_apparatus(app_probs: dict[str, float], max_candidates: int = 2,
                         floor: float = 0.1) -> list[str]:
    """The apparatus worth a closer look: the segmenter's favourite and a runner-up with some mass."""
    ranked = sorted(app_probs, key=lambda a: -app_probs[a])
    return [a for i, a in enumerate(ranked[:max_candidates]) if i == 0 or app_probs[a] >= floor]


def decode_spans(segmenter: Any, probs: np.ndarray, labels: list[Any], apparatus: str | None,
                  boundary: np.ndarray | None, codebook: Any, n: int,
                  m: int) -> list[tuple[int, int, int, float]]:
    """Segments (start, end, set, confidence) in video frames with the sets of one apparatus (None: of
    every apparatus)."""
    restricted = probs if apparatus is None else restrict_to_apparatus(probs, labels, apparatus, codebook)
    if boundary is not None:
        raw = segmenter.decode(restricted, min_len(segmenter), boundary=boundary)
    else:
        raw = segmenter.decode(restricted, min_len(segmenter))
    ratio = n / m if m else 1.0
    spans = []
    for s, e, set_id, conf in raw:
        a, b = int(round(s * ratio)), min(n, int(round(e * ratio)))
        if b > a:
            spans.append((a, b, int(set_id), float(conf)))
    return spans


def classify_spans(classifier: Any, feats: VideoFeatures,
                   spans: list[tuple[int, int, int, float]]) -> list[dict]:
    """The classifier's predictions for each span (skeleton clips, or frames for an RGB classifier)."""
    if not spans:
        return []
    if getattr(classifier, "modality", "skeleton") == "rgb":
        per_clip = int(getattr(classifier, "clip_len", 8))
        from gymscore.video.clips import segment_frames  # noqa: PLC0415

        return classifier.predict_frames(segment_frames(feats.meta.path, [(a, b) for a, b, _, _ in spans],
                                                        per_clip))
    clips = [(feats.joints2d[a:b], feats.visibility[a:b]) for a, b, _, _ in spans]
    return classifier.predict(clips, fps=feats.meta.fps)


def apparatus_vote(apparatus: str, app_probs: dict[str, float], spans: list[tuple[int, int, int, float]],
                    preds: list[dict]) -> float:
    """Evidence for an apparatus: the segmenter's share times the classifier's length-weighted mean
    event probability over the segments found with that apparatus' sets (0 when none are found)."""
    votes = [(b - a, float(p.get("event_probs", {}).get(apparatus, 0.0))) for (a, b, _, _), p in
             zip(spans, preds, strict=True)]
    total = sum(w for w, _ in votes)
    if not votes or total <= 0:
        return 0.0
    if not any(p.get("event_probs") for p in preds):
        return app_probs.get(apparatus, 0.0)  # a classifier without an event head: the segmenter decides
    return app_probs.get(apparatus, 0.0) * sum(w * e for w, e in votes) / total


def read_options(candidates: list[str], segmenter: Any, classifier: Any, codebook: Any, feats: VideoFeatures,
             probs: np.ndarray, labels: list[Any], boundary: np.ndarray | None, app_probs: dict[str, float],
             n: int, m: int) -> list[tuple[str, list, list[dict], float]]:
    """(apparatus, spans, predictions, vote) for each candidate apparatus."""
    options = []
    for app in candidates:
        spans = decode_spans(segmenter, probs, labels, app, boundary, codebook, n, m)
        preds = classify_spans(classifier, feats, spans)
        options.append((app, spans, preds, apparatus_vote(app, app_probs, spans, preds)))
    return options


Reading = tuple[VideoFeatures, dict[str, float], str, list, list[dict]]
"""(features, apparatus shares, apparatus, spans, classifier predictions) of one reading of a video."""


SECOND_LOOK_SHARE = 0.6
"""The segmenter's share of the full-rate poses above which an apparatus not yet looked at gets a
second look although the chosen one has elements (a vault read as beam on the first pass)."""


def wants_second_look(spans: list, tried: list[str], app_probs: dict[str, float]) -> bool:
    """Whether the full-rate poses call for another apparatus: the chosen one has no element there
    (``spans`` empty), or an apparatus not ``tried`` holds at least :data:`SECOND_LOOK_SHARE` of them."""
    favoured = max(app_probs, key=lambda a: app_probs[a])
    return not spans or (favoured not in tried and app_probs[favoured] >= SECOND_LOOK_SHARE)


def second_look(tried: list[str], segmenter: Any, classifier: Any, codebook: Any, probs: np.ndarray,
                labels: list[Any], boundary: np.ndarray | None, shares: dict[str, float], n: int, m: int,
                refine: Callable[[VideoFeatures, list[tuple[int, int]]], VideoFeatures],
                current: Reading) -> Reading:
    """A look at the apparatus the full-rate poses favour when they disagree with the first pass
    (:func:`wants_second_look`; a vault's run read as bars or beam on the first pass, say): its
    segments get full-rate poses too and are classified. When the current apparatus has elements it
    is read again on those poses and the two are weighed by their votes. Returns the reading chosen,
    or ``current`` when no other apparatus has an element. ``shares``: :func:`apparatus_probabilities`
    of ``probs``, the full-rate poses' set probabilities."""
    feats, keep, app_probs = current[0], ([current[2]] if current[3] else []), shares
    new = [a for a in candidate_apparatus(app_probs) if a not in tried]
    spans = sorted({(a, b) for app in new
                    for a, b, _, _ in decode_spans(segmenter, probs, labels, app, boundary, codebook, n, m)})
    if not spans:
        return current
    refined = refine(feats, spans)
    if refined is not feats:
        probs, boundary = segment_probs(segmenter, refined, m)
        app_probs = apparatus_probabilities(probs, labels, codebook)
    options = [o for o in read_options(new + keep, segmenter, classifier, codebook, refined, probs, labels,
                                       boundary, app_probs, n, m) if o[1]]
    if not options:
        return current
    chosen, spans2, preds, _ = max(options, key=lambda o: o[3])
    return refined, app_probs, chosen, spans2, preds


def segment_probs(segmenter: Any, feats: VideoFeatures, m: int) -> tuple[np.ndarray, np.ndarray | None]:
    """The segmenter's per-frame set probabilities (m, C) at its own rate, and its boundary output."""
    j, v = feats.joints2d, feats.visibility
    if m != feats.frame_count:
        j, v = resample_pose(j, v, m)
    inputs = pose_features(j, v, feats.frame_size)
    if hasattr(segmenter, "predict_full"):  # also gives the boundary output that splits same-set runs
        probs, boundary = segmenter.predict_full(inputs)
        return np.asarray(probs, dtype=np.float64), boundary
    return np.asarray(segmenter.predict(inputs), dtype=np.float64), None
