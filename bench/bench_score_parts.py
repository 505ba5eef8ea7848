"""Which part of the D-score the error is in: DV, composition requirements (CR) or connections (CV).

    .venv/bin/python bench/bench_score_parts.py WORK[:TAG] ... [--out score_parts]

Each ``WORK:TAG`` names a ``bench_accuracy.py --work WORK --tag TAG`` run (its ``predTAG`` and
``truthTAG`` folders, as ``bench/pool_accuracy.py``). Scores every predicted and true timeline with
the D-score engine and reports, per apparatus, the mean absolute error and the bias (predicted minus
true) of D and of each of its parts, and how many elements more the prediction holds. Writes
``bench/results/<out>.md``.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO)]

PARTS = ("d_score", "dv", "cr", "cv")


def part_errors(pred, truth) -> list[float]:
    """Predicted minus true D, DV, CR and CV of one routine, then the difference in element count."""
    from gymscore.scoring import score  # noqa: PLC0415

    p, t = score(pred), score(truth)
    return [getattr(p, k) - getattr(t, k) for k in PARTS] + [float(len(pred.segments) - len(truth.segments))]


def table(rows: dict[str, list[list[float]]]) -> list[str]:
    """Markdown rows: per apparatus and over all, MAE / bias of every part."""
    out = ["| apparatus | routines | D | DV | CR | CV | elements more |",
           "| --- | --- | --- | --- | --- | --- | --- |"]
    everything = [r for app in sorted(rows) for r in rows[app]]
    for app, got in [*sorted(rows.items()), ("all", everything)]:
        v = np.asarray(got, dtype=float)
        cells = [f"{np.abs(v[:, i]).mean():.3f} / {v[:, i].mean():+.3f}" for i in range(len(PARTS))]
        out.append(f"| {app} | {len(v)} | " + " | ".join(cells) + f" | {v[:, -1].mean():+.2f} |")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", nargs="+", help="WORK[:TAG] of bench_accuracy.py runs")
    ap.add_argument("--out", default="score_parts")
    args = ap.parse_args()
    from gymscore.train.evaluate import load_timeline_pairs  # noqa: PLC0415

    rows: dict[str, list[list[float]]] = defaultdict(list)
    for spec in args.runs:
        work, _, tag = spec.partition(":")
        for pred, truth in load_timeline_pairs(Path(work) / f"pred{tag}", Path(work) / f"truth{tag}")[0]:
            rows[truth.apparatus].append(part_errors(pred, truth))
    lines = ["# Where the D-score error is: DV, CR, CV", "",
             f"`bench/bench_score_parts.py {' '.join(args.runs)}`. Each cell: mean absolute error / bias "
             "(predicted minus true).", "", *table(rows), ""]
    print("\n".join(lines))
    (REPO / "bench" / "results" / f"{args.out}.md").write_text("\n".join(lines), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
