"""``gymscore analyze VIDEO``: the analysed timeline and its score card; ``gymscore models list``."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from contextlib import contextmanager
from typing import Any

from gymscore.cli.main import UserError
from gymscore.features.pose import POSE_BACKENDS
from gymscore.util.progress import Cancelled, CancelToken, ProgressLine


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``analyze`` and ``models`` commands."""
    p = sub.add_parser("analyze", help="recognise the elements of a routine video and estimate its D-score")
    p.add_argument("video", help="video file (mp4, mov, mkv, avi, webm, gif)")
    p.add_argument("--apparatus", choices=("VT", "FX", "BB", "UB"), default=None,
                   help="the apparatus (default: recognised from the video)")
    p.add_argument("--device", choices=("auto", "cpu", "cuda", "mps"), default="auto",
                   help="where the models run (default: CUDA, then MPS, then CPU)")
    p.add_argument("--out", metavar="FILE", help="also save the timeline as JSON to FILE")
    p.add_argument("--json", action="store_true", help="print timeline, score card and facts as JSON")
    p.add_argument("--no-cache", action="store_true", help="recompute the video features even if cached")
    p.add_argument("--pose-fps", type=float, default=None,
                   help="run the pose estimator at about this rate (default 10; in between: interpolated)")
    p.add_argument("--first-pass-only", action="store_true",
                   help="classify the elements on the first pass's poses (made thorough, as it then "
                        "decides alone; twists and turns are counted less well) instead of estimating "
                        "every frame of each element again")
    p.add_argument("--fast", action="store_true",
                   help="a lean first pass (about one pose call a frame; frames where she was just lost "
                        "are skipped) on videos at least 640 px high: about a fifth faster, less "
                        "accurate (figures in the README)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="pose worker processes (threads for the torch backend, unless "
                        "$GYMSCORE_POSE_CLIENTS=processes) for videos of 20 s or "
                        "more (default 2; 0: one per CPU core). More are faster; each process takes "
                        "about 0.7 GB of memory, and each tracks its own stretch of the video, so the "
                        "results change a little with N (as accurate with 16 as with 2 on 36 held-out "
                        "routines: README)")
    p.add_argument("--pose-backend", choices=POSE_BACKENDS, default=None,
                   help="how BlazePose runs: torch (the same networks in torch, frames batched across "
                        "threads; the default when the device is a CUDA GPU: on an H200 machine 8.4 s "
                        "on the 92 s routine, against 23.7 s with the pose on the CPU), litert (the "
                        "default otherwise: its networks directly on the CPU, about 1.6 times faster "
                        "end to end than mediapipe) or mediapipe (MediaPipe's pose solution); figures "
                        "in the README")
    p.add_argument("--quiet", action="store_true", help="no progress line")
    p.set_defaults(func=run_analyze)

    m = sub.add_parser("models", help="installed model weights and their manifests")
    msub = m.add_subparsers(dest="models_command", metavar="ACTION")
    ml = msub.add_parser("list", help="list installed models")
    ml.add_argument("--json", action="store_true", help="as a JSON list")
    ml.set_defaults(func=run_models_list)


@contextmanager
def cancel_on_interrupt(token: CancelToken):
    """Ctrl-C asks the running analysis to stop at its next check; a second Ctrl-C interrupts at once."""
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum: int, frame: Any) -> None:
        if token.cancelled:
            raise KeyboardInterrupt
        token.cancel()

    try:
        signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def element_table(timeline: Any, codebook: Any = None) -> str:
    """A plain table of the timeline: time, element id and name, value, confidence, connection; the
    segments' notes (why the model scored a leaf other than its likeliest one) follow, numbered."""
    if codebook is None:
        from gymscore.codebook import default_codebook  # noqa: PLC0415

        codebook = default_codebook()
    rows = [("time", "element", "value", "conf")]
    notes: list[str] = []
    for s in timeline.segments:
        t0, t1 = timeline.frame_to_seconds(s.start_frame), timeline.frame_to_seconds(s.end_frame)
        name, value = "?", "-"
        if s.element_id and s.element_id in codebook:
            e = codebook.get(s.element_id)
            name = e.name if len(e.name) <= 50 else e.name[:47] + "..."
            value = f"{e.value_letter or ''} {e.value:.2f}".strip()
        link = " +" if s.connected_to_next else ""
        label = f"{s.element_id or '-'} {name}{link}"
        if s.note:
            notes.append(f"[{len(notes) + 1}] {s.element_id}: {s.note}")
        mark = f" [{len(notes)}]" if s.note else ""
        rows.append((f"{t0:6.2f}-{t1:6.2f}s", label, value, f"{s.confidence:.2f}{mark}"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines + notes)


def result_to_json(result: Any) -> dict[str, Any]:
    """The JSON printed by ``analyze --json``."""
    from gymscore.timeline import lost_stretches, to_dict  # noqa: PLC0415

    f, tl = result.features, result.timeline
    lost = [[round(tl.frame_to_seconds(a), 3), round(tl.frame_to_seconds(b), 3)]
            for a, b in lost_stretches(tl)]
    return {
        "timeline": to_dict(result.timeline),
        "score": result.scorecard.to_dict() if result.scorecard is not None else None,
        "apparatus": result.timeline.apparatus,
        "apparatus_probs": result.apparatus_probs,
        "pose": {"estimator": f.estimator, "detected": f.detection_rate, "found": f.found_rate,
                 "stride": f.stride, "from_cache": f.from_cache, "lost_seconds": lost},
        "device": result.device,
        "timings": {k: round(v, 4) for k, v in result.timings.items()},
        "warnings": result.warnings,
    }


def run_analyze(args: argparse.Namespace, **injected: Any) -> int:
    """Analyse, print, optionally save. ``injected``: runners/estimator for tests."""
    from gymscore.features.extract import ExtractConfig  # noqa: PLC0415
    from gymscore.features.pose import PoseBackendError  # noqa: PLC0415
    from gymscore.pipeline import analyze_video  # noqa: PLC0415

    token = CancelToken()
    line = None if args.quiet else ProgressLine(sys.stderr)
    config = ExtractConfig(pose_fps=args.pose_fps) if args.pose_fps else None
    try:
        with cancel_on_interrupt(token):
            result = analyze_video(args.video, apparatus=args.apparatus, device=args.device, progress=line,
                                   cancel=token, config=config, use_cache=not args.no_cache,
                                   full_rate_elements=not args.first_pass_only,
                                   fast=getattr(args, "fast", False), workers=getattr(args, "workers", None),
                                   pose_backend=getattr(args, "pose_backend", None), **injected)
    except Cancelled:
        if line:
            line.close()  # end the progress line before the message
        print("gymscore: analysis cancelled", file=sys.stderr)
        return 130
    except PoseBackendError as exc:
        raise UserError(str(exc)) from None
    finally:
        if line:
            line.close()
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    unsaved = None
    if args.out:
        from gymscore.timeline import save_timeline  # noqa: PLC0415

        try:
            save_timeline(result.timeline, args.out)
            print(f"timeline saved to {args.out}", file=sys.stderr)
        except OSError as exc:  # (a full disk): the analysis is still printed below, not lost
            unsaved = exc
    if args.json:
        print(json.dumps(result_to_json(result), indent=2, ensure_ascii=False))
    else:
        print(format_result(result))
    if unsaved is not None:
        print(f"gymscore: error: the timeline was not saved: {unsaved}", file=sys.stderr)
        return 1
    return 0


def format_result(result: Any) -> str:
    """Timeline table, score card and pose facts as text."""
    from gymscore.timeline import describe_lost  # noqa: PLC0415

    tl = result.timeline
    probs = ", ".join(f"{a} {p:.2f}" for a, p in sorted(result.apparatus_probs.items(), key=lambda t: -t[1]))
    source = tl.metadata.get("analysis", {}).get("apparatus_source", "model")
    head = [
        f"{tl.video.path}: {tl.video.frame_count} frames at {tl.video.fps:g} fps ({tl.video.duration:.1f} s)",
        f"apparatus {tl.apparatus} ({'given' if source == 'user' else 'recognised: ' + probs})",
        f"gymnast found in {result.features.found_rate:.0%} of frames "
        f"(detected in {result.features.detection_rate:.0%} of the frames looked at)",
        *([lost] if (lost := describe_lost(tl)) else []),
        "",
        element_table(tl),
        "",
    ]
    if result.scorecard is not None:
        from gymscore.scoring import format_card  # noqa: PLC0415

        head.append(format_card(result.scorecard))
    return "\n".join(head)


def run_models_list(args: argparse.Namespace) -> int:
    """Print the installed models (user folder first, then the shipped ones)."""
    from gymscore.models.manifest import list_installed, selected_models  # noqa: PLC0415

    installed = list_installed()
    selected = selected_models()
    rows = []
    for origin, m in installed:
        chosen = selected.get(m.task, "")
        rows.append({
            "name": m.name, "task": m.task, "architecture": m.architecture, "origin": origin,
            "path": str(m.weights_path), "sha256": m.sha256, "metrics": m.metrics,
            "default": m.default, "selected": chosen == m.name,
            # a selected ensemble "a+b" averages these models
            "in_selected_ensemble": "+" in chosen and m.name in chosen.split("+"),
            "weights_present": m.weights_path.is_file(),
        })
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        from gymscore.paths import shipped_models_dir, user_models_dir  # noqa: PLC0415

        print(f"no models installed (looked in {user_models_dir()} and {shipped_models_dir()})")
        return 0
    for r in rows:
        mark = " [selected]" if r["selected"] else (" [default]" if r["default"] else "")
        if r["in_selected_ensemble"]:
            mark += f" [averaged in the selected {selected[r['task']]}]"
        metrics = ", ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
                            for k, v in r["metrics"].items() if not isinstance(v, dict | list))
        missing = "" if r["weights_present"] else "  (weights file missing)"
        print(f"{r['task']:10s} {r['name']}{mark}  {r['architecture']}  ({r['origin']}){missing}")
        print(f"           {r['path']}  sha256 {r['sha256'][:12] or '-'}")
        if metrics:
            print(f"           {metrics}")
    return 0
