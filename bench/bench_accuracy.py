"""Video-level accuracy of the whole analysis on held-out GymSynth routines (``gymscore eval``).

    .venv/bin/python bench/bench_accuracy.py [--per-apparatus 12] [--first-seed 95000] [--size 1280x720]
        [--work DIR] [--fast]

Generates routines with seeds 95 000+ (never used in training, which uses seeds below 50 000 and the
balanced seeds from 100 000) and the ``hard`` camera (never used in training), renders their videos,
runs the full pipeline (BlazePose -> features -> segmenter -> classifier -> codebook -> score) on each
video with the installed default models, and compares the predicted Timelines with the ground truth
via :func:`gymscore.train.evaluate.evaluate_timeline_dirs` (what ``gymscore eval`` prints), plus the
element accuracy restricted to Gym99 classes. The same videos are analysed a second time without the
full-rate pass over elements (``full_rate_elements=False``: the first pass's poses only; pose features
come from the feature cache, which this benchmark always uses), as the baseline. ``--fast`` analyses
as ``gymscore analyze --fast``. Writes ``bench/results/accuracy_<size>[_fast].md`` and ``.json``.

48 routines by default (12 per apparatus). Small samples mislead: with the models before `cls19`
the first 12 (seeds 95000-95002) measured Gym99 top-1 0.859 and D MAE 0.183, the next 24 0.733 and
0.504; with `cls19` + `seg16` the first 36 measured D MAE 0.283 and all 48 0.310. About an hour on the
2-core dev machine to render the videos and compute the features; a minute once they are in
``--work`` and the feature cache.
The predictions stay in ``WORK/pred<tag>`` and ``WORK/pred_first_pass<tag>``, beside the truth in
``WORK/truth<tag>`` (``bench/compare_predictions.py`` compares two runs element by element).
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
RESULTS = REPO / "bench" / "results"
SEED0 = 95_000
SEED_END = 100_000  # balanced training seeds start here


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-apparatus", type=int, default=12)
    ap.add_argument("--first-seed", type=int, default=SEED0,
                    help="seed of the first routine per apparatus (held-out: 95000 to 99999)")
    ap.add_argument("--apparatus", default="VT,FX,BB,UB")
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--work", default="/tmp/gymscore-accuracy")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--pose-fps", type=float, default=None, help="first pass: ExtractConfig.pose_fps")
    ap.add_argument("--dense-stride", type=int, default=None,
                    help="full-rate pass: ExtractConfig.dense_stride")
    ap.add_argument("--fast", action="store_true", help="as `gymscore analyze --fast` (files: *_fast)")
    ap.add_argument("--dense-follow", action="store_true", help="ExtractConfig.dense_follow")
    ap.add_argument("--dense-lost", action="store_true", help="ExtractConfig.dense_lost")
    ap.add_argument("--tag", default="", help="suffix of the results files (experiments)")
    from gymscore.synth.camera import MODES as CAMERA_MODES  # noqa: PLC0415

    ap.add_argument("--camera", choices=CAMERA_MODES, default="hard",
                    help="GymSynth camera of the rendered videos (default hard: the held-out setting; "
                    "broadcast: the training camera, its crowd sharp and unblurred)")
    from gymscore.features.pose import POSE_BACKENDS  # noqa: PLC0415

    ap.add_argument("--pose-backend", choices=POSE_BACKENDS, default=None,
                    help="how BlazePose runs (gymscore analyze --pose-backend; default: litert)")
    args = ap.parse_args()
    if not SEED0 <= args.first_seed <= SEED_END - args.per_apparatus:
        ap.error(f"seeds must stay in the held-out range {SEED0}..{SEED_END - 1}")
    from gymscore.features.pose import set_pose_backend  # noqa: PLC0415

    set_pose_backend(args.pose_backend)
    from bench_model_selection import extract_config

    config = extract_config(args.pose_fps, args.dense_stride, args.dense_follow, args.fast, args.dense_lost)
    if args.fast:
        args.tag = args.tag or "_fast"

    from gymscore.pipeline import analyze_video
    from gymscore.synth import generate_routine
    from gymscore.timeline import load_timeline, save_timeline

    w, h = (int(x) for x in args.size.split("x"))
    work = Path(args.work)
    tag = args.tag  # (each run its own folders: runs with other tags may share WORK)
    truth_dir, pred_dir, base_dir = work / f"truth{tag}", work / f"pred{tag}", work / f"pred_first_pass{tag}"
    oracle_dir = work / f"pred_true_poses{tag}"
    for d in (truth_dir, pred_dir, base_dir, oracle_dir):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    from pose_error import frame_errors, summary  # noqa: PLC0415 - bench/, on the path when run

    from gymscore.models.inference import load_classifier, load_segmenter  # noqa: PLC0415
    from gymscore.train.evaluate import d_score_of  # noqa: PLC0415

    models = (load_segmenter(args.device), load_classifier(args.device))  # (for the true-pose runs)

    rows, errors, errors_first = [], [], []
    t_all = time.perf_counter()
    for app in args.apparatus.split(","):
        for k in range(args.per_apparatus):
            seed = args.first_seed + k
            name = f"{app.lower()}_{seed}"
            folder = work / "videos" / name
            if not (folder / "video.mp4").exists():
                generate_routine(app, seed, size=(w, h), fps=25, camera=args.camera, out_dir=folder)
            truth = load_timeline(folder / "timeline.json")
            save_timeline(truth, truth_dir / f"{name}.json")
            t = time.perf_counter()
            res = analyze_video(folder / "video.mp4", device=args.device, config=config)
            dt = time.perf_counter() - t
            save_timeline(res.timeline, pred_dir / f"{name}.json")
            base = analyze_video(folder / "video.mp4", device=args.device, full_rate_elements=False,
                                 config=config)
            save_timeline(base.timeline, base_dir / f"{name}.json")
            pose_err = None
            if (folder / "joints.npz").is_file():  # GymSynth's true joints: how far the poses are,
                oracle = true_pose_timeline(folder / "joints.npz", *models)
                oracle.video = truth.video  # (the same video: recognise_pose knows only the poses)
                save_timeline(oracle, oracle_dir / f"{name}.json")
                # and what the same models make of the true poses
                errors.append(frame_errors(res.features.joints2d, res.features.source, folder / "joints.npz"))
                errors_first.append(frame_errors(base.features.joints2d, base.features.source,
                                                 folder / "joints.npz"))
                pose_err = round(float(errors[-1][0].mean()), 1)
            d_true = d_score_of(truth)
            d_pred = res.scorecard.d_score if res.scorecard is not None else None
            rows.append({
                "routine": name, "frames": truth.video.frame_count, "true_elements": len(truth.segments),
                "pred_elements": len(res.timeline.segments), "apparatus_pred": res.timeline.apparatus,
                "d_true": d_true, "d_pred": d_pred, "seconds": round(dt, 1),
                "features_from_cache": res.features.from_cache,
                "found": round(res.features.found_rate, 3),
                "pose_error_px": pose_err,
            })
            print(json.dumps(rows[-1]), flush=True)
    metrics, baseline = (folder_metrics(d, truth_dir) for d in (pred_dir, base_dir))
    oracle = folder_metrics(oracle_dir, truth_dir) if any(oracle_dir.glob("*.json")) else {}
    metrics.update(summary(errors))
    baseline.update(summary(errors_first))
    from gymscore.features.pose import default_estimator_id  # noqa: PLC0415

    last_seed = args.first_seed + args.per_apparatus - 1
    out = {"machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, 2 cores", "size": args.size,
           "pose": default_estimator_id(),
           "pose_fps": config.pose_fps, "dense_stride": config.dense_stride, "tag": args.tag,
           "fast": bool(config.lean_min_height),
           "camera": args.camera, "seeds": f"{args.first_seed}..{last_seed} per apparatus",
           "wall_seconds": round(time.perf_counter() - t_all, 1), "routines": rows, "metrics": metrics,
           "first_pass_only": baseline, "true_poses": oracle,
           "models": {r.manifest.task: f"{r.manifest.name} (run {r.manifest.training_data.get('run', '?')})"
                      for r in models}}
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = f"accuracy_{args.size}{args.tag}"
    (RESULTS / f"{stem}.json").write_text(json.dumps(out, indent=2, default=str) + "\n")
    write_md(out)
    print(json.dumps(metrics, indent=2, default=str))
    return 0


def folder_metrics(pred_dir: Path, truth_dir: Path) -> dict:
    """``gymscore eval`` metrics of a folder of predictions (Gym99 element top-1 among them), plus the
    same per apparatus."""
    from gymscore.train.evaluate import evaluate_timeline_pairs, load_timeline_pairs

    pairs, missing, unmatched = load_timeline_pairs(pred_dir, truth_dir)
    metrics = evaluate_timeline_pairs(pairs)
    metrics["missing_predictions"], metrics["unmatched_predictions"] = missing, unmatched
    by_app: dict[str, dict] = {}
    for app in sorted({t.apparatus for _, t in pairs if t.apparatus}):
        sub = [(p, t) for p, t in pairs if t.apparatus == app]
        m = evaluate_timeline_pairs(sub)
        by_app[app] = {"routines": len(sub), "element_top1_gym99": m["element_top1_gym99"],
                       "gym99_matched_segments": m["gym99_matched_segments"], "d_score_mae": m["d_score_mae"],
                       "apparatus_right": sum(p.apparatus == app for p, _ in sub)}
    metrics["per_apparatus"] = by_app
    return metrics


def true_pose_timeline(joints_file: Path, segmenter: object, classifier: object):
    """The pipeline's recognition steps on GymSynth's true 2D joints (no pose estimation, no optical
    flow): what the models make of perfect poses of the same routine."""
    import numpy as np  # noqa: PLC0415

    from gymscore.pipeline import recognise_pose  # noqa: PLC0415

    z = np.load(joints_file)
    w, h = (int(v) for v in z["size"])
    return recognise_pose(z["joints2d"], z["visibility"].astype(np.float32), float(z["fps"]), (w, h),
                          segmenter, classifier)


def write_md(out: dict) -> None:
    m = out["metrics"]
    targets = {"f1@50": 0.85, "element_top1_gym99": 0.80, "d_score_mae": 0.3}
    lines = [
        "# Video-level accuracy on held-out GymSynth routines",
        "",
        f"Command: `.venv/bin/python bench/bench_accuracy.py` ({out['size']}, "
        f"{out.get('camera', 'hard')} camera,",
        f"seeds {out['seeds']}, {len(out['routines'])} routines, CPU). Machine: {out['machine']}.",
        f"Wall time {out['wall_seconds']} s."
        + (" Pose features came from the feature cache (an earlier run of the same pipeline computed "
           "them), so `analysis s` leaves out the first pose pass (and the full-rate pass where it was "
           "cached too)."
           if all(r.get("features_from_cache") for r in out["routines"]) else ""),
        f"Pipeline: BlazePose (`{out.get('pose', 'mediapipe')}`) on the rendered video (every 3rd frame"
        + (", lean first pass: `gymscore analyze --fast`" if out.get("fast") else "") + ") -> pose/flow",
        "features -> installed segmenter -> BlazePose again on every frame of the elements found, on crops",
        "that follow her -> segmenter again -> apparatus chosen -> classifier -> codebook tree -> D-score.",
        "Models: " + ", ".join(f"{k} `{v}`" for k, v in out.get("models", {}).items()) + ".",
        "Baseline (same videos, same run): the first pass's poses only (`full_rate_elements=False`, which",
        "makes the first pass thorough). GymSynth's true poses: the same models on the renderer's own 2D",
        "joints (`recognise_pose`: no pose estimation, no optical flow), what perfect poses would give.",
        "Ground truth: GymSynth's timeline. Metrics from",
        "`gymscore.train.evaluate.evaluate_timeline_dirs` (the code behind `gymscore eval`); pose error:",
        "the median joint's distance from GymSynth's true joints, over the frames with a pose",
        "(`bench/pose_error.py`; far: more than one torso length off).",
        "",
        f"Settings: first pass at about {out.get('pose_fps', 10):g} fps, full-rate pass on every "
        f"{out.get('dense_stride', 1)}. frame" + (" (fast mode)" if out.get("fast") else "")
        + (f"; experiment `{out['tag']}`, not the shipped setting." if out.get("tag") and not out.get("fast")
           and not out["tag"].lstrip("_").isdigit() else "."),  # (a tag of digits names a seed set)
        "",
        "| metric | full-rate elements | first pass only | GymSynth's true poses | target |",
        "| --- | --- | --- | --- | --- |",
    ]
    b = out.get("first_pass_only", {})
    o = out.get("true_poses", {})  # the same models on GymSynth's true joints
    keys = ("f1@10", "f1@25", "f1@50", "edit", "frame_accuracy", "mAP", "element_top1", "element_mean_class",
            "element_top1_gym99", "d_score_mae", "apparatus_accuracy", "pose_error_mean_px",
            "pose_error_median_px", "pose_error_p90_px", "pose_far_pct", "pose_missing_pct")
    def cell(v) -> str:
        return f"{v:.3f}" if isinstance(v, float) else ("" if v is None else str(v))

    for k in keys:
        if k in m:
            row = [k, cell(m[k]), cell(b.get(k)), cell(o.get(k)), targets.get(k, "")]
            lines.append("| " + " | ".join(str(c) for c in row) + " |")
    head = ["routine", "frames", "gymnast found", "pose error px", "true el.", "pred el.", "apparatus",
            "D true", "D pred", "analysis s"]
    apps = m.get("per_apparatus") or {}
    if apps:
        base_apps = b.get("per_apparatus") or {}
        lines += ["", "Per apparatus (first pass only in brackets):", "",
                  "| apparatus | routines | apparatus read right | Gym99 top-1 (matched) | D MAE |",
                  "| --- | --- | --- | --- | --- |"]
        for app, v in apps.items():
            w = base_apps.get(app, {})
            lines.append(f"| {app} | {v['routines']} | {v['apparatus_right']} | "
                         f"{cell(v['element_top1_gym99'])} ({cell(w.get('element_top1_gym99'))}; "
                         f"{v['gym99_matched_segments']}) | {cell(v['d_score_mae'])} "
                         f"({cell(w.get('d_score_mae'))}) |")
    lines += ["", "| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for r in out["routines"]:
        found = f"{100 * r['found']:.0f} %" if "found" in r else ""
        cells = [r["routine"], r["frames"], found, cell(r.get("pose_error_px")), r["true_elements"],
                 r["pred_elements"],
                 r["apparatus_pred"], r["d_true"], r["d_pred"], r["seconds"]]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    (RESULTS / f"accuracy_{out['size']}{out.get('tag', '')}.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
