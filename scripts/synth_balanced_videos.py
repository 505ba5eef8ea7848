"""Render labelled GymSynth videos in which every Gym99 element appears PASSES times.

    .venv/bin/python scripts/synth_balanced_videos.py PASSES OUT [--seed 340000] [--size 640x360]

Elements are shuffled per pass and apparatus and performed six at a time (vault: one); the camera
alternates between ``varied`` and ``broadcast``. One folder per routine (``APP_SEED``: video.mp4,
timeline.json, joints.npz), ready for ``gymscore data poses OUT POSES``. Existing folders are kept
(resumable). This made the ``P`` poses of ``cls14`` / ``seg13`` (docs/models.md).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("passes", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=340_000)
    ap.add_argument("--size", default="640x360")
    args = ap.parse_args()
    from gymscore.codebook import default_codebook
    from gymscore.synth import generate_routine

    w, h = (int(v) for v in args.size.split("x"))
    cb = default_codebook()
    by_app: dict[str, list[str]] = {}
    for e in cb.gym99_ids():
        by_app.setdefault(cb.get(e).apparatus, []).append(e)
    rng = np.random.default_rng(args.seed)
    seed, cameras = args.seed, ("varied", "broadcast")
    for _ in range(args.passes):
        for app in sorted(by_app):
            ids = [by_app[app][i] for i in rng.permutation(len(by_app[app]))]
            k = 1 if app == "VT" else 6
            for i in range(0, len(ids), k):
                folder = args.out / f"{app}_{seed}"
                if not (folder / "timeline.json").exists():
                    generate_routine(app, seed, elements=ids[i : i + k], size=(w, h),
                                     camera=cameras[seed % 2], out_dir=folder)
                print(folder, flush=True)
                seed += 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
