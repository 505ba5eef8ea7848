"""Codebook data model and query API (no Qt, torch or cv2)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gymscore.codebook.attributes import CATEGORICAL, NUMERIC, Attributes
from gymscore.codebook.errors import CodebookError, UnknownElementError
from gymscore.codebook.tree import DecisionTree, PathStep


@dataclass(frozen=True)
class SetInfo:
    """A FineGym set: id (1, 21-25, 31-35, 41-44), apparatus, short name and FineGym label."""

    id: int
    apparatus: str
    name: str
    label: str


@dataclass
class Element:
    """One codebook element."""

    id: str
    apparatus: str
    set_id: int
    name: str
    cop_number: str | None
    value_letter: str | None
    value: float
    group: int | None
    attributes: Attributes = field(default_factory=Attributes)
    glabel: int | None = None
    gym288: int | None = None
    gym99: int | None = None
    source: str = "wag-2017"

    def to_dict(self) -> dict[str, Any]:
        """Plain data, as in the element files."""
        d: dict[str, Any] = {
            "id": self.id, "apparatus": self.apparatus, "set": self.set_id, "name": self.name,
            "cop_number": self.cop_number, "value_letter": self.value_letter, "value": self.value,
            "group": self.group, "attributes": self.attributes.to_dict(),
        }
        fg = {k: getattr(self, k) for k in ("glabel", "gym288", "gym99") if getattr(self, k) is not None}
        if fg:
            d["finegym"] = fg
        return d


class Codebook:
    """An edition of the Code of Points as elements, sets and decision trees, with lookups."""

    def __init__(
        self,
        edition: str,
        elements: Mapping[str, Element],
        sets: Mapping[int, SetInfo],
        trees: Mapping[int, DecisionTree],
    ):
        self.edition = edition
        self.elements: dict[str, Element] = dict(elements)
        self.sets: dict[int, SetInfo] = dict(sets)
        self._trees: dict[int, DecisionTree] = dict(trees)
        self._glabel = {e.glabel: e for e in self.elements.values() if e.glabel is not None}
        self._gym99 = {e.gym99: e for e in self.elements.values() if e.gym99 is not None}
        self._gym288 = {e.gym288: e for e in self.elements.values() if e.gym288 is not None}
        self._names: dict[tuple[str, str], list[Element]] = {}
        for e in self.elements.values():
            self._names.setdefault((e.apparatus, _norm(e.name)), []).append(e)

    def __len__(self) -> int:
        return len(self.elements)

    def __contains__(self, element_id: object) -> bool:
        return element_id in self.elements

    # --- lookups -------------------------------------------------------------------------
    def get(self, element_id: str) -> Element:
        """The element with this id."""
        try:
            return self.elements[element_id]
        except (KeyError, TypeError):
            msg = f"unknown element id {element_id!r} in codebook {self.edition}"
            raise UnknownElementError(msg) from None

    def by_glabel(self, glabel: int) -> Element:
        """The element of a FineGym Glabel (0..529)."""
        return self._label(self._glabel, glabel, "FineGym Glabel")

    def by_gym99(self, clabel: int) -> Element:
        """The element of a Gym99 Clabel."""
        return self._label(self._gym99, clabel, "Gym99 Clabel")

    def by_gym288(self, clabel: int) -> Element:
        """The element of a Gym288 Clabel."""
        return self._label(self._gym288, clabel, "Gym288 Clabel")

    def _label(self, index: dict[Any, Element], label: int, what: str) -> Element:
        try:
            return index[int(label)]
        except (KeyError, TypeError, ValueError):
            raise UnknownElementError(f"unknown {what} {label!r} in codebook {self.edition}") from None

    def by_name(self, apparatus: str, name: str, set_id: int | None = None) -> Element:
        """The element with this FineGym display name on an apparatus (``set_id`` disambiguates)."""
        found = self._names.get((apparatus.upper(), _norm(name)), [])
        if set_id is not None:
            found = [e for e in found if e.set_id == set_id]
        if not found:
            where = f"{apparatus}" + (f" set {set_id}" if set_id is not None else "")
            raise UnknownElementError(f"unknown element name {name!r} on {where} in codebook {self.edition}")
        if len(found) > 1:
            sets = ", ".join(str(e.set_id) for e in found)
            raise UnknownElementError(
                f"element name {name!r} on {apparatus} is in several sets ({sets}); pass set_id"
            )
        return found[0]

    def search(self, text: str) -> list[Element]:
        """Elements whose name, CoP number or id contains ``text`` (case-insensitive), best first.

        Rank: exact id / number / name, then prefix matches, then substring matches; ties by id.
        """
        q = _norm(text)
        if not q:
            return []
        scored = []
        for e in self.elements.values():
            fields = [e.id.lower(), (e.cop_number or "").lower(), _norm(e.name)]
            if any(f == q for f in fields):
                rank = 0
            elif any(f.startswith(q) for f in fields):
                rank = 1
            elif any(q in f for f in fields):
                rank = 2
            else:
                continue
            scored.append((rank, len(e.name), e.id, e))
        return [s[-1] for s in sorted(scored, key=lambda s: s[:3])]

    def find(self, apparatus: str | None = None, set_id: int | None = None, **attribute_equals: Any) -> list[
        Element
    ]:
        """Elements matching every given filter; ``flags=...`` matches elements having that flag."""
        for key in attribute_equals:
            if key not in CATEGORICAL and key not in NUMERIC and key != "flags":
                raise CodebookError(f"find: unknown attribute {key!r}")
        out = []
        for e in self.elements.values():
            if apparatus is not None and e.apparatus != apparatus.upper():
                continue
            if set_id is not None and e.set_id != set_id:
                continue
            ok = True
            for key, want in attribute_equals.items():
                if key == "flags":
                    wanted = [want] if isinstance(want, str) else list(want)
                    ok = all(f in e.attributes.flags for f in wanted)
                else:
                    ok = getattr(e.attributes, key) == want
                if not ok:
                    break
            if ok:
                out.append(e)
        return sorted(out, key=lambda e: e.id)

    def elements_of_set(self, set_id: int) -> list[Element]:
        """Elements of a set, sorted by id."""
        if set_id not in self.sets:
            raise CodebookError(f"unknown set id {set_id!r} in codebook {self.edition}")
        return sorted((e for e in self.elements.values() if e.set_id == set_id), key=lambda e: e.id)

    def gym99_ids(self) -> list[str]:
        """Element ids in Gym99 Clabel order (index = Clabel)."""
        return [self._gym99[c].id for c in sorted(self._gym99)]

    def gym288_ids(self) -> list[str]:
        """Element ids in Gym288 Clabel order (index = Clabel)."""
        return [self._gym288[c].id for c in sorted(self._gym288)]

    # --- trees ---------------------------------------------------------------------------
    def tree(self, set_id: int) -> DecisionTree:
        """The decision tree of a set."""
        try:
            return self._trees[set_id]
        except KeyError:
            raise CodebookError(f"unknown set id {set_id!r} in codebook {self.edition}") from None

    def resolve(self, set_id: int, answers: Mapping[str, Any] | Attributes) -> Element:
        """Walk a set's tree with ``answers`` (question id, attribute or flag name -> answer).

        ``answers`` may also be an :class:`Attributes` object.
        """
        return self.get(self.tree(set_id).resolve(answers))

    def path(self, element_id: str) -> list[PathStep]:
        """The (question id, question text, answer) steps leading to an element in its set's tree."""
        return self.tree(self.get(element_id).set_id).path(element_id)


def _norm(text: str) -> str:
    return " ".join(str(text).lower().replace("é", "e").split())
