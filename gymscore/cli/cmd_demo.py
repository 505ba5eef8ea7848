"""``gymscore demo``: analyse the bundled demo routine(s), compare with their ground truth, open the GUI.

A demo routine is a video in ``resources/demo/`` with its ground-truth timeline beside it: a folder
holding ``video.*`` and ``timeline.json`` (GymSynth's layout), or ``NAME.mp4`` with ``NAME.json`` /
``NAME.timeline.json``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from gymscore.cli.main import UserError

VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv", ".avi", ".webm", ".gif")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``demo`` command."""
    p = sub.add_parser("demo", help="analyse the bundled demo routine(s) and compare with the ground truth")
    p.add_argument("--no-gui", action="store_true", help="do not open the desktop application afterwards")
    p.add_argument("--device", choices=("auto", "cpu", "cuda", "mps"), default="auto")
    p.add_argument("--only", metavar="NAME", help="only the demo routine whose name contains NAME")
    p.set_defaults(func=run_demo)


def demo_dir() -> Path:
    from gymscore.paths import resource_path  # noqa: PLC0415

    return resource_path("resources", "demo")


def find_demos(folder: Path) -> list[tuple[str, Path, Path | None]]:
    """(name, video, ground-truth timeline or None) of every demo routine under ``folder``."""
    out = []
    if not folder.is_dir():
        return out
    for video in sorted(p for p in folder.rglob("*") if p.suffix.lower() in VIDEO_SUFFIXES and p.is_file()):
        candidates = [video.with_suffix(".json"), video.with_name(video.stem + ".timeline.json")]
        if video.stem == "video":
            candidates.insert(0, video.with_name("timeline.json"))
        truth = next((c for c in candidates if c.is_file()), None)
        name = video.parent.name if video.stem == "video" else video.stem
        out.append((name, video, truth))
    return out


def compare_timelines(pred: Any, truth: Any, overlap: float = 0.5) -> dict[str, Any]:
    """F1@overlap of segments (same set), element accuracy over the true elements, D-score difference.

    A true element counts as recognised when the predicted segment overlapping it most (tIoU >=
    ``overlap``) carries the same element id.
    """
    from gymscore.scoring import score  # noqa: PLC0415
    from gymscore.train.metrics import iou_1d, segment_f1  # noqa: PLC0415

    p = [(s.start_frame, s.end_frame, s.set_id) for s in pred.segments]
    t = [(s.start_frame, s.end_frame, s.set_id) for s in truth.segments]
    correct = 0
    for ts in truth.segments:
        best, best_iou = None, 0.0
        for ps in pred.segments:
            iou = iou_1d((ps.start_frame, ps.end_frame), (ts.start_frame, ts.end_frame))
            if iou > best_iou:
                best, best_iou = ps, iou
        if best is not None and best_iou >= overlap and best.element_id == ts.element_id:
            correct += 1
    d_pred = score(pred).d_score
    d_true = score(truth).d_score
    return {
        "f1": segment_f1(p, t, overlap),
        "element_accuracy": correct / len(truth.segments) if truth.segments else 0.0,
        "elements_true": len(truth.segments),
        "elements_found": len(pred.segments),
        "d_score": d_pred,
        "d_score_true": d_true,
        "d_score_diff": round(d_pred - d_true, 3),
        "apparatus_ok": pred.apparatus == truth.apparatus,
    }


def _check_models() -> None:
    from gymscore.models.manifest import ManifestError, find_model  # noqa: PLC0415

    missing = []
    for task in ("segmenter", "classifier"):
        try:
            find_model(task)
        except ManifestError as exc:
            missing.append(str(exc))
    if missing:
        raise UserError("the demo needs trained models, and they are missing: " + "; ".join(missing)
                        + " (train and export them with `gymscore train ...`, see README)")


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_demo(args: argparse.Namespace, **injected: Any) -> int:
    """Analyse every demo routine, print its timeline, score card and comparison; then the GUI."""
    from gymscore.cli.cmd_analyze import cancel_on_interrupt, element_table  # noqa: PLC0415
    from gymscore.pipeline import analyze_video  # noqa: PLC0415
    from gymscore.scoring import format_card  # noqa: PLC0415
    from gymscore.timeline import describe_lost, load_timeline  # noqa: PLC0415
    from gymscore.util.progress import Cancelled, CancelToken, ProgressLine  # noqa: PLC0415

    folder = getattr(args, "demo_dir", None) or demo_dir()
    demos = [d for d in find_demos(Path(folder)) if not args.only or args.only in d[0]]
    if not demos:
        raise UserError(f"no demo routine found in {folder}: expected a video with its ground-truth "
                        "timeline (GymSynth writes them with `gymscore synth routine`)")
    if not injected:
        _check_models()
    last_project = None
    token = CancelToken()
    for name, video, truth_path in demos:
        print(f"=== demo routine {name}: {video.name} ===")
        line = ProgressLine(sys.stderr)
        try:
            with cancel_on_interrupt(token):
                result = analyze_video(video, device=args.device, progress=line, cancel=token, **injected)
        except Cancelled:
            line.close()
            print("gymscore: demo cancelled", file=sys.stderr)
            return 130
        line.close()
        tl = result.timeline
        for w in result.warnings:
            print(f"warning: {w}", file=sys.stderr)
        print(f"apparatus {tl.apparatus}; gymnast found in {result.features.found_rate:.0%} of frames; "
              f"analysed in {sum(v for k, v in result.timings.items() if '.' not in k):.1f} s")
        if (lost := describe_lost(tl)) is not None:
            print(lost)
        print(element_table(tl))
        print()
        if result.scorecard is not None:
            print(format_card(result.scorecard))
        if truth_path is not None:
            truth = load_timeline(truth_path)
            c = compare_timelines(tl, truth)
            print(f"\nagainst the ground truth ({truth_path.name}): F1@0.5 {c['f1']:.2f}, element accuracy "
                  f"{c['element_accuracy']:.2f} ({c['elements_found']} found, {c['elements_true']} true), "
                  f"D {c['d_score']:.2f} vs {c['d_score_true']:.2f} (difference {c['d_score_diff']:+.2f})"
                  + ("" if c["apparatus_ok"] else f", apparatus {tl.apparatus} vs {truth.apparatus}"))
        else:
            print("\n(no ground-truth timeline beside this video)")
        print()
        last_project = _save_project(tl, name)
    if not args.no_gui and has_display() and last_project is not None:
        from gymscore.cli.main import main  # noqa: PLC0415

        print(f"opening the desktop application on {last_project}")
        return main(["gui", str(last_project)])
    return 0


def _save_project(timeline: Any, name: str) -> Path | None:
    """Save the analysed timeline as a project the GUI can open (None if that is not possible)."""
    from gymscore.paths import user_data_dir  # noqa: PLC0415

    try:
        from gymscore.gui.project import Project, save_project  # noqa: PLC0415
    except ImportError:
        return None
    path = user_data_dir() / "demo" / f"{name}.gymproj"
    try:
        save_project(Project(timeline), path)
    except OSError as exc:  # (a full disk): the printed analysis stands; the app opens none of it
        print(f"warning: the project {path} could not be saved: {exc}", file=sys.stderr)
        return None
    return path
