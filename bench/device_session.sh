#!/usr/bin/env bash
# One session on a lent GPU machine (16 cores, one NVIDIA GPU): what only such a machine shows.
#   1. the CUDA tests (tests/test_cuda.py: float16 inference = CPU, real OOM fallback, AMP training)
#   2. classifier training throughput, CPU and CUDA with AMP off/on (bench/bench_train.py)
#   3. BlazePose training poses on all cores until a deadline: balanced GymSynth routines at 1280x720,
#      the first pass + full-rate pass of the analysis on each (scripts/synth_balanced_videos.py)
#   4. the analysis speed benchmark with the models on the GPU (bench/bench_analysis.py --device cuda),
#      with the default 2 pose workers and with one per core
# Results land in $OUT (8 files: what the device tool brings back); the log is the standard output.
# Wheels the machine lacks (MediaPipe, LiteRT, jsonschema) come in .whl/ when there.
# (.whl/, git-ignored: `pip download --no-deps --only-binary=:all: --python-version 3.12 --platform
#  manylinux2014_x86_64 -d .whl mediapipe==0.10.14 protobuf==4.25.9 jsonschema==4.26.0
#  jsonschema-specifications referencing rpds-py`, and with `--platform manylinux_2_27_x86_64`
#  ai-edge-litert==2.3.0, on a machine with an index.)
#   usage: OUT=folder bash bench/device_session.sh [SECONDS_FOR_POSES] 2>&1 | tee $OUT/session.log
# (SPEED_VIDEO=file skips rendering the 92 s speed routine; PY=python picks the interpreter)
set -u
T0=$(date +%s)
OUT=${OUT:-/tmp/device-out}
POSE_S=${1:-270}
mkdir -p "$OUT"
log() { echo "[$(( $(date +%s) - T0 )) s] $*"; }
PY=${PY:-python3}
if [ -d .whl ]; then
  $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
  export PYTHONPATH=/tmp/site:$PWD
else
  export PYTHONPATH=$PWD
fi
export PYTHONUNBUFFERED=1 GYMSCORE_HOME=/tmp/gs-home GYMSCORE_CACHE=/tmp/gs-cache
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1
$PY -c "from gymscore.features.pose import default_estimator_id; print('pose backend', default_estimator_id())" 2>&1
$PY -c "import sys, mediapipe, cv2, torch, numpy; print(sys.version.split()[0], 'mediapipe', mediapipe.__version__,
'cv2', cv2.__version__, 'torch', torch.__version__, 'cuda', torch.cuda.is_available(), 'numpy', numpy.__version__,
'cpus', __import__('os').cpu_count())" 2>&1

log "1. CUDA tests"
$PY -m pytest -q -p no:cacheprovider tests/test_cuda.py tests/test_models.py 2>&1 | tail -15

log "2. training throughput"
$PY bench/bench_train.py --device all --out "$OUT/bench_train_gpu.md" 2>&1 | tail -6

log "3. training poses on all cores for ${POSE_S} s (and the speed video)"
mkdir -p /tmp/speed /tmp/poses /tmp/shards
if [ -n "${SPEED_VIDEO:-}" ]; then
  echo "$SPEED_VIDEO" > /tmp/shards/speed.log; sleep 1 &
else
  SPEED_VIDEO=/tmp/speed/video.mp4
  $PY -c "
import sys; sys.path.insert(0, 'bench')
from pathlib import Path
from bench_analysis import make_long_video
print(make_long_video(Path('/tmp/speed')))" > /tmp/shards/speed.log 2>&1 &
fi
SPEED_PID=$!
N=$(( $(nproc) - 1 ))
UNTIL=$(( $(date +%s) + POSE_S - 60 ))
PIDS=()
for k in $(seq 0 $(( N - 1 ))); do
  OMP_NUM_THREADS=1 $PY scripts/synth_balanced_videos.py 4 /tmp/vid --seed 360000 --size 1280x720 \
    --poses /tmp/poses --shard "$k/$N" --until "$UNTIL" > "/tmp/shards/$k.log" 2>&1 &
  PIDS+=($!)
done
wait $SPEED_PID; log "speed video: $(tail -1 /tmp/shards/speed.log)"
while [ $(date +%s) -lt $(( UNTIL + 60 )) ] && kill -0 "${PIDS[@]}" 2>/dev/null; do sleep 2; done
kill "${PIDS[@]}" 2>/dev/null; sleep 1; pkill -f synth_balanced_videos 2>/dev/null; pkill -f multiprocessing 2>/dev/null
log "poses: $(ls /tmp/poses | grep -c '\.npz$') routines; $(ls /tmp/vid | wc -l) videos rendered"
grep -h -i "error\|Traceback" /tmp/shards/*.log | sort | uniq -c | head -5
tar czf "$OUT/poses.tgz" -C /tmp poses
tail -n 2 /tmp/shards/0.log

log "4. analysis speed, models on the GPU"
sleep 3
$PY bench/bench_analysis.py --speed-only --repeat 1 --video "$SPEED_VIDEO" --device "${DEVICE:-cuda}" \
  --out analysis_gpu 2>&1 | grep -v "^W0000\|^I0000\|^INFO" | tail -4
$PY bench/bench_analysis.py --speed-only --repeat 1 --video "$SPEED_VIDEO" --device "${DEVICE:-cuda}" --no-fast \
  --workers "$(nproc)" --out analysis_gpu_all_cores 2>&1 | grep -v "^W0000\|^I0000\|^INFO" | tail -2
cp bench/results/analysis_gpu*.md bench/results/analysis_gpu*.json "$OUT/" 2>/dev/null
log "done"
