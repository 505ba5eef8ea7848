"""Compare a codebook with the FineGym annotation files (``gymscore codebook check``).

An element *matches* its Glabel when (1) it is in the same set, (2) its CoP number (vault: its value)
equals FineGym's ``code``, (3) it is a reachable leaf of its set's tree, and (4) its tree path is
consistent with the annotators' path: every annotator question that this module recognises is
mapped, by keywords, to a predicate over the element's attributes, and the predicate must give the
same yes/no answer as the annotator's ``BTcode`` digit. Questions not recognised are counted as
unchecked. A few annotator answers contradict the class name itself; they are listed in
:data:`WAIVERS` with the reason, reported, and not counted as mismatches.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gymscore.codebook.attributes import Attributes
from gymscore.codebook.errors import CodebookError
from gymscore.codebook.finegym import normalise_code, read_classes
from gymscore.codebook.model import Codebook
from gymscore.codebook.predicates import RULES, Rule

# (Glabel, rule label) -> why the annotators' answer is not held against the codebook.
WAIVERS: dict[tuple[int, str], str] = {
    (247, "turn amount = 0.75"):
        "annotators answer yes for 'pike jump in side position', whose name has no turn",
    (373, "twist count = 2"): "annotators' twist answers of 373 and 374 are swapped relative to the names",
    (374, "twist count = 2"): "annotators' twist answers of 373 and 374 are swapped relative to the names",
    (376, "twist count = 1.5"): "annotators' twist answers of 376 and 377 are swapped relative to the names",
    (377, "twist count = 1.5"): "annotators' twist answers of 376 and 377 are swapped relative to the names",
    (392, "salto forward"): "annotators place 'aerial cartwheel into salto backward' under forward saltos",
    (392, "salto count = 2"): "annotators count the aerial cartwheel of 392 as a second salto",
    (507, "facing the bars after landing"): "start position of '(from high bar)' is not given by the name",
}


@dataclass
class CheckResult:
    """Outcome of a codebook check against FineGym."""

    elements: int = 0
    matched: int = 0
    mismatches: list[dict[str, Any]] = field(default_factory=list)
    questions_total: int = 0
    questions_checked: int = 0
    questions_unmapped: list[str] = field(default_factory=list)
    waived: list[dict[str, Any]] = field(default_factory=list)
    rules_used: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "elements": self.elements,
            "matched": self.matched,
            "mismatches": self.mismatches,
            "annotator_questions": {
                "asked": self.questions_total,
                "checked": self.questions_checked,
                "unchecked": self.questions_total - self.questions_checked - len(self.waived),
                "waived": len(self.waived),
                "distinct_rules_used": self.rules_used,
                "unmapped_examples": sorted(set(self.questions_unmapped))[:20],
            },
            "waived": self.waived,
        }


def _norm(q: str) -> str:
    q = q.lower().replace("seperat", "separat").replace("streched", "stretched")
    return " ".join(q.split())


def find_rule(set_id: int, question: str) -> tuple[Rule, re.Match[str]] | None:
    """The first rule recognising an annotator question of a set (None when none does)."""
    q = _norm(question)
    for rule in RULES:
        if set_id in rule.sets:
            m = re.search(rule.pattern, q)
            if m:
                return rule, m
    return None


def _code_matches(element_apparatus: str, cop: str | None, value: float, code: str) -> bool:
    if element_apparatus == "VT":
        return math.isclose(value, float(code), abs_tol=1e-6)
    return cop == normalise_code(code)


def check_against_finegym(codebook: Codebook, finegym: str | Path) -> CheckResult:
    """Check every FineGym Glabel against the codebook."""
    classes = read_classes(finegym)
    res = CheckResult(elements=len(classes))
    used: set[str] = set()
    for g in sorted(classes):
        c = classes[g]
        problems: list[str] = []
        try:
            e = codebook.by_glabel(g)
        except CodebookError:
            res.mismatches.append({"glabel": g, "name": c.name, "problems": ["no element with this Glabel"]})
            continue
        if e.set_id != c.set_id:
            problems.append(f"set {e.set_id} but FineGym says {c.set_id}")
        if not _code_matches(e.apparatus, e.cop_number, e.value, c.code):
            what = f"value {e.value}" if e.apparatus == "VT" else f"CoP number {e.cop_number}"
            problems.append(f"{what} but FineGym code is {c.code}")
        try:
            codebook.path(e.id)
        except CodebookError as exc:
            problems.append(str(exc))
        for question, digit in zip(c.questions, c.btcode, strict=False):
            res.questions_total += 1
            found = find_rule(c.set_id, question)
            if found is None:
                res.questions_unmapped.append(f"set {c.set_id}: {question.strip()}")
                continue
            rule, m = found
            label = rule.label(m)
            if (g, label) in WAIVERS:
                res.waived.append({"glabel": g, "id": e.id, "rule": label, "reason": WAIVERS[(g, label)]})
                continue
            used.add(rule.pattern)
            res.questions_checked += 1
            mine = bool(rule.predicate(e.attributes, m))
            if mine != (digit == "1"):
                problems.append(
                    f"annotators answer {'yes' if digit == '1' else 'no'} to '{label}', attributes say "
                    f"{'yes' if mine else 'no'}"
                )
        if problems:
            res.mismatches.append({"glabel": g, "id": e.id, "name": c.name, "problems": problems})
        else:
            res.matched += 1
    res.rules_used = len(used)
    return res


def explain_rules() -> list[tuple[str, str]]:
    """(sets, meaning) of every mapping rule, for documentation."""
    return [(",".join(str(s) for s in r.sets), r.describe) for r in RULES]


Predicate = Callable[[Attributes, re.Match[str]], bool]
