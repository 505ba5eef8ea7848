"""Read the FineGym annotation files (categories, sets, annotators' decision-tree paths).

Only facts are read: class numbers, set ids, display names, CoP numbers / vault values and the
annotators' 0/1 answers. Nothing here is written into the project.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from gymscore.codebook.errors import CodebookError

_CAT = re.compile(r"^Glabel:\s*(\d+);\s*set:\s*(\d+);\s*\((VT|FX|BB|UB)\)\s*(.+?)\s*$")
_SUB = re.compile(r"^Clabel:\s*(\d+);\s*set:\s*(\d+);\s*Glabel:\s*(\d+);")
_SET = re.compile(r"^set:\s*(\d+);\s*(\S+)\s*$")


@dataclass
class FineGymClass:
    """One of the 530 FineGym element classes."""

    glabel: int
    set_id: int
    apparatus: str
    name: str
    code: str = ""
    btcode: str = ""
    questions: list[str] = field(default_factory=list)
    gym288: int | None = None
    gym99: int | None = None


def annotations_dir(finegym: str | Path) -> Path:
    """The ``annotations`` folder of a FineGym folder (accepts either folder)."""
    p = Path(finegym)
    if (p / "annotations").is_dir():
        return p / "annotations"
    if (p / "gym530_categories.txt").is_file():
        return p
    raise CodebookError(f"{p}: not a FineGym folder (no annotations/gym530_categories.txt)")


def _lines(path: Path) -> list[str]:
    try:
        return [ln for ln in path.read_text("utf-8").splitlines() if ln.strip()]
    except (OSError, UnicodeDecodeError) as exc:
        raise CodebookError(f"{path}: cannot read FineGym file: {exc}") from exc


def read_sets(finegym: str | Path) -> dict[int, str]:
    """Set id -> FineGym set label (e.g. ``21: 'FX_leap_jump_hop'``)."""
    path = annotations_dir(finegym) / "set_categories.txt"
    out = {}
    for i, ln in enumerate(_lines(path), 1):
        m = _SET.match(ln.strip())
        if not m:
            raise CodebookError(f"{path}: line {i}: unexpected format {ln.strip()!r}")
        out[int(m.group(1))] = m.group(2)
    return out


def _sub_labels(path: Path) -> dict[int, int]:
    out = {}
    for i, ln in enumerate(_lines(path), 1):
        m = _SUB.match(ln.strip())
        if not m:
            raise CodebookError(f"{path}: line {i}: unexpected format {ln.strip()!r}")
        out[int(m.group(3))] = int(m.group(1))
    return out


def read_classes(finegym: str | Path) -> dict[int, FineGymClass]:
    """All 530 classes by Glabel, with code, annotators' path and Gym288 / Gym99 labels."""
    ann = annotations_dir(finegym)
    path = ann / "gym530_categories.txt"
    classes: dict[int, FineGymClass] = {}
    for i, ln in enumerate(_lines(path), 1):
        m = _CAT.match(ln.strip())
        if not m:
            raise CodebookError(f"{path}: line {i}: unexpected format {ln.strip()!r}")
        g = int(m.group(1))
        classes[g] = FineGymClass(g, int(m.group(2)), m.group(3), m.group(4))
    qpath = ann / "finegym_glabel_to_Qtree.json"
    try:
        tree = json.loads(qpath.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CodebookError(f"{qpath}: cannot read FineGym file: {exc}") from exc
    for key, entry in tree.items():
        c = classes.get(int(key))
        if c is None:
            raise CodebookError(f"{qpath}: Glabel {key} is not in {path.name}")
        c.code = str(entry.get("code", ""))
        c.btcode = str(entry.get("BTcode", ""))
        c.questions = list(entry.get("questions", []))
    for attr, fname in (("gym288", "gym288_categories.txt"), ("gym99", "gym99_categories.txt")):
        for g, clabel in _sub_labels(ann / fname).items():
            if g in classes:
                setattr(classes[g], attr, clabel)
    return classes


def normalise_code(code: str) -> str | None:
    """A FineGym CoP number as ``G.VRR`` (``'02.300'`` -> ``'2.300'``); None for ``'0.000'``."""
    m = re.fullmatch(r"0*(\d+)\.(\d)(\d\d)", code.strip())
    if not m:
        raise CodebookError(f"FineGym code {code!r} is not a Code of Points number G.VRR")
    if m.group(1) == "0" and m.group(2) == "0":
        return None
    return f"{int(m.group(1))}.{m.group(2)}{m.group(3)}"
