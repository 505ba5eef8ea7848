#!/usr/bin/env python3
"""Generate ``codebook/wag-2017/`` from the FineGym annotation files.

Facts (names, CoP numbers, vault values, labels) come from FineGym; attributes come from the
project's own name-parsing rules (``gymscore.codebook.derive``); trees are built greedily from the
attributes. Usage: ``.venv/bin/python scripts/build_codebook.py [--finegym ../shared/finegym]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from gymscore.codebook.attributes import CATEGORICAL, NUMERIC  # noqa: E402
from gymscore.codebook.derive import element_attributes  # noqa: E402
from gymscore.codebook.finegym import normalise_code, read_classes, read_sets  # noqa: E402
from gymscore.codebook.tree import build_tree  # noqa: E402
from gymscore.util.atomic import atomic_write_text  # noqa: E402

EDITION = "wag-2017"
SETS = {  # id: (apparatus, name)
    1: ("VT", "vault"),
    21: ("FX", "leap_jump_hop"), 22: ("FX", "turns"), 23: ("FX", "side_salto"),
    24: ("FX", "front_salto"), 25: ("FX", "back_salto"),
    31: ("BB", "leap_jump_hop"), 32: ("BB", "turns"), 33: ("BB", "flight_salto"),
    34: ("BB", "flight_handspring"), 35: ("BB", "dismounts"),
    41: ("UB", "circles"), 42: ("UB", "flight_same_bar"), 43: ("UB", "transition_flight"),
    44: ("UB", "dismounts"),
}
LETTERS = "ABCDEFGHI"


class _Flow(dict):
    """A mapping written in YAML flow style (one line)."""


yaml.SafeDumper.add_representer(_Flow, lambda d, m: d.represent_mapping("tag:yaml.org,2002:map", m, True))


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120, default_flow_style=False)


def element_schema() -> dict[str, Any]:
    """JSON Schema of an element file (shipped or user), generated from the attribute schema."""
    attrs = {name: {"enum": list(values)} for name, values in CATEGORICAL.items()}
    for name, doc in NUMERIC.items():
        attrs[name] = {"type": "number", "minimum": 0, "description": doc}
    attrs["flags"] = {"type": "array", "items": {"type": "string", "pattern": "^[a-z0-9_]+$"}}
    number = {"type": ["string", "null"], "pattern": r"^\d+\.\d\d\d$"}
    element = {
        "type": "object",
        "required": ["id", "apparatus", "set", "name", "value", "attributes"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]*$"},
            "apparatus": {"enum": ["VT", "FX", "BB", "UB"]},
            "set": {"type": "integer"},
            "name": {"type": "string", "minLength": 1},
            "cop_number": number,
            "number": number,
            "value_letter": {"enum": [*LETTERS, None]},
            "value": {"type": "number", "minimum": 0},
            "group": {"type": ["integer", "null"]},
            "attributes": {"type": "object", "additionalProperties": False, "properties": attrs},
            "finegym": {
                "type": "object", "additionalProperties": False,
                "properties": {k: {"type": "integer", "minimum": 0} for k in ("glabel", "gym288", "gym99")},
            },
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "gymscore codebook element file",
        "description": "Elements of a codebook edition, or user elements added on top of one.",
        "type": "object",
        "required": ["elements"],
        "additionalProperties": False,
        "properties": {
            "edition": {"type": "string"},
            "apparatus": {"enum": ["VT", "FX", "BB", "UB"]},
            "flags": {
                "type": "object",
                "description": "flags declared by this file: name -> {question, meaning}",
                "additionalProperties": {
                    "type": "object", "required": ["question"],
                    "properties": {"question": {"type": "string"}, "meaning": {"type": "string"}},
                },
            },
            "elements": {"type": "array", "items": {"$ref": "#/$defs/element"}},
        },
        "$defs": {"element": element},
    }


def flag_separated(by_set: dict[int, dict], classes: dict) -> dict[str, Any]:
    """Groups of elements of a set whose typed attributes are equal: only flags tell them apart."""
    groups = []
    for sid, items in by_set.items():
        seen: dict[tuple, list[str]] = {}
        for eid, attrs in items.items():
            key = tuple((k, v) for k, v in sorted(vars(attrs).items()) if k != "flags")
            seen.setdefault(key, []).append(eid)
        for ids in seen.values():
            if len(ids) > 1:
                groups.append({
                    "set": sid,
                    "elements": [
                        _Flow({"id": i, "name": classes[int(i[3:])].name, "flags": items[i].flags})
                        for i in ids
                    ],
                })
    return {
        "about": "Elements with equal typed attributes in a set; the flags are what separates them.",
        "groups": groups,
    }


def build(finegym: Path, out: Path) -> dict[str, int]:
    """Write the edition folder; returns counts per apparatus."""
    labels = read_sets(finegym)
    classes = read_classes(finegym)
    flags = yaml.safe_load((out / "flags.yaml").read_text("utf-8"))
    elements: dict[str, list[dict[str, Any]]] = {a: [] for a in ("VT", "FX", "BB", "UB")}
    by_set: dict[int, dict] = {s: {} for s in SETS}
    for g in sorted(classes):
        c = classes[g]
        attrs = element_attributes(c.set_id, c.name)
        missing = [f for f in attrs.flags if f not in flags]
        if missing or attrs.problems():
            raise SystemExit(f"Glabel {g} {c.name!r}: unknown flags {missing} / {attrs.problems()}")
        if c.apparatus == "VT":
            number, letter, value, group = None, None, round(float(c.code), 2), None
        else:
            number = normalise_code(c.code)
            column = int(number.split(".")[1][0]) if number else 0
            letter = LETTERS[column - 1] if column else None
            value = column / 10
            group = int(number.split(".")[0]) if number else None
        eid = f"{c.apparatus}-{g:03d}"
        entry = {
            "id": eid, "apparatus": c.apparatus, "set": c.set_id, "name": c.name, "cop_number": number,
            "value_letter": letter, "value": value, "group": group, "attributes": _Flow(attrs.to_dict()),
            "finegym": _Flow({k: v for k, v in (("glabel", g), ("gym288", c.gym288), ("gym99", c.gym99))
                              if v is not None}),
        }
        elements[c.apparatus].append(entry)
        by_set[c.set_id][eid] = attrs
    (out / "elements").mkdir(parents=True, exist_ok=True)
    (out / "trees").mkdir(parents=True, exist_ok=True)
    header = (
        "# Generated by scripts/build_codebook.py from the FineGym class list; "
        "edit the rules, not this file.\n"
    )
    for app, items in elements.items():
        data = {"edition": EDITION, "apparatus": app, "elements": items}
        atomic_write_text(out / "elements" / f"{app}.yaml", header + _dump(data))
    sets = []
    for sid, (app, name) in SETS.items():
        sets.append(
            {"id": sid, "apparatus": app, "name": name, "label": labels[sid], "tree": f"trees/{sid}.yaml"}
        )
        tree = build_tree(sid, by_set[sid], lambda f: flags[f]["question"], id_prefix=f"s{sid}q")
        atomic_write_text(out / "trees" / f"{sid}.yaml", header + _dump(tree.to_dict()))
    atomic_write_text(out / "sets.yaml", header + _dump({"edition": EDITION, "sets": sets}))
    atomic_write_text(out / "flag_separated.yaml", header + _dump(flag_separated(by_set, classes)))
    atomic_write_text(out / "element.schema.json", json.dumps(element_schema(), indent=2) + "\n")
    return {a: len(v) for a, v in elements.items()}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--finegym", type=Path, default=REPO.parent / "shared" / "finegym")
    p.add_argument("--out", type=Path, default=REPO / "codebook" / EDITION)
    args = p.parse_args(argv)
    counts = build(args.finegym, args.out)
    print(f"wrote {sum(counts.values())} elements to {args.out}: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
