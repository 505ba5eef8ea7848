"""Frozen entry point: one executable serves the GUI and the command line."""

import multiprocessing
import sys

from gymscore.cli.main import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
