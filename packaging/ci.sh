#!/usr/bin/env bash
# The packaging check in one command: packaging tests, a clean bundle build, the smoke test.
# Measured on the shared 2-core dev machine (2026-11-26): clean build 4.0 min (7.1 min under heavy load)
# + smoke 1.6 min; meant to run in CI after scripts/test.sh. Needs about 1 GB of disk.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
QT_QPA_PLATFORM=offscreen GYMSCORE_HOME="$(mktemp -d)" .venv/bin/python -m pytest -q -p no:cacheprovider \
  tests/test_packaging.py
SKIP_SETUP=1 bash packaging/build.sh --clean
bash packaging/smoke_test.sh "$@"
