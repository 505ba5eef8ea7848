"""Paired comparison of two runs of ``bench_accuracy.py`` on the same held-out routines: which true
elements (Gym99 classes) each run names right, and whether the difference is more than chance.

    .venv/bin/python bench/compare_predictions.py WORK/pred_A WORK/pred_B [--truth WORK/truth_A] [--list]

An element counts as right when a predicted segment overlaps it with IoU >= 0.5 (the match of
``gymscore eval``) and carries its element id. Of the elements the runs disagree on, ``only A`` were
right in A alone and ``only B`` in B alone; the exact two-sided McNemar test (a binomial test on
those counts) gives the chance of a split at least that uneven if neither run were better.
Two runs of one analysis differ even with equal settings where a tiny numerical change (another
backend, another split of the video) sends the pose tracker down another path; this separates such
churn from a real difference.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def right_elements(pred_dir: Path, truth_dir: Path, ids: set[str]) -> dict[tuple[str, int], bool]:
    """{(routine, index of the true element): named right} over the true elements in ``ids``."""
    from gymscore.timeline import load_timeline
    from gymscore.train.evaluate import true_element_results

    out: dict[tuple[str, int], bool] = {}
    for tf in sorted(truth_dir.glob("*.json")):
        pf = pred_dir / tf.name
        if not pf.is_file():
            raise SystemExit(f"{pf}: missing (both runs must cover the routines of {truth_dir})")
        for j, _, right in true_element_results(load_timeline(pf), load_timeline(tf), ids):
            out[(tf.stem, j)] = right
    return out


def mcnemar_p(only_a: int, only_b: int) -> float:
    """Exact two-sided McNemar p-value for discordant counts ``only_a`` and ``only_b``."""
    n = only_a + only_b
    if n == 0:
        return 1.0
    k = min(only_a, only_b)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a", type=Path)
    ap.add_argument("b", type=Path)
    ap.add_argument("--truth", type=Path, default=None,
                    help="true timelines (default: WORK/truth<tag> beside A's WORK/pred<tag>)")
    ap.add_argument("--list", action="store_true", help="list the elements the runs disagree on")
    args = ap.parse_args()
    from gymscore.codebook import default_codebook

    truth = args.truth or args.a.parent / args.a.name.replace("pred_first_pass", "truth", 1).replace(
        "pred", "truth", 1)
    ids = set(default_codebook().gym99_ids())
    ra, rb = right_elements(args.a, truth, ids), right_elements(args.b, truth, ids)
    only_a = [k for k in ra if ra[k] and not rb[k]]
    only_b = [k for k in ra if rb[k] and not ra[k]]
    n = len(ra)
    print(f"{n} true Gym99 elements in {truth}")
    print(f"A {args.a}: {sum(ra.values())} right ({sum(ra.values()) / n:.3f})")
    print(f"B {args.b}: {sum(rb.values())} right ({sum(rb.values()) / n:.3f})")
    print(f"disagree on {len(only_a) + len(only_b)}: only A right {len(only_a)}, only B right {len(only_b)}; "
          f"exact McNemar p = {mcnemar_p(len(only_a), len(only_b)):.3f}")
    if args.list:
        for routine, j in sorted(only_a + only_b):
            print(f"  {routine} element {j}: right in {'A' if (routine, j) in only_a else 'B'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
