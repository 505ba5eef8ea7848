"""Frozen entry point: one executable serves the GUI (no arguments, or ``gui``) and the command line.

The GUI's training page starts ``sys.executable -m gymscore train ...``; in the bundle
``sys.executable`` is this program, so a leading ``-m gymscore`` is dropped and the rest runs as the
command line would.
"""

import multiprocessing
import sys

from gymscore.cli.main import main


def frozen_argv(argv: list[str]) -> list[str]:
    """The command-line arguments without a leading ``-m gymscore`` (or ``-m gymscore.cli.main``)."""
    if len(argv) >= 2 and argv[0] == "-m" and argv[1] in ("gymscore", "gymscore.cli.main"):
        return argv[2:]
    return argv


if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main(frozen_argv(sys.argv[1:])))
