"""scripts/synth_balanced_videos.py: the plan of balanced training videos."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "synth_balanced_videos.py"


def _plan():
    spec = importlib.util.spec_from_file_location("synth_balanced_videos", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.plan


def test_every_gym99_element_appears_once_per_pass_with_distinct_seeds():
    from gymscore.codebook import default_codebook

    plan = _plan()
    videos = plan(2, 1000)
    counts = Counter(e for _, _, ids in videos for e in ids)
    assert set(counts) == set(default_codebook().gym99_ids())
    assert set(counts.values()) == {2}
    seeds = [s for _, s, _ in videos]
    assert seeds == list(range(1000, 1000 + len(videos)))
    assert all(len(ids) == 1 for app, _, ids in videos if app == "VT")
    assert all(len(ids) <= 6 for _, _, ids in videos)


def test_apparatus_filter_keeps_the_whole_plans_seeds():
    plan = _plan()
    whole = plan(3, 5000)
    vaults = plan(3, 5000, {"VT"})
    assert vaults == [v for v in whole if v[0] == "VT"]
    assert len(vaults) == 18  # 6 Gym99 vaults, one a video, 3 passes


def test_unknown_apparatus_is_refused_before_rendering(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "videos"
    run = subprocess.run([sys.executable, str(SCRIPT), "1", str(out), "--apparatus", "VT,XX"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert "--apparatus 'VT,XX': use VT, FX, BB and UB" in run.stderr
    assert not out.exists()


def test_the_elements_outside_gym99_once_per_pass():
    import pytest

    from gymscore.codebook import default_codebook

    cb = default_codebook()
    plan = _plan()
    videos = plan(1, 7000, elements="outside")
    counts = Counter(e for _, _, ids in videos for e in ids)
    outside = set(cb.elements) - set(cb.gym99_ids())
    assert set(counts) == outside and len(outside) == 431 and set(counts.values()) == {1}
    assert sum(app == "VT" for app, _, _ in videos) == 61
    assert all(cb.get(e).apparatus == app for app, _, ids in videos for e in ids)
    assert len(Counter(e for _, _, ids in plan(1, 7000, elements="all") for e in ids)) == 530
    with pytest.raises(ValueError, match="unknown element set 'gym288'"):
        plan(1, 7000, elements="gym288")
