"""How much of the D-score error comes from elements outside the classifier's Gym99 label space.

    .venv/bin/python bench/bench_outside_gym99.py WORK[:TAG] ... [--out outside_gym99]

Each ``WORK:TAG`` names a ``bench_accuracy.py --work WORK --tag TAG`` run (its ``predTAG`` and
``truthTAG`` folders, as ``bench/pool_accuracy.py``). Counts, per apparatus, the true elements
outside Gym99 (the element head cannot name them, so they are always read as a Gym99 element), and
measures D MAE twice: as predicted, and with an oracle that gives every predicted segment matched
(IoU >= 0.5) to such a true element that element. The gap is what naming them would be worth.
Writes ``bench/results/<out>.md``.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO)]


def _iou(a, b) -> float:
    inter = max(0, min(a.end_frame, b.end_frame) - max(a.start_frame, b.start_frame))
    return inter / max(1, max(a.end_frame, b.end_frame) - min(a.start_frame, b.start_frame))


def with_oracle(pred, truth, named: set[str]) -> int:
    """Give ``pred``'s segments matched to a true element outside ``named`` that element; returns how
    many were given."""
    given = 0
    for t in truth.segments:
        if t.element_id is None or t.element_id in named or not pred.segments:
            continue
        overlap, k = max((_iou(t, p), k) for k, p in enumerate(pred.segments))
        if overlap >= 0.5:
            pred.segments[k].element_id, pred.segments[k].set_id = t.element_id, t.set_id
            given += 1
    return given


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", nargs="+", help="WORK[:TAG] of bench_accuracy.py runs")
    ap.add_argument("--out", default="outside_gym99")
    args = ap.parse_args()
    from gymscore.codebook import default_codebook  # noqa: PLC0415
    from gymscore.scoring import score  # noqa: PLC0415
    from gymscore.train.evaluate import load_timeline_pairs  # noqa: PLC0415

    named = set(default_codebook().gym99_ids())
    kinds = ("as predicted", "oracle")
    errors: dict[str, dict[str, list[float]]] = {k: defaultdict(list) for k in kinds}
    outside, total, given = Counter(), Counter(), 0
    for spec in args.runs:
        work, _, tag = spec.partition(":")
        for pred, truth in load_timeline_pairs(Path(work) / f"pred{tag}", Path(work) / f"truth{tag}")[0]:
            app = truth.apparatus
            total[app] += len(truth.segments)
            outside[app] += sum(s.element_id not in named for s in truth.segments if s.element_id)
            d_true = score(truth).d_score
            errors["as predicted"][app].append(score(pred).d_score - d_true)
            given += with_oracle(pred, truth, named)
            errors["oracle"][app].append(score(pred).d_score - d_true)
    apps = sorted(total)
    lines = ["# Elements outside Gym99: what naming them would be worth", "",
             f"`bench/bench_outside_gym99.py {' '.join(args.runs)}`: "
             f"{sum(len(v) for v in errors['oracle'].values())} routines; the oracle named {given} "
             "segments.", "",
             "| apparatus | true elements | outside Gym99 | D MAE as predicted | D MAE with the oracle |",
             "| --- | --- | --- | --- | --- |"]
    for app in [*apps, "all"]:
        pick = apps if app == "all" else [app]
        n, o = sum(total[a] for a in pick), sum(outside[a] for a in pick)
        mae = [np.abs(np.concatenate([errors[k][a] for a in pick])).mean() for k in kinds]
        lines.append(f"| {app} | {n} | {o} ({o / max(n, 1):.0%}) | {mae[0]:.3f} | {mae[1]:.3f} |")
    print("\n".join(lines))
    (REPO / "bench" / "results" / f"{args.out}.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
