"""``gymscore gui [VIDEO|PROJECT]``: open the desktop application."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "gui",
        help="open the desktop application",
        description="Open the desktop application, optionally on a video or project.",
    )
    p.add_argument("path", nargs="?", help="a video file or a .gymproj project to open")
    p.add_argument(
        "--quit-after", type=float, default=0.0, metavar="SECONDS", help=argparse.SUPPRESS
    )  # smoke tests: close the window after this many seconds
    p.add_argument(
        "--self-test", action="store_true",
        help="open the video (default: the demo routine), analyse it in the window, exit 0 on success",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.path and not Path(args.path).exists():
        raise FileNotFoundError(f"{args.path}: no such file")
    try:
        from gymscore.gui.app import run as run_app
        if getattr(args, "self_test", False):
            from gymscore.gui.selftest import run_self_test

            return run_self_test(args.path)
    except ImportError as exc:  # Qt libraries missing on this system
        raise OSError(f"the desktop application cannot start: {exc}") from exc
    return run_app(args.path, int(args.quit_after * 1000))
