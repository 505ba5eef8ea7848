"""GymSynth speed on one core: rendering with mp4v encoding at 640x360, and skeleton-only generation.

Targets: rendering + encoding >= 100 frames/s; skeleton-only (plan, motion, camera, 2D projection,
no pixels) >= 5000 frames/s. Prints medians over runs and the ratio to each target and writes
``bench/results/synth.md``. Run: ``.venv/bin/python bench/bench_synth.py [--runs N] [--frames N]``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402

from gymscore.synth.api import _rng, generate_skeleton_routine  # noqa: E402
from gymscore.synth.render import Renderer, make_look  # noqa: E402
from gymscore.synth.scene import make_scene  # noqa: E402
from gymscore.synth.writer import VideoSink  # noqa: E402

RENDER_TARGET = 100.0
SKELETON_TARGET = 5000.0
APPARATUS = ("FX", "BB", "UB", "VT")


def skeleton_rate(seed: int) -> float:
    """Frames per second of skeleton-only generation over one routine per apparatus."""
    frames, t0 = 0, time.perf_counter()
    for app in APPARATUS:
        frames += len(generate_skeleton_routine(app, seed).joints3d)
    return frames / (time.perf_counter() - t0)


def render_rate(seed: int, app: str, frames: int, folder: Path) -> float:
    """Frames per second of rendering + mp4v encoding at 640x360 (scene set-up included)."""
    r = generate_skeleton_routine(app, seed, size=(640, 360))
    n = min(frames, len(r.joints3d))
    t0 = time.perf_counter()
    rng = _rng(seed, app, 4)
    ren = Renderer(make_scene(app, rng), r.camera, r.body, make_look(rng, "broadcast"), rng)
    sink = VideoSink(folder / f"{app}{seed}.mp4", 25, (640, 360))
    for i in range(n):
        sink.write(ren.frame(i, r.joints3d[i]))
    sink.close()
    return n / (time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--frames", type=int, default=400, help="frames rendered per run")
    args = ap.parse_args(argv)
    cv2.setNumThreads(1)
    generate_skeleton_routine("FX", 0)  # warm caches (codebook, priors)
    skel = [skeleton_rate(100 + k) for k in range(args.runs)]
    with tempfile.TemporaryDirectory() as tmp:
        rend = [render_rate(200 + k, APPARATUS[k % 4], args.frames, Path(tmp)) for k in range(args.runs)]
    s_med, r_med = statistics.median(skel), statistics.median(rend)
    lines = [
        "# GymSynth speed (one core: cv2.setNumThreads(1), OMP_NUM_THREADS=1)",
        "",
        f"Machine: {platform.machine()} {platform.processor() or ''}, {os.cpu_count()} cores shared, "
        f"Python {platform.python_version()}, OpenCV {cv2.__version__}; load average at start "
        f"{os.getloadavg()[0]:.2f}.",
        "",
        "| measure | median frames/s | runs | target | ratio |",
        "| --- | --- | --- | --- | --- |",
        f"| render + mp4v encode, 640x360, broadcast camera | {r_med:.0f} | "
        f"{', '.join(f'{v:.0f}' for v in rend)} | {RENDER_TARGET:.0f} | {r_med / RENDER_TARGET:.2f} |",
        f"| skeleton only (plan, motion, camera, 2D) | {s_med:.0f} | "
        f"{', '.join(f'{v:.0f}' for v in skel)} | {SKELETON_TARGET:.0f} | {s_med / SKELETON_TARGET:.2f} |",
        "",
        f"Command: `.venv/bin/python bench/bench_synth.py --runs {args.runs} --frames {args.frames}`",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(__file__).resolve().parent / "results" / "synth.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
