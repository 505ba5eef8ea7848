"""A tiny in-memory codebook with the same query API as :mod:`gymscore.codebook`.

For tests and benchmarks that must not depend on the full codebook: build elements with
:func:`element` and wrap them in :class:`MiniCodebook`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gymscore.codebook.attributes import Attributes
from gymscore.scoring.predicates import LETTERS

_APPARATUS_OF_SET = {
    1: "VT",
    **{s: "FX" for s in range(21, 26)},
    **{s: "BB" for s in range(31, 36)},
    **{s: "UB" for s in range(41, 45)},
}


class MiniUnknownElementError(LookupError):
    """An element id, label or name is not in the mini codebook."""


@dataclass
class MiniElement:
    """An element with the attributes the scorer reads."""

    id: str
    apparatus: str
    set_id: int
    name: str
    value_letter: str
    value: float
    group: int | None
    cop_number: str | None = None
    attributes: Attributes = field(default_factory=Attributes)
    glabel: int | None = None
    gym288: int | None = None
    gym99: int | None = None


@dataclass
class MiniSet:
    """A set: id and apparatus."""

    id: int
    apparatus: str


def element(
    eid: str,
    set_id: int,
    letter: str,
    group: int | None = None,
    name: str = "",
    value: float | None = None,
    **attrs,
) -> MiniElement:
    """An element; ``letter`` sets the value unless ``value`` is given (vaults)."""
    app = _APPARATUS_OF_SET[set_id]
    v = value if value is not None else LETTERS[letter]
    return MiniElement(eid, app, set_id, name or eid, letter, v, group, None, Attributes(**attrs))


class MiniCodebook:
    """``get``, ``by_name``, ``by_glabel``, ``by_gym99``, ``by_gym288`` and ``sets`` over a list."""

    def __init__(self, elements: list[MiniElement]) -> None:
        self.elements = {e.id: e for e in elements}
        self.sets = {s: MiniSet(s, a) for s, a in _APPARATUS_OF_SET.items()}

    def get(self, element_id: str) -> MiniElement:
        try:
            return self.elements[element_id]
        except KeyError:
            raise MiniUnknownElementError(f"unknown element id {element_id!r}") from None

    def by_name(self, apparatus: str, name: str, set_id: int | None = None) -> MiniElement:
        for e in self.elements.values():
            if e.apparatus == apparatus and e.name == name and (set_id is None or e.set_id == set_id):
                return e
        raise MiniUnknownElementError(f"unknown element name {name!r}")

    def _by(self, attr: str, v: int) -> MiniElement:
        for e in self.elements.values():
            if getattr(e, attr) == v:
                return e
        raise MiniUnknownElementError(f"unknown {attr} {v}")

    def by_glabel(self, g: int) -> MiniElement:
        return self._by("glabel", g)

    def by_gym99(self, c: int) -> MiniElement:
        return self._by("gym99", c)

    def by_gym288(self, c: int) -> MiniElement:
        return self._by("gym288", c)
