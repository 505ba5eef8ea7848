#!/usr/bin/env bash
# The main job on the bundled demo routine: set up, analyse, print the timeline and score card,
# then open the desktop application when a display exists.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/gymscore demo "$@"
