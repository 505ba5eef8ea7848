"""The CPU work the torch pose backend leaves when its networks cost nothing: threads against worker
processes, for 1..K workers (what bounds the GPU path once the GPU is fast).

    .venv/bin/python bench/bench_pose_clients.py [--video FILE] [--frames N] [--workers 1,2]
        [--modes threads,processes] [--repeat 3] [--out pose_clients]

The first pass (``track_range``: decoding, optical flow, cropping, the tracker, the steps around the
networks) runs over the first ``--frames`` frames of the video (default: the 92 s speed routine of
``bench_analysis.py``, rendered into a temporary folder unless given), split into K ranges. The
networks are replaced by instant ones that replay the outputs of one real call per network, so the
tracker follows a canned person and its calls per frame differ from a real run: the figures are the
cost of the machinery, not of an analysis. Threads (``gymscore.features.threaded``) share one
interpreter lock; worker processes (``gymscore.features.served``) do not. Prints the median wall time
of ``--repeat`` runs per setting and the speed-up over one thread; writes bench/results/OUT.md / .json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]
RESULTS = REPO / "bench" / "results"


class InstantNets:
    """A stand-in for ``TorchNets``: the outputs of one real call per network, replayed for every row."""

    def __init__(self) -> None:
        import torch

        from gymscore.features.blazepose_torch import TorchNets

        real = TorchNets("cpu")
        self.device = torch.device("cpu")
        self.canned = {kind: [o[:1] for o in real.run(kind, np.zeros((1, side, side, 3), np.uint8))]
                       for kind, side in (("det", 224), ("lm", 256))}

    def run(self, kind: str, batch: np.ndarray) -> list[np.ndarray]:
        return [np.repeat(o, len(batch), axis=0) for o in self.canned[kind]]


def run_once(video: str, frames: int, workers: int, mode: str) -> dict:
    from gymscore.features.blazepose_torch import TorchBlazePose
    from gymscore.features.extract import ExtractConfig
    from gymscore.features.parallel import split_ranges
    from gymscore.features.served import run_tasks_served
    from gymscore.features.threaded import run_tasks_threaded
    from gymscore.features.workers import RangeTask

    config = ExtractConfig()
    stride = config.stride(25.0)
    warm = int(round(config.seam_warmup_s * 25.0 / stride)) * stride
    tasks = [RangeTask(i, video, TorchBlazePose, config, a, b, max(0, a - warm))
             for i, (a, b) in enumerate(split_ranges(frames, stride, workers))]
    runner = run_tasks_threaded if mode == "threads" else run_tasks_served
    t0 = time.perf_counter()
    results, ready = runner(video, tasks, frames)
    wall = time.perf_counter() - t0
    processed = sum(int(r[0].processed.sum()) for r in results.values())
    return {"wall": wall, "processed": processed, "startup": max(ready),
            "calls": int(results[0][2].get("batched_items", 0))}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--video", default=None)
    ap.add_argument("--frames", type=int, default=2307)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--modes", default="threads,processes")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default="pose_clients")
    args = ap.parse_args()
    from gymscore.features import blazepose_torch, served

    nets = InstantNets()
    blazepose_torch.shared_nets = lambda device=None, batch=4: nets  # threads look it up here ...
    served.shared_nets = lambda device=None, batch=4: nets  # ... processes' server there
    video = args.video
    if video is None:
        from bench_analysis import make_long_video

        video = str(make_long_video(Path(tempfile.mkdtemp(prefix="gymscore-clients-"))))
    rows = []
    for workers in (int(w) for w in args.workers.split(",")):
        for mode in args.modes.split(","):
            runs = [run_once(video, args.frames, workers, mode) for _ in range(args.repeat)]
            wall = statistics.median(r["wall"] for r in runs)
            row = {"mode": mode, "workers": workers, "wall_s": round(wall, 2),
                   "runs_s": [round(r["wall"], 2) for r in runs], "processed": runs[0]["processed"],
                   "ms_per_processed_frame": round(1000 * wall / runs[0]["processed"], 2),
                   "startup_s": round(statistics.median(r["startup"] for r in runs), 2)}
            rows.append(row)
            print(json.dumps(row), flush=True)
    base = next((r["wall_s"] for r in rows if r["mode"] == "threads" and r["workers"] == 1), None)
    for r in rows:
        r["speedup_vs_one_thread"] = round(base / r["wall_s"], 2) if base else None
    out = {"machine": f"{platform.machine()}, {os.cpu_count()} cores", "video": video, "frames": args.frames,
           "repeat": args.repeat, "rows": rows}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps(out, indent=2) + "\n")
    lines = [
        "# The CPU work of the torch pose backend, networks instant: threads against processes", "",
        f"`bench/bench_pose_clients.py` (see its docstring). Machine: {out['machine']}. Video: the first "
        f"{args.frames} frames of `{video}` (1280x720, 25 fps; the first pass looks at every 3rd frame); "
        f"median of {args.repeat} runs.", "",
        "| clients | workers | wall s | ms per processed frame | speed-up over 1 thread | start-up s "
        "| runs s |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        runs = ", ".join(map(str, r["runs_s"]))
        lines.append(f"| {r['mode']} | {r['workers']} | {r['wall_s']} | {r['ms_per_processed_frame']} | "
                     f"{r['speedup_vs_one_thread']} | {r['startup_s']} | {runs} |")
    (RESULTS / f"{args.out}.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
