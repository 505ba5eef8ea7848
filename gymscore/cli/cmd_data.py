"""``gymscore data finegym status|download|prepare DIR``: the FineGym dataset in its official layout.
``gymscore data poses SRC OUT``: training routines from labelled videos, posed by the analysis's estimator."""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(subparsers: Any) -> None:
    data = subparsers.add_parser("data", help="datasets (FineGym)", description=__doc__)
    dsub = data.add_subparsers(dest="data_command", metavar="DATASET")
    fg = dsub.add_parser("finegym", help="FineGym: status, download, prepare")
    fsub = fg.add_subparsers(dest="finegym_command", metavar="ACTION")

    st = fsub.add_parser("status", help="what is present and missing in a FineGym folder")
    st.add_argument("dir", help="FineGym folder (annotations/, videos/, clips/)")
    st.add_argument("--json", action="store_true", help="print JSON")
    st.set_defaults(func=_status)

    dl = fsub.add_parser("download", help="official annotation files and videos (yt-dlp), resumable")
    dl.add_argument("dir")
    dl.add_argument("--no-videos", action="store_true", help="annotation files only")
    dl.add_argument("--limit", type=int, default=None, help="download at most N videos")
    dl.add_argument("--base-url", default=None, help="annotation mirror (default: the FineGym site)")
    dl.set_defaults(func=_download)

    pr = fsub.add_parser("prepare", help="cut sub-action clips (OpenCV) and index them")
    pr.add_argument("dir")
    pr.add_argument("--benchmark", choices=("gym99", "gym288"), default="gym99")
    pr.add_argument("--split", choices=("train", "val", "both"), default="both")
    pr.add_argument("--max-frames", type=int, default=32)
    pr.add_argument("--size", type=int, default=128, help="short side of cached frames in pixels")
    pr.add_argument("--limit", type=int, default=None, help="prepare at most N clips")
    pr.set_defaults(func=_prepare)

    po = dsub.add_parser(
        "poses",
        help="run the analysis pose estimator over labelled videos and save training routines",
        description="For every labelled video in SRC (GymSynth folders with video.mp4 + timeline.json, or "
        "NAME.mp4 + NAME.json pairs), write OUT/NAME.npz with the estimated pose track and the timeline; "
        "use OUT in a training config's data.train_dirs. Resumable: existing files are kept.",
    )
    po.add_argument("src", help="folder of labelled videos (e.g. from `gymscore synth dataset`)")
    po.add_argument("out", help="folder for the routine .npz files")
    po.add_argument("--no-cache", action="store_true", help="do not read or write the feature cache")
    po.set_defaults(func=_poses)

    for p, name in ((data, "data"), (fg, "finegym")):
        p.set_defaults(func=lambda args, p=p: (p.print_help(), 2)[1])
        del name


def _status(args: argparse.Namespace) -> int:
    from gymscore.data.finegym import status

    st = status(args.dir)
    if args.json:
        print(json.dumps(st, indent=2))
        return 0
    print(f"FineGym folder {st['root']}" + ("" if st["exists"] else " (does not exist)"))
    for name, ok in st["annotation_files"].items():
        print(f"  {'present' if ok else 'MISSING':8} annotations/{name}")
    for k, n in st["split_lines"].items():
        print(f"  {k}: {n} sub-actions")
    if not st["videos_folder"]:
        print("  MISSING  videos/ folder")
    print(
        f"  videos: {st['videos_present']} present, {st['videos_missing']} missing of {st['videos_wanted']}"
        + (f", {len(st['videos_unavailable'])} unavailable on YouTube" if st["videos_unavailable"] else "")
    )
    print(f"  prepared clips: {st['clips_prepared']}")
    return 0


def _download(args: argparse.Namespace) -> int:
    from gymscore.data.finegym import download
    from gymscore.util.progress import ProgressLine

    bar = ProgressLine()
    try:
        s = download(
            args.dir, videos=not args.no_videos, limit=args.limit, base_url=args.base_url, progress=bar
        )
    finally:
        bar.close()
    print(
        f"annotation files fetched: {len(s['annotations_fetched'])}; "
        f"videos fetched: {len(s['videos_fetched'])}"
    )
    if s["videos_unavailable"]:
        print(
            f"unavailable videos ({len(s['videos_unavailable'])}, listed in videos/unavailable.txt): "
            + ", ".join(s["videos_unavailable"][:20])
        )
    return 0


def _prepare(args: argparse.Namespace) -> int:
    from gymscore.data.finegym import prepare
    from gymscore.util.progress import ProgressLine

    splits = ("train", "val") if args.split == "both" else (args.split,)
    bar = ProgressLine()
    try:
        s = prepare(args.dir, args.benchmark, splits, args.max_frames, args.size, args.limit, progress=bar)
    finally:
        bar.close()
    print(
        f"clips made: {s['clips_made']}; indexed: {s['clips_indexed']}; "
        f"videos missing: {len(s['videos_missing'])}"
    )
    return 0


def _poses(args: argparse.Namespace) -> int:
    from gymscore.data.estimated import estimate_folder, summarise
    from gymscore.util.progress import ProgressLine

    bar = ProgressLine()
    try:
        paths = estimate_folder(args.src, args.out, use_cache=not args.no_cache, progress=bar)
    finally:
        bar.close()
    s = summarise(paths)
    print(
        f"{s['routines']} routines ({s['frames']} frames) in {args.out}; "
        f"gymnast found in {100 * s['mean_found_rate']:.0f}% of frames on average"
    )
    return 0
