"""A Qt-free, display-ready summary of a score card for the score panel and the PDF sheet.

It reads the scoring engine's card through attribute names only (``d_score``, ``dv``, ``cr``, ``cv``,
``elements``, ``requirements``, ``connections``, ``warnings``) and fills in names from the codebook,
so the panel never holds scoring logic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gymscore.gui.services import Services
from gymscore.timeline import Timeline


@dataclass
class ElementRow:
    """One element line of the score panel."""

    index: int
    start_s: float
    end_s: float
    element_id: str
    name: str
    cop_number: str
    value_letter: str
    value: float | None
    counted: bool | None
    reason: str
    connected_to_next: bool
    confidence: float


@dataclass
class RequirementRow:
    """One composition requirement."""

    name: str
    value: float
    fulfilled: bool
    detail: str = ""


@dataclass
class ConnectionRow:
    """One connection bonus."""

    text: str
    value: float


@dataclass
class ScoreSummary:
    """Everything the score panel shows."""

    rows: list[ElementRow] = field(default_factory=list)
    dv: float | None = None
    cr: float | None = None
    cv: float | None = None
    sb: float | None = None
    d_score: float | None = None
    requirements: list[RequirementRow] = field(default_factory=list)
    connections: list[ConnectionRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def scored(self) -> bool:
        return self.d_score is not None


def _get(obj: Any, *names: str, default: Any = None) -> Any:
    for n in names:
        if isinstance(obj, dict) and n in obj:
            return obj[n]
        if not isinstance(obj, dict) and hasattr(obj, n):
            return getattr(obj, n)
    return default


def _num(x: Any) -> float | None:
    try:
        return None if x is None else float(x)
    except (TypeError, ValueError):
        return None


def _requirement(r: Any) -> RequirementRow:
    name = _get(r, "description", "name", "id", default=str(r))
    value = _num(_get(r, "value", default=0.0)) or 0.0
    fulfilled = bool(_get(r, "fulfilled", default=value > 0))
    by = _get(r, "by", default=[]) or []
    detail = ("by " + ", ".join(str(i + 1) for i in by)) if by else ""
    if _get(r, "verified", default=True) is False:
        detail = (detail + "; " if detail else "") + "rule not verified"
    return RequirementRow(str(name), value, fulfilled, detail)


def _connection(c: Any) -> ConnectionRow:
    value = _num(_get(c, "value", default=0.0)) or 0.0
    idx = _get(c, "indexes", "indices", default=None) or []
    text = " + ".join(str(i + 1) for i in idx) if idx else "connection"
    kind, rule = _get(c, "kind", default="CV"), _get(c, "rule", default="")
    text = f"{kind} elements {text}" + (f" ({rule})" if rule else "")
    return ConnectionRow(text, value)


def summarize(card: Any, tl: Timeline, services: Services, error: str = "") -> ScoreSummary:
    """Merge a timeline and its score card (None: not scored) into a :class:`ScoreSummary`."""
    by_index: dict[int, Any] = {}
    if card is not None:
        for pos, e in enumerate(_get(card, "elements", default=[]) or []):
            idx = _get(e, "index", default=pos)
            by_index[int(idx) if idx is not None else pos] = e
    fps = tl.video.fps if tl.video.fps > 0 else 25.0
    rows = []
    for i, seg in enumerate(tl.segments):
        info = services.element(tl.edition, seg.element_id)
        e = by_index.get(i)
        value = _num(_get(e, "value", default=None)) if e is not None else None
        if value is None and info is not None:
            value = info.value
        counted = _get(e, "counted", default=None) if e is not None else None
        reason = str(_get(e, "reason", default="") or "") if e is not None else ""
        rows.append(
            ElementRow(
                index=i,
                start_s=seg.start_frame / fps,
                end_s=seg.end_frame / fps,
                element_id=seg.element_id or "",
                name=(info.name if info else "")
                or (str(_get(e, "name", default="")) if e else "")
                or "unlabelled",
                cop_number=info.cop_number if info else "",
                value_letter=info.value_letter if info else "",
                value=value,
                counted=None if counted is None else bool(counted),
                reason=reason,
                connected_to_next=seg.connected_to_next,
                confidence=seg.confidence,
            )
        )
    s = ScoreSummary(rows=rows, error=error)
    if card is None:
        if not error:
            s.error = "no scoring engine available" if services.score is None else ""
        return s
    s.dv = _num(_get(card, "dv", "difficulty_value"))
    s.cr = _num(_get(card, "cr", "composition"))
    s.cv = _num(_get(card, "cv", "connection_value"))
    s.sb = _num(_get(card, "sb"))
    s.d_score = _num(_get(card, "d_score", "d"))
    s.requirements = [_requirement(r) for r in _get(card, "requirements", default=[]) or []]
    s.connections = [_connection(c) for c in _get(card, "connections", default=[]) or []]
    s.warnings = [str(w) for w in _get(card, "warnings", default=[]) or []]
    s.warnings += [
        f"unverified rule used: {_get(u, 'description', default=u)}"
        for u in _get(card, "unverified_rules", default=[]) or []
    ]
    return s


def format_time(seconds: float, fps: float, snap: bool = True) -> str:
    """``m:ss.ss``: minutes and seconds to the hundredth (as the command line's score card); with
    ``snap``, at the nearest frame (so a time shown is one a frame has)."""
    seconds = max(0.0, seconds)
    if snap and fps > 0:
        seconds = int(round(seconds * fps)) / fps
    m, rest = divmod(int(round(100 * seconds)), 6000)
    return f"{m}:{rest // 100:02d}.{rest % 100:02d}"
