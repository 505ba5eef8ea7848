"""Decision trees of attribute questions whose leaves are element ids (one tree per set).

On disk (``codebook/<edition>/trees/<set>.yaml``) a node is a mapping::

    {id: q3, attribute: salto_count, text: "How many saltos?", branches: [{answer: 1, node: ...},
                                                                          {answer: 2, leaf: FX-159}]}

``attribute`` is an attribute of the schema, ``flag`` (then the node names the ``flag`` and the
answers are true / false) or ``source`` (the user branch added at load time).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

from gymscore.codebook.attributes import CATEGORICAL, NUMERIC, Attributes
from gymscore.codebook.errors import CodebookError

# Questions asked about each attribute, in the project's own words, and the order used to break ties.
QUESTIONS: dict[str, str] = {
    "kind": "What kind of movement is it?",
    "vault_entry": "How does the gymnast reach the table?",
    "entry_turn": "How much does the gymnast turn before the hands reach the table (in turns)?",
    "direction": "Which way does the body travel or rotate?",
    "salto_count": "How many saltos are there?",
    "body_shape": "Which body shape is held?",
    "leg_position": "Which shape do the legs make in the air?",
    "turn_position": "Which position is held while turning?",
    "twist_count": "How many twists are made in flight?",
    "turn_amount": "How many turns are made?",
    "take_off": "What does the gymnast take off from?",
    "landing": "How does the element end?",
    "bar": "Which bar is involved?",
    "grip": "Which grip is used?",
}
ATTRIBUTE_ORDER = tuple(QUESTIONS)


class PathStep(NamedTuple):
    """One step from a tree's root to an element: question id, question text and the answer given."""

    question_id: str
    question: str
    answer: Any


@dataclass
class Node:
    """A question node. ``branches`` maps answers to a child node or an element id (leaf)."""

    id: str
    attribute: str
    text: str
    flag: str | None = None
    branches: list[tuple[Any, Node | str]] = field(default_factory=list)

    def key(self) -> str:
        """The answers-dict key of this question besides its id (attribute or flag name)."""
        return self.flag if self.attribute == "flag" and self.flag else self.attribute


def answer_of(node: Node, attrs: Attributes, source: str) -> Any:
    """The answer an element with ``attrs`` gives to ``node``'s question."""
    if node.attribute == "flag":
        return node.flag in attrs.flags
    if node.attribute == "source":
        return source
    return getattr(attrs, node.attribute)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or (isinstance(a, bool) and isinstance(b, bool) and a == b)
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(float(a), float(b), abs_tol=1e-9)
    return a == b


class DecisionTree:
    """The question tree of one set."""

    def __init__(self, set_id: int, root: Node | str):
        self.set_id = set_id
        self.root = root

    # --- walking -------------------------------------------------------------------------
    def nodes(self) -> list[Node]:
        """Every question node, depth first."""
        out: list[Node] = []
        stack = [self.root]
        while stack:
            n = stack.pop()
            if isinstance(n, Node):
                out.append(n)
                stack.extend(child for _, child in reversed(n.branches))
        return out

    def leaves(self) -> list[str]:
        """Element ids at the leaves, depth first (an id may appear once only in a valid tree)."""
        if isinstance(self.root, str):
            return [self.root]
        out = []
        for n in self.nodes():
            out.extend(child for _, child in n.branches if isinstance(child, str))
        return out

    def resolve(self, answers: Mapping[str, Any]) -> str:
        """Walk from the root with ``answers`` (keyed by question id, attribute or flag name) to an id.

        For flag questions the value may also come from ``answers["flags"]`` (a list of flags).
        The ``source`` question of the user branch defaults to the shipped edition. ``answers`` may
        also be an :class:`Attributes` object (every question is then answered from it).
        """
        if isinstance(answers, Attributes):
            answers = asdict(answers)
        node = self.root
        while isinstance(node, Node):
            value = self._answer(node, answers)
            for ans, child in node.branches:
                if _same(ans, value):
                    node = child
                    break
            else:
                allowed = ", ".join(repr(a) for a, _ in node.branches)
                raise CodebookError(
                    f"set {self.set_id}: answer {value!r} to question {node.id} ({node.text!r}) "
                    f"is not one of {allowed}"
                )
        return node

    def _answer(self, node: Node, answers: Mapping[str, Any]) -> Any:
        for key in (node.id, node.key()):
            if key in answers:
                return answers[key]
        if node.attribute == "flag" and "flags" in answers:
            return node.flag in answers["flags"]
        if node.attribute == "source":
            return next((a for a, _ in node.branches if a != "user"), None)
        raise CodebookError(
            f"set {self.set_id}: question {node.id} ({node.text!r}) needs an answer for {node.key()!r}"
        )

    def path(self, element_id: str) -> list[PathStep]:
        """The questions and answers that lead from the root to ``element_id``."""

        def walk(node: Node | str, trail: list[PathStep]) -> list[PathStep] | None:
            if isinstance(node, str):
                return trail if node == element_id else None
            for ans, child in node.branches:
                found = walk(child, [*trail, PathStep(node.id, node.text, ans)])
                if found is not None:
                    return found
            return None

        found = walk(self.root, [])
        if found is None:
            raise CodebookError(f"element {element_id!r} is not a leaf of the tree of set {self.set_id}")
        return found

    # --- (de)serialisation ---------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain data for YAML."""
        return {"set": self.set_id, "root": _node_to_dict(self.root)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str) -> DecisionTree:
        """Build from plain data; ``where`` names the file in error messages."""
        if not isinstance(data, Mapping) or "set" not in data or "root" not in data:
            raise CodebookError(f"{where}: a tree file needs 'set' and 'root'")
        return cls(int(data["set"]), _node_from_dict(data["root"], where))


def _node_to_dict(node: Node | str) -> Any:
    if isinstance(node, str):
        return node
    d: dict[str, Any] = {"id": node.id, "attribute": node.attribute}
    if node.flag:
        d["flag"] = node.flag
    d["text"] = node.text
    d["branches"] = [
        {"answer": a, "leaf": c} if isinstance(c, str) else {"answer": a, "node": _node_to_dict(c)}
        for a, c in node.branches
    ]
    return d


def _node_from_dict(d: Any, where: str) -> Node | str:
    if isinstance(d, str):
        return d
    try:
        node = Node(str(d["id"]), str(d["attribute"]), str(d["text"]), d.get("flag"))
        for b in d["branches"]:
            child = b["leaf"] if "leaf" in b else _node_from_dict(b["node"], where)
            node.branches.append((b["answer"], child))
    except (KeyError, TypeError, AttributeError) as exc:
        raise CodebookError(f"{where}: malformed tree node ({exc!r} missing or wrong type)") from exc
    if node.attribute not in CATEGORICAL and node.attribute not in NUMERIC and node.attribute not in (
        "flag", "source"
    ):
        raise CodebookError(f"{where}: question {node.id} asks about unknown attribute {node.attribute!r}")
    return node


# --- building ------------------------------------------------------------------------------

def _entropy(counts: Iterable[int]) -> float:
    counts = list(counts)
    total = sum(counts)
    return -sum(c / total * math.log2(c / total) for c in counts if c)


def build_tree(
    set_id: int,
    items: Mapping[str, Attributes],
    flag_question: Callable[[str], str],
    id_prefix: str = "q",
    where: str = "",
) -> DecisionTree:
    """Greedy tree over ``items`` (element id -> attributes): split on the most informative attribute.

    Raises :class:`CodebookError` naming the elements when two of them have identical attributes.
    """
    counter = [0]

    def grow(ids: list[str]) -> Node | str:
        if len(ids) == 1:
            return ids[0]
        best: tuple[float, int, str, str | None] | None = None
        candidates: list[tuple[str, str | None]] = [(a, None) for a in ATTRIBUTE_ORDER]
        flags = sorted({f for i in ids for f in items[i].flags})
        candidates += [("flag", f) for f in flags]
        for rank, (attr, flag) in enumerate(candidates):
            values = [
                (flag in items[i].flags) if attr == "flag" else getattr(items[i], attr) for i in ids
            ]
            counts = Counter(values)
            if len(counts) < 2:
                continue
            score = _entropy(counts.values())
            if best is None or score > best[0] + 1e-12:
                best = (score, rank, attr, flag)
        if best is None:
            raise CodebookError(
                f"{where or f'set {set_id}'}: elements {', '.join(sorted(ids))} have identical "
                "attributes; add a flag or attribute value that tells them apart"
            )
        _, _, attr, flag = best
        counter[0] += 1
        text = flag_question(flag) if attr == "flag" and flag else QUESTIONS[attr]
        node = Node(f"{id_prefix}{counter[0]}", attr, text, flag)
        groups: dict[Any, list[str]] = {}
        for i in ids:
            v = (flag in items[i].flags) if attr == "flag" else getattr(items[i], attr)
            groups.setdefault(v, []).append(i)
        order = sorted(groups, key=lambda v: (str(type(v)), v if not isinstance(v, str) else 0, str(v)))
        if attr == "flag":
            order = [True, False]
        for v in order:
            node.branches.append((v, grow(groups[v])))
        return node

    if not items:
        raise CodebookError(f"{where or f'set {set_id}'}: no elements to build a tree from")
    return DecisionTree(set_id, grow(sorted(items)))
