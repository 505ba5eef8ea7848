#!/usr/bin/env python
"""What the whole analysis reads on the real competition clips (../shared/realclips).

The clips carry no element labels, but their names give the apparatus (``bb_``, ``fx_``, ``ub_``,
``vt_``), so the apparatus reading is scored; the elements named are listed for a person to judge
against the clip. Each clip is analysed from scratch (no feature cache), on the CPU, with the
shipped models. Writes ``bench/results/realclips_reading.md`` (and ``.json``).

    python bench/bench_realclips_reading.py [--clips DIR]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
CLIPS = REPO.parent / "shared" / "realclips"
PREFIX = {"bb": "BB", "fx": "FX", "ub": "UB", "vt": "VT"}


def true_apparatus(name: str) -> str | None:
    """The apparatus a clip's file name gives (``ub_01.gif`` -> UB), or None."""
    return PREFIX.get(name.split("_", 1)[0].lower())


def reading(result, codebook) -> dict:
    """The facts of one analysis that the results file shows."""
    tl, probs = result.timeline, result.apparatus_probs
    elements = []
    for s in tl.segments:
        e = codebook.get(s.element_id) if s.element_id in codebook else None
        elements.append({"start_s": round(tl.frame_to_seconds(s.start_frame), 2),
                         "end_s": round(tl.frame_to_seconds(s.end_frame), 2), "element": s.element_id,
                         "name": e.name if e else "?", "value": e.value if e else None,
                         "confidence": round(s.confidence, 2)})
    return {"apparatus": tl.apparatus, "apparatus_share": round(probs.get(tl.apparatus, 0.0), 2),
            "apparatus_probs": {k: round(v, 2) for k, v in sorted(probs.items(), key=lambda t: -t[1])},
            "found": round(result.features.found_rate, 3), "elements": elements,
            "d_score": round(result.scorecard.d_score, 2) if result.scorecard is not None else None}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", type=Path, default=CLIPS)
    ap.add_argument("--out", default=str(REPO / "bench" / "results"))
    args = ap.parse_args()
    clips = sorted(args.clips.glob("*.gif")) if args.clips.is_dir() else []
    if not clips:
        print(f"{args.clips}: no clips (the folder ../shared/realclips is not here)", file=sys.stderr)
        return 2

    from gymscore.codebook import default_codebook
    from gymscore.pipeline import analyze_video

    codebook, rows = default_codebook(), []
    for clip in clips:
        t = time.perf_counter()
        result = analyze_video(clip, device="cpu", use_cache=False)
        row = {"clip": clip.name, "seconds": round(result.timeline.video.duration, 1),
               "true_apparatus": true_apparatus(clip.name), **reading(result, codebook),
               "analysis_s": round(time.perf_counter() - t, 1)}
        rows.append(row)
        print(f"{clip.name}: {row['apparatus']} ({row['apparatus_share']:.0%}), "
              f"{len(row['elements'])} elements", file=sys.stderr)
    out = {"machine": f"{platform.machine()}, Python {platform.python_version()}", "clips": rows}
    dest = Path(args.out)
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "realclips_reading.json").write_text(json.dumps(out, indent=2))
    (dest / "realclips_reading.md").write_text(to_md(out))
    print(to_md(out))
    return 0


def to_md(out: dict) -> str:
    """The results file."""
    rows = out["clips"]
    right = sum(r["apparatus"] == r["true_apparatus"] for r in rows)
    lines = [
        "# What the analysis reads on the real clips (bench/bench_realclips_reading.py)",
        "",
        f"{len(rows)} clips of `../shared/realclips` (320x240 GIF, 10 fps, real competition footage), each "
        f"analysed from scratch on the CPU ({out['machine']}) with the shipped models. The file name gives "
        "the apparatus; the elements have no labels.",
        "",
        f"**Apparatus read right: {right} of {len(rows)}.**",
        "",
        "| clip | length | gymnast found | apparatus read (share of the set evidence) | elements named | D |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        app = f"{r['apparatus']} ({r['apparatus_share']:.0%})"
        if r["apparatus"] != r["true_apparatus"]:
            app += f", **wrong** (it is {r['true_apparatus']}; " + ", ".join(
                f"{k} {v:.0%}" for k, v in r["apparatus_probs"].items()) + ")"
        els = "; ".join(f"{e['start_s']:.1f}-{e['end_s']:.1f} s {e['element']} {e['name']} "
                        f"(value {e['value']}, confidence {e['confidence']:.2f})" for e in r["elements"])
        lines.append(f"| {r['clip']} | {r['seconds']} s | {r['found']:.0%} | {app} | {els or 'none'} "
                     f"| {r['d_score']} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
