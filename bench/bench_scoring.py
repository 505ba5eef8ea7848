"""Time ``gymscore.scoring.score`` on an 18-element beam routine (median of many runs).

Writes ``bench/results/scoring.md``. Run: ``.venv/bin/python bench/bench_scoring.py [--runs N]``.
The GUI rescores after every edit, so one call must stay well under 10 ms.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

from gymscore.codebook import default_codebook
from gymscore.scoring import load_rules, score
from gymscore.timeline import Segment, Timeline, VideoInfo

# An 18-element beam routine (real codebook ids; connections mark series and dance passages).
ROUTINE = [
    ("BB-234", True),
    ("BB-213", False),
    ("BB-270", False),
    ("BB-337", True),
    ("BB-337", True),
    ("BB-292", False),
    ("BB-223", True),
    ("BB-224", False),
    ("BB-272", False),
    ("BB-311", True),
    ("BB-213", False),
    ("BB-306", False),
    ("BB-221", True),
    ("BB-218", False),
    ("BB-283", False),
    ("BB-337", True),
    ("BB-292", True),
    ("BB-360", False),
]


def routine() -> Timeline:
    segs = [
        Segment(start_frame=40 * i, end_frame=40 * i + 30, element_id=e, connected_to_next=c)
        for i, (e, c) in enumerate(ROUTINE)
    ]
    return Timeline(
        video=VideoInfo(path="bench.mp4", fps=25.0, frame_count=40 * len(ROUTINE) + 40),
        apparatus="BB",
        segments=segs,
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--out", default=str(Path(__file__).with_name("results") / "scoring.md"))
    args = ap.parse_args(argv)
    cb = default_codebook()
    tl = routine()
    for eid, _ in ROUTINE:
        cb.get(eid)  # fail early on a stale id
    t0 = time.perf_counter()
    load_rules("BB")
    cold_rules = (time.perf_counter() - t0) * 1e3
    card = score(tl, codebook=cb)
    for _ in range(50):
        score(tl, codebook=cb)
    times = []
    for _ in range(args.runs):
        t = time.perf_counter()
        score(tl, codebook=cb)
        times.append((time.perf_counter() - t) * 1e3)
    times.sort()
    med, p95 = statistics.median(times), times[int(0.95 * len(times)) - 1]
    text = (
        "# Scoring speed\n\n"
        f"`score()` on an 18-element BB routine (D = {card.d_score:.2f}; DV {card.dv:.2f}, CR {card.cr:.2f}, "
        f"CV {card.cv:.2f}, SB {card.sb:.2f}), {args.runs} runs after 50 warm-up runs, rules cached.\n\n"
        "| measure | ms |\n| --- | --- |\n"
        f"| median | {med:.3f} |\n| 95th percentile | {p95:.3f} |\n| min | {times[0]:.3f} |\n"
        f"| first load of the BB rules (YAML parse + compile) | {cold_rules:.1f} |\n\n"
        f"Machine: {platform.machine()}, Python {sys.version.split()[0]}, "
        f"{platform.system()}, 2 shared cores\n"
        f"Command: `.venv/bin/python bench/bench_scoring.py --runs {args.runs}`\n"
    )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
