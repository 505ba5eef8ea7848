"""Routine plans: which elements, how long each lasts and the gaps between them.

Drawn from the FineGym priors (element order by transition counts, durations, gaps), or taken from an
explicit list of element ids or from a :class:`~gymscore.timeline.Timeline`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gymscore.codebook import Codebook, UnknownElementError
from gymscore.codebook.attributes import Attributes
from gymscore.synth.priors import sample_quantiles
from gymscore.timeline import Timeline

MAX_GAP_S = {"FX": 12.0, "BB": 10.0, "UB": 2.5, "VT": 0.0}
MAX_LEAD_S = {"FX": 6.0, "BB": 5.0, "UB": 3.0, "VT": 6.0}
MAX_TAIL_S = 4.0
DEFAULT_DURATION_S = 1.5


@dataclass
class PlannedElement:
    """One element of a plan; ``gap_before_s`` is the background time before it."""

    element_id: str
    set_id: int
    attributes: Attributes
    duration_s: float
    gap_before_s: float


@dataclass
class RoutinePlan:
    """Elements in order plus the lead-in before the first and the tail after the last."""

    apparatus: str
    elements: list[PlannedElement] = field(default_factory=list)
    lead_in_s: float = 2.0
    tail_s: float = 2.0


def _choice(rng: np.random.Generator, weights: dict[str, float]) -> str:
    keys = sorted(weights)
    p = np.array([weights[k] for k in keys], dtype=np.float64)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def _duration(stats: dict[str, Any], eid: str, rng: np.random.Generator) -> float:
    e = stats["elements"].get(eid)
    if not e:
        return DEFAULT_DURATION_S
    med, sd = e["duration_s"]
    return float(np.clip(rng.normal(med, sd), 0.6 * med, 1.6 * med))


def _element(cb: Codebook, eid: str, apparatus: str):
    try:
        el = cb.get(eid)
    except (UnknownElementError, KeyError) as exc:
        raise ValueError(f"unknown element id {eid!r} (not in the codebook)") from exc
    if el.apparatus != apparatus:
        raise ValueError(f"element {eid} belongs to {el.apparatus}, not to {apparatus}")
    return el


def plan_routine(
    apparatus: str,
    rng: np.random.Generator,
    cb: Codebook,
    priors: dict[str, Any],
    elements: list[str] | None = None,
    timeline: Timeline | None = None,
) -> RoutinePlan:
    """A plan drawn from the priors, or following ``elements`` / ``timeline``."""
    if apparatus not in MAX_GAP_S:
        raise ValueError(f"unknown apparatus {apparatus!r}; expected one of VT, FX, BB, UB")
    stats = priors["apparatus"][apparatus]
    plan = RoutinePlan(apparatus)
    plan.lead_in_s = min(sample_quantiles(stats["lead_in_s"], rng), MAX_LEAD_S[apparatus])
    plan.tail_s = min(sample_quantiles(stats["tail_s"], rng), MAX_TAIL_S)
    if timeline is not None:
        segs = sorted(timeline.segments, key=lambda s: s.start_frame)
        if not segs:
            raise ValueError("the timeline has no segments to follow")
        fps = timeline.fps
        prev_end = None
        for s in segs:
            if not s.element_id:
                raise ValueError(f"timeline segment at frame {s.start_frame} has no element id")
            el = _element(cb, s.element_id, apparatus)
            gap = 0.0 if prev_end is None else max(0.0, (s.start_frame - prev_end) / fps)
            plan.elements.append(PlannedElement(el.id, el.set_id, el.attributes, s.length / fps, gap))
            prev_end = s.end_frame
        plan.lead_in_s = segs[0].start_frame / fps
        if timeline.video.frame_count:
            plan.tail_s = max(0.0, (timeline.video.frame_count - segs[-1].end_frame) / fps)
        return plan
    if elements is None:
        counts = stats["elements_per_routine"]
        n = int(_choice(rng, {k: float(v) for k, v in counts.items()}))
        known = {k: float(v["count"]) for k, v in stats["elements"].items() if k in cb.elements}
        start = {k: float(v) for k, v in stats["start"].items() if k in cb.elements} or known
        elements = [_choice(rng, start)]
        while len(elements) < n:
            nxt = {
                k: float(v) for k, v in stats["transitions"].get(elements[-1], {}).items() if k in cb.elements
            }
            elements.append(_choice(rng, nxt or known))
    if not elements:
        raise ValueError("a routine needs at least one element")
    for i, eid in enumerate(elements):
        el = _element(cb, eid, apparatus)
        gap = 0.0 if i == 0 else min(sample_quantiles(stats["gap_s"], rng), MAX_GAP_S[apparatus])
        plan.elements.append(
            PlannedElement(el.id, el.set_id, el.attributes, _duration(stats, el.id, rng), gap)
        )
    return plan


def ends_routine(element: Any) -> bool:
    """True for an element after which GymSynth performs nothing more: a beam dismount (set 35) or a
    bars element that lands on the feet (the floor; set 44). Elements planned after it are dropped."""
    if element.apparatus == "BB":
        return element.set_id == 35
    return element.apparatus == "UB" and element.attributes.landing == "feet"


def balanced_groups(ids: list[str], per_routine: int, cb: Codebook) -> list[list[str]]:
    """Split ``ids`` (in their order) into routines of about ``per_routine`` elements each of which
    GymSynth performs in full: at most one routine-ending element per routine, and it comes last.

    Routine-ending elements (:func:`ends_routine`) each close a routine, so there are at least as many
    routines as them; the others fill the routines in turn, in order.
    """
    if per_routine < 1:
        raise ValueError(f"per_routine must be at least 1, got {per_routine}")
    last = [e for e in ids if ends_routine(cb.get(e))]
    rest = [e for e in ids if not ends_routine(cb.get(e))]
    n = max(len(last), -(-len(ids) // per_routine), 1 if ids else 0)
    bounds = np.linspace(0, len(rest), n + 1).round().astype(int)
    groups = [rest[bounds[i] : bounds[i + 1]] + ([last[i]] if i < len(last) else []) for i in range(n)]
    return [g for g in groups if g]
