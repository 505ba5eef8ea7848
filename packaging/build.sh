#!/usr/bin/env bash
# Build the one-folder desktop bundle into packaging/dist/gymscore and print its size and largest parts.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
start=$(date +%s)
.venv/bin/pyinstaller --noconfirm --clean --log-level WARN \
  --distpath packaging/dist --workpath packaging/build packaging/gymscore.spec
echo "build: $(( $(date +%s) - start )) s"
du -sh packaging/dist/gymscore
echo "ten largest parts:"
du -s packaging/dist/gymscore/_internal/* | sort -rn | head -10 | awk '{printf "%8.1f MB  %s\n", $1/1024, $2}'
