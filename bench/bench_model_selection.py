"""Choose between candidate models on videos of seeds kept for selection (not training, not held-out).

    .venv/bin/python bench/bench_model_selection.py CLASSIFIER:SEGMENTER[:first-pass] [...] [--work DIR]
        [--videos DIR]

Renders 8 GymSynth routines (seeds 50 020-50 021 per apparatus, broadcast camera, 640x360; seeds
from 50 000 are never trained on, and the held-out sets use 90 000+, 95 000+ and 200 000+), runs the
whole analysis with each candidate pair of installed models (names as in ``gymscore models list``)
and prints segment F1@0.5, element top-1 and D-score MAE. Pose features are computed once and cached,
so every pair sees the same poses. A pair ending in ``:first-pass`` is analysed without the full-rate
pass over elements (``full_rate_elements=False``). Writes ``bench/results/model_selection.md``.

``--videos DIR`` uses the labelled videos in DIR instead (``gymscore synth dataset`` folders, e.g. the
``varied``-camera selection seeds 320 000+; see docs/models.md) and writes
``bench/results/model_selection_<DIR name>.md``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def describe_folder(folder: Path, count: int) -> str:
    """What a folder of labelled videos holds, from the ``index.json`` of ``gymscore synth dataset``."""
    text = f"{count} labelled videos of `{folder.name}`"
    index = folder / "index.json"
    if not index.is_file():
        return text
    info = json.loads(index.read_text("utf-8"))
    folders = [r["folder"] for r in info.get("routines", [])]
    seeds = sorted(int(f.rsplit("_s", 1)[1]) for f in folders if "_s" in f)
    w, h = info.get("size", ("?", "?"))
    span = f", seeds {seeds[0]}-{seeds[-1]}" if seeds else ""
    return f"{text}: {info.get('camera', '?')} camera, {w}x{h}{span}"


def extract_config(pose_fps: float | None, dense_stride: int | None, dense_follow: bool = False,
                   fast: bool = False, dense_lost: bool = False):
    """The default ExtractConfig with the given first-pass rate and full-rate stride (None: default),
    full-rate crops that follow their own detections (``dense_follow``), in the fast mode (``fast``:
    ``gymscore analyze --fast``)."""
    from dataclasses import replace  # noqa: PLC0415

    from gymscore.features.extract import ExtractConfig  # noqa: PLC0415

    config = ExtractConfig()
    if pose_fps is not None:
        config = replace(config, pose_fps=pose_fps)
    if dense_stride is not None:
        config = replace(config, dense_stride=dense_stride)
    if dense_follow:
        config = replace(config, dense_follow=True)
    if dense_lost:
        config = replace(config, dense_lost=True)
    return config.as_fast() if fast else config


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pairs", nargs="+", help="CLASSIFIER:SEGMENTER model names (+ :first-pass)")
    ap.add_argument("--work", default="/tmp/gymscore-selection")
    ap.add_argument("--videos", default=None, help="folder of labelled videos to select on instead")
    ap.add_argument("--min-box", type=float, default=None,
                    help="full-rate pass: smallest crop in pixels (densify.MIN_BOX_PIXELS; 0: every element)")
    ap.add_argument("--pose-fps", type=float, default=None, help="first pass: ExtractConfig.pose_fps")
    ap.add_argument("--dense-stride", type=int, default=None,
                    help="full-rate pass: ExtractConfig.dense_stride")
    ap.add_argument("--fast", action="store_true", help="as `gymscore analyze --fast` (a lean first pass)")
    ap.add_argument("--dense-follow", action="store_true", help="ExtractConfig.dense_follow")
    ap.add_argument("--tag", default="", help="suffix of the results file name (experiments)")
    from gymscore.features.pose import POSE_BACKENDS  # noqa: PLC0415

    ap.add_argument("--pose-backend", choices=POSE_BACKENDS, default=None,
                    help="how BlazePose runs (gymscore analyze --pose-backend; default: litert)")
    args = ap.parse_args()
    from gymscore.features.pose import default_estimator_id, set_pose_backend  # noqa: PLC0415

    set_pose_backend(args.pose_backend)
    config = extract_config(args.pose_fps, args.dense_stride, args.dense_follow, args.fast)
    if args.min_box is not None:
        from gymscore.features import densify

        densify.MIN_BOX_PIXELS = args.min_box
    from gymscore.data.estimated import find_labelled_videos
    from gymscore.models.inference import load_classifier, load_segmenter
    from gymscore.pipeline import analyze_video
    from gymscore.synth import generate_routine
    from gymscore.timeline import load_timeline
    from gymscore.train.evaluate import evaluate_timelines

    videos = []
    if args.videos:
        videos = [(v.video, v.timeline) for v in find_labelled_videos(args.videos)]
        described = describe_folder(Path(args.videos), len(videos))
        out_name = f"model_selection_{Path(args.videos).name}.md"
        if args.min_box is not None:
            out_name = out_name.replace(".md", f"_minbox{args.min_box:g}.md")
            described += f"; full-rate pass on crops of at least {args.min_box:g} px"
        if args.dense_follow and not args.fast:
            out_name = out_name.replace(".md", "_follow.md")
            described += "; full-rate crops follow their own detections"
        if args.fast:
            out_name = out_name.replace(".md", "_fast.md")
            described += "; `--fast` (lean first pass)"
        if args.pose_fps is not None or args.dense_stride is not None:
            out_name = out_name.replace(".md", f"_fps{config.pose_fps:g}_dense{config.dense_stride}.md")
            described += f"; first pass at {config.pose_fps:g} fps, full-rate pass on every " \
                         f"{config.dense_stride}. frame"
    else:
        work = Path(args.work)
        work.mkdir(parents=True, exist_ok=True)
        for app in ("VT", "FX", "BB", "UB"):
            for seed in (50_020, 50_021):
                d = work / f"{app.lower()}_{seed}"
                if not (d / "video.mp4").exists():
                    generate_routine(app, seed, size=(640, 360), fps=25, camera="broadcast", out_dir=d)
                videos.append((d / "video.mp4", d / "timeline.json"))
        described = "8 routines, seeds 50020-50021 per apparatus, broadcast camera, 640x360"
        out_name = "model_selection.md"
    out_name = out_name.replace(".md", f"{args.tag}.md")
    rows = []
    for pair in args.pairs:
        cn, sn, *mode = pair.split(":")
        full = mode != ["first-pass"]
        cls, seg = load_classifier("cpu", name=cn), load_segmenter("cpu", name=sn)
        pairs = [(analyze_video(v, segmenter=seg, classifier=cls, full_rate_elements=full,
                                config=config).timeline,
                  load_timeline(t)) for v, t in videos]
        r = evaluate_timelines(pairs)
        rows.append((cn, sn, "full rate" if full else "first pass", r["f1@50"], r["element_top1"],
                     r["d_score_mae"]))
        print(f"{cn} + {sn} ({rows[-1][2]}): F1@0.5 {r['f1@50']:.3f}, element top-1 "
              f"{r['element_top1']:.3f}, D MAE {r['d_score_mae']:.3f}", flush=True)
    lines = ["# Model selection on selection-seed videos", "",
             f"`bench/bench_model_selection.py` ({described}; BlazePose poses: `{default_estimator_id()}`).",
             "",
             "| classifier | segmenter | element poses | F1@0.5 | element top-1 | D-score MAE |",
             "| --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {c} | {s} | {p} | {f:.3f} | {t:.3f} | {m:.3f} |" for c, s, p, f, t, m in rows]
    (REPO / "bench" / "results" / out_name).write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
