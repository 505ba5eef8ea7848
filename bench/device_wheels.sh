#!/usr/bin/env bash
# Fill .whl/ (git-ignored) with the wheels a lent GPU machine lacks, for Python 3.12 on x86_64 Linux,
# before `bench/device_session.sh` runs there (the device tool carries .whl: carry=[".whl"]). Of
# MediaPipe only BlazePose's two model files travel (.whl/mediapipe/modules/..., found the way
# gymscore.features.blazepose finds them): the whole wheel (36 MB) with the 23 MB checkout went over the
# tool's 64 MiB. About 33 MB in all. Run on a machine with a package index.
#   usage: bash bench/device_wheels.sh
set -eu
cd "$(dirname "$0")/.."
PIP=${PIP:-.venv/bin/pip}
rm -rf .whl
$PIP download -q --no-deps --only-binary=:all: --python-version 3.12 --platform manylinux2014_x86_64 -d .whl \
  mediapipe==0.10.14 jsonschema==4.26.0 jsonschema-specifications referencing rpds-py tflite==2.18.0
$PIP download -q --no-deps --only-binary=:all: --python-version 3.12 --platform manylinux_2_27_x86_64 -d .whl \
  ai-edge-litert==2.3.0
mkdir -p .whl/mediapipe
(cd .whl && unzip -q -o mediapipe-*.whl 'mediapipe/modules/pose_detection/pose_detection.tflite' \
  'mediapipe/modules/pose_landmark/pose_landmark_full.tflite' && rm mediapipe-*.whl)
: > .whl/mediapipe/__init__.py
ls -R .whl
du -sh .whl
