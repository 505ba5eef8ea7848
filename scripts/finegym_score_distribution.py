"""Import and score all FineGym routines (val + test, 2047) and print the D-score distribution.

Run: ``.venv/bin/python scripts/finegym_score_distribution.py [FINEGYM_DIR] [--out FILE.md]``.
FineGym labels only the elements of its 530 classes (no mounts, kips, casts, ...), so these are the
D-scores of the labelled compositions, not of the full routines.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from gymscore.codebook import default_codebook
from gymscore.paths import finegym_default_dir
from gymscore.scoring import score
from gymscore.timeline.finegym import CONNECTION_RULE, import_routines

ORDER = ("VT", "FX", "BB", "UB")


def distribution_table(scores: dict[str, list[float]]) -> str:
    """A markdown table: count, min, quartiles, median, mean and max per apparatus."""
    rows = ["| apparatus | count | min | Q1 | median | mean | Q3 | max |", "|" + " --- |" * 8]
    for app in ORDER:
        v = np.array(scores.get(app, []), dtype=float)
        if not len(v):
            continue
        q1, med, q3 = np.percentile(v, [25, 50, 75])
        rows.append(
            f"| {app} | {len(v)} | {v.min():.2f} | {q1:.2f} | {med:.2f} | {v.mean():.3f} | {q3:.2f} | "
            f"{v.max():.2f} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("finegym", nargs="?", help="FineGym folder (default ../shared/finegym)")
    ap.add_argument("--out", help="also write the report (markdown) here")
    args = ap.parse_args(argv)
    root = Path(args.finegym) if args.finegym else finegym_default_dir()
    if root is None or not (root / "routines").is_dir():
        print("FineGym folder with routines/ not found; pass it as the first argument", file=sys.stderr)
        return 2
    cb = default_codebook()
    t0 = time.perf_counter()
    scores: dict[str, list[float]] = {}
    parts: dict[str, dict[str, list[float]]] = {k: {} for k in ("dv", "cr", "cv", "sb")}
    unverified: Counter[str] = Counter()
    n_el = n_conn = n_fix = 0
    for name in ("val.json", "test.json"):
        tls, rep = import_routines(root / "routines" / name, cb)
        n_el, n_conn, n_fix = n_el + rep.segments, n_conn + rep.connections, n_fix + rep.overlaps_fixed
        for tl in tls:
            card = score(tl, codebook=cb)
            scores.setdefault(tl.apparatus, []).append(card.d_score)
            for k in parts:
                parts[k].setdefault(tl.apparatus, []).append(getattr(card, k))
            unverified.update(u.id for u in card.unverified_rules)
    secs = time.perf_counter() - t0
    total = sum(len(v) for v in scores.values())
    lines = [
        "# D-scores of the FineGym routines (wag-2017 rules)",
        "",
        f"{total} routines (val + test), {n_el} elements, {n_conn} connections, "
        f"{n_fix} overlapping marks fixed; imported and scored in {secs:.1f} s.",
        f"Connection rule: {CONNECTION_RULE}.",
        "",
        "## D-score per apparatus",
        "",
        distribution_table(scores),
        "",
        "## Means of the parts (FX, BB, UB)",
        "",
        "| apparatus | DV | CR | CV | SB |",
        "| --- | --- | --- | --- | --- |",
    ]
    for app in ORDER[1:]:
        if app in scores:
            lines.append(f"| {app} | " + " | ".join(f"{np.mean(parts[k][app]):.3f}" for k in parts) + " |")
    lines += ["", "## Unverified rules used (routines affected)", ""]
    lines += [f"- {rid}: {n}" for rid, n in unverified.most_common()]
    lines += [
        "",
        "FineGym labels only its 530 element classes (no mounts, kips, casts, ...): these are the D-scores "
        "of the labelled compositions, lower than the real ones.",
        "Command: `.venv/bin/python scripts/finegym_score_distribution.py "
        "--out bench/results/finegym_dscores.md`",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
