"""Load and validate a codebook edition (``codebook/<edition>/``) plus user codebook files.

Layout of an edition folder: ``sets.yaml`` (sets, apparatus, names), ``flags.yaml`` (flag vocabulary
with the question asked about each flag), ``elements/*.yaml`` (elements), ``trees/<set>.yaml`` (one
decision tree per set) and ``element.schema.json`` (the JSON Schema of an element file).

A user file (YAML or JSON, same format as an element file, optionally with its own ``flags``) adds
elements on top of an edition. In each set that receives user elements, the tree gets a new root
question "source": answer ``"user"`` leads to a small tree built from the user elements,
the edition's name leads to the shipped tree (and is the default when ``resolve`` is not told).
"""

from __future__ import annotations

import copy
import json
import math
import os
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from gymscore.codebook.attributes import CATEGORICAL, NUMERIC, Attributes
from gymscore.codebook.errors import CodebookError
from gymscore.codebook.model import Codebook, Element, SetInfo
from gymscore.codebook.tree import DecisionTree, Node, answer_of, build_tree
from gymscore.paths import codebook_dir, user_data_dir

LETTERS = "ABCDEFGHI"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_data(path: str | os.PathLike) -> Any:
    """Parse a YAML or JSON file with errors naming the file, line and problem."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise CodebookError(f"{p}: cannot read file: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CodebookError(
            f"{p}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        ) from None
    if not text.strip():
        raise CodebookError(f"{p}: file is empty")
    if p.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            where = f"line {exc.lineno} column {exc.colno}"
            raise CodebookError(f"{p}: invalid JSON at {where}: {exc.msg}") from None
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise CodebookError(f"{p}: invalid YAML{where}: {problem}") from None


def _mapping(data: Any, path: Path) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise CodebookError(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
    return data


@lru_cache(maxsize=4)
def element_schema(edition_dir: str) -> dict[str, Any]:
    """The JSON Schema of an element file of an edition."""
    path = Path(edition_dir) / "element.schema.json"
    return _mapping(read_data(path), path)


def _schema_check(data: Any, schema: dict[str, Any], path: Path) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        err = errors[0]
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path).lstrip(".")
        raise CodebookError(f"{path}: {where or '(top level)'}: {err.message}")


def value_problem(apparatus: str, cop_number: str | None, letter: str | None, value: float) -> str | None:
    """Why value, letter and CoP number disagree (None when consistent)."""
    if apparatus == "VT":
        if cop_number is not None:
            return "a vault has no CoP number (its value comes from the vault table)"
        if letter is not None:
            return "a vault has no value letter"
        return None if value > 0 else f"vault value must be positive, got {value}"
    if cop_number is not None:
        column = int(cop_number.split(".")[1][0])
        if column == 0:
            return f"CoP number {cop_number} has value column 0"
        want = column / 10
        if letter is not None and letter != LETTERS[column - 1]:
            return (
                f"value letter {letter} does not match column {column} ({LETTERS[column - 1]}) "
                f"of CoP number {cop_number}"
            )
        if not math.isclose(value, want, abs_tol=1e-9):
            return (
                f"value {value} does not match column {column} ({LETTERS[column - 1]} = {want}) "
                f"of CoP number {cop_number}"
            )
        return None
    if letter is not None and not math.isclose(value, (LETTERS.index(letter) + 1) / 10, abs_tol=1e-9):
        return f"value {value} does not match value letter {letter}"
    return None


def _element(
    raw: dict[str, Any], path: Path, source: str, sets: Mapping[int, SetInfo], flags: set[str]
) -> Element:
    eid = raw["id"]
    info = sets.get(raw["set"])
    if info is None:
        raise CodebookError(f"{path}: element {eid}: unknown set {raw['set']}")
    if info.apparatus != raw["apparatus"]:
        raise CodebookError(
            f"{path}: element {eid}: set {info.id} belongs to {info.apparatus}, not {raw['apparatus']}"
        )
    number = raw.get("cop_number", raw.get("number"))
    letter = raw.get("value_letter")
    if number is not None and letter is None:
        letter = LETTERS[int(number.split(".")[1][0]) - 1] if number.split(".")[1][0] != "0" else None
    problem = value_problem(raw["apparatus"], number, letter, float(raw["value"]))
    if problem:
        raise CodebookError(f"{path}: element {eid}: {problem}")
    group = raw.get("group")
    if number is not None:
        g = int(number.split(".")[0])
        if group is not None and group != g:
            raise CodebookError(f"{path}: element {eid}: group {group} does not match CoP number {number}")
        group = g
    attrs_raw = dict(raw.get("attributes") or {})
    unknown = [k for k in attrs_raw if k not in CATEGORICAL and k not in NUMERIC and k != "flags"]
    if unknown:
        raise CodebookError(f"{path}: element {eid}: unknown attribute {unknown[0]!r}")
    attrs = Attributes(**attrs_raw)
    for name in NUMERIC:
        setattr(attrs, name, float(getattr(attrs, name)))
    problems = attrs.problems()
    if problems:
        raise CodebookError(f"{path}: element {eid}: {problems[0]}")
    bad = [f for f in attrs.flags if f not in flags]
    if bad:
        raise CodebookError(f"{path}: element {eid}: unknown flag {bad[0]!r} (declare it under 'flags:')")
    fg = raw.get("finegym") or {}
    return Element(
        id=eid, apparatus=raw["apparatus"], set_id=info.id, name=raw["name"], cop_number=number,
        value_letter=letter, value=float(raw["value"]), group=group, attributes=attrs,
        glabel=fg.get("glabel"), gym288=fg.get("gym288"), gym99=fg.get("gym99"), source=source,
    )


def read_element_file(
    path: Path, schema: dict[str, Any], source: str, sets: Mapping[int, SetInfo], flags: dict[str, dict]
) -> list[Element]:
    """Validate one element file and return its elements (flags declared in it are added to ``flags``)."""
    data = _mapping(read_data(path), path)
    _schema_check(data, schema, path)
    flags.update(data.get("flags") or {})
    out, seen = [], {}
    for raw in data["elements"]:
        if raw["id"] in seen:
            raise CodebookError(f"{path}: duplicate element id {raw['id']!r}")
        seen[raw["id"]] = True
        out.append(_element(raw, path, source, sets, set(flags)))
    return out


def _read_sets(folder: Path) -> tuple[str, dict[int, SetInfo], dict[int, str]]:
    path = folder / "sets.yaml"
    data = _mapping(read_data(path), path)
    sets, trees = {}, {}
    try:
        for s in data["sets"]:
            info = SetInfo(int(s["id"]), str(s["apparatus"]), str(s["name"]), str(s["label"]))
            sets[info.id] = info
            trees[info.id] = str(s["tree"])
        return str(data["edition"]), sets, trees
    except (KeyError, TypeError, ValueError) as exc:
        raise CodebookError(f"{path}: malformed set entry ({exc!r})") from None


def check_tree(tree: DecisionTree, elements: Iterable[Element], where: str) -> None:
    """Every element is one leaf, reachable with its own attributes; every leaf is an element."""
    ids = {e.id: e for e in elements}
    leaves = tree.leaves()
    seen: set[str] = set()
    for leaf in leaves:
        if leaf not in ids:
            raise CodebookError(f"{where}: leaf {leaf!r} is not an element of set {tree.set_id}")
        if leaf in seen:
            raise CodebookError(f"{where}: element {leaf} appears twice in the tree of set {tree.set_id}")
        seen.add(leaf)
    for eid, e in ids.items():
        if eid not in seen:
            raise CodebookError(f"{where}: element {eid} is not reachable from the tree of set {tree.set_id}")
        node: Node | str = tree.root
        while isinstance(node, Node):
            want = answer_of(node, e.attributes, e.source)
            node = next((c for a, c in node.branches if _eq(a, want)), "")
        if node != eid:
            raise CodebookError(
                f"{where}: element {eid}: its attributes lead to {node or 'no leaf'} "
                f"in the tree of set {tree.set_id}"
            )


def _eq(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, abs_tol=1e-9)
    return a == b


Edition = tuple[dict[int, SetInfo], dict[str, Element], dict[int, DecisionTree], dict]


@lru_cache(maxsize=4)
def _shipped(edition: str) -> Edition:
    return read_edition(codebook_dir(edition), edition)


def read_edition(folder: Path, edition: str) -> Edition:
    """Read and validate an edition folder: (sets, elements, trees, flag vocabulary)."""
    if not (folder / "sets.yaml").is_file():
        raise CodebookError(f"unknown codebook edition {edition!r} (no {folder / 'sets.yaml'})")
    name, sets, tree_files = _read_sets(folder)
    if name != edition:
        raise CodebookError(f"{folder / 'sets.yaml'}: edition is {name!r}, expected {edition!r}")
    flags = _mapping(read_data(folder / "flags.yaml"), folder / "flags.yaml")
    schema = element_schema(str(folder))
    elements: dict[str, Element] = {}
    where: dict[str, Path] = {}
    for path in sorted((folder / "elements").glob("*.yaml")):
        for e in read_element_file(path, schema, edition, sets, flags):
            if e.id in elements:
                raise CodebookError(f"{path}: duplicate element id {e.id!r} (first defined in {where[e.id]})")
            if e.glabel is not None and e.id != f"{e.apparatus}-{e.glabel:03d}":
                raise CodebookError(f"{path}: element {e.id}: id must be {e.apparatus}-{e.glabel:03d}")
            elements[e.id], where[e.id] = e, path
    trees = {}
    for sid, rel in tree_files.items():
        path = folder / rel
        tree = DecisionTree.from_dict(_mapping(read_data(path), path), str(path))
        if tree.set_id != sid:
            raise CodebookError(f"{path}: tree is for set {tree.set_id}, expected {sid}")
        check_tree(tree, [e for e in elements.values() if e.set_id == sid], str(path))
        trees[sid] = tree
    return sets, elements, trees, flags


def user_files() -> list[Path]:
    """User codebook files picked up automatically: ``$GYMSCORE_HOME/codebook/*.yaml|*.yml|*.json``."""
    folder = user_data_dir() / "codebook"
    if not folder.is_dir():
        return []
    suffixes = (".yaml", ".yml", ".json")
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in suffixes and p.is_file())


def load_codebook(
    edition: str = "wag-2017", user_file: str | os.PathLike | None = None, include_user_dir: bool = True
) -> Codebook:
    """Load an edition, validated, plus user elements from ``user_file`` and ``$GYMSCORE_HOME/codebook``."""
    sets, shipped, trees, flags = _shipped(edition)
    shipped = copy.deepcopy(shipped)  # callers may edit their elements; the cache stays intact
    elements = dict(shipped)
    flags = dict(flags)
    files = (user_files() if include_user_dir else []) + ([Path(user_file)] if user_file is not None else [])
    schema = element_schema(str(codebook_dir(edition)))
    added: dict[int, dict[str, Element]] = {}
    origin: dict[str, Path] = {}
    for path in files:
        for e in read_element_file(path, schema, "user", sets, flags):
            if e.id in shipped:
                raise CodebookError(
                    f"{path}: element id {e.id!r} clashes with a shipped element of {edition}"
                )
            if e.id in elements:
                raise CodebookError(
                    f"{path}: duplicate element id {e.id!r} (first defined in {origin[e.id]})"
                )
            elements[e.id], origin[e.id] = e, path
            added.setdefault(e.set_id, {})[e.id] = e
    trees = dict(trees)
    for sid, new in added.items():
        where = ", ".join(sorted({str(origin[i]) for i in new}))
        sub = build_tree(
            sid, {i: e.attributes for i, e in new.items()},
            lambda f: flags.get(f, {}).get("question", f"Does it have the feature {f!r}?"),
            id_prefix="u", where=where,
        )
        root = Node("user", "source", "Is it an element added in a user codebook file?")
        root.branches = [("user", sub.root), (edition, trees[sid].root)]
        trees[sid] = DecisionTree(sid, root)
        check_tree(trees[sid], [e for e in elements.values() if e.set_id == sid], where)
    return Codebook(edition, elements, sets, trees)


def _signature() -> tuple:
    return tuple((str(p), p.stat().st_mtime_ns) for p in user_files())


@lru_cache(maxsize=8)
def _default(signature: tuple) -> Codebook:
    return load_codebook()


def default_codebook() -> Codebook:
    """The wag-2017 codebook with the current user files (cached until those files change)."""
    return _default(_signature())


def flag_vocabulary(edition: str = "wag-2017") -> dict[str, dict]:
    """The edition's flags: name -> {question, meaning}."""
    return dict(_shipped(edition)[3])
