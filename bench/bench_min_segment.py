"""How the shortest kept segment changes the pipeline's figures, on validation routines (not held-out).

    .venv/bin/python bench/bench_min_segment.py [--frames 5 10 15] [--cache DIR]

Routines: GymSynth validation seeds 50 000-50 009 per apparatus, broadcast camera, as true poses and
after the pipeline-like corruption of :func:`gymscore.data.augment.simulate_estimator` (pose on
every 3rd frame, losses, swaps, the pipeline's gap filling). For each minimum segment length the
installed models' decisions are scored with :func:`gymscore.train.evaluate.evaluate_system`.
This chose ``min_segment_frames`` 15 (0.6 s at 25 fps) for the shipped segmenter.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, nargs="+", default=[5, 10, 15])
    ap.add_argument("--cache", type=Path, default=None, help="GymSynth cache folder")
    args = ap.parse_args()
    from gymscore.data.augment import AugmentConfig, simulate_estimator
    from gymscore.data.routines import RoutineSample, synth_routines
    from gymscore.models.inference import load_classifier, load_segmenter
    from gymscore.paths import cache_dir
    from gymscore.train.evaluate import evaluate_system

    routines = synth_routines(["VT", "FX", "BB", "UB"], range(50_000, 50_010), "broadcast", 25,
                              args.cache or cache_dir() / "synth")
    cfg = AugmentConfig(estimator_prob=1.0, strides=(3,))
    corrupted = []
    for k, r in enumerate(routines):
        torso = float(np.median(np.linalg.norm(r.joints2d[:, 1] - r.joints2d[:, 2], axis=1)))
        j, v = simulate_estimator(r.joints2d, r.visibility, np.random.default_rng(k), cfg, torso)
        corrupted.append(RoutineSample(j.astype(np.float32), v.astype(np.float32), r.timeline))
    seg, cls = load_segmenter("cpu"), load_classifier("cpu")
    keys = ("system_f1@50", "system_element_top1_label_space", "system_d_score_mae")
    for frames in args.frames:
        seg.manifest.input["min_segment_frames"] = frames  # what the pipeline's decoder reads
        for name, data in (("true poses", routines), ("corrupted poses", corrupted)):
            out = evaluate_system(seg, cls, data)
            print(f"min {frames:2d} frames, {name:15s}: "
                  + ", ".join(f"{k.removeprefix('system_')} {out[k]:.3f}" for k in keys), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
