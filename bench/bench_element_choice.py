"""Which leaf a segment is scored as (``element_choice.choose_elements(choice=...)``): the likeliest one,
or the likeliest one of the median value, measured on folders of labelled videos.

    .venv/bin/python bench/bench_element_choice.py DIR[=CACHE] [...] [--out element_choice]

Each video is analysed once with the installed models (pose features from the feature cache: ``CACHE``
for that folder when given, else ``GYMSCORE_CACHE`` or the user cache; as
``bench/bench_attribute_weight.py``); the element step is then run again on the same spans and
classifier probabilities with each choice, the connections redrawn and the timeline scored. Prints and
writes, per folder and over all, segment F1@0.5, element top-1 on the Gym99 classes and the D-score
MAE (:func:`gymscore.train.evaluate.evaluate_timeline_pairs`, what ``gymscore eval`` prints). Choose on
selection seeds; held-out folders only confirm. Writes ``bench/results/<out>.md``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]


def measure(runs: list[tuple[object, object, object]], choice: str) -> dict:
    """``gymscore eval``'s figures for ``runs`` (analysis result, truth, name) with ``choice``, plus how
    many segments were scored as another leaf than the likeliest."""
    from gymscore.codebook import default_codebook  # noqa: PLC0415
    from gymscore.element_choice import choose_elements  # noqa: PLC0415
    from gymscore.pipeline import _connect  # noqa: PLC0415
    from gymscore.train.evaluate import evaluate_timeline_pairs  # noqa: PLC0415

    cb = default_codebook()
    pairs, moved, total = [], 0, 0
    for result, truth, _ in runs:
        tl = result.timeline.copy()
        tl.segments = choose_elements(result.spans, result.predictions, tl.apparatus, cb, choice=choice)
        _connect(tl.segments, tl.video.fps if tl.video.fps > 0 else 25.0)
        moved += sum(s.element_id != s.alternatives[0].element_id for s in tl.segments)
        total += len(tl.segments)
        pairs.append((tl, truth))
    r = evaluate_timeline_pairs(pairs)
    return {"f1": r["f1@50"], "top1": r["element_top1_gym99"], "mae": r["d_score_mae"], "moved": moved,
            "segments": total, "routines": len(runs)}


def _cell(m: dict) -> str:
    return f"{m['f1']:.3f} / {m['top1']:.3f} / {m['mae']:.3f} ({m['moved']} of {m['segments']})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="+", help="labelled videos (DIR=CACHE: with its feature cache)")
    ap.add_argument("--out", default="element_choice")
    args = ap.parse_args()
    from bench_attribute_weight import analysed, write_table  # noqa: PLC0415

    from gymscore.element_choice import CHOICES  # noqa: PLC0415
    from gymscore.features.pose import default_estimator_id  # noqa: PLC0415
    from gymscore.models.inference import load_classifier, load_segmenter  # noqa: PLC0415

    per_dir: dict[str, list] = {}
    for spec in args.dirs:
        folder, _, cache = spec.partition("=")
        if cache:
            os.environ["GYMSCORE_CACHE"] = cache
        per_dir[folder] = analysed(Path(folder))
    everything = [r for runs in per_dir.values() for r in runs]
    names = f"`{load_segmenter('cpu').manifest.name}` + `{load_classifier('cpu').manifest.name}`"
    lines = ["# Which leaf a segment is scored as", "",
             f"`bench/bench_element_choice.py {' '.join(per_dir)}` (models {names}, poses "
             f"`{default_estimator_id()}`; {len(everything)} routines). Each cell: segment F1@0.5 / "
             "element top-1 on the Gym99 classes / D-score MAE (segments scored as another leaf than "
             "the likeliest, of all). `median-value`: the likeliest leaf of the set's weighted median "
             "value; `likeliest`: the likeliest leaf.", "",
             "| choice | " + " | ".join(f"`{Path(d).name}`" for d in per_dir) + " | all |",
             "| --- |" + " --- |" * (len(per_dir) + 1)]
    write_table(lines, [(c, c) for c in CHOICES], list(per_dir.values()), everything,
                lambda runs, choice: _cell(measure(runs, choice)), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
