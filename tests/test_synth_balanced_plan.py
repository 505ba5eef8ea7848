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


def test_every_planned_routine_ends_with_at_most_one_dismount():
    from gymscore.codebook import default_codebook
    from gymscore.synth.sampler import ends_routine

    cb = default_codebook()
    videos = _plan()(1, 7000, elements="all")
    for app, _, ids in videos:
        enders = [i for i, e in enumerate(ids) if ends_routine(cb.get(e))]
        assert enders in ([], [len(ids) - 1]), (app, ids)
    # 58 beam dismounts and 57 bars elements landing on the feet: one routine each
    assert sum(app == "BB" for app, _, _ in videos) == 58
    assert sum(app == "UB" for app, _, _ in videos) == 57


def test_balanced_groups_keep_order_and_size():
    import pytest

    from gymscore.codebook import default_codebook
    from gymscore.synth.sampler import balanced_groups

    cb = default_codebook()
    fx = [e for e in cb.elements if e.startswith("FX")][:13]
    assert balanced_groups(fx, 6, cb) == [fx[0:4], fx[4:9], fx[9:13]]  # no dismounts on floor
    bb = [e for e in cb.elements if cb.get(e).apparatus == "BB"]
    dis = [e for e in bb if cb.get(e).set_id == 35][:2]
    rest = [e for e in bb if cb.get(e).set_id != 35][:4]
    assert balanced_groups([dis[0], *rest, dis[1]], 6, cb) == [[*rest[:2], dis[0]], [*rest[2:], dis[1]]]
    assert balanced_groups([], 6, cb) == []
    with pytest.raises(ValueError, match="per_routine"):
        balanced_groups(fx, 0, cb)


def test_balanced_training_routines_perform_every_element(tmp_path):
    """Elements planned after a dismount used to be dropped; every one is performed now."""
    from gymscore.codebook import default_codebook
    from gymscore.data.routines import synth_balanced_routines

    cb = default_codebook()
    bb = [e for e in cb.elements if cb.get(e).apparatus == "BB"]
    ub = [e for e in cb.elements if cb.get(e).apparatus == "UB"]
    pick = [e for e in bb if cb.get(e).set_id == 35][:3] + [e for e in bb if cb.get(e).set_id == 31][:5]
    pick += [e for e in ub if cb.get(e).set_id == 44][:2] + [e for e in ub if cb.get(e).set_id == 41][:3]
    out = synth_balanced_routines({e: cb.get(e).apparatus for e in pick}, 1, 5000, ["fixed"], 25, tmp_path)
    performed = Counter(s.element_id for r in out for s in r.timeline.segments)
    assert performed == Counter(pick)
    assert len(out) == 5  # three beam routines (one dismount each), two on the bars
    assert sorted(p.name for p in tmp_path.iterdir())[0].startswith("bal2-")
