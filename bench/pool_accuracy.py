"""Held-out accuracy pooled over several ``bench_accuracy.py`` runs: one set of figures for all their
routines (F1@0.5, element top-1 on the Gym99 classes, D-score MAE, apparatus accuracy), with D's
error and bias per apparatus and the routines whose D is furthest off.

    .venv/bin/python bench/pool_accuracy.py WORK[:TAG] ... [--out accuracy_pooled] [--title TEXT]

Each ``WORK:TAG`` names a ``bench_accuracy.py --work WORK --tag TAG`` run (its ``truthTAG`` and
``predTAG`` folders). The metrics are those of ``gymscore eval`` (``evaluate_timeline_pairs``) over all
routines at once, so a set of 12 weighs less than a set of 48. Writes bench/results/OUT.md / .json.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO)]
RESULTS = REPO / "bench" / "results"


def pooled(runs: list[tuple[Path, str]]) -> dict:
    """Metrics over every routine of ``runs`` ((work folder, tag) pairs), per apparatus D figures and
    each routine's D error."""
    from gymscore.scoring import score
    from gymscore.train.evaluate import evaluate_timeline_pairs, load_timeline_pairs

    pairs, names = [], []
    for work, tag in runs:
        got, only_truth, _ = load_timeline_pairs(work / f"pred{tag}", work / f"truth{tag}")
        if only_truth:
            raise SystemExit(f"{work}: no prediction for {', '.join(only_truth)}")
        pairs += got
        names += sorted(p.stem for p in (work / f"truth{tag}").glob("*.json"))
    if not pairs:
        raise SystemExit("no routines found: check the WORK:TAG arguments")
    metrics = evaluate_timeline_pairs(pairs)
    errors: dict[str, list[float]] = defaultdict(list)
    rows = []
    for (pred, truth), name in zip(pairs, names, strict=True):
        d_pred, d_true = score(pred).d_score, score(truth).d_score
        errors[truth.apparatus].append(d_pred - d_true)
        rows.append({"routine": name, "apparatus": truth.apparatus, "apparatus_pred": pred.apparatus,
                     "d_true": round(d_true, 2), "d_pred": round(d_pred, 2)})
    per = {app: {"routines": len(v), "d_mae": float(np.abs(v).mean()), "d_bias": float(np.mean(v))}
           for app, v in sorted(errors.items())}
    return {"routines": len(pairs), "metrics": metrics, "per_apparatus": per, "rows": rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("runs", nargs="+", help="WORK[:TAG] of bench_accuracy.py runs")
    ap.add_argument("--out", default="accuracy_pooled")
    ap.add_argument("--title", default="")
    args = ap.parse_args()
    runs = [(Path(r.split(":")[0]), r.split(":")[1] if ":" in r else "") for r in args.runs]
    res = pooled(runs)
    m = res["metrics"]
    title = f"# Held-out accuracy pooled over {res['routines']} routines"
    title += f": {args.title}" if args.title else ""
    lines = [title, "", "`bench/pool_accuracy.py " + " ".join(args.runs) + "` (see its docstring).", "",
             "| F1@0.5 | Gym99 top-1 | D MAE | apparatus right | targets |",
             "| --- | --- | --- | --- | --- |",
             f"| {m['f1@50']:.3f} | {m['element_top1_gym99']:.3f} | {m['d_score_mae']:.3f} | "
             f"{m['apparatus_accuracy']:.3f} | 0.85 / 0.80 / 0.3 |", "",
             "| apparatus | routines | D MAE | D bias |", "| --- | --- | --- | --- |"]
    lines += [f"| {a} | {v['routines']} | {v['d_mae']:.3f} | {v['d_bias']:+.3f} |"
              for a, v in res["per_apparatus"].items()]
    worst = sorted(res["rows"], key=lambda r: -abs(r["d_pred"] - r["d_true"]))[:10]
    lines += ["", "Furthest off (D predicted - true):", ""]
    lines += [f"- {r['routine']}: {r['d_pred'] - r['d_true']:+.2f} (true {r['d_true']:.2f}, read as "
              f"{r['apparatus_pred']})" for r in worst]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.out}.md").write_text("\n".join(lines) + "\n")
    (RESULTS / f"{args.out}.json").write_text(json.dumps({"runs": args.runs, **res}, indent=1, default=float)
                                              + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
