#!/usr/bin/env bash
# One session on a lent GPU machine (16 cores, one NVIDIA GPU): what only such a machine shows.
#   0. BlazePose's networks, one call each way they run (bench/bench_pose_networks.py)
#   s. what the torch backend costs before its first frame, phase by phase, cuDNN on and off, and
#      as it was made until session 15
#      (bench/bench_pose_startup.py) -> pose_startup_cuda.md
#   1. the CUDA tests (tests/test_cuda.py: float16 inference = CPU, real OOM fallback, AMP training,
#      BlazePose's networks replayed by torch on the GPU = LiteRT; with TESTS="tests/test_cuda.py
#      tests/test_served.py" also the GPU serving worker processes: 3 minutes more), while the 92 s
#      speed routine renders
#   3. the analysis speed benchmark with the models on the GPU (bench/bench_analysis.py --device cuda):
#      a. the default: BlazePose on the GPU (the torch backend, 2 tracking threads, cuDNN off for the
#         pose networks; session 15: 8.4 s, 3.9x decode only) -> analysis_gpu.md
#      l. BlazePose through LiteRT on the CPU, 2 worker processes (the default until session 15:
#         23.7 s) -> analysis_gpu_litert.md
#      4. LiteRT with one worker process per core -> analysis_gpu_all_cores.md
#      tc. the default with cuDNN on for the pose networks ($GYMSCORE_POSE_CUDNN=1; session 15: 15.5 s,
#         its plans for each convolution shape 8.5 s of the start) -> analysis_gpu_torch_cudnn.md
#      t16. the default with one tracking thread per core (session 15: 1997 calls in 477 batches, 12.8 s:
#         the threads share the interpreter lock) -> analysis_gpu_torch_threads16.md
#      b. worker processes served by the GPU, one per core (session 12: 176 s; session 15: 12.6 s, the
#         serving process the limit) -> analysis_gpu_processes.md
#   2. what bounds the GPU path once the GPU is fast: the pose machinery with instant networks, threads
#      against worker processes, 1 to 16 workers (bench/bench_pose_clients.py) -> pose_clients_gpu.md
# (in this order: the figure the speed target names first)
# Every step after the first is skipped once STOP_AT seconds (default 470) have passed, so that what
# was measured comes back within the device tool's 540 s.
# Results land in $OUT/results.tar (what the device tool brings back); the log is the standard output.
# Wheels the machine lacks (LiteRT, tflite, jsonschema; MediaPipe's model files) come in .whl/ when there
# (git-ignored; `bash bench/device_wheels.sh` fills it on a machine with a package index).
#   usage: OUT=folder bash bench/device_session.sh 2>&1 | tee $OUT/session.log
#   device tool: run(command="OUT=$OUT bash bench/device_session.sh", carry=[".whl"], timeout_s=540)
# (SPEED_VIDEO=file skips rendering the 92 s speed routine; PY=python picks the interpreter; STEPS=nets,3a
# runs those steps alone; TESTS=files the tests step runs)
set -u
T0=$(date +%s)
OUT=${OUT:-/tmp/device-out}
mkdir -p "$OUT"
log() { echo "[$(( $(date +%s) - T0 )) s] $*"; }
PY=${PY:-python3}
if [ -d .whl ]; then
  $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
  [ -d .whl/mediapipe ] && cp -r .whl/mediapipe /tmp/site/  # BlazePose's model files alone
  export PYTHONPATH=/tmp/site:$PWD
else
  export PYTHONPATH=$PWD
fi
export PYTHONUNBUFFERED=1 GYMSCORE_HOME=/tmp/gs-home GYMSCORE_CACHE=/tmp/gs-cache
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1
$PY -c "import sys, cv2, torch, numpy; print(sys.version.split()[0], 'cv2', cv2.__version__, 'torch',
torch.__version__, 'cuda', torch.cuda.is_available(), 'numpy', numpy.__version__, 'cpus', __import__('os').cpu_count())" 2>&1

SAVED=""
save() {  # NAME: its results join $OUT/results.tar (the tool brings back 8 files at most; one tar holds
  # everything measured so far, also when a later step is cut off)
  SAVED="$SAVED $1.md $1.json"
  (cd bench/results && ls $SAVED 2>/dev/null | tar -cf "$OUT/results.tar" -T -)
}
STEPS=${STEPS:-nets,s,tests,3a,l,tc,t16,3b,2}  # which steps run (names below), in this order
quiet() { grep -v "^W0000\|^I0000\|^INFO"; }
want() { case ",$STEPS," in *",$1,"*) return 0;; *) return 1;; esac; }
log "the speed routine renders while steps 0 and 1 run"
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
want nets && { log "0. the pose networks, one call each way (eager, TorchScript, CUDA graphs)"
  timeout 90 $PY bench/bench_pose_networks.py --device cuda 2>&1 | grep -v "^W0000\|^I0000\|^INFO"
  save pose_networks_cuda; }
want s && { log "s. the torch backend before its first frame (fresh processes)"
  timeout 200 $PY bench/bench_pose_startup.py --device cuda --batch 2 2>&1 | quiet | tail -16
  save pose_startup_cuda; }
want tests && log "1. CUDA tests" && timeout 200 $PY -m pytest -q -s -p no:cacheprovider ${TESTS:-tests/test_cuda.py} \
  2>&1 | grep -v "^W0000\|^I0000\|^INFO" | tail -12
wait $RENDER; log "speed video: $(tail -1 /tmp/speed/render.log 2>/dev/null || echo "$SPEED_VIDEO")"

STOP_AT=${STOP_AT:-470}
left() { [ $(( $(date +%s) - T0 )) -lt "$STOP_AT" ] || { log "skipped (time): $*"; return 1; }; }
speed() {  # NAME RUNS [bench_analysis options]: one analysis speed figure, copied to $OUT
  local name=$1 runs=$2; shift 2
  timeout "${SPEED_TIMEOUT:-240}" $PY bench/bench_analysis.py --speed-only --repeat "$runs" --video "$SPEED_VIDEO" --device cuda --no-fast \
    --out "$name" "$@" 2>&1 | quiet | grep -i "end to end\|decode only\|batched\|start the workers\|full-rate pass over\|error\|Traceback" | head -10
  save "$name"
}

want 3a && left "3a" && { log "3a. the default: models and BlazePose on the GPU (torch backend, 2 threads)"
  speed analysis_gpu 1; }
want l && left "l" && { log "l. BlazePose through LiteRT, 2 worker processes"
  speed analysis_gpu_litert 1 --pose-backend litert; }
want 4 && left "4" && { log "4. LiteRT with a worker process per core"
  speed analysis_gpu_all_cores 1 --pose-backend litert --workers "$(nproc)"; }
want tc && left "tc" && { log "tc. the default with cuDNN on for the pose networks"
  GYMSCORE_POSE_CUDNN=1 speed analysis_gpu_torch_cudnn 1; }
want t16 && left "t16" && { log "t16. the default with a tracking thread per core: do the calls batch?"
  speed analysis_gpu_torch_threads16 1 --workers "$(nproc)"; }
want 3b && left "3b" && { log "3b. torch backend, worker processes served by the GPU, one per core"
  GYMSCORE_POSE_CLIENTS=processes speed analysis_gpu_processes 1 --pose-backend torch --workers "$(nproc)"; }
want 2 && left "2. pose machinery" && { log "2. the pose machinery with instant networks: threads against processes"
  timeout 150 $PY bench/bench_pose_clients.py --video "$SPEED_VIDEO" --workers 1,2,4,8,16 --repeat 1 \
    --out pose_clients_gpu 2>&1 | quiet | tail -12
  save pose_clients_gpu; }
log "done"
