"""How often BlazePose puts a joint on the wrong side: left/right swaps inside labelled elements.

    .venv/bin/python bench/bench_swap_rate.py DIR [DIR ...]

For every labelled GymSynth video in each DIR (``gymscore synth dataset`` folders with ``joints.npz``),
the analysis' poses (first pass, then the full-rate pass over the labelled elements, as
``gymscore data poses`` makes them) are compared with GymSynth's true 2D joints on the frames where
she has a pose (detected or interpolated) inside an element. A shoulder (hip) pair counts as swapped
when the two estimates lie nearer the other side's true joints; only frames where the true pair is
at least 0.3 torso lengths apart count. Frames are split into fast (head below the pelvis, or
moving more than 0.35 torso lengths a frame) and slow. Writes ``bench/results/swap_rate.md``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
PAIRS = {"shoulders": (3, 4), "hips": (9, 10)}


def swap_counts(est: np.ndarray, true: np.ndarray, frames: np.ndarray) -> dict[tuple[str, str], list[int]]:
    """{(pair, fast|slow): [swapped, counted]} over ``frames`` (bool) of one routine."""
    torso = np.linalg.norm(true[:, 1] - true[:, 2], axis=1)
    size = float(np.median(torso))
    speed = np.zeros(len(true))
    speed[1:] = np.linalg.norm(np.diff(true, axis=0), axis=2).mean(axis=1) / size
    fast = (true[:, 0, 1] > true[:, 2, 1]) | (speed > 0.35)
    out = {}
    for name, (a, b) in PAIRS.items():
        def dist(i: int, j: int) -> np.ndarray:
            return np.linalg.norm(est[:, i] - true[:, j], axis=1)

        own, other = dist(a, a) + dist(b, b), dist(a, b) + dist(b, a)
        apart = np.linalg.norm(true[:, a] - true[:, b], axis=1) > 0.3 * size
        for kind, mask in (("fast", fast), ("slow", ~fast)):
            m = frames & apart & mask
            out[(name, kind)] = [int((other < own)[m].sum()), int(m.sum())]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="+", type=Path)
    args = ap.parse_args()
    from gymscore.data.estimated import estimate_routine, find_labelled_videos

    lines = ["# Left/right swaps of the estimated pose inside elements", "",
             "`bench/bench_swap_rate.py` (see its docstring for the rule). Share of counted frames where "
             "the pair is swapped.", "",
             "| videos | pair | fast frames | slow frames |", "| --- | --- | --- | --- |"]
    for folder in args.folders:
        totals: dict[tuple[str, str], list[int]] = {}
        for item in find_labelled_videos(folder):
            truth_file = item.video.parent / "joints.npz"
            if not truth_file.is_file():
                continue
            routine = estimate_routine(item)
            true = np.load(truth_file)["joints2d"]
            n = min(len(true), len(routine.joints2d))
            inside = np.zeros(n, bool)
            for s in routine.timeline.segments:
                inside[s.start_frame : min(s.end_frame, n)] = True
            found = routine.visibility[:n].max(axis=1) > 0
            for k, (sw, c) in swap_counts(routine.joints2d[:n], true[:n], inside & found).items():
                t = totals.setdefault(k, [0, 0])
                t[0] += sw
                t[1] += c
        for name in PAIRS:
            cells = [f"{totals[(name, k)][0] / max(totals[(name, k)][1], 1):.2f} of {totals[(name, k)][1]}"
                     for k in ("fast", "slow")]
            lines.append(f"| `{folder.name}` | {name} | {cells[0]} | {cells[1]} |")
            print(lines[-1], flush=True)
    (REPO / "bench" / "results" / "swap_rate.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
