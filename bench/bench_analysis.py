"""Analysis figures: real clips (gymnast found per clip, contact sheet), speed of a long 720p routine.

    .venv/bin/python bench/bench_analysis.py [--clips-only] [--speed-only] [--video FILE]

Writes bench/results/analysis.md (and .json) and docs/img/realclips_pose.png. The speed run analyses
a GymSynth FX routine at 1280x720, 25 fps (generated into a temporary folder unless ``--video`` is
given) in a fresh subprocess, so that its peak memory is the analysis' own. When no trained models
are installed, the segmenter and classifier are tiny stand-ins (their cost is negligible next to pose
estimation) and the report says so.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
RESULTS = REPO / "bench" / "results"
CLIPS = REPO.parent / "shared" / "realclips"
SHEET = REPO / "docs" / "img" / "realclips_pose.png"


def run_clips() -> list[dict]:
    """Every real clip: frames, detected/found share, time; and the contact sheet."""
    import cv2
    import numpy as np

    from gymscore.features.draw import draw_skeleton
    from gymscore.features.extract import ExtractConfig, extract_features
    from gymscore.features.pose import MediaPipePose
    from gymscore.video import VideoReader

    rows, tiles_rows = [], []
    est = MediaPipePose()
    for clip in sorted(CLIPS.glob("*.gif")):
        t = time.perf_counter()
        est.reset()
        f = extract_features(clip, est, ExtractConfig(), use_cache=False)
        dt = time.perf_counter() - t
        rows.append({"clip": clip.name, "frames": f.frame_count, "fps": f.meta.fps, "stride": f.stride,
                     "detected": round(f.detection_rate, 3), "found": round(f.found_rate, 3),
                     "seconds": round(dt, 2), "tracker": f.tracker_stats})
        print(f"{clip.name}: {f.frame_count} frames, detected {f.detection_rate:.0%} of frames looked at, "
              f"found {f.found_rate:.0%} after gap filling, {dt:.1f} s", flush=True)
        with VideoReader(clip) as r:
            tiles = []
            for i in np.linspace(0, f.frame_count - 1, 6).astype(int):
                img = r.read(int(i)).copy()
                if f.source[i]:
                    draw_skeleton(img, f.joints2d[i], f.visibility[i], interpolated=f.source[i] == 2)
                tag = {0: "lost", 1: "detected", 2: "interpolated"}[int(f.source[i])]
                cv2.putText(img, f"{clip.stem} #{i} {tag}", (4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.42,
                            (0, 255, 255), 1, cv2.LINE_AA)
                tiles.append(cv2.resize(img, (240, 180), interpolation=cv2.INTER_AREA))
            tiles_rows.append(np.hstack(tiles))
    est.close()
    SHEET.parent.mkdir(parents=True, exist_ok=True)
    from PIL import Image  # a 256-colour palette keeps the PNG small enough for the repository

    rgb = cv2.cvtColor(np.vstack(tiles_rows), cv2.COLOR_BGR2RGB)
    Image.fromarray(rgb).quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(SHEET, optimize=True)
    print(f"contact sheet: {SHEET}")
    return rows


def make_long_video(folder: Path) -> Path:
    """A 92 s GymSynth FX routine (seed 6, 2307 frames) at 1280x720, 25 fps."""
    from gymscore.synth.api import generate_routine

    r = generate_routine("FX", 6, size=(1280, 720), fps=25, camera="broadcast", out_dir=folder)
    return Path(r.frames_path)


SPEED_CHILD = r"""
import json, resource, sys, time, tracemalloc, warnings
sys.path.insert(0, sys.argv[2])
from gymscore.video import VideoReader
video = sys.argv[1]
out = {}
t = time.perf_counter()
with VideoReader(video) as r:
    meta = r.meta
    n = sum(1 for _ in r.frames())
out["decode_s"] = time.perf_counter() - t
out["frames"], out["fps"], out["size"] = n, meta.fps, [meta.width, meta.height]
from gymscore.pipeline import analyze_video
kw = {}
try:
    from gymscore.models.inference import load_classifier, load_segmenter
    kw = {"segmenter": load_segmenter("cpu"), "classifier": load_classifier("cpu")}
    out["models"] = "installed"
except Exception as exc:
    sys.path.insert(0, sys.argv[2] + "/tests")
    from tests.test_pipeline_fakes import FakeClassifier, FakeSegmenter
    kw = {"segmenter": FakeSegmenter(), "classifier": FakeClassifier()}
    out["models"] = f"stand-ins ({exc})"
import os, tempfile
os.environ["GYMSCORE_CACHE"] = tempfile.mkdtemp(prefix="gymscore-bench-cache-")
tracemalloc.start()
t = time.perf_counter()
res = analyze_video(video, **kw)  # empty cache: computes everything, then stores the features
out["analyze_s"] = time.perf_counter() - t
out["python_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
tracemalloc.stop()
out["timings"] = res.timings
out["found"], out["detected"] = res.features.found_rate, res.features.detection_rate
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
out["pose_calls"] = sum(v for k, v in res.features.tracker_stats.items() if k in ("full", "roi", "rotated"))
t = time.perf_counter()
again = analyze_video(video, **kw)
out["cached_s"] = time.perf_counter() - t
out["cache_hit"] = again.features.from_cache
print(json.dumps(out))
"""


def run_speed(video: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", SPEED_CHILD, str(video), str(REPO)], capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"speed run failed:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["video"] = str(video)
    return out


def write_report(clips: list[dict] | None, speed: dict | None) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    old = {}
    if (RESULTS / "analysis.json").is_file():
        old = json.loads((RESULTS / "analysis.json").read_text())
    data = {"clips": clips if clips is not None else old.get("clips"),
            "speed": speed if speed is not None else old.get("speed"),
            "machine": f"{os.cpu_count()} CPU cores, shared with other jobs while measured"}
    (RESULTS / "analysis.json").write_text(json.dumps(data, indent=2) + "\n")
    lines = ["# Analysis figures", "", f"Machine: {data['machine']}.", ""]
    if data["clips"]:
        lines += ["## Real clips (../shared/realclips, 320x240 GIF, 10 fps)", "",
                  "| clip | frames | detected (frames looked at) | found (after gap filling) | time s |",
                  "| --- | --- | --- | --- | --- |"]
        for c in data["clips"]:
            lines.append(f"| {c['clip']} | {c['frames']} | {c['detected']:.0%} | {c['found']:.0%} "
                         f"| {c['seconds']} |")
        ok = sum(c["found"] >= 0.8 for c in data["clips"])
        lines += ["", f"Gymnast found in >= 80 % of frames: {ok} of {len(data['clips'])} clips. "
                  "Contact sheet: `docs/img/realclips_pose.png` (colour: detected, grey: interpolated).", ""]
    s = data["speed"]
    if s:
        dur = s["frames"] / s["fps"]
        t = s["timings"]
        lines += [
            f"## Speed: {s['frames']} frames ({dur:.0f} s) at {s['size'][0]}x{s['size'][1]}, "
            f"{s['fps']:g} fps",
            "", f"Video: GymSynth FX seed 6 (`{Path(s['video']).name}`); models: {s['models']}.", "",
            "| stage | seconds |", "| --- | --- |",
            f"| decode only (every frame, full size) | {s['decode_s']:.1f} |",
            f"| end to end (analyze, no cache) | {s['analyze_s']:.1f} |",
        ]
        for k in ("features.hash", "features.decode_pose_flow", "features.pose", "features.flow",
                  "load_models", "segment", "classify", "elements", "score"):
            if k in t:
                lines.append(f"| {k} | {t[k]:.2f} |")
        lines += [
            f"| second analysis (feature cache hit: {s.get('cache_hit')}) | {s['cached_s']:.2f} |", "",
            f"Pose estimator calls: {s.get('pose_calls')} for {s['frames']} frames, "
            f"{1000 * t.get('features.pose', 0) / max(s.get('pose_calls') or 1, 1):.0f} ms per call "
            "(BlazePose alone: about 11 ms per call on an idle core, STACK.md).", "",
            f"End to end / decode only: {s['analyze_s'] / s['decode_s']:.1f}x. "
            f"Scaled to a 90 s routine: {s['analyze_s'] * 90 / dur:.0f} s (target <= 45 s). "
            f"Peak memory: {s['peak_rss_mb']:.0f} MB resident, {s['python_peak_mb']:.0f} MB Python "
            f"allocations (target <= 3 GB). Gymnast found in {s['found']:.0%} of frames.", "",
        ]
    (RESULTS / "analysis.md").write_text("\n".join(lines) + "\n")
    print((RESULTS / "analysis.md").read_text())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips-only", action="store_true")
    ap.add_argument("--speed-only", action="store_true")
    ap.add_argument("--video", type=Path, help="analyse this video for the speed figures")
    args = ap.parse_args()
    clips = None if args.speed_only else run_clips()
    speed = None
    if not args.clips_only:
        if args.video:
            speed = run_speed(args.video)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                speed = run_speed(make_long_video(Path(tmp)))
    write_report(clips, speed)


if __name__ == "__main__":
    main()
