"""Analysis figures: real clips (gymnast found per clip, contact sheet), speed of a long 720p routine.

    .venv/bin/python bench/bench_analysis.py [--clips-only] [--speed-only] [--video FILE] [--workers K]
        [--device auto|cpu|cuda] [--no-fast] [--out NAME]

Writes bench/results/analysis.md (and .json) and docs/img/realclips_pose.png. The speed run analyses
a GymSynth FX routine at 1280x720, 25 fps (generated into a temporary folder unless ``--video`` is
given) in a fresh subprocess, so that its peak memory is the analysis' own (no tracemalloc: it slows
Python code, MediaPipe's import most of all, by several seconds). ``--workers 1`` measures the
single-process path; ``--device`` is where the models run (the pose runs where ``--pose-backend``
says: LiteRT on the CPU by default, ``torch`` on the GPU);
``--out NAME`` writes bench/results/NAME.md / .json instead. When no trained models
are installed, the segmenter and classifier are tiny stand-ins (their cost is negligible next to pose
estimation) and the report says so.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
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


def run_clips(write_sheet: bool = True) -> list[dict]:
    """Every real clip: frames, detected/found share, time; and the contact sheet."""
    import cv2
    import numpy as np

    from gymscore.features.draw import draw_skeleton
    from gymscore.features.extract import ExtractConfig, extract_features
    from gymscore.features.pose import default_estimator
    from gymscore.video import VideoReader

    rows, tiles_rows = [], []
    est = default_estimator()
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
    if not write_sheet:
        return rows
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
import json, resource, sys, time, warnings
sys.path.insert(0, sys.argv[2])
from gymscore.video import VideoReader
video = sys.argv[1]
workers = int(sys.argv[3])
fast = sys.argv[4] == "fast"
device = sys.argv[5]
out = {}
t = time.perf_counter()
with VideoReader(video) as r:
    meta = r.meta
    n = sum(1 for _ in r.frames())
out["decode_s"] = time.perf_counter() - t
out["frames"], out["fps"], out["size"] = n, meta.fps, [meta.width, meta.height]
from gymscore.features.extract import ExtractConfig
from gymscore.pipeline import analyze_video
kw = {}
try:
    from gymscore.models.inference import load_classifier, load_segmenter
    kw = {"segmenter": load_segmenter(device), "classifier": load_classifier(device)}
    out["models"] = "installed"
except Exception as exc:
    sys.path.insert(0, sys.argv[2] + "/tests")
    from tests.test_pipeline_fakes import FakeClassifier, FakeSegmenter
    kw = {"segmenter": FakeSegmenter(), "classifier": FakeClassifier()}
    out["models"] = f"stand-ins ({exc})"
import os, tempfile
cpu0 = os.times()
os.environ["GYMSCORE_CACHE"] = tempfile.mkdtemp(prefix="gymscore-bench-cache-")
config = ExtractConfig(workers=workers) if workers else ExtractConfig()
t = time.perf_counter()
# an empty cache: computes everything, then stores the features
res = analyze_video(video, device=device, config=config, fast=fast, **kw)
out["analyze_s"] = time.perf_counter() - t
out["device"] = res.device
out["pose"] = res.features.estimator
out["pose_clients"] = os.environ.get("GYMSCORE_POSE_CLIENTS", "threads")  # (torch backend: served.py)
cpu = os.times()
out["cpu_s"] = (cpu.user + cpu.system + cpu.children_user + cpu.children_system
                - cpu0.user - cpu0.system - cpu0.children_user - cpu0.children_system)  # analysis + workers
out["timings"] = res.timings
out["found"], out["detected"] = res.features.found_rate, res.features.detection_rate
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
out["worker_peak_rss_mb"] = res.timings.get("features.worker_peak_rss_mb", 0.0)
out["tracker"] = res.features.tracker_stats
out["pose_calls"] = sum(v for k, v in res.features.tracker_stats.items()
                        if k in ("full", "roi", "rotated", "follow"))
out["dense_processed"] = int(res.features.timings.get("dense_processed", 0))
out["processed"] = int(res.features.processed.sum()) - out["dense_processed"]  # the first pass's
out["stride"] = res.features.stride
t = time.perf_counter()
again = analyze_video(video, device=device, config=config, fast=fast, **kw)
out["cached_s"] = time.perf_counter() - t
out["cache_hit"] = again.features.from_cache
print(json.dumps(out))
"""


def run_speed(video: Path, workers: int = 0, fast: bool = False, device: str = "cpu") -> dict:
    """Analyse ``video`` in a fresh process (``workers``: the feature worker processes, 0: the default;
    ``fast``: as ``gymscore analyze --fast``; ``device``: where the models run)."""
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    proc = subprocess.run([sys.executable, "-c", SPEED_CHILD, str(video), str(REPO), str(workers),
                           "fast" if fast else "default", device],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"speed run failed:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["video"] = str(video)
    out["load"] = [load_before, os.getloadavg()[0] if hasattr(os, "getloadavg") else None]
    return out


def run_speed_repeated(video: Path, workers: int, repeat: int, fast: bool = False,
                       device: str = "cpu") -> dict:
    """``repeat`` fresh-process runs; the run with the median end-to-end time, with every run's times."""
    runs = []
    for k in range(max(1, repeat)):
        runs.append(run_speed(video, workers, fast, device))
        print(f"{'fast ' if fast else ''}speed run {k + 1}/{repeat}: end to end "
              f"{runs[-1]['analyze_s']:.1f} s, decode only "
              f"{runs[-1]['decode_s']:.1f} s, load {runs[-1]['load']}", flush=True)
    runs.sort(key=lambda r: r["analyze_s"])
    out = dict(runs[len(runs) // 2])
    out["runs_analyze_s"] = [round(r["analyze_s"], 2) for r in runs]
    out["runs_decode_s"] = sorted(round(r["decode_s"], 2) for r in runs)
    return out


def machine() -> str:
    """CPU count and GPU of this machine, in words."""
    gpu = "no GPU"
    try:
        import torch

        if torch.cuda.is_available():
            gpu = f"GPU {torch.cuda.get_device_name(0)} (torch {torch.__version__})"
    except ImportError:
        pass
    return f"{os.cpu_count()} CPU cores ({platform.machine()}), {gpu}, shared with other jobs while measured"


def write_report(clips: list[dict] | None, speed: dict | None, dry_run: bool = False,
                 name: str = "analysis") -> None:
    """Write bench/results/NAME.md and .json (sections not measured now keep their old figures)."""
    old = {}
    if (RESULTS / f"{name}.json").is_file():
        old = json.loads((RESULTS / f"{name}.json").read_text())
    data = {"clips": clips if clips is not None else old.get("clips"),
            "speed": speed if speed is not None else old.get("speed"),
            "machine": machine()}
    from gymscore.features.pose import default_estimator_id

    data["pose"] = (data["speed"] or {}).get("pose") or default_estimator_id()
    lines = ["# Analysis figures", "", f"Machine: {data['machine']}. Pose estimator: `{data['pose']}` "
             f"(`--pose-backend`).", ""]
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
        lines += speed_lines(s)
    text = "\n".join(lines) + "\n"
    if not dry_run:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n")
        (RESULTS / f"{name}.md").write_text(text)
    print(text)


STAGES = (
    ("features.hash", "hash the file (cache key)"),
    ("features.estimator_load", "load the pose estimator (one process)"),
    ("features.worker_startup", "start the workers (processes: import, load the estimator; threads: open "
                                "the video, the first load of the networks; slowest one)"),
    ("features.decode_pose_flow", "decode, pose and optical flow (wall clock)"),
    ("features.pose", "  pose estimation (seconds, summed over the workers; threads: waits included)"),
    ("features.flow", "  optical flow (seconds, summed over the workers)"),
    ("features.worker_wall_max", "  slowest worker, start to end"),
    ("features.worker_wall_min", "  fastest worker, start to end"),
    ("features.worker_cpu_max", "  slowest worker, CPU seconds"),
    ("features.worker_cpu_sum", "  all workers, CPU seconds"),
    ("features.fill_gaps", "join ranges, fill gaps"),
    ("features.cache_save", "save to the feature cache"),
    ("features", "features in all"),
    ("load_models", "load models"), ("segment", "segment (both passes)"),
    ("dense", "full-rate pass over the elements (crops that follow her, the same workers)"),
    ("classify", "classify (both passes)"),
    ("elements", "elements"), ("score", "score"),
)


def _ordinal(n: int) -> str:
    if n == 1:
        return ""
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')} "


def speed_lines(s: dict) -> list[str]:
    """The speed section of the report."""
    dur = s["frames"] / s["fps"]
    t = s["timings"]
    workers = int(t.get("features.workers", 1))
    threaded = str(s.get("pose", "")).startswith("torch-") and s.get("pose_clients", "threads") == "threads"
    unit = "thread" if threaded else "worker process"
    load = s.get("load") or [None, None]
    lines = [
        f"## Speed: {s['frames']} frames ({dur:.0f} s) at {s['size'][0]}x{s['size'][1]}, {s['fps']:g} fps",
        "", f"Video: `{s['video']}`; models: {s['models']}, run on {s.get('device', 'cpu')}. "
        f"Pose on every {_ordinal(int(s.get('stride') or 1))}frame ({s.get('processed', '?')} frames)"
        + (f", then on {s['dense_processed']} more frames inside the elements (full-rate pass)"
           if s.get("dense_processed") else "")
        + f"; {workers} {unit}{'es' if workers > 1 and not threaded else 's' if workers > 1 else ''} for the "
        "features"
        + (f" (their pose network calls batched: {t['features.pose_batched_items']:.0f} calls in "
           f"{t['features.pose_batches']:.0f} batches)" if t.get("features.pose_batches") else "") + ". "
        f"Load average before / after the run: {load[0]} / {load[1]} (on 2 cores above 1.5 the machine is "
        "busy and the times are not the analysis' own).", "",
        "| stage | seconds |", "| --- | --- |",
        f"| decode only (every frame, full size) | {s['decode_s']:.1f} |",
        f"| end to end (analyze, no cache) | {s['analyze_s']:.1f} |",
    ]
    lines += [f"| {label} | {t[k]:.2f} |" for k, label in STAGES if k in t]
    lines += [f"| second analysis (feature cache hit: {s.get('cache_hit')}) | {s['cached_s']:.2f} |", ""]
    if s.get("runs_analyze_s"):
        lines += [f"The median of {len(s['runs_analyze_s'])} fresh-process runs is shown; end to end in "
                  f"every run (s): {', '.join(str(x) for x in s['runs_analyze_s'])}; decode only: "
                  f"{', '.join(str(x) for x in s['runs_decode_s'])}.", ""]
    tr = s.get("tracker") or {}
    calls = s.get("pose_calls") or 1
    lines += [
        f"Pose estimator calls: {s.get('pose_calls')} for {s.get('processed', '?')} frames looked at "
        f"(crop that follows her {tr.get('follow', 0)}, whole frame {tr.get('full', '?')}, crop around her "
        f"with the detector {tr.get('roi', '?')}, rotated crop {tr.get('rotated', '?')}; track acquired "
        f"{tr.get('acquired', '?')} times, camera cuts "
        f"{tr.get('cuts', '?')}), {1000 * t.get('features.pose', 0) / calls:.0f} ms per call.", "",
        (f"CPU time of the analysis (main process and workers): {s['cpu_s']:.0f} s. " if "cpu_s" in s else "")
        + f"End to end / decode only: {s['analyze_s'] / s['decode_s']:.1f}x. "
        f"Scaled to a 90 s routine: {s['analyze_s'] * 90 / dur:.0f} s (target <= 45 s"
        + (f"; without the full-rate pass over the elements, `--first-pass-only`: "
           f"{(s['analyze_s'] - t['dense']) * 90 / dur:.0f} s" if t.get("dense") else "")
        + "). "
        f"Peak memory: {s['peak_rss_mb']:.0f} MB resident in the main process"
        + (f" + {s['worker_peak_rss_mb']:.0f} MB in the workers" if s.get("worker_peak_rss_mb") else "")
        + f" (target <= 3 GB). Gymnast found in {s['found']:.0%} of frames, detected in "
        f"{s['detected']:.0%} of the frames looked at.", "",
    ]
    f = s.get("fast")
    if f:
        ft, tr = f["timings"], f.get("tracker") or {}
        lines += [
            f"**`--fast`** (lean first pass, same video, {len(f['runs_analyze_s'])} fresh-process runs): "
            f"end to end {f['analyze_s']:.1f} s median (runs: "
            f"{', '.join(str(x) for x in f['runs_analyze_s'])}), scaled to 90 s: "
            f"{f['analyze_s'] * 90 / dur:.0f} s; first pass "
            f"{ft.get('features.decode_pose_flow', 0):.1f} s ({f['processed']} frames, {f['pose_calls']} "
            f"estimator calls: {tr.get('follow', 0)} on the crop that follows her), full-rate pass "
            f"{ft.get('dense', 0):.1f} s ({f['dense_processed']} more frames); "
            f"CPU {f.get('cpu_s', 0):.0f} s. "
            f"Gymnast found in {f['found']:.0%} of frames, detected in {f['detected']:.0%} of the frames "
            "looked at (the lean first pass skips a frame after each loss).", ""]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips-only", action="store_true")
    ap.add_argument("--speed-only", action="store_true")
    ap.add_argument("--video", type=Path, help="analyse this video for the speed figures")
    ap.add_argument("--workers", type=int, default=0, help="feature worker processes (default: the setting)")
    ap.add_argument("--dry-run", action="store_true", help="print the report, write nothing")
    ap.add_argument("--repeat", type=int, default=3, help="speed runs; the median one is reported")
    ap.add_argument("--device", default="cpu", choices=("auto", "cpu", "cuda"), help="where the models run")
    ap.add_argument("--no-fast", action="store_true", help="time the default mode only")
    ap.add_argument("--out", default="analysis", help="results file name in bench/results (no suffix)")
    from gymscore.features.pose import POSE_BACKENDS  # noqa: PLC0415

    ap.add_argument("--pose-backend", choices=POSE_BACKENDS, default=None,
                    help="how BlazePose runs (gymscore analyze --pose-backend; default: litert)")
    args = ap.parse_args()
    from gymscore.features.pose import set_pose_backend

    set_pose_backend(args.pose_backend)  # (the speed runs' child processes inherit it)
    clips = None if args.speed_only else run_clips(write_sheet=not args.dry_run)
    speed = None
    if not args.clips_only:
        with tempfile.TemporaryDirectory() as tmp:
            video = args.video or make_long_video(Path(tmp))
            speed = run_speed_repeated(video, args.workers, args.repeat, device=args.device)
            if not args.no_fast:
                fast = run_speed_repeated(video, args.workers, args.repeat, fast=True, device=args.device)
                speed["fast"] = {k: fast[k] for k in ("analyze_s", "runs_analyze_s", "timings", "pose_calls",
                                                       "tracker", "processed", "dense_processed", "found",
                                                       "detected", "cpu_s")}
    write_report(clips, speed, args.dry_run, args.out)


if __name__ == "__main__":
    main()
