"""How much the attribute heads should weigh beside the element head (``element_choice.ATTRIBUTE_WEIGHT``),
measured on folders of labelled selection videos.

    .venv/bin/python bench/bench_attribute_weight.py DIR[=CACHE] [...] [--weights 1,0.75,0.5,0.25,0.1,0]
        [--out attribute_weight]

Each video is analysed once with the installed models (pose features from the feature cache, ``CACHE``
for that folder when given, else ``GYMSCORE_CACHE`` or the user cache); the element
step (:func:`gymscore.element_choice.choose_elements`) is then run again on the same spans and
classifier probabilities with every weight, the connections redrawn and the timeline scored. Prints and
writes, per folder and over all, the element top-1 of the matched segments (IoU >= 0.5, every element
id) and the D-score MAE. Use selection seeds only (``docs/models.md``): held-out routines must not
choose settings. Writes ``bench/results/<out>.md``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def analysed(folder: Path) -> list[tuple[object, object, object]]:
    """(analysis result, true timeline, video name) for every labelled video in ``folder``."""
    from gymscore.data.estimated import find_labelled_videos  # noqa: PLC0415
    from gymscore.models.inference import load_classifier, load_segmenter  # noqa: PLC0415
    from gymscore.pipeline import analyze_video  # noqa: PLC0415
    from gymscore.timeline import load_timeline  # noqa: PLC0415

    seg, cls = load_segmenter("cpu"), load_classifier("cpu")
    out = []
    for v in find_labelled_videos(folder):
        result = analyze_video(v.video, segmenter=seg, classifier=cls, with_score=False)
        out.append((result, load_timeline(v.timeline), Path(v.video).parent.name))
        print(f"  {folder.name}/{out[-1][2]}: {len(result.spans)} segments", file=sys.stderr, flush=True)
    return out


def measure(runs: list[tuple[object, object, object]], weight: float) -> tuple[float, float, int]:
    """(element top-1 over matched segments, D-score MAE, routines) with the element step at ``weight``
    (:func:`gymscore.train.evaluate.evaluate_timelines`, what ``gymscore eval`` prints)."""
    from gymscore.codebook import default_codebook  # noqa: PLC0415
    from gymscore.element_choice import choose_elements  # noqa: PLC0415
    from gymscore.pipeline import _connect  # noqa: PLC0415
    from gymscore.train.evaluate import evaluate_timelines  # noqa: PLC0415

    cb = default_codebook()
    pairs = []
    for result, truth, _ in runs:
        tl = result.timeline.copy()
        tl.segments = choose_elements(result.spans, result.predictions, tl.apparatus, cb, weight)
        _connect(tl.segments, tl.video.fps if tl.video.fps > 0 else 25.0)
        pairs.append((tl, truth))
    r = evaluate_timelines(pairs)
    mae = r["d_score_mae"]
    return r["element_top1"], float("nan") if mae is None else mae, len(runs)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="+", help="labelled selection videos (DIR=CACHE: with its cache)")
    ap.add_argument("--weights", default="1,0.75,0.5,0.25,0.1,0")
    ap.add_argument("--out", default="attribute_weight")
    args = ap.parse_args()
    weights = [float(w) for w in args.weights.split(",")]
    from gymscore.element_choice import ATTRIBUTE_WEIGHT  # noqa: PLC0415
    from gymscore.features.pose import default_estimator_id  # noqa: PLC0415
    from gymscore.models.manifest import find_model  # noqa: PLC0415

    per_dir = {}
    for spec in args.dirs:
        folder, _, cache = spec.partition("=")
        if cache:
            os.environ["GYMSCORE_CACHE"] = cache
        name = Path(folder).name if Path(folder).name not in per_dir else "/".join(Path(folder).parts[-2:])
        per_dir[name if name not in per_dir else folder] = analysed(Path(folder))
    dirs = " ".join(spec.partition("=")[0] for spec in args.dirs)
    everything = [r for runs in per_dir.values() for r in runs]
    header = "| weight | " + " | ".join(f"{n} top-1 / D MAE" for n in per_dir) + " | all: top-1 / D MAE |"
    lines = ["# Attribute heads beside the element head", "",
             f"`bench/bench_attribute_weight.py {dirs}` (models "
             f"`{find_model('segmenter', None).name}` + `{find_model('classifier', None).name}`, poses "
             f"`{default_estimator_id()}`; {len(everything)} routines). Each leaf of a set's decision tree "
             "scores `P(element) x product of P(attribute = answer) ** weight` where the element head "
             "covers the set (the attributes alone, at full weight, where it does not). Element top-1 "
             f"over the matched segments (every element id); D-score MAE per routine. Shipped weight: "
             f"{ATTRIBUTE_WEIGHT:g}.", "", header, "| --- |" + " --- |" * (len(per_dir) + 1)]
    def cell(runs: list, w: float) -> str:
        top1, mae, _ = measure(runs, w)
        return f"{top1:.3f} / {mae:.3f}"

    write_table(lines, [(f"{w:g}", w) for w in weights], list(per_dir.values()), everything, cell, args.out)
    return 0


def write_table(lines: list[str], settings: list[tuple[str, object]], groups: list[list], everything: list,
                cell, out: str) -> None:
    """Append one row per ``(label, setting)``: ``cell(runs, setting)`` for every group of runs and for
    all of them, printing each row; then write ``lines`` to ``bench/results/<out>.md``."""
    for label, setting in settings:
        cells = [cell(runs, setting) for runs in groups]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {cell(everything, setting)} |")
        print(lines[-1], flush=True)
    (REPO / "bench" / "results" / f"{out}.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
