"""Pose backends side by side: MediaPipe's pose solution against BlazePose's networks run through LiteRT.

    .venv/bin/python bench/bench_pose_backends.py [--video V] [--frames N] [--out NAME]

Both backends see the same frames (every 3rd frame of a 1280x720 GymSynth floor routine, downscaled
to 640 wide as the first pass does) in one process, one after the other per call. For each kind of
call the first pass makes, prints the median milliseconds a call and the ratio litert / mediapipe:
the whole frame in tracking mode, a crop around her with the detector (static mode) and the crop that
follows her; then the bare networks' invoke times, and how closely the two backends' joints agree on
the crops (median joint distance over her size). Writes ``bench/results/<out>.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def load_frames(video: Path, count: int) -> list[np.ndarray]:
    """RGB frames as the first pass sees them: every 3rd frame, longer side 640."""
    import cv2

    from gymscore.video import VideoReader

    out = []
    with VideoReader(video) as reader:
        for frame in reader.frames(stride=3, max_side=640):
            out.append(cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB))
            if len(out) >= count:
                break
    return out


def timed(fn, *args) -> tuple[float, object]:
    t = time.perf_counter()
    res = fn(*args)
    return time.perf_counter() - t, res


def crop_around(cand, margin: float = 1.8) -> tuple[float, float, float, float]:
    (cx, cy), half = cand.center, cand.size * margin / 2
    return (cx - half, cy - half, cx + half, cy + half)


def compare(frames: list[np.ndarray]) -> dict:
    """Per-call times of both backends on the same frames, and their agreement on crops."""
    from gymscore.features.blazepose import LiteBlazePose
    from gymscore.features.pose import MediaPipePose

    backends = {"mediapipe": MediaPipePose(), "litert": LiteBlazePose()}
    times: dict[str, dict[str, list[float]]] = {k: {"whole": [], "crop": [], "follow": []} for k in backends}
    found: dict[str, dict[str, int]] = {k: {"whole": 0, "crop": 0, "follow": 0} for k in backends}
    diffs = []
    for rgb in frames:
        wholes = {}
        for name, est in backends.items():
            dt, cand = timed(est.detect, rgb)
            times[name]["whole"].append(dt)
            found[name]["whole"] += cand is not None
            wholes[name] = cand
        ref = wholes["mediapipe"] or wholes["litert"]
        if ref is None:
            continue
        crops = {}
        for name, est in backends.items():
            dt, cand = timed(est.detect, rgb, crop_around(ref))
            times[name]["crop"].append(dt)
            found[name]["crop"] += cand is not None
            crops[name] = cand
            dt, cand = timed(est.detect_follow, rgb, crop_around(ref))
            times[name]["follow"].append(dt)
            found[name]["follow"] += cand is not None
        a, b = crops["mediapipe"], crops["litert"]
        if a is not None and b is not None:
            diffs.append(float(np.median(np.linalg.norm(a.joints - b.joints, axis=1)) / a.size))
    for est in backends.values():
        est.close()
    med = {name: {kind: 1000 * float(np.median(v)) for kind, v in kinds.items() if v}
           for name, kinds in times.items()}
    calls = {name: {kind: len(v) for kind, v in kinds.items()} for name, kinds in times.items()}
    return {"median_ms": med, "calls": calls, "found": found,
            "joint_diff_over_size": {"median": float(np.median(diffs)) if diffs else None,
                                     "p90": float(np.percentile(diffs, 90)) if diffs else None,
                                     "pairs": len(diffs)}}


def bare_networks(repeat: int = 50) -> dict:
    """Invoke time of each network alone (LiteRT, one thread), on a fixed random input."""
    from gymscore.features.blazepose import _Networks

    nets = _Networks(threads=1)
    out = {}
    for name, interp in (("detector", nets.detector), ("landmarks", nets.landmarks)):
        detail = interp.get_input_details()[0]
        x = np.random.default_rng(0).random(detail["shape"], dtype=np.float32)
        ts = []
        for _ in range(repeat):
            interp.set_tensor(detail["index"], x)
            dt, _ = timed(interp.invoke)
            ts.append(dt)
        out[name] = 1000 * float(np.median(ts))
    return out


def write(result: dict, out: str) -> None:
    med = result["median_ms"]
    lines = ["# Pose backends: MediaPipe's pose solution against BlazePose's networks through LiteRT", "",
             f"Machine: {result['machine']}. Video: {result['video']} ({result['frames']} frames: every 3rd "
             "frame, 640 wide, as the first pass sees them). Command: "
             f"`python bench/bench_pose_backends.py{result['args']}` (`--video V` when given).", "",
             "| call (median ms) | mediapipe | litert | litert / mediapipe | found (mediapipe / litert) |",
             "| --- | --- | --- | --- | --- |"]
    labels = {"whole": "whole frame, tracking mode", "crop": "crop around her, detector + landmarks",
              "follow": "crop that follows her (tracking mode)"}
    for kind, label in labels.items():
        a, b = med["mediapipe"].get(kind), med["litert"].get(kind)
        if a is None or b is None:
            continue
        fa, fb = result["found"]["mediapipe"][kind], result["found"]["litert"][kind]
        n = result["calls"]["mediapipe"][kind]
        lines.append(f"| {label} | {a:.1f} | {b:.1f} | {b / a:.2f} | {fa} / {fb} of {n} |")
    bare = result["bare_ms"]
    jd = result["joint_diff_over_size"]
    agreement = (f"Agreement on the crops where both found her ({jd['pairs']}): median joint distance / "
                 f"her size {jd['median']:.4f} (median over frames), 90th percentile {jd['p90']:.4f}."
                 if jd["pairs"] else "No crop where both found her.")
    lines += ["", f"Bare networks through LiteRT (one thread): detector {bare['detector']:.1f} ms, landmarks "
              f"{bare['landmarks']:.1f} ms a call.", "",
              agreement, ""]
    text = "\n".join(lines)
    print(text)
    results = REPO / "bench" / "results"
    (results / f"{out}.md").write_text(text, "utf-8")
    (results / f"{out}.json").write_text(json.dumps(result, indent=1), "utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--video", type=Path, default=None,
                    help="default: the speed benchmark's 92 s 1280x720 floor routine (rendered first)")
    ap.add_argument("--frames", type=int, default=200)
    ap.add_argument("--out", default="pose_backends")
    args = ap.parse_args()
    video = args.video
    if video is None:
        from bench_analysis import make_long_video  # the speed benchmark's routine

        video = make_long_video(Path(tempfile.mkdtemp(prefix="gymscore-pose-bench-")))
    frames = load_frames(video, args.frames)
    result = compare(frames)
    result.update(bare_ms=bare_networks(), frames=len(frames), video=str(video) if args.video else
                  "the speed benchmark's routine (bench_analysis.make_long_video)",
                  machine=f"{os.cpu_count()} CPU cores ({platform.machine()})",
                  args=f" --frames {args.frames}" if args.frames != 200 else "")
    write(result, args.out)


if __name__ == "__main__":
    main()
