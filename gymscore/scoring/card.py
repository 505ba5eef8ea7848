"""The ScoreCard: a D-score with a line-by-line explanation, as data, JSON and text."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class ElementLine:
    """One segment of the timeline as the scorer saw it."""

    index: int
    id: str | None
    name: str
    value: float
    counted: bool
    reason: str
    counted_towards: list[str] = field(default_factory=list)
    letter: str = ""
    cop_number: str | None = None
    set_id: int | None = None
    category: str | None = None
    dismount: bool = False
    start_s: float = 0.0
    end_s: float = 0.0
    connected_to_next: bool = False
    connection_value: float = 0.0


@dataclass
class RequirementLine:
    """A composition requirement: fulfilled or not, by which elements, for how much."""

    id: str
    description: str
    fulfilled: bool
    by: list[int]
    value: float
    verified: bool = True


@dataclass
class ConnectionLine:
    """A connection that earned value (or a series bonus, kind 'SB')."""

    indexes: list[int]
    value: float
    rule: str
    kind: str = "CV"


@dataclass
class UnverifiedRule:
    """A rule that affected this score although no source confirmed it."""

    id: str
    description: str
    source: str


@dataclass
class ScoreCard:
    """A D-score estimate: D = DV + CR + CV (+ SB on beam); vault: the vault's value."""

    apparatus: str
    edition: str
    d_score: float = 0.0
    dv: float = 0.0
    cr: float = 0.0
    cv: float = 0.0
    sb: float = 0.0
    elements: list[ElementLine] = field(default_factory=list)
    requirements: list[RequirementLine] = field(default_factory=list)
    connections: list[ConnectionLine] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unverified_rules: list[UnverifiedRule] = field(default_factory=list)
    vault_mode: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)

    @property
    def counted_elements(self) -> list[ElementLine]:
        """The elements counted in DV."""
        return [e for e in self.elements if e.counted]


def _fmt_time(s: float) -> str:
    m, sec = divmod(s, 60.0)
    return f"{int(m)}:{sec:05.2f}"


def format_card(card: ScoreCard, connection_rule: str = "") -> str:
    """A readable score card: an element table, then DV, each CR, CV (SB) and D."""
    rows = [("#", "time", "element", "CoP", "value", "counted", "reason")]
    for e in card.elements:
        name = e.name if len(e.name) <= 48 else e.name[:45] + "..."
        label = f"{e.id or '-'} {name}".strip()
        val = f"{e.letter} {e.value:.2f}".strip() if e.id else "-"
        link = " +" if e.connected_to_next else ""
        rows.append(
            (
                str(e.index),
                _fmt_time(e.start_s),
                label + link,
                e.cop_number or "-",
                val,
                "yes" if e.counted else "no",
                e.reason,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lines = [f"{card.apparatus} D-score ({card.edition})"]
    for r in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r[:-1], widths, strict=True)) + "  " + r[-1])
    lines.append("(+ = connected to the next element)")
    if connection_rule:
        lines.append(f"connection rule of the import: {connection_rule}")
    lines.append("")
    if card.apparatus == "VT":
        mode = f" ({card.vault_mode})" if card.vault_mode else ""
        lines.append(f"D = vault value{mode}: {card.d_score:.2f}")
    else:
        counted = len(card.counted_elements)
        lines.append(f"DV  {card.dv:5.2f}  ({counted} elements counted)")
        for r in card.requirements:
            mark = "fulfilled" if r.fulfilled else "missing"
            by = f" by #{', #'.join(map(str, r.by))}" if r.by else ""
            flag = " [unverified]" if not r.verified else ""
            lines.append(f"  {r.id:7s} {r.value:4.2f}  {mark}{by}: {r.description}{flag}")
        lines.append(f"CR  {card.cr:5.2f}")
        for c in card.connections:
            if c.kind == "CV":
                lines.append(f"  #{'+#'.join(map(str, c.indexes))}  {c.value:.2f}  {c.rule}")
        lines.append(f"CV  {card.cv:5.2f}")
        if card.apparatus == "BB":
            for c in card.connections:
                if c.kind == "SB":
                    lines.append(f"  #{'+#'.join(map(str, c.indexes))}  {c.value:.2f}  {c.rule}")
            lines.append(f"SB  {card.sb:5.2f}")
        lines.append(f"D   {card.d_score:5.2f}")
    for w in card.warnings:
        lines.append(f"warning: {w}")
    if card.unverified_rules:
        lines.append("unverified rules used: " + ", ".join(r.id for r in card.unverified_rules))
    return "\n".join(lines)
