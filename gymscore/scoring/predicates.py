"""A tiny predicate language over scored elements, written in the rules data files.

A predicate is a YAML mapping with exactly one of these keys (compiled once into a Python callable):

* ``all: [p, ...]`` / ``any: [p, ...]`` / ``not: p``
* ``set: [21, 22]``: the element's FineGym set id is one of these
* ``group: [1]``: its CoP element group (the G of G.VRR) is one of these
* ``category: acro`` or ``category: [acro, dance]``: its category per the apparatus rules
* ``dismount: true``: it is (or is not) the routine's dismount
* ``min_value: C`` / ``max_value: D``: its value letter is at least / at most this letter
* ``attr: NAME`` with one of ``in: [...]``, ``eq: X``, ``gte: N``, ``lte: N``, ``gt: N``, ``lt: N``:
  an attribute of :class:`gymscore.codebook.attributes.Attributes`
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from gymscore.codebook.attributes import CATEGORICAL, NUMERIC

LETTERS = {c: round(0.1 * (i + 1), 1) for i, c in enumerate("ABCDEFGHIJ")}
_EPS = 1e-6


class RulesError(ValueError):
    """A rules file is malformed; the message names the file, the rule and the problem."""


class Scored(Protocol):
    """What a predicate sees of an element (see ``engine.Item``)."""

    set_id: int | None
    group: int | None
    category: str | None
    dismount: bool
    value: float
    attributes: Any


Predicate = Callable[[Scored], bool]
_ATTR_OPS = ("in", "eq", "gte", "lte", "gt", "lt")


def letter_value(letter: Any, where: str) -> float:
    """Numeric value of a value letter (A = 0.1 ... J = 1.0)."""
    if not isinstance(letter, str) or letter.upper() not in LETTERS:
        raise RulesError(f"{where}: {letter!r} is not a value letter A..J")
    return LETTERS[letter.upper()]


def int_list(v: Any, where: str) -> frozenset[int]:
    items = v if isinstance(v, list) else [v]
    if not items or not all(isinstance(x, int) and not isinstance(x, bool) for x in items):
        raise RulesError(f"{where}: expected an integer or a list of integers, got {v!r}")
    return frozenset(items)


def compile_predicate(spec: Any, where: str, categories: frozenset[str] = frozenset()) -> Predicate:
    """Compile a predicate mapping into a callable; raise :class:`RulesError` naming ``where``."""
    if not isinstance(spec, dict) or not spec:
        raise RulesError(f"{where}: a predicate must be a non-empty mapping, got {spec!r}")
    if "attr" in spec:
        return _compile_attr(spec, where)
    if len(spec) != 1:
        raise RulesError(f"{where}: a predicate has exactly one key, got {sorted(spec)}")
    ((key, arg),) = spec.items()
    if key in ("all", "any"):
        if not isinstance(arg, list) or not arg:
            raise RulesError(f"{where}: '{key}' needs a non-empty list of predicates")
        parts = [compile_predicate(p, f"{where}.{key}[{i}]", categories) for i, p in enumerate(arg)]
        if key == "all":
            return lambda it: all(p(it) for p in parts)
        return lambda it: any(p(it) for p in parts)
    if key == "not":
        inner = compile_predicate(arg, f"{where}.not", categories)
        return lambda it: not inner(it)
    if key == "set":
        sets = int_list(arg, f"{where}.set")
        return lambda it: it.set_id in sets
    if key == "group":
        groups = int_list(arg, f"{where}.group")
        return lambda it: it.group in groups
    if key == "category":
        names = frozenset(arg if isinstance(arg, list) else [arg])
        unknown = sorted(names - categories) if categories else []
        if unknown or not all(isinstance(n, str) for n in names):
            raise RulesError(
                f"{where}.category: unknown category {unknown or arg!r}; known: {sorted(categories)}"
            )
        return lambda it: it.category in names
    if key == "dismount":
        if not isinstance(arg, bool):
            raise RulesError(f"{where}.dismount: expected true or false, got {arg!r}")
        return lambda it: it.dismount is arg
    if key == "min_value":
        v = letter_value(arg, f"{where}.min_value")
        return lambda it: it.value >= v - _EPS
    if key == "max_value":
        v = letter_value(arg, f"{where}.max_value")
        return lambda it: it.value <= v + _EPS
    raise RulesError(
        f"{where}: unknown predicate key {key!r}; use all, any, not, set, group, category, dismount, "
        "min_value, max_value or attr"
    )


def _compile_attr(spec: dict, where: str) -> Predicate:
    name = spec["attr"]
    ops = [k for k in spec if k != "attr"]
    if name not in CATEGORICAL and name not in NUMERIC and name != "flags":
        raise RulesError(f"{where}: unknown attribute {name!r}")
    if len(ops) != 1 or ops[0] not in _ATTR_OPS:
        raise RulesError(f"{where}: attribute test needs exactly one of {', '.join(_ATTR_OPS)}, got {ops}")
    op, arg = ops[0], spec[ops[0]]
    if name == "flags":
        if op != "in" or not isinstance(arg, list):
            raise RulesError(f"{where}: flags only supports 'in: [flag, ...]'")
        wanted = frozenset(arg)
        return lambda it: bool(wanted.intersection(getattr(it.attributes, "flags", ()) or ()))
    if op == "in":
        if not isinstance(arg, list) or not arg:
            raise RulesError(f"{where}: 'in' needs a non-empty list")
        if name in CATEGORICAL:
            bad = [v for v in arg if v not in CATEGORICAL[name]]
            if bad:
                raise RulesError(f"{where}: {bad} not allowed for {name}; allowed: {list(CATEGORICAL[name])}")
        allowed = frozenset(arg)
        return lambda it: getattr(it.attributes, name, None) in allowed
    if op == "eq":
        if name in CATEGORICAL and arg not in CATEGORICAL[name]:
            raise RulesError(f"{where}: {arg!r} not allowed for {name}; allowed: {list(CATEGORICAL[name])}")
        return lambda it: getattr(it.attributes, name, None) == arg
    if name not in NUMERIC or not isinstance(arg, int | float) or isinstance(arg, bool):
        raise RulesError(f"{where}: '{op}' needs a numeric attribute and a number, got {name}={arg!r}")
    x = float(arg)
    if op == "gte":
        return lambda it: float(getattr(it.attributes, name, 0) or 0) >= x - _EPS
    if op == "lte":
        return lambda it: float(getattr(it.attributes, name, 0) or 0) <= x + _EPS
    if op == "gt":
        return lambda it: float(getattr(it.attributes, name, 0) or 0) > x + _EPS
    return lambda it: float(getattr(it.attributes, name, 0) or 0) < x - _EPS
