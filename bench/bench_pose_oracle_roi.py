"""BlazePose on GymSynth frames with the region placed on her true joints: does the pose estimator see
her when it is told where she is?

    .venv/bin/python bench/bench_pose_oracle_roi.py ROUTINE_DIR ... [--every 5] [--blur 0,1.5]
        [--out pose_oracle_roi]

Each ``ROUTINE_DIR`` is a GymSynth routine folder (``video.mp4`` and ``joints.npz``, as
``bench_accuracy.py --work W`` leaves in ``W/videos/NAME``). On every ``--every``-th frame:

* the landmark network on a region centred on her true joints (side 1.3 times her extent, turned so
  her head is up): its presence score, and whether 12 limb joints land within 0.1 of her extent of the
  truth (median over the joints; left and right may swap), and how often the frames it calls absent
  had joints that close anyway (what a lower presence threshold would gain). With ``--blur`` values
  above 0 the network's 256-pixel input is also Gaussian-blurred with that sigma (an experiment; not
  what the app does).
* the detector at the lower threshold the tracker uses on crops (``detect_weak``), on a crop twice her
  extent around her: found when its person lies within half her extent of her centre.

Writes bench/results/OUT.md / .json.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO)]
RESULTS = REPO / "bench" / "results"

from gymscore.skeleton import JOINTS, MEDIAPIPE_TO_GYM  # noqa: E402

# GymSynth joint -> BlazePose landmark index, shoulders to ankles (the head, neck and pelvis are means
# or have no single landmark; the toes are left out)
LIMBS = {JOINTS[j]: MEDIAPIPE_TO_GYM[j]
         for j in range(JOINTS.index("l_shoulder"), JOINTS.index("r_ankle") + 1)}


def true_region(joints: np.ndarray, names: list[str]) -> tuple[float, float, float, float]:
    """Centre x, y, side and rotation (BlazePose's convention) of a region on the true joints."""
    lo, hi = joints.min(0), joints.max(0)
    centre, extent = (lo + hi) / 2, float(max(hi - lo))
    up = joints[names.index("head")] - (joints[names.index("l_hip")] + joints[names.index("r_hip")]) / 2
    rotation = math.pi / 2 - math.atan2(-float(up[1]), float(up[0]))
    rotation = (rotation + math.pi) % (2 * math.pi) - math.pi
    return float(centre[0]), float(centre[1]), extent * 1.3, rotation


def limb_error(landmarks: np.ndarray, joints: np.ndarray, names: list[str]) -> float:
    """Median distance of the limb joints from the truth over her extent (left/right swap allowed)."""
    truth = joints[[names.index(n) for n in LIMBS]]
    ids = list(LIMBS.values())
    swapped = [ids[k ^ 1] for k in range(len(ids))]
    extent = float(max(joints.max(0) - joints.min(0)))
    off = min(float(np.median(np.linalg.norm(landmarks[i, :2] - truth, axis=1))) for i in (ids, swapped))
    return off / extent


def measure(folder: Path, every: int, blur: float) -> dict:
    """The figures of one routine folder with one blur setting."""
    import cv2  # noqa: PLC0415

    from gymscore.features.blazepose import LiteBlazePose, Roi  # noqa: PLC0415

    z = np.load(folder / "joints.npz")
    joints, names = z["joints2d"], [str(n) for n in z["joint_names"]]
    est = LiteBlazePose()
    nets = est._nets  # the two networks' steps, to place the region ourselves
    if blur > 0:
        plain = nets.runner.landmark_outputs
        nets.runner.landmark_outputs = lambda t: plain(cv2.GaussianBlur(t, (0, 0), blur))
    cap = cv2.VideoCapture(str(folder / "video.mp4"))
    present = accurate = absent_accurate = detected = n = 0
    try:
        for i in range(0, len(joints), every):
            cap.set(cv2.CAP_PROP_POS_FRAMES, i)
            ok, frame = cap.read()
            if not ok:
                break
            rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
            p = joints[i]
            cx, cy, side, rot = true_region(p, names)
            presence, lm = nets.landmarks_in(rgb, Roi(cx, cy, side, rot))
            n += 1
            good = limb_error(lm, p, names) < 0.1
            if presence > 0.5:
                present += 1
                accurate += good
            else:
                absent_accurate += good
            extent = side / 1.3
            h, w = rgb.shape[:2]
            box = (max(0.0, cx - extent), max(0.0, cy - extent), min(w, cx + extent), min(h, cy + extent))
            cand = est.detect_weak(rgb, box)
            detected += cand is not None and math.dist(cand.center, (cx, cy)) < extent / 2
    finally:
        cap.release()
        est.close()
    return {"routine": folder.name, "camera_dir": folder.parent.parent.name, "blur": blur, "frames": n,
            "present": round(present / n, 3), "present_accurate": round(accurate / n, 3),
            "absent_accurate": round(absent_accurate / max(n - present, 1), 3),
            "detected_on_crop": round(detected / n, 3) if blur == 0 else None}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("routines", nargs="+", type=Path)
    ap.add_argument("--every", type=int, default=5)
    ap.add_argument("--blur", default="0", help="comma-separated sigmas of the landmark input (0: none)")
    ap.add_argument("--out", default="pose_oracle_roi")
    args = ap.parse_args()
    rows = [measure(f, args.every, float(b)) for f in args.routines for b in args.blur.split(",")]
    for r in rows:
        print(json.dumps(r), flush=True)
    out = {"every": args.every, "rows": rows}
    (RESULTS / f"{args.out}.json").write_text(json.dumps(out, indent=1) + "\n")
    lines = [
        "# BlazePose with the region on her true joints",
        "",
        f"Command: `bench/bench_pose_oracle_roi.py {' '.join(str(f) for f in args.routines)} --every "
        f"{args.every} --blur {args.blur}` (LiteRT backend; see its docstring).",
        "",
        "| routine (work folder) | landmark input blur | frames | present (> 0.5) | present and within 0.1 "
        "| not present, yet within 0.1 (share of those frames) | detector on a crop twice her size |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        det = "" if r["detected_on_crop"] is None else f"{r['detected_on_crop']:.2f}"
        lines.append(f"| {r['routine']} ({r['camera_dir']}) | {r['blur']:g} | {r['frames']} "
                     f"| {r['present']:.2f} | {r['present_accurate']:.2f} | {r['absent_accurate']:.2f} "
                     f"| {det} |")
    (RESULTS / f"{args.out}.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
