"""Label spaces of the classifier and the segmenter, built from the codebook (torch-free).

A classifier label space holds the element ids in head order, the 15 FineGym set ids, the four
events, and the value vocabulary of every attribute head. Numeric attributes (salto count, twists...)
are predicted as classes over the values present in the label space (e.g. ``"0"``, ``"1"``, ``"1.5"``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gymscore.codebook.attributes import CATEGORICAL, NUMERIC

EVENTS: tuple[str, ...] = ("VT", "FX", "BB", "UB")
SET_IDS: tuple[int, ...] = (1, 21, 22, 23, 24, 25, 31, 32, 33, 34, 35, 41, 42, 43, 44)
BACKGROUND = "background"
LABEL_SPACE_KINDS = ("gym99", "gym288", "all")


def event_of_set(set_id: int) -> str:
    """Apparatus code of a FineGym set id (1 -> VT, 2x -> FX, 3x -> BB, 4x -> UB)."""
    if set_id == 1:
        return "VT"
    prefix = {2: "FX", 3: "BB", 4: "UB"}.get(set_id // 10)
    if prefix is None:
        raise ValueError(f"unknown FineGym set id {set_id}")
    return prefix


def format_number(value: float) -> str:
    """Canonical text of a numeric attribute value ("1", "1.5", "0.25")."""
    return f"{float(value):g}"


@dataclass
class LabelSpace:
    """What a classifier predicts: elements, sets, events and attribute values, in head order."""

    edition: str
    kind: str
    element_ids: list[str]
    element_sets: list[int]
    set_ids: list[int] = field(default_factory=lambda: list(SET_IDS))
    events: list[str] = field(default_factory=lambda: list(EVENTS))
    attributes: dict[str, list[str]] = field(default_factory=dict)
    # per attribute, the value index of every element (same order as element_ids)
    element_attributes: dict[str, list[int]] = field(default_factory=dict)

    @property
    def num_elements(self) -> int:
        return len(self.element_ids)

    def element_index(self, element_id: str) -> int:
        """Head index of an element id (ValueError when it is not in this label space)."""
        try:
            return self._index()[element_id]
        except KeyError:
            raise ValueError(f"element {element_id!r} is not in the {self.kind} label space") from None

    def _index(self) -> dict[str, int]:
        cache = getattr(self, "_cache", None)
        if cache is None:
            cache = {e: i for i, e in enumerate(self.element_ids)}
            object.__setattr__(self, "_cache", cache)
        return cache

    def attribute_index(self, attr: str, element: Any) -> int:
        """Head index of a codebook element's value of ``attr`` (-100 when the vocabulary lacks it):
        the attribute target of an element outside the label space."""
        value = getattr(element.attributes, attr)
        vocab = self.attributes[attr]
        key = value if attr in CATEGORICAL else format_number(value)
        return vocab.index(key) if key in vocab else -100

    def contains(self, element_id: str | None) -> bool:
        return element_id is not None and element_id in self._index()

    def set_index(self, set_id: int) -> int:
        return self.set_ids.index(int(set_id))

    def event_index(self, event: str) -> int:
        return self.events.index(event)

    def to_dict(self) -> dict[str, Any]:
        return {
            "edition": self.edition,
            "kind": self.kind,
            "element_ids": list(self.element_ids),
            "element_sets": list(self.element_sets),
            "set_ids": list(self.set_ids),
            "events": list(self.events),
            "attributes": {k: list(v) for k, v in self.attributes.items()},
            "element_attributes": {k: list(v) for k, v in self.element_attributes.items()},
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LabelSpace:
        try:
            return cls(
                edition=d["edition"],
                kind=d.get("kind", "custom"),
                element_ids=list(d["element_ids"]),
                element_sets=[int(s) for s in d["element_sets"]],
                set_ids=[int(s) for s in d.get("set_ids", SET_IDS)],
                events=list(d.get("events", EVENTS)),
                attributes={k: list(v) for k, v in d.get("attributes", {}).items()},
                element_attributes={k: list(v) for k, v in d.get("element_attributes", {}).items()},
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"label space: missing or malformed field {exc}") from exc


def build_label_space(
    codebook: Any, kind: str | list[str] = "gym99", edition: str | None = None
) -> LabelSpace:
    """A label space from the codebook: ``gym99`` / ``gym288`` (FineGym Clabel order), ``all`` (every
    element, codebook order) or an explicit list of element ids."""
    if isinstance(kind, list):
        elements = [codebook.get(e) for e in kind]
        name = "custom"
    elif kind == "gym99":
        elements = [codebook.get(e) for e in codebook.gym99_ids()]
        name = kind
    elif kind == "gym288":
        elements = [codebook.get(e) for e in codebook.gym288_ids()]
        name = kind
    elif kind == "all":
        raw = codebook.elements
        elements = list(raw.values()) if isinstance(raw, dict) else list(raw)
        name = kind
    else:
        raise ValueError(f"unknown label space {kind!r}; use one of {', '.join(LABEL_SPACE_KINDS)}")
    attributes: dict[str, list[str]] = {}
    element_attributes: dict[str, list[int]] = {}
    for attr, allowed in CATEGORICAL.items():
        attributes[attr] = list(allowed)
        element_attributes[attr] = [allowed.index(getattr(e.attributes, attr)) for e in elements]
    for attr in NUMERIC:
        values = sorted({float(getattr(e.attributes, attr)) for e in elements} | {0.0})
        vocab = [format_number(v) for v in values]
        attributes[attr] = vocab
        element_attributes[attr] = [vocab.index(format_number(getattr(e.attributes, attr))) for e in elements]
    ed = edition or getattr(codebook, "edition", None) or "wag-2017"
    return LabelSpace(
        edition=str(ed),
        kind=name,
        element_ids=[e.id for e in elements],
        element_sets=[int(e.set_id) for e in elements],
        attributes=attributes,
        element_attributes=element_attributes,
    )


def segmenter_labels(set_ids: tuple[int, ...] | list[int] = SET_IDS) -> list[str | int]:
    """Segmenter label space: ``"background"`` followed by the set ids."""
    return [BACKGROUND, *[int(s) for s in set_ids]]
