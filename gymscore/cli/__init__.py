"""The ``gymscore`` command line. Each command group lives in its own ``cmd_*`` module."""
