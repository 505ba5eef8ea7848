#!/usr/bin/env bash
# One hash of everything a bundle is built from (code, codebook, configs, resources), to tell whether a
# built bundle is older than the working tree.  Usage: bash packaging/source_hash.sh
set -eu
cd "$(dirname "$0")/.."
find gymscore codebook configs resources packaging/gymscore.spec packaging/entry.py -type f \
  -not -path '*/__pycache__/*' -not -name '.*' -not -name '*.pyc' 2>/dev/null | LC_ALL=C sort \
  | xargs sha256sum | sha256sum | cut -c1-16
