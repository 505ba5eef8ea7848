"""Load and check the rules data files (``codebook/<edition>/rules/*.yaml``) into compiled rules.

``common.yaml`` holds what FX, BB and UB share; ``fx.yaml``, ``bb.yaml``, ``ub.yaml`` and ``vt.yaml``
one apparatus each. Every rule has an ``id``, a ``description``, a ``source`` and ``verified``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from gymscore.paths import codebook_dir
from gymscore.scoring.predicates import (
    Predicate,
    RulesError,
    compile_predicate,
    int_list,
    letter_value,
)

APPARATUS_FILES = {"FX": "fx.yaml", "BB": "bb.yaml", "UB": "ub.yaml", "VT": "vt.yaml"}


@dataclass(frozen=True)
class RuleInfo:
    """What every rule carries: id, plain description, source and whether a source confirmed it."""

    id: str
    description: str
    source: str
    verified: bool
    note: str = ""


@dataclass(frozen=True)
class CompositionRule:
    """One composition requirement (kind: exists, each, connection or distinct)."""

    info: RuleInfo
    kind: str
    value: float
    predicates: tuple[Predicate, ...] = ()
    members: Predicate | None = None
    some: Predicate | None = None
    min_length: int = 2
    distinct: bool = False
    attr: str = ""
    min_count: int = 2
    ignore: frozenset = frozenset()


@dataclass(frozen=True)
class ConnectionRule:
    """A connection value row: two members in order (or any order), value, direct or indirect."""

    info: RuleInfo
    value: float
    first: Predicate
    second: Predicate
    order: str = "fixed"
    applies: str = "direct"
    some: Predicate | None = None


@dataclass(frozen=True)
class SeriesBonus:
    """BB series bonus: runs of >= min_length connected elements meeting min_values in any order."""

    info: RuleInfo
    value: float
    min_length: int
    min_values: tuple[float, ...]
    members: Predicate
    some: Predicate | None


@dataclass
class ApparatusRules:
    """All rules of one apparatus in one edition, compiled."""

    edition: str
    apparatus: str
    files: list[str]
    count: int = 8
    dismount_required: bool = True
    dv: RuleInfo | None = None
    repeated: RuleInfo | None = None
    categories: dict[str, Predicate] = field(default_factory=dict)
    limits: dict[str, tuple[int, int]] = field(default_factory=dict)  # category -> (min, max)
    limits_info: RuleInfo | None = None
    dismount_method: str = "none"
    dismount_sets: frozenset[int] = frozenset()
    dismount_category: str = ""
    dismount_predicate: Predicate | None = None
    dismount_info: RuleInfo | None = None
    composition: list[CompositionRule] = field(default_factory=list)
    cr_max: float = 2.0
    cr_info: RuleInfo | None = None
    cr_elements: str = "recognised"
    cr_elements_info: RuleInfo | None = None
    cv_info: RuleInfo | None = None
    connections: list[ConnectionRule] = field(default_factory=list)
    series_bonus: SeriesBonus | None = None
    vault_modes: dict[str, RuleInfo] = field(default_factory=dict)
    not_applied: list[RuleInfo] = field(default_factory=list)

    def all_rules(self) -> list[RuleInfo]:
        """Every rule of this apparatus (for listings)."""
        out = [
            r
            for r in (
                self.dv,
                self.repeated,
                self.limits_info,
                self.dismount_info,
                self.cr_info,
                self.cr_elements_info,
                self.cv_info,
            )
            if r is not None
        ]
        out += [c.info for c in self.composition] + [c.info for c in self.connections]
        if self.series_bonus:
            out.append(self.series_bonus.info)
        return out + list(self.vault_modes.values()) + self.not_applied


def _info(d: Any, where: str) -> RuleInfo:
    if not isinstance(d, dict):
        raise RulesError(f"{where}: expected a mapping, got {type(d).__name__}")
    missing = [k for k in ("id", "description", "source", "verified") if k not in d]
    if missing:
        raise RulesError(f"{where}: missing {', '.join(missing)}")
    if not isinstance(d["verified"], bool):
        raise RulesError(f"{where}: verified must be true or false, got {d['verified']!r}")
    for k in ("id", "description", "source"):
        if not isinstance(d[k], str) or not d[k].strip():
            raise RulesError(f"{where}: {k} must be a non-empty string")
    return RuleInfo(d["id"], d["description"], d["source"], d["verified"], str(d.get("note", "")))


def _num(d: dict, key: str, where: str, default: Any = None) -> float:
    v = d.get(key, default)
    if not isinstance(v, int | float) or isinstance(v, bool) or v < 0:
        raise RulesError(f"{where}: {key} must be a number >= 0, got {v!r}")
    return float(v)


def _read_yaml(path: Path) -> dict:
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise RulesError(f"{path}: rules file not found") from None
    except OSError as exc:
        raise RulesError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise RulesError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise RulesError(f"{path}: invalid YAML{at}: {getattr(exc, 'problem', None) or exc}") from None
    if not isinstance(data, dict):
        raise RulesError(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
    return data


def _composition(d: Any, where: str, cats: frozenset[str]) -> CompositionRule:
    info = _info(d, where)
    where = f"{where} ({info.id})"
    kind = d.get("kind")
    value = _num(d, "value", where)
    if kind == "exists":
        return CompositionRule(
            info, kind, value, (compile_predicate(d.get("predicate"), f"{where}.predicate", cats),)
        )
    if kind == "each":
        preds = d.get("predicates")
        if not isinstance(preds, list) or not preds:
            raise RulesError(f"{where}: 'each' needs a non-empty list 'predicates'")
        return CompositionRule(
            info,
            kind,
            value,
            tuple(compile_predicate(p, f"{where}.predicates[{i}]", cats) for i, p in enumerate(preds)),
        )
    if kind == "connection":
        n = d.get("min_length", 2)
        if not isinstance(n, int) or n < 2:
            raise RulesError(f"{where}: min_length must be an integer >= 2, got {n!r}")
        some = compile_predicate(d["some"], f"{where}.some", cats) if "some" in d else None
        return CompositionRule(
            info,
            kind,
            value,
            members=compile_predicate(d.get("members"), f"{where}.members", cats),
            some=some,
            min_length=n,
            distinct=bool(d.get("distinct", False)),
        )
    if kind == "distinct":
        attr = d.get("attr")
        if not isinstance(attr, str):
            raise RulesError(f"{where}: 'distinct' needs attr")
        where_pred = compile_predicate(d["where"], f"{where}.where", cats) if "where" in d else None
        return CompositionRule(
            info,
            kind,
            value,
            members=where_pred,
            attr=attr,
            min_count=int(_num(d, "min", where, 2)),
            ignore=frozenset(d.get("ignore", []) or []),
        )
    raise RulesError(f"{where}: kind must be exists, each, connection or distinct, got {kind!r}")


def _connection(d: Any, where: str, cats: frozenset[str]) -> ConnectionRule:
    info = _info(d, where)
    where = f"{where} ({info.id})"
    members = d.get("members")
    if not isinstance(members, list) or len(members) != 2:
        raise RulesError(f"{where}: members must be a list of 2 predicates")
    order, applies = d.get("order", "fixed"), d.get("applies", "direct")
    if order not in ("fixed", "any"):
        raise RulesError(f"{where}: order must be fixed or any, got {order!r}")
    if applies not in ("direct", "indirect"):
        raise RulesError(f"{where}: applies must be direct or indirect, got {applies!r}")
    some = compile_predicate(d["some"], f"{where}.some", cats) if "some" in d else None
    return ConnectionRule(
        info,
        _num(d, "value", where),
        compile_predicate(members[0], f"{where}.members[0]", cats),
        compile_predicate(members[1], f"{where}.members[1]", cats),
        order,
        applies,
        some,
    )


def _series(d: Any, where: str, cats: frozenset[str]) -> SeriesBonus:
    info = _info(d, where)
    mv = d.get("min_values")
    if not isinstance(mv, list) or not mv:
        raise RulesError(f"{where}: min_values must be a list of value letters")
    n = d.get("min_length", len(mv))
    if not isinstance(n, int) or n < len(mv):
        raise RulesError(f"{where}: min_length must be an integer >= len(min_values)")
    some = compile_predicate(d["some"], f"{where}.some", cats) if "some" in d else None
    return SeriesBonus(
        info,
        _num(d, "value", where),
        n,
        tuple(sorted(letter_value(x, f"{where}.min_values") for x in mv)),
        compile_predicate(d.get("members"), f"{where}.members", cats),
        some,
    )


def parse_rules(common: dict, app: dict, apparatus: str, files: list[str], edition: str) -> ApparatusRules:
    """Compile parsed common + apparatus data; raise :class:`RulesError` naming the file on problems."""
    cfile, afile = files[0], files[-1]
    r = ApparatusRules(edition=edition, apparatus=apparatus, files=files)
    if app.get("apparatus") != apparatus:
        raise RulesError(f"{afile}: apparatus must be {apparatus!r}, got {app.get('apparatus')!r}")
    if apparatus == "VT":
        modes = app.get("vault")
        if not isinstance(modes, dict) or "single" not in modes:
            raise RulesError(f"{afile}: 'vault' must map modes (single, average) to rules")
        r.vault_modes = {m: _info(v, f"{afile}: vault.{m}") for m, v in modes.items()}
        return r
    dv = common.get("dv", {})
    r.dv = _info(dv, f"{cfile}: dv")
    r.count = int(_num(dv, "count", f"{cfile}: dv"))
    r.dismount_required = bool(dv.get("dismount_required", True))
    r.repeated = _info(common.get("repeated_element"), f"{cfile}: repeated_element")
    cr = common.get("composition")
    r.cr_info = _info(cr, f"{cfile}: composition")
    r.cr_max = _num(cr, "max_total", f"{cfile}: composition")
    r.cr_elements = cr.get("elements", "recognised")
    if r.cr_elements not in ("recognised", "counted"):
        raise RulesError(
            f"{cfile}: composition.elements must be recognised or counted, got {r.cr_elements!r}"
        )
    r.cr_elements_info = _info(cr.get("elements_rule"), f"{cfile}: composition.elements_rule")
    r.cv_info = _info(common.get("connection_value"), f"{cfile}: connection_value")
    if "short_exercise" in common:
        r.not_applied.append(_info(common["short_exercise"], f"{cfile}: short_exercise"))
    cats_spec = app.get("categories")
    if not isinstance(cats_spec, dict) or not cats_spec:
        raise RulesError(f"{afile}: categories must map names to predicates")
    cats = frozenset(cats_spec)
    r.categories = {c: compile_predicate(p, f"{afile}: categories.{c}") for c, p in cats_spec.items()}
    if "limits" in app:
        lim = app["limits"]
        r.limits_info = _info(lim, f"{afile}: limits")
        for c, mm in lim.items():
            if c in ("id", "description", "source", "verified", "note"):
                continue
            if c not in cats or not isinstance(mm, dict):
                raise RulesError(f"{afile}: limits.{c}: not a category with {{min, max}}")
            r.limits[c] = (
                int(_num(mm, "min", f"{afile}: limits.{c}", 0)),
                int(_num(mm, "max", f"{afile}: limits.{c}", r.count)),
            )
    dm = app.get("dismount")
    r.dismount_info = _info(dm, f"{afile}: dismount")
    r.dismount_method = dm.get("method")
    if r.dismount_method == "set":
        r.dismount_sets = int_list(dm.get("sets"), f"{afile}: dismount.sets")
    elif r.dismount_method == "last_of_category":
        r.dismount_category = dm.get("category")
        if r.dismount_category not in cats:
            raise RulesError(f"{afile}: dismount.category {r.dismount_category!r} is not a category")
        if "predicate" in dm:
            r.dismount_predicate = compile_predicate(dm["predicate"], f"{afile}: dismount.predicate", cats)
    else:
        raise RulesError(
            f"{afile}: dismount.method must be set or last_of_category, got {r.dismount_method!r}"
        )
    comp = app.get("composition", [])
    if not isinstance(comp, list):
        raise RulesError(f"{afile}: composition must be a list")
    r.composition = [_composition(c, f"{afile}: composition[{i}]", cats) for i, c in enumerate(comp)]
    conns = app.get("connections", [])
    if not isinstance(conns, list):
        raise RulesError(f"{afile}: connections must be a list")
    for i, c in enumerate(conns):
        rule = _connection(c, f"{afile}: connections[{i}]", cats)
        (r.connections if rule.applies == "direct" else r.not_applied).append(
            rule if rule.applies == "direct" else rule.info
        )
    if "series_bonus" in app:
        r.series_bonus = _series(app["series_bonus"], f"{afile}: series_bonus", cats)
    ids = [x.id for x in r.all_rules()]
    dup = sorted({x for x in ids if ids.count(x) > 1})
    if dup:
        raise RulesError(f"{afile}: duplicate rule ids {dup}")
    return r


def load_rules(
    apparatus: str, edition: str = "wag-2017", rules_dir: str | os.PathLike | None = None
) -> ApparatusRules:
    """The compiled rules of ``apparatus`` in ``edition`` (cached; pass ``rules_dir`` to read elsewhere)."""
    if apparatus not in APPARATUS_FILES:
        raise RulesError(f"unknown apparatus {apparatus!r}; expected one of {', '.join(APPARATUS_FILES)}")
    folder = Path(rules_dir) if rules_dir is not None else codebook_dir(edition) / "rules"
    return _load_cached(apparatus, edition, str(folder))


@lru_cache(maxsize=32)
def _load_cached(apparatus: str, edition: str, folder: str) -> ApparatusRules:
    base = Path(folder)
    if not base.is_dir():
        raise RulesError(f"{base}: no rules folder for edition {edition!r}")
    cpath, apath = base / "common.yaml", base / APPARATUS_FILES[apparatus]
    common = _read_yaml(cpath)
    app = _read_yaml(apath)
    try:
        return parse_rules(common, app, apparatus, [str(cpath), str(apath)], edition)
    except (KeyError, TypeError, AttributeError) as exc:
        raise RulesError(f"{apath}: malformed rules ({type(exc).__name__}: {exc})") from None


def clear_rules_cache() -> None:
    """Forget cached rules (after editing the files)."""
    _load_cached.cache_clear()
