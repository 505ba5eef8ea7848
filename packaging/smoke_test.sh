#!/usr/bin/env bash
# Smoke test of the frozen bundle against the unfrozen code (same checkout, same .venv):
#   1. --version (and `-m gymscore --version`, the form the GUI's training page uses) match;
#   2. `score --json` of the demo's ground-truth timeline: frozen == unfrozen, field by field;
#   3. `analyze VIDEO --json --no-cache`: frozen == unfrozen, field by field (packaging/compare_json.py),
#      with the default pose backend and with `--pose-backend mediapipe`;
#   4. `gui --self-test VIDEO` offscreen: the real window opens the video, analyses it, exits 0;
#   5. training as the GUI's training page starts it (`-m gymscore train classifier --config` with the
#      bundled config, one tiny epoch) and `train export` (frozen only: torch parts left out are missed here).
# Usage: bash packaging/smoke_test.sh [VIDEO]   (default: the smallest demo video in resources/demo)
# Env: GYMSCORE_BIN (default packaging/dist/gymscore/gymscore). A fresh GYMSCORE_HOME is used; when no
# shipped weights exist (resources/models), tiny untrained ones are installed there for both runs.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN="${GYMSCORE_BIN:-packaging/dist/gymscore/gymscore}"
PY=.venv/bin/python
SRC=.venv/bin/gymscore
[ -x "$BIN" ] || { echo "smoke: $BIN not found; build first: bash packaging/build.sh" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export GYMSCORE_HOME="$work/home" QT_QPA_PLATFORM=offscreen GLOG_minloglevel=2 TF_CPP_MIN_LOG_LEVEL=2
fails=0
t_all=$(date +%s)

quiet_err() {  # the interesting part of a failed step's stderr (MediaPipe/TFLite chatter removed)
  grep -v -e '^W0000' -e '^I0000' -e '^INFO: ' -e 'absl::InitializeLog' -e 'propagateSizeHints' "$1" | tail -n 15
}
step() {  # step NAME COMMAND...: run, time, report PASS/FAIL
  local name=$1 t0 rc
  shift
  t0=$(date +%s)
  "$@" >"$work/out" 2>"$work/err"
  rc=$?
  if [ $rc = 0 ]; then
    echo "PASS  $name  ($(( $(date +%s) - t0 )) s)"
  else
    echo "FAIL  $name  (exit $rc, $(( $(date +%s) - t0 )) s)"
    sed 's/^/      /' "$work/out" | tail -n 20
    quiet_err "$work/err" | sed 's/^/      /'
    fails=$((fails + 1))
  fi
}

# --- the video and its ground truth ------------------------------------------------------------
video="${1:-}"
truth=""
if [ -z "$video" ]; then
  read -r video truth < <($PY - <<'EOF'
from gymscore.cli.cmd_demo import demo_dir, find_demos
demos = sorted(find_demos(demo_dir()), key=lambda d: d[1].stat().st_size)
print(f"{demos[0][1]} {demos[0][2] or ''}" if demos else "")
EOF
)
fi
if [ -z "$video" ]; then
  echo "smoke: no demo routine in resources/demo; rendering one with GymSynth"
  $SRC synth routine --apparatus VT --seed 1 --out "$work/demo" >/dev/null 2>&1 || { echo "smoke: synth failed"; exit 2; }
  video="$work/demo/video.mp4"
  truth="$work/demo/timeline.json"
fi
built_from="$(cat "$(dirname "$(dirname "$BIN")")/gymscore.source-hash" 2>/dev/null || echo unknown)"
if [ "$built_from" != "$(bash packaging/source_hash.sh)" ]; then
  echo "smoke: NOTE: the working tree changed since this bundle was built (or its build stamp is missing);"
  echo "       differences below may be code changes, not packaging faults: rebuild to be sure"
fi
echo "smoke: bundle $BIN ($(du -sm "$(dirname "$BIN")" | cut -f1) MB); video $video"

# --- weights -----------------------------------------------------------------------------------
if ! $PY -c "
from gymscore.models.manifest import find_model
find_model('segmenter'); find_model('classifier')" >/dev/null 2>&1; then
  echo "smoke: NOTE: no shipped weights in resources/models; using tiny untrained ones (results mean nothing)"
  $PY packaging/tiny_models.py "$GYMSCORE_HOME/models" >/dev/null || { echo "smoke: tiny models failed"; exit 2; }
fi

# --- 1. version --------------------------------------------------------------------------------
check_version() {
  local want got got_m
  want="$($SRC --version)"; got="$("$BIN" --version)"; got_m="$("$BIN" -m gymscore --version)"
  echo "source: $want; frozen: $got; frozen -m gymscore: $got_m"
  [ "$want" = "$got" ] && [ "$want" = "$got_m" ]
}
step "--version: $("$BIN" --version 2>&1)" check_version

# --- 2. score of the ground-truth timeline -------------------------------------------------------
if [ -n "$truth" ]; then
  compare_score() {
    "$BIN" score "$truth" --json >"$work/score.frozen.json" && $SRC score "$truth" --json >"$work/score.src.json" \
      && $PY packaging/compare_json.py "$work/score.src.json" "$work/score.frozen.json"
  }
  step "score --json (ground truth): frozen == unfrozen" compare_score
fi

# --- 3. analyze ----------------------------------------------------------------------------------
compare_analyze() {
  local t0 t1 t2
  t0=$(date +%s)
  "$BIN" analyze "$video" --json --no-cache --quiet >"$work/frozen.json" || { echo "frozen analyze failed"; return 1; }
  t1=$(date +%s)
  $SRC analyze "$video" --json --no-cache --quiet >"$work/source.json" || { echo "source analyze failed"; return 1; }
  t2=$(date +%s)
  echo "analyze: frozen $((t1 - t0)) s, unfrozen $((t2 - t1)) s" >&2
  $PY packaging/compare_json.py "$work/source.json" "$work/frozen.json"
}
step "analyze --json: frozen == unfrozen" compare_analyze
sed 's/^/      /' "$work/out" | tail -n 1
$PY - "$work/frozen.json" <<'EOF' 2>/dev/null | sed 's/^/      /'
import json, sys
d = json.load(open(sys.argv[1]))
s = d.get("score") or {}
print(f"apparatus {d['apparatus']}, {len(d['timeline']['segments'])} elements, D {s.get('d_score')}, "
      f"pose found in {d['pose']['found']:.0%} of frames, device {d['device']}")
EOF

# --- 3b. the other pose backend (MediaPipe's solution): frozen == unfrozen ------------------------
compare_mediapipe() {
  "$BIN" analyze "$video" --json --no-cache --quiet --pose-backend mediapipe >"$work/frozen_mediapipe.json" \
    || { echo "frozen analyze --pose-backend mediapipe failed"; return 1; }
  $SRC analyze "$video" --json --no-cache --quiet --pose-backend mediapipe >"$work/source_mediapipe.json" \
    || { echo "source analyze --pose-backend mediapipe failed"; return 1; }
  $PY packaging/compare_json.py "$work/source_mediapipe.json" "$work/frozen_mediapipe.json"
}
step "analyze --pose-backend mediapipe: frozen == unfrozen" compare_mediapipe

# --- 4. GUI self-test -----------------------------------------------------------------------------
# A fresh feature cache: the window's worker thread runs the pose estimator itself.
step "gui --self-test (offscreen)" env GYMSCORE_CACHE="$work/gui-cache" "$BIN" gui --self-test "$video"
grep -h "self-test" "$work/out" "$work/err" | sed 's/^/      /'

# --- 5. training from the bundle ------------------------------------------------------------------
train_and_export() {
  local config
  config="$(dirname "$BIN")/_internal/configs/classifier_skeleton.yaml"
  [ -f "$config" ] || { echo "bundled training config missing: $config"; return 1; }
  "$BIN" -m gymscore train classifier --run-dir "$work/run" --config "$config" optim.epochs=1 \
    "data.apparatus=[VT]" data.train_routines=1 "data.train_cameras=[broadcast]" data.val_routines=1 \
    progress=false optim.batch_size=8 && "$BIN" train export "$work/run" --name smoke-run
}
step "train classifier (1 tiny epoch) + export, from the bundle" train_and_export

echo "smoke: $([ $fails = 0 ] && echo "all passed" || echo "$fails FAILED") in $(( $(date +%s) - t_all )) s"
[ $fails = 0 ]
