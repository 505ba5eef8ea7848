"""Entry point of the ``gymscore`` command.

Command groups register themselves from ``gymscore.cli.cmd_*`` modules, each exposing
``register(subparsers)``; every sub-parser sets ``func(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from gymscore import __version__

COMMAND_MODULES = (
    "cmd_codebook",   # codebook check/show/search
    "cmd_timeline",   # import finegym-routines, export
    "cmd_score",      # score
    "cmd_synth",      # synth routine/dataset
    "cmd_data",       # data finegym status/download/prepare
    "cmd_train",      # train classifier/segmenter/export, eval
    "cmd_analyze",    # analyze, models list
    "cmd_demo",       # demo
    "cmd_gui",        # gui
)


class UserError(Exception):
    """An error caused by the user's input; printed without a traceback."""


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser."""
    parser = argparse.ArgumentParser(
        prog="gymscore",
        description=(
            "Recognise the elements of a women's artistic gymnastics routine and estimate its D-score."
        ),
    )
    parser.add_argument("--version", action="version", version=f"gymscore {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            mod = importlib.import_module(f"gymscore.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"gymscore.cli.{name}":
                continue
            raise
        mod.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not argv:
        # No arguments: open the desktop application when it is available.
        if "gui" in parser._subparsers._group_actions[0].choices:  # type: ignore[union-attr]
            argv = ["gui"]
        else:
            parser.print_help()
            return 0
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.parse_args([*argv, "--help"])
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("\ngymscore: cancelled", file=sys.stderr)
        return 130
    except (UserError, ValueError, OSError) as exc:
        print(f"gymscore: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
