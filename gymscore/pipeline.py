"""analyze(video) -> Timeline: features, segmenter, classifier, codebook decision trees, connections, score.

Stages (each reports progress and checks ``cancel``):

1. **features** - the gymnast's pose and motion, cached per video content (:mod:`gymscore.features`);
2. **segment** - the segmenter's per-frame set probabilities. The apparatus is the one whose sets carry
   the most probability over the video (unless the caller names it); sets of other apparatus are then
   ruled out and the probabilities decoded into sub-action segments;
3. **classify** - element, set and attribute probabilities for every segment (of the segmenter's
   favourite apparatus and a runner-up; the classifier's event votes settle the apparatus);
4. **dense** - the pose again on every frame of the chosen apparatus' segments, where the first pass
   estimated every few frames (:mod:`gymscore.features.densify`; a twist needs the full frame
   rate); the segmenter and the classifier then run again on these poses. After the lean first pass
   of the fast mode (``ExtractConfig.lean_min_height``: about one estimator call a frame, a frame
   skipped after each loss; it can make floor look like beam) the segments of every candidate
   apparatus are done, and the apparatus is chosen on these poses. When the apparatus has no element
   on these poses (a vault's run read as bars on the first pass), the apparatus they favour gets the
   same full-rate look and takes over; when the first pass found nothing of it at all, the full-rate
   look goes wherever the first pass saw any set;
5. **elements** - every leaf of the codebook's decision trees is scored as ``P(element) x product of
   P(attribute = answer) ** 0.25`` along its path; the set is the one of the apparatus with the highest
   ``P(set) x`` its best leaf's score; the element is the likeliest leaf of the set's weighted median
   value (the likeliest leaf whenever it holds half the probability; the segment's note says when it
   is not), the top five of the set (normalised) are kept as alternatives and the element's share is
   the confidence (:mod:`gymscore.element_choice`);
6. **score** - connections from the gaps between elements (the FineGym importer's rule) and the
   D-score engine's score card.

Models come from :mod:`gymscore.models.inference` (device: CUDA, then MPS, then CPU; float16 autocast on
CUDA; CPU fallback after a GPU out-of-memory error, with a warning) unless runners are passed in.
"""

from __future__ import annotations

import logging
import os
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from gymscore.analysis_notes import lost_spans, low_found_warning, note_lost, nothing_found_warning
from gymscore.apparatus_reading import (
    apparatus_probabilities,
    candidate_apparatus,
    decode_spans,
    model_fps,
    read_options,
    second_look,
    segment_probs,
    wants_second_look,
)
from gymscore.element_choice import choose_elements
from gymscore.features.densify import densify
from gymscore.features.extract import ExtractConfig, VideoFeatures, extract_features
from gymscore.features.pose import PoseEstimator, pose_backend_for
from gymscore.features.workers import keep_workers
from gymscore.timeline import APPARATUS, Segment, Timeline, VideoInfo
from gymscore.util.progress import CancelToken, ProgressFn, check_cancel, report
from gymscore.video import VideoMeta

# Share of the progress bar given to each stage.
STAGES = (("features", 0.0, 0.7), ("segment", 0.7, 0.72), ("dense", 0.72, 0.95), ("classify", 0.95, 0.98),
          ("score", 0.98, 1.0))


@dataclass
class AnalysisResult:
    """Everything :func:`analyze_video` found: the timeline, its score card and how it got there."""

    timeline: Timeline
    features: VideoFeatures
    scorecard: Any = None
    apparatus_probs: dict[str, float] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    device: str = "cpu"
    warnings: list[str] = field(default_factory=list)
    # what the element step took: the segmenter's spans (start, end, set, confidence) and the
    # classifier's probabilities for each (:func:`gymscore.element_choice.choose_elements`)
    spans: list[tuple[int, int, int, float]] = field(default_factory=list)
    predictions: list[dict[str, Any]] = field(default_factory=list)


def _stage_progress(progress: ProgressFn | None, stage: str) -> ProgressFn | None:
    if progress is None:
        return None
    lo, hi = next((a, b) for name, a, b in STAGES if name == stage)

    def sub(done: float, total: float, message: str = "") -> None:
        frac = done / total if total > 0 else 0.0
        progress(lo + (hi - lo) * min(max(frac, 0.0), 1.0), 1.0, message)

    return sub


def _connect(segments: list[Segment], fps: float) -> None:
    from gymscore.timeline.finegym import fix_overlaps_and_connect  # noqa: PLC0415

    fix_overlaps_and_connect(segments, fps, infer_connections=True)


def _pose_device_type(device: str) -> str:
    """The type of the torch device an analysis on ``device`` runs its models on (cuda, mps, cpu)."""
    from gymscore.models.inference import pick_device  # noqa: PLC0415

    return pick_device(device).type


def analyze_video(
    video: str | Path,
    apparatus: str | None = None,
    device: str = "auto",
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    segmenter: Any = None,
    classifier: Any = None,
    estimator: PoseEstimator | None = None,
    codebook: Any = None,
    config: ExtractConfig | None = None,
    use_cache: bool = True,
    with_score: bool = True,
    full_rate_elements: bool = True,
    fast: bool = False,
    workers: int | None = None,
    pose_backend: str | None = None,
) -> AnalysisResult:
    """Analyse a routine video; see the module doc. Returns the timeline with everything around it.

    ``full_rate_elements``: estimate the pose on every frame of the elements found (see
    :mod:`gymscore.features.densify`) before classifying them; False classifies the first pass's poses
    (and makes the first pass thorough: ``ExtractConfig.lean_min_height`` 0). ``fast``: the fast mode
    (:meth:`ExtractConfig.as_fast`: faster, less accurate; figures in the README). ``workers``: pose
    worker processes for long videos (``ExtractConfig.workers``, default 2; 0: one per CPU core).
    ``pose_backend``: ``mediapipe``, ``litert`` or ``torch`` (:func:`gymscore.features.pose.set_pose_backend`:
    it stays chosen for this process and the worker processes it starts); ``auto`` clears that choice.
    With none chosen, an analysis whose ``device`` is a CUDA GPU runs BlazePose there (``torch``), any
    other ``litert`` (:func:`gymscore.features.pose.pose_backend_for`; docs/models.md, "Pose on a GPU").
    """
    if pose_backend is not None:
        from gymscore.features.pose import set_pose_backend  # noqa: PLC0415

        set_pose_backend(None if pose_backend == "auto" else pose_backend)
    if apparatus is not None and apparatus not in APPARATUS:
        raise ValueError(f"unknown apparatus {apparatus!r}; use one of {', '.join(APPARATUS)}")
    timings: dict[str, float] = {}
    caught: list[str] = []
    if workers is not None:
        if workers < 0:
            raise ValueError(f"workers must be 0 (one per CPU core) or more, not {workers}")
        config = replace(config or ExtractConfig(), workers=workers or (os.cpu_count() or 1))
    if fast:
        config = (config or ExtractConfig()).as_fast()
    if not full_rate_elements:  # the first pass is lean only where the full-rate pass follows it
        config = replace(config or ExtractConfig(), lean_min_height=0)
    pose_on = _pose_device_type(device) if estimator is None else "given"  # (an estimator of the caller's)
    with warnings.catch_warnings(record=True) as records, pose_backend_for(pose_on, caught), keep_workers():
        warnings.simplefilter("always")  # (the first pass's pose workers also do the full-rate pass)
        t = time.perf_counter()
        feats = extract_features(video, estimator, config, _stage_progress(progress, "features"), cancel,
                                 use_cache=use_cache)
        timings.update({f"features.{k}": v for k, v in feats.timings.items()})
        timings["features"] = time.perf_counter() - t
        check_cancel(cancel)
        if codebook is None:
            from gymscore.codebook import default_codebook  # noqa: PLC0415

            codebook = default_codebook()
        t = time.perf_counter()
        if segmenter is None or classifier is None:
            from gymscore.models.inference import load_classifier, load_segmenter  # noqa: PLC0415

            segmenter = segmenter or load_segmenter(device)
            classifier = classifier or load_classifier(device)
        timings["load_models"] = time.perf_counter() - t
        refine = None
        if full_rate_elements:
            def refine(f: VideoFeatures, spans: list[tuple[int, int]]) -> VideoFeatures:
                if config is not None and config.dense_lost:  # and where the first pass lost her
                    spans = sorted({*spans, *lost_spans(f.source, f.meta.fps)})
                return densify(video, f, spans, estimator, config, _stage_progress(progress, "dense"), cancel,
                               use_cache=use_cache)
        lean = bool(config is not None and config.lean_min_height)
        result = _recognise(feats, apparatus, segmenter, classifier, codebook, progress, cancel, timings,
                            refine, choose_after_refine=lean)
        if with_score:
            t = time.perf_counter()
            report(progress, STAGES[4][1], 1.0, "scoring")
            try:
                from gymscore.scoring import score  # noqa: PLC0415

                result.scorecard = score(result.timeline, codebook=codebook)
            except (ValueError, KeyError) as exc:
                caught.append(f"the D-score could not be computed: {exc}")
            timings["score"] = time.perf_counter() - t
    caught = [str(r.message) for r in records if not issubclass(r.category, DeprecationWarning)] + caught
    if not result.timeline.segments:
        caught.append(nothing_found_warning(Path(video).name, result))
    elif (low := low_found_warning(Path(video).name, result)) is not None:
        caught.append(low)
    result.warnings = list(dict.fromkeys(caught))
    result.timeline.metadata["analysis"]["warnings"] = list(result.warnings)  # (kept with the timeline)
    result.device = str(getattr(segmenter, "device", "cpu"))
    result.timings = timings
    result.timeline.metadata["analysis"]["device"] = result.device
    if use_cache and result.features.sha256:  # the skeleton the app draws over this analysis
        from gymscore.features import cache  # noqa: PLC0415

        try:
            result.timeline.metadata["analysis"]["pose_track"] = cache.save_track(result.features)
        except OSError as exc:  # a full disk costs the overlay, never the analysis
            logging.getLogger(__name__).warning("could not cache the pose track of %s: %s", video, exc)
    report(progress, 1.0, 1.0, "done")
    return result


def recognise_pose(joints2d: np.ndarray, visibility: np.ndarray, fps: float, frame_size: tuple[int, int],
                   segmenter: Any, classifier: Any, apparatus: str | None = None,
                   codebook: Any = None) -> Timeline:
    """The pipeline's recognition steps on a known pose track (no video): a Timeline (unscored).

    Used to evaluate the models' decisions apart from pose estimation (held-out GymSynth poses).
    """
    if codebook is None:
        from gymscore.codebook import default_codebook  # noqa: PLC0415

        codebook = default_codebook()
    n = len(joints2d)
    meta = VideoMeta(path="pose-track", fps=float(fps), frame_count=n, width=int(frame_size[0]),
                     height=int(frame_size[1]))
    feats = VideoFeatures(sha256="", meta=meta, joints2d=np.asarray(joints2d, np.float32),
                          visibility=np.asarray(visibility, np.float32), source=np.ones(n, np.int8),
                          flow=np.zeros((n, 1), np.float32), processed=np.ones(n, bool))
    return _recognise(feats, apparatus, segmenter, classifier, codebook, None, None, {}).timeline


def _recognise(feats: VideoFeatures, apparatus: str | None, segmenter: Any, classifier: Any, codebook: Any,
               progress: ProgressFn | None, cancel: CancelToken | None,
               timings: dict[str, float],
               refine: Callable[[VideoFeatures, list[tuple[int, int]]], VideoFeatures] | None = None,
               choose_after_refine: bool = False) -> AnalysisResult:
    meta = feats.meta
    fps, n = meta.fps, feats.frame_count
    # --- segment -------------------------------------------------------------------------
    t = time.perf_counter()
    report(progress, STAGES[1][1], 1.0, "finding elements")
    m = max(1, int(round(n * model_fps(segmenter, fps) / fps))) if n else 0
    probs, boundary = segment_probs(segmenter, feats, m)
    labels = list(segmenter.label_space)
    app_probs = apparatus_probabilities(probs, labels, codebook)
    candidates = [apparatus] if apparatus else candidate_apparatus(app_probs)
    timings["segment"] = time.perf_counter() - t
    check_cancel(cancel)
    # --- classify (each candidate apparatus; the classifier's event votes settle the apparatus) ---
    t = time.perf_counter()
    report(progress, STAGES[3][1] if refine is None else STAGES[2][1], 1.0, "recognising elements")
    options = read_options(candidates, segmenter, classifier, codebook, feats, probs, labels, boundary,
                           app_probs, n, m)
    chosen, spans, preds, _ = max(options, key=lambda o: o[3]) if apparatus is None else options[0]
    timings["classify"] = time.perf_counter() - t
    check_cancel(cancel)
    # --- the chosen apparatus' elements again, on poses at the full frame rate. After a lean first
    # pass (which can make floor look like beam) all candidates' elements, and the apparatus is chosen
    # again on those poses (on the selection videos this did slightly worse after a thorough first pass:
    # docs/models.md) ---------------------------------------------------------------------------------
    if not choose_after_refine:
        candidates, options = [chosen], [o for o in options if o[0] == chosen]
    wanted = sorted({(a, b) for _, sp, _, _ in options for a, b, _, _ in sp})
    if refine is not None and not wanted:  # nothing of the apparatus on the first pass: a closer look
        # wherever any set was seen
        wanted = sorted({(a, b) for a, b, _, _ in decode_spans(segmenter, probs, labels, None, boundary,
                                                                 codebook, n, m)})
    if refine is not None and wanted:
        t = time.perf_counter()
        report(progress, STAGES[2][1], 1.0, "elements at full frame rate")
        refined = refine(feats, wanted)
        timings["dense"] = time.perf_counter() - t
        check_cancel(cancel)
        if refined is not feats:  # (the same object: nothing to add, e.g. a first pass at the full rate)
            feats = refined
            t = time.perf_counter()
            report(progress, STAGES[3][1], 1.0, "recognising elements")
            probs, boundary = segment_probs(segmenter, feats, m)  # segments redrawn from the full-rate poses
            shares = apparatus_probabilities(probs, labels, codebook)
            if choose_after_refine:
                app_probs = shares
            options = read_options(candidates, segmenter, classifier, codebook, feats, probs, labels,
                                   boundary, app_probs, n, m)
            chosen, spans, preds, _ = max(options, key=lambda o: o[3]) if apparatus is None else options[0]
            if apparatus is None and wants_second_look(spans, candidates, shares):
                feats, app_probs, chosen, spans, preds = second_look(
                    candidates, segmenter, classifier, codebook, probs, labels, boundary, shares, n, m,
                    refine, (feats, app_probs, chosen, spans, preds))
            timings["classify"] += time.perf_counter() - t
            check_cancel(cancel)
    # --- elements through the decision trees -----------------------------------------------
    t = time.perf_counter()
    segments = choose_elements(spans, preds, chosen, codebook)
    _connect(segments, fps)
    lost = lost_spans(feats.source, fps)
    note_lost(segments, lost)
    timings["elements"] = time.perf_counter() - t
    tl = Timeline(
        video=VideoInfo(path=str(Path(meta.path).resolve()), sha256=feats.sha256, fps=fps, frame_count=n,
                        width=meta.width, height=meta.height),
        apparatus=chosen,
        edition=getattr(codebook, "edition", "wag-2017"),
        segments=segments,
        metadata={"analysis": {
            "apparatus_source": "user" if apparatus else "model",
            "apparatus_probs": {k: round(p, 4) for k, p in app_probs.items()},
            "segmenter": getattr(getattr(segmenter, "manifest", None), "name", type(segmenter).__name__),
            "classifier": getattr(getattr(classifier, "manifest", None), "name", type(classifier).__name__),
            "pose": feats.estimator,
            "pose_detected": round(feats.detection_rate, 4),
            "pose_found": round(feats.found_rate, 4),
            "pose_lost": [list(span) for span in lost],
        }},
    )
    return AnalysisResult(timeline=tl, features=feats, apparatus_probs=app_probs, spans=list(spans),
                          predictions=list(preds))


def analyze(
    video: str | Path,
    apparatus: str | None = None,
    device: str = "auto",
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    segmenter: Any = None,
    classifier: Any = None,
    **kwargs: Any,
) -> Timeline:
    """Analyse a routine video into a Timeline (see :func:`analyze_video` for the richer result)."""
    return analyze_video(video, apparatus, device, progress, cancel, segmenter, classifier, **kwargs).timeline
