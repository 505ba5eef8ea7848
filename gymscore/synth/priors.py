"""Routine statistics for the sampler, derived from FineGym's routine-level labels.

:func:`derive_priors` reads ``routines/{val,test}.json`` and ``annotations/gym530_categories.txt`` of a
FineGym folder and returns facts about them (no copy of the files): per apparatus the number of
elements per routine, element counts and durations, transition counts between consecutive elements,
gaps between elements and lead-in/tail times. ``gymscore/synth/priors.json`` holds the same facts so
that the generator works without the FineGym folder; :func:`load_priors` prefers the live files.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from gymscore.paths import finegym_default_dir

PRIORS_FILE = Path(__file__).with_name("priors.json")
QUANTILES = np.linspace(0.0, 1.0, 11)
_CAT = re.compile(r"^Glabel:\s*(\d+);\s*set:\s*(\d+);\s*\((VT|FX|BB|UB)\)\s*(.*?)\s*$")


def element_names(finegym_dir: Path) -> dict[str, str]:
    """Map of ``"(EV) name"`` -> element id (``f"{EV}-{glabel:03d}"``) from gym530_categories.txt."""
    path = finegym_dir / "annotations" / "gym530_categories.txt"
    out = {}
    for line in path.read_text("utf-8").splitlines():
        m = _CAT.match(line)
        if m:
            out[f"({m.group(3)}) {m.group(4)}"] = f"{m.group(3)}-{int(m.group(1)):03d}"
    if not out:
        raise ValueError(f"{path}: no 'Glabel: N; set: S; (EV) name' lines found")
    return out


def _quantiles(values: list[float]) -> list[float]:
    if not values:
        return [0.0] * len(QUANTILES)
    return [round(float(v), 3) for v in np.quantile(np.asarray(values), QUANTILES)]


def derive_priors(finegym_dir: Path) -> dict[str, Any]:
    """Statistics of the real routines (see the module docstring)."""
    names = element_names(finegym_dir)
    per_app: dict[str, dict[str, Any]] = {}
    acc: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "n": [],
            "gaps": [],
            "lead": [],
            "tail": [],
            "dur": defaultdict(list),
            "trans": defaultdict(Counter),
            "start": Counter(),
            "phases": [],
        }
    )
    for split in ("val", "test"):
        path = finegym_dir / "routines" / f"{split}.json"
        routines = json.loads(path.read_text("utf-8"))
        for r in routines:
            fps = float(r["fps"])
            by_elem: dict[str, dict[str, int]] = {}
            order: list[str] = []
            for e in r["events"]:
                key = e["comment"]
                if key not in by_elem:
                    by_elem[key] = {}
                    order.append(key)
                by_elem[key][e["label"]] = int(e["frame"])
            segs = []
            for key in order:
                name = key.split(";", 1)[1].strip()
                eid = names.get(name)
                if eid is None:
                    continue
                marks = by_elem[key]
                if "VT_0" in marks:
                    ph = [marks.get(f"VT_{i}") for i in range(4)]
                    if None in ph:
                        continue
                    acc["VT"]["phases"].append([(ph[i + 1] - ph[i]) / fps for i in range(3)])
                    start, end = ph[1], ph[3]
                else:
                    st = [v for k, v in marks.items() if k.endswith("_start")]
                    en = [v for k, v in marks.items() if k.endswith("_end")]
                    if not st or not en:
                        continue
                    start, end = st[0], en[0]
                if end <= start:
                    continue
                segs.append((start, end, eid))
            if not segs:
                continue
            segs.sort()
            app = segs[0][2][:2]
            a = acc[app]
            a["n"].append(len(segs))
            a["lead"].append(segs[0][0] / fps)
            a["tail"].append(max(0.0, (int(r["num_frames"]) - segs[-1][1]) / fps))
            a["start"][segs[0][2]] += 1
            for i, (s, e, eid) in enumerate(segs):
                a["dur"][eid].append((e - s) / fps)
                if i + 1 < len(segs):
                    a["gaps"].append(max(0.0, (segs[i + 1][0] - e) / fps))
                    a["trans"][eid][segs[i + 1][2]] += 1
    for app in ("VT", "FX", "BB", "UB"):
        a = acc[app]
        per_app[app] = {
            "routines": len(a["n"]),
            "elements_per_routine": dict(sorted(Counter(a["n"]).items())),
            "lead_in_s": _quantiles(a["lead"]),
            "tail_s": _quantiles(a["tail"]),
            "gap_s": _quantiles(a["gaps"]),
            "start": dict(sorted(a["start"].items())),
            "elements": {
                eid: {
                    "count": len(d),
                    "duration_s": [round(float(np.median(d)), 3), round(float(np.std(d)), 3)],
                }
                for eid, d in sorted(a["dur"].items())
            },
            "transitions": {k: dict(sorted(v.items())) for k, v in sorted(a["trans"].items())},
        }
        if a["phases"]:
            per_app[app]["vault_phases_s"] = [round(float(v), 3) for v in np.median(np.array(a["phases"]), 0)]
    out = {
        "source": "FineGym routines val+test (E2E-Spot conversion); derived statistics",
        "quantiles": [round(float(q), 2) for q in QUANTILES],
        "apparatus": per_app,
    }
    return json.loads(json.dumps(out))  # the same types (string keys) as the shipped JSON file


@lru_cache(maxsize=2)
def load_priors(prefer_live: bool = True) -> dict[str, Any]:
    """Priors from ../shared/finegym when present (and ``prefer_live``), else the shipped priors.json."""
    if prefer_live:
        d = finegym_default_dir()
        if d is not None and (d / "routines" / "val.json").is_file():
            try:
                return derive_priors(d)
            except (OSError, ValueError, KeyError):
                pass
    try:
        return json.loads(PRIORS_FILE.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{PRIORS_FILE}: cannot read the synthetic routine priors: {exc}") from exc


def sample_quantiles(q: list[float], rng: np.random.Generator) -> float:
    """Draw from a distribution given by its quantiles at :data:`QUANTILES` (piecewise linear)."""
    return float(np.interp(rng.uniform(), QUANTILES, np.asarray(q, dtype=np.float64)))
