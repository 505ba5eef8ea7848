"""The element step of the analysis: from the classifier's probabilities for a segment to a set, an
element (a leaf of the codebook's decision tree) and its ranked alternatives.

Every leaf is scored as ``P(element) x product of P(attribute = answer) ** ATTRIBUTE_WEIGHT`` along its
path (:func:`leaf_scores`); the set is the one of the apparatus whose best leaf is likeliest together
with ``P(set)`` (:func:`best_set`); the set's leaves, normalised, rank the alternatives
(:func:`rank_elements`), and the element scored is the likeliest leaf of the set's median value
(:func:`median_value_element`, :func:`choose_elements`). No Qt, no torch: probabilities in, segments
out.
"""

from __future__ import annotations

from typing import Any

from gymscore.codebook.errors import CodebookError
from gymscore.timeline import Alternative, Segment

TOP_K = 5  # alternatives kept per segment
# How much the attribute heads weigh beside the element head in a set whose leaves the element head
# covers: each attribute factor of :func:`leaf_scores` is raised to this power. The element head already
# sees what the attributes describe, so the full product counted that evidence twice. Chosen on the 72
# selection routines (docs/models.md, "Attributes beside the element head"): element top-1 0.631 ->
# 0.670 and D-score MAE 0.433 -> 0.397 against the plain product (1.0), better on each of the three sets;
# on 96 held-out routines the two are the same within noise (D 0.358 against 0.378, top-1 0.744 / 0.754).
ATTRIBUTE_WEIGHT = 0.25


def set_apparatus(codebook: Any, set_id: Any) -> str | None:
    """The apparatus of a set id (None: not a set of this codebook)."""
    try:
        return codebook.sets[int(set_id)].apparatus
    except (KeyError, ValueError, TypeError):
        return None


def _value_key(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        text = f"{float(value):.4f}".rstrip("0").rstrip(".")
        return text or "0"
    return str(value)


def leaf_scores(set_id: int, prediction: dict[str, Any], codebook: Any,
                strict: bool = False, attribute_weight: float = ATTRIBUTE_WEIGHT) -> list[tuple[str, float]]:
    """Every leaf of a set's decision tree with ``P(element) x product of P(attribute = answer) **
    attribute_weight`` along its path, not normalised. Attributes the classifier does not predict, and
    flag questions, do not weigh; a value missing from an attribute head's output weighs as its least
    likely value; without element probabilities for the set's leaves the attributes alone decide, at
    full weight (``strict``: the leaves score 0 then)."""
    tree = codebook.tree(set_id)
    keys = {n.id: n.key() for n in tree.nodes()}
    element_probs = prediction.get("element_probs", {}) or {}
    attr_probs = prediction.get("attribute_probs", {}) or {}
    leaves = tree.leaves()
    use_elements = strict or sum(float(element_probs.get(e, 0.0)) for e in leaves) > 0
    power = attribute_weight if use_elements else 1.0
    scores = []
    for e in leaves:
        p = float(element_probs.get(e, 0.0)) if use_elements else 1.0
        for step in tree.path(e):
            dist = attr_probs.get(keys.get(step.question_id, ""))
            if not dist:
                continue
            key = _value_key(step.answer)
            p *= (float(dist[key]) if key in dist else min(float(x) for x in dist.values())) ** power
        scores.append((e, p))
    return scores


def rank_elements(set_id: int, prediction: dict[str, Any], codebook: Any,
                  attribute_weight: float = ATTRIBUTE_WEIGHT) -> list[tuple[str, float]]:
    """Leaves of a set's decision tree ranked by :func:`leaf_scores`: (element id, probability
    normalised over the set), best first."""
    scores = leaf_scores(set_id, prediction, codebook, attribute_weight=attribute_weight)
    total = sum(p for _, p in scores)
    if total <= 0:
        return [(e, 1.0 / len(scores)) for e, _ in scores]
    return sorted(((e, p / total) for e, p in scores), key=lambda t: -t[1])


def best_set(seg_set: int, prediction: dict[str, Any], apparatus: str, codebook: Any,
             attribute_weight: float = ATTRIBUTE_WEIGHT) -> int:
    """The set of the apparatus whose best leaf is likeliest: ``P(set) x`` that leaf's
    :func:`leaf_scores` (the set and the element decided together: chosen on the 24 selection routines
    of docs/models.md, where it cut the D-score MAE from 0.612 to 0.508 against the set head's own
    choice; on 72 held-out routines the two are the same within noise); the segmenter's set without
    set probabilities. The classifier sees the whole segment, and measured on held-out GymSynth it
    labels segments better than the segmenter's frame-wise sets (bench/results/models.md
    ``segment_pipeline``)."""
    set_probs = prediction.get("set_probs", {}) or {}
    same = {int(s): float(p) for s, p in set_probs.items() if set_apparatus(codebook, s) == apparatus}
    if not same:
        return int(seg_set)
    if not prediction.get("element_probs"):  # no element head: the set head alone
        return max(sorted(same), key=lambda s: same[s])

    def joint(s: int) -> float:
        try:
            leaves = leaf_scores(s, prediction, codebook, strict=True, attribute_weight=attribute_weight)
        except CodebookError:  # a set without a decision tree in this codebook: ranked last
            return -1.0
        return same[s] * max((p for _, p in leaves), default=0.0)

    return max(sorted(same), key=joint)


def median_value_element(ranked: list[tuple[str, float]], codebook: Any) -> tuple[str, str]:
    """The element to score out of ranked leaves ``(element id, probability)``, and a note when it is
    not the likeliest one.

    The value is the weighted median of the leaves' values (the estimate with the least expected
    absolute error, which is how the D-score is judged here); the element is the likeliest leaf of
    that value. When the likeliest leaf has half the probability or more it is always the choice.
    Chosen on the 48 selection routines of docs/models.md ("The median value"): D-score MAE 0.240 ->
    0.227 and element top-1 0.863 -> 0.867 against the likeliest leaf."""
    best = ranked[0][0]
    total = sum(p for _, p in ranked)
    if total <= 0 or ranked[0][1] >= 0.5 * total:
        return best, ""
    value = {e: float(codebook.elements[e].value) for e, _ in ranked}
    acc = 0.0
    for v in sorted(set(value.values())):
        acc += sum(p for e, p in ranked if value[e] == v)
        if acc >= 0.5 * total - 1e-12:
            break
    chosen = max((r for r in ranked if value[r[0]] == v), key=lambda r: r[1])[0]
    if chosen == best:
        return best, ""
    above = sum(p for e, p in ranked if value[e] >= v) / total
    below = sum(p for e, p in ranked if value[e] <= v) / total
    return chosen, (f"scored at the median value {v:g}: {above:.0%} of the probability is on elements "
                    f"worth {v:g} or more, {below:.0%} on {v:g} or less; the likeliest single element "
                    f"is {best} ({ranked[0][1] / total:.0%})")


CHOICES = ("median-value", "likeliest")


def choose_elements(
    spans: list[tuple[int, int, int, float]],
    predictions: list[dict[str, Any]],
    apparatus: str,
    codebook: Any,
    attribute_weight: float = ATTRIBUTE_WEIGHT,
    choice: str = "median-value",
) -> list[Segment]:
    """One model segment per span ``(start, end, segmenter's set, confidence)`` and its classifier
    prediction: the set and element chosen together (``choice``: the set's leaf of the median value,
    :func:`median_value_element`, or the likeliest leaf), the top :data:`TOP_K` leaves of the set as
    alternatives (the chosen one always among them), its share as the confidence (connections are left
    to the caller)."""
    if choice not in CHOICES:
        raise ValueError(f"unknown element choice {choice!r}; use one of {', '.join(CHOICES)}")
    segments = []
    for (a, b, set_id, _conf), pred in zip(spans, predictions, strict=True):
        sid = best_set(set_id, pred, apparatus, codebook, attribute_weight)
        ranked = rank_elements(sid, pred, codebook, attribute_weight)
        top = [r for r in ranked[:TOP_K] if r[1] > 0] or ranked[:1]
        element, note = top[0][0], ""
        if choice == "median-value":
            element, note = median_value_element(ranked, codebook)
        share = dict(ranked)[element]
        if element not in {e for e, _ in top}:
            top = top[: TOP_K - 1] + [(element, share)]
        segments.append(Segment(
            start_frame=a, end_frame=b, set_id=sid, element_id=element,
            confidence=round(min(max(share, 0.0), 1.0), 6),
            alternatives=[Alternative(e, round(p, 6)) for e, p in top], source="model", note=note,
        ))
    return segments
