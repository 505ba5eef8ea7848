"""``gymscore synth routine|dataset``: labelled synthetic routines (video, timeline, joints, camera)."""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import signal
import sys
from pathlib import Path

from gymscore.synth.camera import MODES
from gymscore.util.atomic import atomic_write_json
from gymscore.util.progress import ProgressLine

APPARATUS = ("VT", "FX", "BB", "UB")


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 640x360, got {text!r}") from None
    return w, h


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--size", type=_size, default=(640, 360), help="frame size WxH (default 640x360, max 1280x720)"
    )
    p.add_argument("--fps", type=int, default=25, choices=(25, 30, 50))
    p.add_argument("--camera", default="broadcast", choices=MODES)
    p.add_argument("--skeleton-only", action="store_true", help="write ground truth and joints, no video")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``synth`` command group."""
    p = sub.add_parser("synth", help="generate labelled synthetic routines (GymSynth)")
    ss = p.add_subparsers(dest="synth_command", metavar="SUBCOMMAND")
    r = ss.add_parser("routine", help="one routine into a folder")
    r.add_argument("--apparatus", required=True, choices=APPARATUS)
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--out", required=True, help="output folder")
    r.add_argument("--elements", default=None, help="comma-separated element ids, e.g. FX-094,FX-195")
    _common(r)
    r.set_defaults(func=run_routine)
    d = ss.add_parser("dataset", help="many routines, in parallel")
    d.add_argument("--n", type=int, required=True, help="number of routines")
    d.add_argument("--out", required=True, help="output folder (one sub-folder per routine + index.json)")
    d.add_argument("--workers", type=int, default=1)
    d.add_argument("--apparatus", default="VT,FX,BB,UB", help="comma-separated, cycled (default all four)")
    d.add_argument("--seed", type=int, default=0, help="seed of the first routine (then seed+1, ...)")
    _common(d)
    d.set_defaults(func=run_dataset)


def run_routine(args: argparse.Namespace) -> int:
    """Generate one routine and print where it went."""
    from gymscore.synth import generate_routine

    elements = [e.strip() for e in args.elements.split(",") if e.strip()] if args.elements else None
    line = ProgressLine()
    try:
        r = generate_routine(
            args.apparatus,
            args.seed,
            elements=elements,
            size=args.size,
            fps=args.fps,
            camera=args.camera,
            skeleton_only=args.skeleton_only,
            out_dir=args.out,
            progress=line,
        )
    finally:
        line.close()
    segs = r.timeline.segments
    print(
        f"{args.out}: {len(r.joints3d)} frames, {len(segs)} elements: "
        + ", ".join(s.element_id or "?" for s in segs)
    )
    return 0


def _job(job: tuple) -> tuple[int, str, int, int]:
    i, app, seed, out, size, fps, camera, skeleton_only = job
    from gymscore.synth import generate_routine

    folder = Path(out) / f"{i:05d}_{app}_s{seed}"
    r = generate_routine(
        app, seed, size=size, fps=fps, camera=camera, skeleton_only=skeleton_only, out_dir=folder
    )
    return i, folder.name, len(r.joints3d), len(r.timeline.segments)


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_dataset(args: argparse.Namespace) -> int:
    """Generate ``--n`` routines with a worker pool; Ctrl-C stops cleanly and keeps finished routines."""
    apps = [a.strip().upper() for a in args.apparatus.split(",") if a.strip()]
    bad = [a for a in apps if a not in APPARATUS]
    if bad or not apps:
        raise ValueError(f"--apparatus: unknown {', '.join(bad) or '(empty)'}; use VT, FX, BB, UB")
    if args.n < 1 or args.workers < 1:
        raise ValueError("--n and --workers must be at least 1")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    jobs = [
        (
            i,
            apps[i % len(apps)],
            args.seed + i,
            str(out),
            tuple(args.size),
            args.fps,
            args.camera,
            args.skeleton_only,
        )
        for i in range(args.n)
    ]
    done: list[dict] = []
    line = ProgressLine()
    frames = 0
    pool = multiprocessing.get_context().Pool(args.workers, initializer=_ignore_sigint)
    try:
        for i, name, n_frames, n_segs in pool.imap_unordered(_job, jobs):
            frames += n_frames
            done.append({"index": i, "folder": name, "frames": n_frames, "elements": n_segs})
            line(len(done), args.n, f"{len(done)}/{args.n} routines, {frames} frames")
        pool.close()
    except KeyboardInterrupt:
        pool.terminate()
        line.close()
        _write_index(out, done, args)
        finished = {d["folder"] for d in done}
        for j in jobs:
            folder = out / f"{j[0]:05d}_{j[1]}_s{j[2]}"
            if folder.name not in finished and folder.exists():
                shutil.rmtree(folder, ignore_errors=True)
        print(f"cancelled: kept {len(done)} finished routines in {out}", file=sys.stderr)
        return 130
    finally:
        pool.join()
    line.close()
    _write_index(out, done, args)
    print(f"{out}: {len(done)} routines, {frames} frames")
    return 0


def _write_index(out: Path, done: list[dict], args: argparse.Namespace) -> None:
    atomic_write_json(
        out / "index.json",
        {
            "generator": "gymscore.synth",
            "camera": args.camera,
            "fps": args.fps,
            "size": list(args.size),
            "skeleton_only": args.skeleton_only,
            "routines": sorted(done, key=lambda d: d["index"]),
        },
    )
