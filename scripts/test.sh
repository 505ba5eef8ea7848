#!/usr/bin/env bash
# The whole test suite: set up, lint, then run pytest offscreen (no GPU, display or network needed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
export GYMSCORE_HOME="$(mktemp -d)"
.venv/bin/ruff check gymscore tests bench packaging
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
