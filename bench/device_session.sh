#!/usr/bin/env bash
# One session on a lent GPU machine (16 cores, one NVIDIA GPU): what only such a machine shows.
#   1. the CUDA tests (tests/test_cuda.py: float16 inference = CPU, real OOM fallback, AMP training,
#      BlazePose's networks replayed by torch on the GPU = LiteRT), while the 92 s speed routine renders
#   2. the analysis speed benchmark on the GPU (bench/bench_analysis.py --device cuda): the models and
#      BlazePose's networks on the GPU (the torch pose backend: 2 tracking threads, the default, their
#      network calls batched, CUDA graphs), 3 fresh-process runs -> bench/results/analysis_gpu.md;
#      one thread per core, 1 run -> analysis_gpu_all_threads.md
#   3. the same with the CPU pose backend (LiteRT, one worker process per core), 1 run, for the ratio
#      -> bench/results/analysis_gpu_litert.md
# Results land in $OUT (what the device tool brings back); the log is the standard output.
# Wheels the machine lacks (MediaPipe, LiteRT, tflite, jsonschema) come in .whl/ when there.
# (.whl/, git-ignored: `pip download --no-deps --only-binary=:all: --python-version 3.12 --platform
#  manylinux2014_x86_64 -d .whl mediapipe==0.10.14 protobuf==4.25.9 jsonschema==4.26.0
#  jsonschema-specifications referencing rpds-py tflite==2.18.0`, and with `--platform
#  manylinux_2_27_x86_64` ai-edge-litert==2.3.0, on a machine with an index.)
#   usage: OUT=folder bash bench/device_session.sh 2>&1 | tee $OUT/session.log
#   device tool: run(command="OUT=$OUT bash bench/device_session.sh", carry=[".whl"], timeout_s=540)
# (SPEED_VIDEO=file skips rendering the 92 s speed routine; PY=python picks the interpreter)
set -u
T0=$(date +%s)
OUT=${OUT:-/tmp/device-out}
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
$PY -c "import sys, cv2, torch, numpy; print(sys.version.split()[0], 'cv2', cv2.__version__, 'torch',
torch.__version__, 'cuda', torch.cuda.is_available(), 'numpy', numpy.__version__, 'cpus', __import__('os').cpu_count())" 2>&1

log "1. CUDA tests (the speed routine renders meanwhile)"
mkdir -p /tmp/speed
if [ -z "${SPEED_VIDEO:-}" ]; then
  SPEED_VIDEO=/tmp/speed/video.mp4
  OMP_NUM_THREADS=2 $PY -c "
import sys; sys.path.insert(0, 'bench')
from pathlib import Path
from bench_analysis import make_long_video
print(make_long_video(Path('/tmp/speed')))" > /tmp/speed/render.log 2>&1 &
  RENDER=$!
else
  sleep 0 & RENDER=$!
fi
$PY -m pytest -q -s -p no:cacheprovider tests/test_cuda.py 2>&1 | grep -v "^W0000\|^I0000\|^INFO" | tail -12
wait $RENDER; log "speed video: $(tail -1 /tmp/speed/render.log 2>/dev/null || echo "$SPEED_VIDEO")"

log "2. analysis speed: models and pose networks on the GPU"
$PY bench/bench_analysis.py --speed-only --repeat 3 --video "$SPEED_VIDEO" --device cuda --no-fast \
  --out analysis_gpu 2>&1 | grep -v "^W0000\|^I0000\|^INFO" | tail -30
cp bench/results/analysis_gpu.md bench/results/analysis_gpu.json "$OUT/" 2>/dev/null
log "2b. the same with the video split into one range per core (faster; less accurate held-out)"
$PY bench/bench_analysis.py --speed-only --repeat 1 --video "$SPEED_VIDEO" --device cuda --no-fast \
  --workers "$(nproc)" --out analysis_gpu_all_threads 2>&1 | grep -v "^W0000\|^I0000\|^INFO" | tail -4
cp bench/results/analysis_gpu_all_threads.md bench/results/analysis_gpu_all_threads.json "$OUT/" 2>/dev/null

log "3. analysis speed: pose on the CPU (LiteRT, a worker process per core), models on the GPU"
$PY bench/bench_analysis.py --speed-only --repeat 1 --video "$SPEED_VIDEO" --device cuda --no-fast \
  --pose-backend litert --workers "$(nproc)" --out analysis_gpu_litert 2>&1 \
  | grep -v "^W0000\|^I0000\|^INFO" | tail -4
cp bench/results/analysis_gpu_litert.md bench/results/analysis_gpu_litert.json "$OUT/" 2>/dev/null
log "done"
