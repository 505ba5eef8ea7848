"""analyze() with fake runners: exact segments, elements, alternatives, apparatus, cancel, timings."""

from __future__ import annotations

import numpy as np
import pytest

from gymscore.codebook import CATEGORICAL, default_codebook
from gymscore.element_choice import rank_elements
from gymscore.features.extract import ExtractConfig
from gymscore.pipeline import analyze, analyze_video
from gymscore.timeline import Alternative
from gymscore.util.progress import Cancelled, CancelToken
from gymscore.video.testclips import write_video
from tests.test_pipeline_fakes import FakeClassifier, FakeEstimator, FakeSegmenter


@pytest.fixture
def video(tmp_path):
    return write_video(tmp_path / "routine.mp4", frames=40, fps=25)


def _run(video, **kw):
    kw.setdefault("segmenter", FakeSegmenter())
    kw.setdefault("classifier", FakeClassifier())
    kw.setdefault("estimator", FakeEstimator())
    return analyze_video(video, config=ExtractConfig(pose_fps=25), **kw)


def test_segments_elements_and_alternatives(video):
    res = _run(video)
    tl = res.timeline
    assert tl.apparatus == "FX"
    assert tl.metadata["analysis"]["apparatus_source"] == "model"
    assert [(s.start_frame, s.end_frame, s.set_id, s.element_id) for s in tl.segments] == [
        (5, 15, 21, "FX-094"), (17, 27, 22, "FX-144"),
    ]
    a, b = tl.segments
    assert a.alternatives == [Alternative("FX-094", 1.0)] and a.confidence == 1.0
    # element x (attributes) ** 0.25: 0.3 (0.9 x 0.98) ** 0.25 ; 0.5 (0.9 x 0.02) ** 0.25 ;
    # 0.2 (0.1 x 0.02) ** 0.25, normalised by their sum
    assert b.alternatives == [Alternative("FX-144", 0.563247), Alternative("FX-143", 0.354812),
                              Alternative("FX-149", 0.08194)]
    assert b.confidence == 0.563247
    assert [s.source for s in tl.segments] == ["model", "model"]
    # gap of 2 frames at 25 fps is a connection (FineGym importer rule); the last never is
    assert [s.connected_to_next for s in tl.segments] == [True, False]
    assert tl.video.frame_count == 40 and tl.video.fps == 25.0 and tl.video.sha256
    assert res.scorecard is not None and res.scorecard.d_score == pytest.approx(0.4)
    assert {"features", "segment", "classify", "elements", "score"} <= set(res.timings)
    tl.validate()
    # the element step's inputs come back with the result: choosing again gives the same elements
    from gymscore.element_choice import choose_elements

    assert [s[:2] for s in res.spans] == [(5, 15), (17, 27)] and len(res.predictions) == 2
    again = choose_elements(res.spans, res.predictions, tl.apparatus, default_codebook())
    assert [(s.set_id, s.element_id, s.alternatives) for s in again] == [
        (s.set_id, s.element_id, s.alternatives) for s in tl.segments]
    cb = default_codebook()
    plain = choose_elements(res.spans, res.predictions, tl.apparatus, cb, attribute_weight=1.0)
    assert plain[1].alternatives[0] == Alternative("FX-144", round(0.3 * 0.9 * 0.98 / (
        0.3 * 0.9 * 0.98 + 0.5 * 0.9 * 0.02 + 0.2 * 0.1 * 0.02), 6))


def test_apparatus_override_restricts_the_sets(video):
    tl = _run(video, apparatus="BB").timeline
    assert tl.apparatus == "BB" and tl.metadata["analysis"]["apparatus_source"] == "user"
    # FX sets are ruled out: the weak BB set (31) wins wherever an element was
    assert [(s.start_frame, s.end_frame, s.set_id) for s in tl.segments] == [(5, 15, 31), (17, 27, 31)]
    assert all(s.element_id.startswith("BB-") for s in tl.segments)


def test_segmenter_at_another_frame_rate_is_mapped_back(video):
    seg = FakeSegmenter(fps=12.5)
    tl = _run(video, segmenter=seg).timeline
    assert seg.seen_shape == (20, 89)
    assert [(s.start_frame, s.end_frame) for s in tl.segments] == [(10, 30), (34, 40)]


def test_classifier_sees_the_segment_clips(video):
    clf = FakeClassifier()
    _run(video, classifier=clf, apparatus="FX")
    assert clf.clip_lengths == [10, 10]
    # without an apparatus, the segments of the runner-up apparatus (BB, 20 % of the mass) are
    # classified too, so that the classifier's event votes can settle the apparatus
    clf = FakeClassifier()
    res = _run(video, classifier=clf)
    assert clf.clip_lengths == [10, 10, 10, 10] and res.timeline.apparatus == "FX"


class _BeamVoter(FakeClassifier):
    """Sure that every segment is a beam element."""

    def predict(self, clips, fps=None):
        out = super().predict(clips, fps)
        for o in out:
            o["event_probs"] = {"FX": 0.05, "BB": 0.95}
        return out


def test_classifier_event_votes_can_overturn_the_segmenter_apparatus(video):
    # segmenter mass: FX 0.8 (of the non-background), BB 0.2; votes FX 0.05 vs BB 0.95:
    # 0.8 * 0.05 = 0.04 < 0.2 * 0.95 = 0.19 -> beam
    tl = _run(video, classifier=_BeamVoter()).timeline
    assert tl.apparatus == "BB"
    assert [(s.start_frame, s.end_frame, s.set_id) for s in tl.segments] == [(5, 15, 31), (17, 27, 31)]


def test_rank_elements_without_element_probabilities_uses_attributes():
    cb = default_codebook()
    positions = {v: 0.0 for v in CATEGORICAL["turn_position"]} | {"attitude": 1.0}
    amounts = {"0.5": 0.0, "1": 0.25, "2": 0.75, "3": 0.0}
    pred = {"element_probs": {}, "attribute_probs": {"turn_position": positions, "turn_amount": amounts}}
    ranked = rank_elements(22, pred, cb)
    assert ranked[:2] == [("FX-143", 0.75), ("FX-144", 0.25)]
    assert sum(p for _, p in ranked) == pytest.approx(1.0)


def test_attributes_weigh_less_than_the_element_head_where_it_covers_the_set():
    from gymscore.element_choice import ATTRIBUTE_WEIGHT, leaf_scores

    cb = default_codebook()
    positions = {v: 0.0 for v in CATEGORICAL["turn_position"]} | {"attitude": 1.0}
    amounts = {"0.5": 0.0, "1": 0.3, "2": 0.7, "3": 0.0}
    pred = {"element_probs": {"FX-143": 0.4, "FX-144": 0.6},
            "attribute_probs": {"turn_position": positions, "turn_amount": amounts}}
    # the plain product would pick FX-143 (0.4 x 0.7 > 0.6 x 0.3); at the weight 0.25 the element head
    # decides: 0.6 x 0.3 ** 0.25 > 0.4 x 0.7 ** 0.25
    assert ATTRIBUTE_WEIGHT == 0.25
    assert rank_elements(22, pred, cb)[0][0] == "FX-144"
    full = dict(leaf_scores(22, pred, cb, attribute_weight=1.0))
    assert full["FX-143"] == pytest.approx(0.4 * 0.7) and full["FX-144"] == pytest.approx(0.6 * 0.3)
    weighted = dict(leaf_scores(22, pred, cb))
    assert weighted["FX-144"] == pytest.approx(0.6 * 0.3 ** 0.25)
    # without element probabilities for the set the attributes decide at full weight (test above)


def test_the_set_and_the_element_are_chosen_together():
    from gymscore.element_choice import best_set as _best_set

    cb = default_codebook()
    # the set head leans to 21 (0.55), but no leaf of 21 is likely; set 22's FX-144 is nearly sure
    pred = {"set_probs": {21: 0.55, 22: 0.45, 31: 0.9},  # (31 is beam: not this apparatus)
            "element_probs": {"FX-122": 0.05, "FX-112": 0.04, "FX-144": 0.85}, "attribute_probs": {}}
    assert _best_set(21, pred, "FX", cb) == 22  # 0.45 x 0.85 against 0.55 x 0.05
    pred["element_probs"] = {"FX-122": 0.5, "FX-144": 0.5}
    assert _best_set(22, pred, "FX", cb) == 21  # equal leaves: the set head decides
    assert _best_set(22, {**pred, "element_probs": {}}, "FX", cb) == 21  # no element head: likewise
    assert _best_set(22, {**pred, "set_probs": {}}, "FX", cb) == 22  # no set head: the segmenter's set


def test_unknown_apparatus_is_refused(video):
    with pytest.raises(ValueError, match="unknown apparatus 'XX'; use one of VT, FX, BB, UB"):
        _run(video, apparatus="XX")


def test_cancel_and_progress(video):
    token = CancelToken()
    seen = []

    def progress(done, total, msg):
        seen.append((done, msg))
        if msg == "finding elements":
            token.cancel()

    with pytest.raises(Cancelled):
        _run(video, progress=progress, cancel=token)
    values = [d for d, _ in seen]
    assert values == sorted(values) and values[-1] < 1.0


def test_analyze_returns_the_timeline(video):
    tl = analyze(video, segmenter=FakeSegmenter(), classifier=FakeClassifier(), estimator=FakeEstimator(),
                 config=ExtractConfig(pose_fps=25))
    assert len(tl.segments) == 2


class BoundarySegmenter(FakeSegmenter):
    """Like the real runner: predict_full gives a boundary output that decode uses to split runs."""

    def predict_full(self, features):
        probs = self.predict(features)
        boundary = np.zeros(len(probs))
        boundary[10] = 0.9
        return probs, boundary

    def decode(self, probs, min_len=5, boundary=None):
        out = []
        for s, e, set_id, conf in super().decode(probs, min_len):
            cuts = [s] + [t for t in range(s + 1, e) if boundary is not None and boundary[t] > 0.5] + [e]
            out += [(a, b, set_id, conf) for a, b in zip(cuts, cuts[1:], strict=False)]
        return out


def test_boundary_output_reaches_decode(video):
    tl = _run(video, segmenter=BoundarySegmenter(), classifier=FakeClassifier()).timeline
    assert [(s.start_frame, s.end_frame) for s in tl.segments] == [(5, 10), (10, 15), (17, 27)]


class RgbClassifier(FakeClassifier):
    modality = "rgb"
    clip_len = 4

    def predict_frames(self, clips):
        self.shapes = [c.shape for c in clips]
        return self.predict([(c, None) for c in clips])


def test_rgb_classifier_gets_frames_of_each_segment(video):
    clf = RgbClassifier()
    tl = _run(video, classifier=clf).timeline
    assert clf.shapes == [(4, 120, 160, 3), (4, 120, 160, 3)]
    assert [s.element_id for s in tl.segments] == ["FX-094", "FX-144"]


def test_recognise_pose_and_system_evaluation_on_a_known_track():
    from gymscore.data.routines import RoutineSample
    from gymscore.pipeline import recognise_pose
    from gymscore.timeline import Segment, Timeline, VideoInfo
    from gymscore.train.evaluate import evaluate_system

    j = np.random.default_rng(0).uniform(100, 200, (40, 17, 2)).astype(np.float32)
    v = np.ones((40, 17), np.float32)
    tl = recognise_pose(j, v, 25.0, (320, 240), FakeSegmenter(), FakeClassifier())
    got = [(s.start_frame, s.end_frame, s.set_id, s.element_id) for s in tl.segments]
    assert tl.apparatus == "FX" and got == [(5, 15, 21, "FX-094"), (17, 27, 22, "FX-144")]
    truth = Timeline(video=VideoInfo(path="x.mp4", fps=25.0, frame_count=40, width=320, height=240),
                     apparatus="FX", segments=[Segment(5, 15, 21, "FX-094", source="synth"),
                                               Segment(17, 27, 22, "FX-143", source="synth")])
    clf = FakeClassifier()
    clf.element_ids = ["FX-094", "FX-143", "FX-144"]
    out = evaluate_system(FakeSegmenter(), clf, [RoutineSample(j, v, truth)])
    assert out["system_f1@50"] == 1.0 and out["system_apparatus_accuracy"] == 1.0
    assert out["system_element_top1_label_space"] == 0.5


def test_elements_are_classified_on_full_rate_poses(video, monkeypatch):
    from gymscore.features import densify
    from gymscore.features.gaps import DETECTED, INTERPOLATED

    monkeypatch.setattr(densify, "MIN_BOX_PIXELS", 0)  # the test clip's gymnast is tiny
    cfg = ExtractConfig(pose_fps=12.5)
    res = analyze_video(video, estimator=FakeEstimator(), config=cfg, segmenter=FakeSegmenter(),
                        classifier=FakeClassifier(), apparatus="FX")
    # segments (5, 15) and (17, 27), widened by 0.2 s (5 frames): frames 0-31 at the full rate
    assert (res.features.source[:32] == DETECTED).all() and res.features.processed[:32].all()
    assert res.features.source[33] == INTERPOLATED and "dense" in res.timings
    assert [(s.start_frame, s.end_frame) for s in res.timeline.segments] == [(5, 15), (17, 27)]
    off = analyze_video(video, estimator=FakeEstimator(), config=cfg, segmenter=FakeSegmenter(),
                        classifier=FakeClassifier(), apparatus="FX", full_rate_elements=False)
    assert off.features.source[7] == INTERPOLATED and "dense" not in off.timings


class _Turncoat(FakeClassifier):
    """Votes beam on the first-pass poses, floor once the full-rate poses are in (``after``)."""

    def __init__(self) -> None:
        super().__init__()
        self.after = False

    def predict(self, clips, fps=None):
        out = super().predict(clips, fps)
        for o in out:
            o["event_probs"] = {"FX": 0.95, "BB": 0.05} if self.after else {"FX": 0.05, "BB": 0.95}
        return out


@pytest.mark.parametrize(("lean", "apparatus"), [(0, "BB"), (640, "FX")])
def test_after_a_lean_first_pass_the_apparatus_is_chosen_on_the_full_rate_poses(video, lean, apparatus):
    from dataclasses import replace

    from gymscore.codebook import default_codebook
    from gymscore.features.extract import extract_features
    from gymscore.pipeline import _recognise

    feats = extract_features(video, FakeEstimator(), ExtractConfig(pose_fps=25), use_cache=False)
    cls = _Turncoat()
    asked = []

    def refine(f, spans):
        asked.append(spans)
        cls.after = True
        return replace(f)  # new poses (a new object)

    res = _recognise(feats, None, FakeSegmenter(), cls, default_codebook(), None, None, {}, refine,
                     choose_after_refine=bool(lean))
    assert res.timeline.apparatus == apparatus
    assert asked == [[(5, 15), (17, 27)]]  # both candidates have these spans; each asked once


class _NothingSegmenter(FakeSegmenter):
    """Background everywhere but a faint bars set: no element to find."""

    def predict(self, features):
        p = np.zeros((len(features), 4))
        p[:, 0], p[:, 3] = 0.9, 0.1
        return p


def test_an_analysis_that_finds_nothing_says_so_and_keeps_the_warning_with_the_timeline(video):
    res = _run(video, segmenter=_NothingSegmenter())
    assert res.timeline.segments == []
    said = [w for w in res.warnings if "no element was found" in w]
    assert len(said) == 1 and said[0].startswith("routine.mp4: no element was found")
    assert "the apparatus was read as BB" in said[0] and "--apparatus" in said[0]
    assert res.timeline.metadata["analysis"]["warnings"] == res.warnings
    res.timeline.validate()


def test_an_analysis_that_lost_the_gymnast_in_many_frames_says_so(video):
    lost_after_8 = FakeEstimator(where=lambda call, roi: (80.0, 60.0, 60.0) if call < 8 else None)
    res = _run(video, estimator=lost_after_8)
    assert res.features.found_rate == pytest.approx(0.2)  # 8 of 40 frames
    said = [w for w in res.warnings if "the gymnast was found in only" in w]
    assert said == ["routine.mp4: the gymnast was found in only 20% of the frames "
                    "(the pose estimator lost her: a busy background, a small or upside-down gymnast, "
                    "close-ups or cuts); elements where she was lost may be missing or misread, so check the "
                    "timeline against the video."]
    assert res.timeline.metadata["analysis"]["warnings"] == res.warnings
    assert res.timeline.metadata["analysis"]["pose_lost"] == [[8, 40]]  # frames 8-39, end exclusive


def test_an_analysis_that_finds_elements_keeps_an_empty_warning_list(video):
    res = _run(video)
    assert res.timeline.segments and res.warnings == []
    assert res.timeline.metadata["analysis"]["warnings"] == []
    assert res.timeline.metadata["analysis"]["pose_lost"] == []


def test_lost_spans_of_a_source_track():
    from gymscore.analysis_notes import lost_spans
    from gymscore.features.gaps import DETECTED, INTERPOLATED, MISSING, missing_spans

    d, i, m = DETECTED, INTERPOLATED, MISSING
    source = np.array([m, m, d, i, m, m, m, d, m], np.int8)
    assert missing_spans(source) == [(0, 2), (4, 7), (8, 9)]
    assert missing_spans(source, min_frames=3) == [(4, 7)]
    assert missing_spans(np.full(4, d, np.int8)) == []
    # 25 fps: stretches of 10 frames count, of 9 do not; found for 5 frames (0.2 s) keeps two apart
    assert lost_spans(np.array([d] + [m] * 10 + [d] * 5 + [m] * 9 + [d], np.int8), fps=25.0) == [(1, 11)]
    assert lost_spans(np.array([d] + [m] * 4 + [d], np.int8), fps=10.0) == [(1, 5)]
    # a pose or two found inside a stretch (under 0.2 s) do not split it; two short ones join
    assert lost_spans(np.array([m] * 6 + [d, i] + [m] * 6 + [d], np.int8), fps=25.0) == [(0, 14)]
    assert lost_spans(np.array([d] + [m] * 6 + [d] + [m] * 6, np.int8), fps=25.0) == [(1, 14)]


class _RunReadAsBeam(FakeSegmenter):
    """On the first pass's poses a beam set on frames [3, 30); on the full-rate poses (``after``) the
    floor sets of :class:`FakeSegmenter` and no beam at all."""

    def __init__(self) -> None:
        super().__init__()
        self.after = False

    def predict(self, features):
        if self.after:
            p = super().predict(features)
            p[:, 0] += p[:, 3]
            p[:, 3] = 0.0
            return p
        p = np.zeros((len(features), 4))
        p[:, 0] = 1.0
        p[3:30] = [0.1, 0.0, 0.0, 0.9]
        return p


def _second_look_run(video, seg, apparatus=None):
    """``_recognise`` on the fake video with a refine step that records the spans it is asked for and
    switches ``seg`` to its full-rate behaviour: (result, spans asked for, call by call)."""
    from dataclasses import replace

    from gymscore.codebook import default_codebook
    from gymscore.features.extract import extract_features
    from gymscore.pipeline import _recognise

    feats = extract_features(video, FakeEstimator(), ExtractConfig(pose_fps=25), use_cache=False)
    asked = []

    def refine(f, spans):
        asked.append(spans)
        seg.after = True
        return replace(f)

    res = _recognise(feats, apparatus, seg, FakeClassifier(), default_codebook(), None, None, {}, refine)
    return res, asked


@pytest.mark.parametrize("apparatus", [None, "FX"])
def test_an_apparatus_with_nothing_on_the_full_rate_poses_gets_a_second_look(video, apparatus):
    res, asked = _second_look_run(video, _RunReadAsBeam(), apparatus)
    assert res.timeline.apparatus == "FX"
    assert [(s.start_frame, s.end_frame, s.element_id) for s in res.timeline.segments] == [
        (5, 15, "FX-094"), (17, 27, "FX-144")]
    # the first pass's beam run is looked at closely; read by the model, floor's own segments as well
    assert asked == ([[(3, 30)], [(5, 15), (17, 27)]] if apparatus is None else [[(3, 30)]])
    assert res.timeline.metadata["analysis"]["apparatus_source"] == ("model" if apparatus is None else "user")


class _RunReadAsBeamThenNothing(_RunReadAsBeam):
    """As :class:`_RunReadAsBeam` on the first pass; background everywhere on the full-rate poses."""

    def predict(self, features):
        if self.after:
            return np.tile([1.0, 0.0, 0.0, 0.0], (len(features), 1))
        return super().predict(features)


def test_nothing_on_any_apparatus_after_the_second_look_keeps_the_first_reading(video):
    res, _ = _second_look_run(video, _RunReadAsBeamThenNothing())
    assert res.timeline.apparatus == "BB" and res.timeline.segments == []


class _RunReadAsBeamThenMostlyFloor(_RunReadAsBeam):
    """As :class:`_RunReadAsBeam` on the first pass; on the full-rate poses strong floor sets on
    [5, 15) and [17, 27) and a short beam set on [30, 36): the beam still has an element, but floor
    holds 77 % of the sets' mass."""

    def predict(self, features):
        if not self.after:
            return super().predict(features)
        p = np.tile([1.0, 0.0, 0.0, 0.0], (len(features), 1))
        p[5:15] = [0.1, 0.9, 0.0, 0.0]
        p[17:27] = [0.1, 0.0, 0.9, 0.0]
        p[30:36] = [0.1, 0.0, 0.0, 0.9]
        return p


def test_full_rate_poses_that_favour_another_apparatus_get_a_second_look_though_elements_were_found(video):
    res, asked = _second_look_run(video, _RunReadAsBeamThenMostlyFloor())
    assert asked == [[(3, 30)], [(5, 15), (17, 27)]]  # beam first, then floor's segments looked at closely
    assert res.timeline.apparatus == "FX"
    assert [(s.start_frame, s.end_frame, s.element_id) for s in res.timeline.segments] == [
        (5, 15, "FX-094"), (17, 27, "FX-144")]


def test_an_analysis_on_a_cuda_device_runs_the_pose_there_unless_a_backend_was_chosen(monkeypatch, tmp_path):
    from gymscore import pipeline
    from gymscore.features import blazepose_torch, pose

    class Stop(Exception):
        pass

    seen: list[str] = []

    def extract(*_args, **_kwargs):
        seen.append(pose.pose_backend())
        raise Stop

    monkeypatch.setenv(pose.POSE_BACKEND_ENV, "")  # no choice made (restored after, whatever is set inside)
    monkeypatch.setattr(pipeline, "extract_features", extract)
    monkeypatch.setattr(pipeline, "_pose_device_type", lambda device: "cuda")
    monkeypatch.setattr(blazepose_torch, "check_available", lambda: None)
    for backend in (None, "auto", "litert"):
        with pytest.raises(Stop):
            pipeline.analyze_video(tmp_path / "v.mp4", pose_backend=backend)
    assert seen == ["torch", "torch", "litert"]
    monkeypatch.delenv(pose.POSE_BACKEND_ENV)
    with pytest.raises(Stop):  # an estimator of the caller's own: nothing chosen for it
        pipeline.analyze_video(tmp_path / "v.mp4", estimator=object())
    assert seen[-1] == pose.DEFAULT_POSE_BACKEND and pose.pose_backend() == pose.DEFAULT_POSE_BACKEND


def test_elements_mostly_in_a_lost_stretch_get_a_note():
    from gymscore.analysis_notes import note_lost
    from gymscore.timeline import Segment

    segs = [Segment(0, 10, 21, "FX-094"), Segment(10, 20, 21, "FX-094", note="scored at the median value"),
            Segment(20, 30, 21, "FX-094"), Segment(30, 40, 21, "FX-094")]
    note_lost(segs, [(5, 15), (24, 30)])
    assert [s.note for s in segs] == [
        "the gymnast was not found in 50% of its frames: check it against the video",
        "scored at the median value; the gymnast was not found in 50% of its frames: check it against the "
        "video",
        "the gymnast was not found in 60% of its frames: check it against the video",
        ""]


def test_the_pose_track_the_analysis_read_is_cached_and_named_in_the_timeline(video):
    from gymscore.features import cache

    res = _run(video)
    key = res.timeline.metadata["analysis"]["pose_track"]
    assert key.startswith("track-")
    stored = cache.load_arrays(res.features.sha256, key)
    assert np.array_equal(stored["joints2d"], res.features.joints2d)
    assert np.array_equal(stored["visibility"], res.features.visibility)
    assert np.array_equal(stored["source"], res.features.source)
    assert _run(video).timeline.metadata["analysis"]["pose_track"] == key  # same poses, same entry
    res = analyze_video(video, config=ExtractConfig(pose_fps=25), use_cache=False, segmenter=FakeSegmenter(),
                        classifier=FakeClassifier(), estimator=FakeEstimator())
    assert "pose_track" not in res.timeline.metadata["analysis"]


def test_a_full_disk_costs_the_cached_pose_track_not_the_analysis(video, monkeypatch, caplog):
    from gymscore.features import cache

    def full(_feats):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache, "save_track", full)
    res = _run(video)
    assert res.timeline.segments and "pose_track" not in res.timeline.metadata["analysis"]
    assert "could not cache the pose track of" in caplog.text and "No space left" in caplog.text


def test_a_full_disk_under_the_feature_cache_is_said_and_the_analysis_goes_on(video, monkeypatch):
    from gymscore.features import cache
    from gymscore.util.atomic import SaveError

    def full(*_args, **_kw):
        raise SaveError(28, "cannot write the cache entry: No space left on device")

    monkeypatch.setattr(cache, "save_arrays", full)
    res = _run(video)
    assert [s.element_id for s in res.timeline.segments] == ["FX-094", "FX-144"]
    said = [w for w in res.warnings if "could not be cached" in w]
    assert said == ["routine.mp4: the features could not be cached (cannot write the cache entry: No space "
                    "left on device); the analysis goes on, and the next analysis of this video will start "
                    "from scratch"]
    assert "pose_track" not in res.timeline.metadata["analysis"]


def test_dense_lost_also_looks_at_full_rate_where_the_first_pass_lost_her(tmp_path, monkeypatch):
    from dataclasses import replace

    from gymscore.features import densify

    monkeypatch.setattr(densify, "MIN_BOX_PIXELS", 0)  # the test clip's gymnast is tiny
    video = write_video(tmp_path / "long.mp4", frames=120, fps=25)

    def calls(config):
        est = FakeEstimator(where=lambda call, roi: (80.0, 60.0, 60.0) if call < 12 else None)
        res = analyze_video(video, config=config, segmenter=FakeSegmenter(), classifier=FakeClassifier(),
                            estimator=est, use_cache=False)
        return est.calls, res

    base = ExtractConfig(pose_fps=5, workers=1)
    n_plain, plain = calls(base)
    n_lost, lost = calls(replace(base, dense_lost=True))
    assert plain.timeline.metadata["analysis"]["pose_lost"]  # she is lost from early on
    assert n_lost > n_plain  # the lost stretch was looked at again at the full rate
    assert base.key("x") == replace(base, dense_lost=True).key("x")  # the first pass' cache is shared
    # she is not found there either, so the poses (and what was read from them) stay the same
    assert np.array_equal(lost.features.source, plain.features.source)


def test_nothing_found_on_a_given_apparatus_does_not_ask_for_it_and_a_short_clip_is_named(video, tmp_path):
    res = _run(video, segmenter=_NothingSegmenter(), apparatus="FX")
    assert [w for w in res.warnings if "no element was found" in w] == [
        "routine.mp4: no element was found on FX (the apparatus given); the gymnast was found in 100% of the "
        "frames. The video is only 1.6 s long: the models learnt from whole routines and often find nothing "
        "in a clip of one element. Insert the elements by hand. The D-score shown is 0."]
    longer = write_video(tmp_path / "longer.mp4", frames=100, fps=25)  # 4 s: not called a clip
    said = [w for w in _run(longer, segmenter=_NothingSegmenter()).warnings if "no element was found" in w]
    assert len(said) == 1 and "long:" not in said[0] and "--apparatus" in said[0]
