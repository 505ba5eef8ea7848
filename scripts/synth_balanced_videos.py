"""Render labelled GymSynth videos in which every Gym99 element appears PASSES times.

    .venv/bin/python scripts/synth_balanced_videos.py PASSES OUT [--seed 340000] [--size 640x360]
        [--poses POSES] [--shard K/N] [--until UNIX_TIME] [--apparatus VT,FX] [--camera hard]
        [--elements gym99|outside|all]

Elements are shuffled per pass and apparatus and performed about six at a time (vault: one), a
dismount always last in its video (GymSynth performs nothing after one); the camera alternates
between ``varied`` and ``broadcast`` unless ``--camera`` names one for every video.
One folder per routine (``APP_SEED``: video.mp4, timeline.json, joints.npz), ready for
``gymscore data poses OUT POSES``. Existing folders are kept
(resumable). This made the ``P`` poses of ``cls14`` / ``seg13`` (docs/models.md).

``--poses POSES`` estimates each video's poses (``POSES/APP_SEED.npz``, as ``gymscore data poses``,
in this process: one worker) right after rendering it. ``--shard K/N`` takes only the videos whose
index modulo N is K, so N processes share the work; ``--until`` starts no new video after that time.
``--apparatus`` renders only the videos of these apparatus (seeds as in the full plan), e.g. extra vaults.
``--elements outside`` balances the 431 elements outside Gym99 instead (each pass: 61 vault videos and
124 of the other apparatus, one per beam dismount or bars element landing on the feet), ``all`` every
element of the codebook.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


ELEMENT_SETS = ("gym99", "outside", "all")


def plan(passes: int, seed: int, apparatus: set[str] | None = None,
         elements: str = "gym99") -> list[tuple[str, int, list[str]]]:
    """(apparatus, seed, element ids) of every video, in order; ``apparatus``: only these (the seeds
    stay those of the whole plan); ``elements``: the Gym99 elements, those outside Gym99 (which the
    classifier's element head does not name), or all of the codebook's."""
    from gymscore.codebook import default_codebook
    from gymscore.synth.sampler import balanced_groups

    if elements not in ELEMENT_SETS:
        raise ValueError(f"unknown element set {elements!r}; use one of {', '.join(ELEMENT_SETS)}")
    cb = default_codebook()
    gym99 = cb.gym99_ids()
    pick = {"gym99": gym99, "all": list(cb.elements),
            "outside": [e for e in cb.elements if e not in set(gym99)]}[elements]
    by_app: dict[str, list[str]] = {}
    for e in pick:
        by_app.setdefault(cb.get(e).apparatus, []).append(e)
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(passes):
        for app in sorted(by_app):
            ids = [by_app[app][i] for i in rng.permutation(len(by_app[app]))]
            for group in balanced_groups(ids, 1 if app == "VT" else 6, cb):
                out.append((app, seed, group))
                seed += 1
    return [v for v in out if apparatus is None or v[0] in apparatus]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("passes", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=340_000)
    ap.add_argument("--size", default="640x360")
    ap.add_argument("--poses", type=Path, help="estimate each video's poses into this folder")
    ap.add_argument("--shard", default="0/1", help="K/N: this process takes every N-th video from K")
    ap.add_argument("--until", type=float, default=0.0, help="start no new video after this Unix time")
    ap.add_argument("--apparatus", default="VT,FX,BB,UB", help="only these apparatus (comma-separated)")
    ap.add_argument("--camera", choices=("broadcast", "fixed", "hard", "varied"),
                    help="this camera for every video (default: varied and broadcast by turns)")
    ap.add_argument("--elements", choices=ELEMENT_SETS, default="gym99",
                    help="which elements each pass holds once: Gym99 (default), those outside it, or all")
    args = ap.parse_args()
    from gymscore.synth import generate_routine

    w, h = (int(v) for v in args.size.split("x"))
    k, n = (int(v) for v in args.shard.split("/"))
    cameras = (args.camera,) * 2 if args.camera else ("varied", "broadcast")
    config = None
    if args.poses:
        from gymscore.data.estimated import LabelledVideo, estimate_routine
        from gymscore.data.routines import save_routine
        from gymscore.features.extract import ExtractConfig

        config = ExtractConfig(workers=1)
        args.poses.mkdir(parents=True, exist_ok=True)
    wanted = {a.strip().upper() for a in args.apparatus.split(",")}
    if not wanted or not wanted <= {"VT", "FX", "BB", "UB"}:
        ap.error(f"--apparatus {args.apparatus!r}: use VT, FX, BB and UB, comma-separated")
    videos = plan(args.passes, args.seed, wanted, args.elements)
    for i, (app, seed, ids) in enumerate(videos):
        if i % n != k:
            continue
        if args.until and time.time() > args.until:
            print(f"deadline: stopped before {app}_{seed}", flush=True)
            break
        folder = args.out / f"{app}_{seed}"
        if not (folder / "timeline.json").exists():
            generate_routine(app, seed, elements=ids, size=(w, h), camera=cameras[seed % 2], out_dir=folder)
        if config is not None:
            target = args.poses / f"{folder.name}.npz"
            if not target.is_file():
                item = LabelledVideo(folder / "video.mp4", folder / "timeline.json")
                save_routine(target, estimate_routine(item, config=config))
        print(folder, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
