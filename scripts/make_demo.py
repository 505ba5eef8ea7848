"""Make the bundled demo routines (resources/demo/) and the GymSynth contact sheets (docs/img/).

Each demo is a GymSynth routine folder (video.mp4, timeline.json, joints.npz) at 640x360, 25 fps,
following a fixed element plan so that it stays short (20-40 s) and under 5 MB.
Run: ``.venv/bin/python scripts/make_demo.py [--sheets] [--only FX]``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from gymscore.synth import generate_routine
from gymscore.synth.priors import load_priors
from gymscore.timeline import Segment, Timeline, VideoInfo
from gymscore.util.progress import ProgressLine

REPO = Path(__file__).resolve().parent.parent
FPS = 25

# (apparatus, seed, lead-in s, [(element id, gap before s)], tail s)
DEMOS = {
    "fx_demo": (
        "FX",
        21,
        2.0,
        [("FX-195", 0.0), ("FX-081", 4.0), ("FX-147", 3.0), ("FX-074", 3.0), ("FX-188", 4.0)],
        2.0,
    ),
    "bb_demo": (
        "BB",
        22,
        2.5,
        [
            ("BB-213", 0.0),
            ("BB-228", 0.2),
            ("BB-272", 3.5),
            ("BB-334", 3.5),
            ("BB-297", 0.2),
            ("BB-219", 3.5),
            ("BB-359", 3.5),
        ],
        2.5,
    ),
    "ub_demo": ("UB", 22, 1.0, [("UB-416", 0.0), ("UB-465", 0.3), ("UB-516", 0.5)], 1.5),
    "vt_demo": ("VT", 24, 5.0, [("VT-024", 0.0)], 3.0),
}
SHEETS = {
    "synth_salto_tucked_vs_stretched.png": ["FX-195", "FX-181"],
    "synth_split_vs_switch_leap.png": ["BB-230", "BB-228"],
    "synth_ub_giant_and_release.png": ["UB-416", "UB-465"],
    "synth_vault.png": ["VT-024", "VT-052"],
}


def plan_timeline(apparatus: str, lead: float, elements: list[tuple[str, float]], tail: float) -> Timeline:
    """A timeline whose segments carry the planned durations (prior medians) and gaps."""
    stats = load_priors()["apparatus"][apparatus]["elements"]
    t = lead
    segs = []
    for eid, gap in elements:
        t += gap
        dur = stats.get(eid, {"duration_s": [1.6, 0]})["duration_s"][0]
        segs.append(Segment(round(t * FPS), round((t + dur) * FPS), element_id=eid))
        t += dur
    return Timeline(
        video=VideoInfo(fps=FPS, frame_count=round((t + tail) * FPS)), apparatus=apparatus, segments=segs
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sheets", action="store_true", help="also write the contact sheets to docs/img/")
    ap.add_argument("--only", default=None, help="only demos whose name contains this text")
    args = ap.parse_args(argv)
    out_root = REPO / "resources" / "demo"
    for name, (app, seed, lead, elements, tail) in DEMOS.items():
        if args.only and args.only.lower() not in name:
            continue
        folder = out_root / name
        if folder.exists():
            shutil.rmtree(folder)
        line = ProgressLine()
        r = generate_routine(
            app,
            seed,
            size=(640, 360),
            fps=FPS,
            camera="broadcast",
            out_dir=folder,
            timeline=plan_timeline(app, lead, elements, tail),
            progress=line,
        )
        line.close()
        mb = (folder / "video.mp4").stat().st_size / 1e6
        print(
            f"{folder.relative_to(REPO)}: {len(r.joints3d) / FPS:.1f} s, {mb:.2f} MB, "
            + ", ".join(s.element_id or "" for s in r.timeline.segments)
        )
    if args.sheets:
        from gymscore.synth.sheets import contact_sheet

        for fname, ids in SHEETS.items():
            path = contact_sheet(ids, REPO / "docs" / "img" / fname, frames=8)
            print(f"{path.relative_to(REPO)}: {', '.join(ids)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
