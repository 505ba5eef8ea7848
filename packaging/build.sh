#!/usr/bin/env bash
# Build the one-folder desktop bundle into packaging/dist/gymscore and print its size and largest parts.
#   bash packaging/build.sh            # incremental (PyInstaller reuses packaging/build/ when it can)
#   bash packaging/build.sh --clean    # from scratch (what CI does)
# Env: NICE=5 (niceness of the build), SKIP_SETUP=1 (do not run scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${SKIP_SETUP:-0}" = 1 ] || bash scripts/setup.sh
clean=()
if [ "${1:-}" = "--clean" ]; then clean=(--clean); rm -rf packaging/build packaging/dist; fi
start=$(date +%s)
source_hash="$(bash packaging/source_hash.sh)"  # of the tree as the build reads it
nice -n "${NICE:-5}" .venv/bin/pyinstaller --noconfirm "${clean[@]}" --log-level WARN \
  --distpath packaging/dist --workpath packaging/build packaging/gymscore.spec
dist=packaging/dist/gymscore
# Strip the three big libraries that ship with their symbols (libtorch_cpu.so 415 -> 329 MB); not all
# libraries: stripping numpy's auditwheel-patched OpenBLAS breaks it. Linux only (macOS: codesigned).
if [ "$(uname -s)" = Linux ] && command -v strip >/dev/null 2>&1; then
  for lib in "$dist"/_internal/torch/lib/libtorch_cpu.so "$dist"/_internal/torch/lib/libtorch_python.so \
             "$dist"/_internal/mediapipe/python/_framework_bindings*.so; do
    [ -f "$lib" ] && strip "$lib"
  done
fi
chmod -R a+rX "$dist"  # some resources are written 0600 (atomic saves); installed copies must be readable
echo "$source_hash" > packaging/dist/gymscore.source-hash  # smoke_test.sh warns when the tree changed since
echo "build: $(( $(date +%s) - start )) s"
bash packaging/size_report.sh packaging/dist/gymscore
