"""``gymscore import ...`` (FineGym files -> Timeline JSON) and ``gymscore export`` (Timeline -> CSV/JSON)."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from gymscore.timeline.finegym import CONNECTION_RULE, import_routines, import_split_file
from gymscore.timeline.io import load_timeline, save_timeline
from gymscore.util.progress import ProgressLine

_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``import`` and ``export`` commands."""
    imp = sub.add_parser("import", help="import annotation files as Timeline JSON")
    isub = imp.add_subparsers(dest="import_kind", metavar="KIND")
    r = isub.add_parser(
        "finegym-routines",
        help="a FineGym routine file (routines/val.json, test.json)",
        description=f"One Timeline JSON per routine. Connection rule: {CONNECTION_RULE}.",
    )
    r.add_argument("file", help="routine JSON file")
    r.add_argument("--out", required=True, help="output folder")
    r.add_argument("--strict", action="store_true", help="stop at the first unknown element name")
    r.set_defaults(func=run_import_routines)
    s = isub.add_parser(
        "finegym-split",
        help="an official split file (gym99_train_element_v1.1.txt ...)",
        description="One Timeline JSON per event; whole-second times; connections not inferred.",
    )
    s.add_argument("file", help="split file")
    s.add_argument("--out", required=True, help="output folder")
    s.add_argument("--label-space", choices=("gym99", "gym288"), default="gym99")
    s.add_argument("--fps", type=float, default=25.0, help="frame rate for seconds -> frames (default 25)")
    s.add_argument("--strict", action="store_true", help="stop at the first unknown Clabel")
    s.set_defaults(func=run_import_split)
    exp = sub.add_parser("export", help="export a Timeline as CSV (with its score) or JSON")
    exp.add_argument("timeline", help="Timeline JSON file")
    exp.add_argument("--csv", help="write a CSV here (one row per element, with counted/reason)")
    exp.add_argument("--json", help="write the (validated) Timeline JSON here")
    exp.add_argument("--no-score", action="store_true", help="leave the counted/reason columns empty")
    exp.add_argument("--vault-mode", choices=("single", "average"), default="single")
    exp.set_defaults(func=run_export)


def _write_all(timelines: list, out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    bar = ProgressLine()
    try:
        for i, tl in enumerate(timelines):
            name = _SAFE.sub("_", str(tl.video.path)) or f"routine_{i:05d}"
            save_timeline(tl, out / f"{name}.json")
            bar(i + 1, len(timelines), f"writing {name}.json")
    finally:
        bar.close()
    return len(timelines)


def run_import_routines(args: argparse.Namespace) -> int:
    """``gymscore import finegym-routines FILE --out DIR``."""
    bar = ProgressLine()
    try:
        tls, rep = import_routines(args.file, strict=args.strict, progress=bar)
    finally:
        bar.close()
    n = _write_all(tls, Path(args.out))
    by_app: dict[str, int] = {}
    for tl in tls:
        by_app[tl.apparatus] = by_app.get(tl.apparatus, 0) + 1
    print(f"imported {args.file}: {rep.summary()}")
    print("apparatus: " + ", ".join(f"{a} {c}" for a, c in sorted(by_app.items())))
    print(f"connection rule: {CONNECTION_RULE}")
    for u in rep.unknown_names[:20]:
        print(f"  unknown element name: {u}")
    if len(rep.unknown_names) > 20:
        print(f"  ... and {len(rep.unknown_names) - 20} more")
    print(f"wrote {n} timelines to {args.out}")
    return 0


def run_import_split(args: argparse.Namespace) -> int:
    """``gymscore import finegym-split FILE --out DIR``."""
    tls, rep = import_split_file(args.file, label_space=args.label_space, fps=args.fps, strict=args.strict)
    n = _write_all(tls, Path(args.out))
    print(
        f"imported {args.file} ({args.label_space}, {args.fps:g} fps): {rep.routines} events, "
        f"{rep.segments} sub-actions, {rep.overlaps_fixed} overlaps fixed, "
        f"{len(rep.unknown_names)} unknown Clabels; connections not inferred (whole-second times)"
    )
    print(f"wrote {n} timelines to {args.out}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    """``gymscore export TIMELINE --csv OUT [--json OUT]``."""
    if not args.csv and not args.json:
        print("gymscore export: give --csv OUT and/or --json OUT", file=sys.stderr)
        return 2
    tl = load_timeline(args.timeline)
    if args.json:
        save_timeline(tl, args.json)
        print(f"wrote {args.json}")
    if args.csv:
        from gymscore.codebook import default_codebook
        from gymscore.scoring import score
        from gymscore.timeline.export import export_csv

        cb = default_codebook()
        card = None if args.no_score else score(tl, codebook=cb, vault_mode=args.vault_mode)
        export_csv(tl, args.csv, card=card, codebook=cb)
        print(f"wrote {args.csv} ({len(tl.segments)} rows)")
    return 0
