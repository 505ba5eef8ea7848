#!/usr/bin/env bash
# Set up everything gymscore needs on a fresh Debian machine with Python 3.11:
# the system libraries Qt needs (apt), a virtual environment in .venv, and the pinned packages.
# Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

APT_PKGS="libgl1 libegl1 libglib2.0-0 libfontconfig1 libfreetype6 fonts-dejavu-core libxkbcommon0 libdbus-1-3 \
libpulse0 xvfb xauth libgl1-mesa-dri libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 \
libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xfixes0 libxcb-xkb1 libxkbcommon-x11-0 binutils"

if command -v apt-get >/dev/null 2>&1; then
  missing=""
  for p in $APT_PKGS; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    echo "setup: installing system packages:$missing" >&2
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
fi

PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($PY --version)" >&2
  "$PY" -m venv .venv
fi

stamp=.venv/.gymscore-installed
want="$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing Python packages (first run takes a minute or two)" >&2
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e ".[dev]"
  # Pose estimation: MediaPipe 0.10.14 carries BlazePose's models in its wheel. It declares jax and a
  # second OpenCV as requirements that it does not need for pose; install it without them.
  .venv/bin/python -m pip install -q --no-deps mediapipe==0.10.14
  .venv/bin/python -m pip install -q absl-py==2.5.1 "protobuf==4.25.9" flatbuffers==25.12.19 attrs==26.1.0 \
    matplotlib==3.11.2
  # LiteRT runs BlazePose's two networks directly (gymscore.features.blazepose: half the time of
  # MediaPipe's pose solution); its interpreter needs numpy only, so its other requirements are skipped.
  .venv/bin/python -m pip install -q --no-deps ai-edge-litert==2.3.0
  # tflite: flatbuffer bindings of the .tflite format, read by the torch pose backend (the GPU's);
  # it needs flatbuffers and numpy only, both installed above.
  .venv/bin/python -m pip install -q --no-deps tflite==2.18.0
  echo "$want" > "$stamp"
fi
