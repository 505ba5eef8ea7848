#!/usr/bin/env bash
# Size of a built bundle folder, its ten largest parts (top-level entries of _internal/) and ten
# largest files.  Usage: bash packaging/size_report.sh [packaging/dist/gymscore]
set -eu
dir="${1:-packaging/dist/gymscore}"
[ -d "$dir" ] || { echo "size_report: $dir: no such folder (build first)" >&2; exit 2; }
echo "bundle: $(du -sm "$dir" | cut -f1) MB in $(find "$dir" -type f | wc -l) files ($dir)"
echo "ten largest parts:"
du -sm "$dir"/_internal/* | sort -rn | head -10 | awk '{printf "  %6d MB  %s\n", $1, $2}'
echo "ten largest files:"
find "$dir" -type f -printf '%s %P\n' | sort -rn | head -10 | awk '{printf "  %6.1f MB  %s\n", $1/1048576, $2}'
