"""Training routines posed by the analysis's estimator: discovery, pairing, resumable writing, errors."""

from __future__ import annotations

import numpy as np
import pytest

from gymscore.data.estimated import estimate_folder, find_labelled_videos, summarise
from gymscore.data.routines import load_routine
from gymscore.timeline import Segment, Timeline, VideoInfo, save_timeline
from gymscore.video.testclips import write_video
from tests.test_pipeline_fakes import FakeEstimator


def _timeline(frames: int) -> Timeline:
    tl = Timeline(video=VideoInfo(path="video.mp4", fps=25.0, frame_count=frames, width=160, height=120),
                  apparatus="BB")
    tl.segments.append(Segment(start_frame=2, end_frame=8, element_id="BB-001", source="synth"))
    return tl


def _labelled(folder, name: str, frames: int, flat: bool = False) -> None:
    if flat:
        write_video(folder / f"{name}.mp4", frames=frames, fps=25, width=160, height=120)
        save_timeline(_timeline(frames), folder / f"{name}.json")
    else:
        (folder / name).mkdir(parents=True)
        write_video(folder / name / "video.mp4", frames=frames, fps=25, width=160, height=120)
        save_timeline(_timeline(frames), folder / name / "timeline.json")


def test_finds_synth_folders_and_flat_pairs(tmp_path):
    _labelled(tmp_path, "b_routine", 10)
    _labelled(tmp_path, "a_clip", 10, flat=True)
    (tmp_path / "no_timeline").mkdir()
    write_video(tmp_path / "no_timeline" / "video.mp4", frames=5)
    (tmp_path / "orphan.json").write_text("{}")
    found = find_labelled_videos(tmp_path)
    assert [f.name for f in found] == ["b_routine", "a_clip"]
    assert found[0].timeline.name == "timeline.json" and found[1].video.name == "a_clip.mp4"


def test_estimate_folder_writes_routines_and_resumes(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    _labelled(src, "r1", 12)
    _labelled(src, "r2", 9)
    est = FakeEstimator(missing={0})
    paths = estimate_folder(src, out, use_cache=False, estimator=est)
    assert [p.name for p in paths] == ["r1.npz", "r2.npz"]
    r1 = load_routine(out / "r1.npz")
    assert r1.joints2d.shape == (12, 17, 2) and r1.source == "estimated"
    assert r1.timeline.segments[0].element_id == "BB-001" and r1.timeline.segments[0].end_frame == 8
    assert r1.meta["estimator"] == "fake-pose/1" and r1.meta["full_rate_elements"] is True
    assert np.isfinite(r1.joints2d).all()
    calls = est.calls
    estimate_folder(src, out, use_cache=False, estimator=est)  # both files exist: nothing recomputed
    assert est.calls == calls
    s = summarise(paths)
    assert s["routines"] == 2 and s["frames"] == 21 and 0.0 < s["mean_found_rate"] <= 1.0


def test_frame_count_mismatch_names_both_files(tmp_path):
    src = tmp_path / "src"
    _labelled(src, "r1", 12)
    save_timeline(_timeline(40), src / "r1" / "timeline.json")
    msg = r"r1/video.mp4: 12 frames, but its timeline .*timeline.json describes 40"
    with pytest.raises(ValueError, match=msg):
        estimate_folder(src, tmp_path / "out", use_cache=False, estimator=FakeEstimator())


def test_empty_or_missing_source_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a folder of labelled videos"):
        find_labelled_videos(tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="no labelled videos"):
        estimate_folder(tmp_path, tmp_path / "out")


def test_estimated_routines_get_no_simulated_estimator_errors():
    from gymscore.data.augment import AugmentConfig, for_estimated_poses
    from gymscore.data.routines import RoutineSample
    from gymscore.data.torchsets import ClipDataset

    cfg = AugmentConfig(estimator_prob=0.4, swap_labels_prob=0.3, torso_stretch=(1.0, 1.15), scale=(0.8, 1.2))
    est = for_estimated_poses(cfg)
    assert (est.estimator_prob, est.swap_labels_prob, est.torso_stretch) == (0.0, 0.0, (1.0, 1.0))
    assert est.scale == (0.8, 1.2) and est.flip_prob == cfg.flip_prob
    ds = ClipDataset.__new__(ClipDataset)
    ds.augment = cfg
    tl = _timeline(10)
    synth = RoutineSample(np.zeros((10, 17, 2)), np.ones((10, 17)), tl, source="synth")
    estimated = RoutineSample(np.zeros((10, 17, 2)), np.ones((10, 17)), tl, source="estimated")
    assert ds._augment_for(synth) is cfg and ds._augment_for(estimated) == est


def test_cli_names_the_folder_without_labelled_videos(tmp_path, capsys):
    from gymscore.cli.main import main

    assert main(["data", "poses", str(tmp_path / "nope"), str(tmp_path / "out")]) == 2
    assert f"{tmp_path / 'nope'}: not a folder of labelled videos" in capsys.readouterr().err
    assert main(["data", "poses", str(tmp_path), str(tmp_path / "out")]) == 2
    assert "no labelled videos" in capsys.readouterr().err


def test_attribute_targets_for_elements_outside_the_label_space():
    from gymscore.codebook import default_codebook
    from gymscore.data.routines import RoutineSample
    from gymscore.data.torchsets import ClipDataset
    from gymscore.models.labels import build_label_space
    from gymscore.timeline import Segment, Timeline, VideoInfo

    cb = default_codebook()
    ls = build_label_space(cb, "gym99")
    assert not ls.contains("VT-038") and ls.contains("VT-019")  # tsukahara tucked with 1 turn; a Yurchenko
    tl = Timeline(video=VideoInfo(fps=25, frame_count=40), apparatus="VT",
                  segments=[Segment(0, 20, 1, "VT-038"), Segment(20, 40, 1, "VT-019")])
    r = RoutineSample(np.random.default_rng(0).uniform(0, 500, (40, 17, 2)), np.ones((40, 17)), tl)
    plain = ClipDataset([r], ls, 16, codebook=cb)
    every = ClipDataset([r], ls, 16, codebook=cb, attributes_of_all=True)
    _, t_plain = plain[0]
    _, t_all = every[0]
    assert int(t_plain["element"]) == int(t_all["element"]) == -100
    assert int(t_plain["attr:vault_entry"]) == -100
    assert ls.attributes["vault_entry"][int(t_all["attr:vault_entry"])] == "tsukahara"
    assert ls.attributes["body_shape"][int(t_all["attr:body_shape"])] == "tucked"
    # a value the vocabulary lacks has no target; elements inside the space are as before
    assert ls.attribute_index("entry_turn", cb.get("VT-038")) == ls.attributes["entry_turn"].index("0.5")
    assert ls.attribute_index("turn_amount", cb.get("BB-276")) == -100  # 2.5 turns: no Gym99 element has it
    _, inside = every[1]
    assert int(inside["element"]) == ls.element_index("VT-019")
    assert {k: int(v) for k, v in inside.items() if k.startswith("attr:")} == {
        k: int(v) for k, v in plain[1][1].items() if k.startswith("attr:")}
