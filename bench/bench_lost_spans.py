#!/usr/bin/env python
"""Do the stretches marked "gymnast not found" point at the elements the analysis missed?

For each labelled routine folder (``video.mp4`` + ``timeline.json``, as ``bench_accuracy.py`` and
``gymscore synth dataset`` write them) the video is analysed (the feature cache makes a second run
quick) and every true element is put in a class by the share of its frames inside the stretches the
analysis reports as lost (``metadata["analysis"]["pose_lost"]``): none, under half, half or more.
Per class: how many elements, how many the analysis found (a predicted segment with IoU >= 0.5) and
how many it named right. Also: of the elements it missed, how many touch a marked stretch at all.

    python bench/bench_lost_spans.py --videos /tmp/accb99036/videos --tag _99036_broadcast
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

from gymscore.analysis_notes import lost_share  # noqa: E402

CLASSES = (("none", 0.0, 0.0), ("under half", 1e-9, 0.5 - 1e-9), ("half or more", 0.5, 1.0))


def class_of(share: float) -> str:
    """The row of the table a lost share falls in."""
    return next(name for name, lo, hi in CLASSES if lo <= share <= hi)


def tally(pred, truth) -> list[dict]:
    """One row per true element: its lost share, whether it was found and whether named right; then
    one per predicted segment (``"predicted": True``): its lost share and whether it names the true
    element it overlaps (IoU >= 0.5)."""
    from gymscore.train.evaluate import match_segments

    spans = (pred.metadata.get("analysis") or {}).get("pose_lost") or []
    ps = sorted(pred.segments, key=lambda s: s.start_frame)
    ts = sorted(truth.segments, key=lambda s: s.start_frame)
    pairs = dict((j, i) for i, j in match_segments([(s.start_frame, s.end_frame) for s in ps],
                                                    [(s.start_frame, s.end_frame) for s in ts]))
    rows = []
    for j, t in enumerate(ts):
        i = pairs.get(j)
        rows.append({"share": lost_share(t.start_frame, t.end_frame, spans), "found": i is not None,
                     "right": i is not None and ps[i].element_id == t.element_id})
    matched = {i: j for j, i in pairs.items()}
    for i, p in enumerate(ps):
        j = matched.get(i)
        rows.append({"predicted": True, "share": lost_share(p.start_frame, p.end_frame, spans),
                     "right": j is not None and ts[j].element_id == p.element_id})
    return rows


def summarise(rows: list[dict]) -> dict:
    """The tables' figures from all routines' rows."""
    predicted = [r for r in rows if r.get("predicted")]
    rows = [r for r in rows if not r.get("predicted")]
    table, table_pred = [], []
    for name, _lo, _hi in CLASSES:
        sel = [r for r in predicted if class_of(r["share"]) == name]
        table_pred.append({"class": name, "segments": len(sel), "right": sum(r["right"] for r in sel)})
    for name, _lo, _hi in CLASSES:
        sel = [r for r in rows if class_of(r["share"]) == name]
        table.append({"class": name, "elements": len(sel), "found": sum(r["found"] for r in sel),
                      "right": sum(r["right"] for r in sel)})
    missed = [r for r in rows if not r["found"]]
    found = [r for r in rows if r["found"]]
    return {"table": table, "table_predicted": table_pred, "missed": len(missed),
            "missed_touching": sum(r["share"] > 0 for r in missed),
            "found_touching": sum(r["share"] > 0 for r in found), "found_n": len(found)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--videos", required=True, help="folder of routine folders (video.mp4 + timeline.json)")
    ap.add_argument("--tag", default="", help="suffix of the results files")
    ap.add_argument("--out", default=str(REPO / "bench" / "results"))
    args = ap.parse_args()

    from gymscore.pipeline import analyze_video
    from gymscore.timeline import load_timeline

    folders = sorted(p for p in Path(args.videos).iterdir() if (p / "timeline.json").is_file())
    if not folders:
        print(f"{args.videos}: no routine folders (video.mp4 + timeline.json)", file=sys.stderr)
        return 2
    rows, per_routine, t0 = [], [], time.perf_counter()
    for k, folder in enumerate(folders):
        result = analyze_video(folder / "video.mp4", device="cpu", with_score=False)
        both = tally(result.timeline, load_timeline(folder / "timeline.json"))
        rows += both
        mine = [r for r in both if not r.get("predicted")]
        spans = result.timeline.metadata["analysis"]["pose_lost"]
        lost_s = sum(b - a for a, b in spans) / result.timeline.video.fps
        per_routine.append({"routine": folder.name, "found": round(result.features.found_rate, 3),
                            "lost_stretches": len(spans), "lost_s": round(lost_s, 1),
                            "elements": len(mine), "missed": sum(not r["found"] for r in mine)})
        print(f"[{k + 1}/{len(folders)}] {folder.name}: found {result.features.found_rate:.0%}, "
              f"{len(spans)} lost stretches ({lost_s:.1f} s), missed {per_routine[-1]['missed']} "
              f"of {len(mine)}", file=sys.stderr)
    seconds = round(time.perf_counter() - t0, 1)
    out = {"videos": str(args.videos), "routines": len(folders), "seconds": seconds,
           "machine": f"{platform.machine()}, {platform.python_version()}", **summarise(rows),
           "per_routine": per_routine}
    dest = Path(args.out)
    dest.mkdir(parents=True, exist_ok=True)
    (dest / f"lost_spans{args.tag}.json").write_text(json.dumps(out, indent=2))
    (dest / f"lost_spans{args.tag}.md").write_text(to_md(out))
    print(to_md(out))
    return 0


def to_md(out: dict) -> str:
    """The results file."""
    lines = [
        "# Where the analysis lost the gymnast, against the elements it missed (bench/bench_lost_spans.py)",
        "",
        f"Routines: {out['routines']} from `{out['videos']}` (shipped models, LiteRT poses, CPU, the feature "
        f"cache used where present; {out['seconds']} s). A true element is *found* when a predicted segment "
        "overlaps it with IoU >= 0.5, *right* when that segment names its element. *Lost share*: the share "
        "of its frames inside the stretches the analysis reports as lost (`pose_lost`: at least 0.4 s, "
        "joined across finds under 0.2 s).",
        "",
        "| lost share of the element | true elements | found | named right |",
        "| --- | --- | --- | --- |",
    ]
    for row in out["table"]:
        n = row["elements"]
        found, right = ((f"{x} ({x / n:.0%})" if n else str(x)) for x in (row["found"], row["right"]))
        lines.append(f"| {row['class']} | {n} | {found} | {right} |")
    lines += ["", "The analysis' own segments, by the share of their frames inside a marked stretch "
              "(*right*: it overlaps a true element with IoU >= 0.5 and names it):", "",
              "| lost share of the segment | segments | right |", "| --- | --- | --- |"]
    for row in out.get("table_predicted", []):
        n = row["segments"]
        lines.append(f"| {row['class']} | {n} | {row['right']}" + (f" ({row['right'] / n:.0%})" if n else "")
                     + " |")
    missed, found_n = out["missed"], out["found_n"]
    lines += [
        "",
        f"Of the {missed} true elements the analysis missed, {out['missed_touching']} touch a marked stretch"
        + (f" ({out['missed_touching'] / missed:.0%})" if missed else "")
        + f"; of the {found_n} it found, {out['found_touching']}"
        + (f" ({out['found_touching'] / found_n:.0%})" if found_n else "") + ".",
        "",
        "| routine | gymnast found | lost stretches | lost (s) | true elements | missed |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    lines += [f"| {r['routine']} | {r['found']:.0%} | {r['lost_stretches']} | {r['lost_s']} | "
              f"{r['elements']} | {r['missed']} |" for r in out["per_routine"]]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
