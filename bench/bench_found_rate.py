"""How often the tracker finds the gymnast: per video, the share of frames with a pose and the
estimator calls spent, on labelled videos (GymSynth folders: ``video.mp4`` + ``timeline.json``).

    .venv/bin/python bench/bench_found_rate.py DIR [DIR ...] [--out NAME]

Features are computed afresh (no cache). Writes ``bench/results/<NAME>.md`` (default ``found_rate``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="+", type=Path)
    ap.add_argument("--out", default="found_rate")
    args = ap.parse_args()
    from gymscore.data.estimated import find_labelled_videos
    from gymscore.features.extract import FEATURE_VERSION, extract_features

    lines = [f"# Gymnast found, per video (feature version {FEATURE_VERSION})", "",
             f"`bench/bench_found_rate.py {' '.join(str(d) for d in args.dirs)}` (no feature cache).", "",
             "| video | frames | found | detected (frames looked at) | estimator calls |",
             "| --- | --- | --- | --- | --- |"]
    for folder in args.dirs:
        for item in find_labelled_videos(folder):
            f = extract_features(item.video, use_cache=False)
            calls = sum(f.tracker_stats.get(k, 0) for k in ("full", "roi", "rotated"))
            row = (f"| {item.name} | {f.frame_count} | {100 * f.found_rate:.0f} % | "
                   f"{100 * f.detection_rate:.0f} % | {calls} |")
            print(row, flush=True)
            lines.append(row)
    (REPO / "bench" / "results" / f"{args.out}.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
