"""The D-score engine: Timeline + codebook + rules data -> ScoreCard.

FX, BB, UB: D = DV + CR + CV (+ SB on beam).

* DV: every segment is resolved through the codebook. Segments without an element id, with an id the
  codebook does not know, or repeating an earlier element do not count. From the rest the engine takes
  the dismount first (when the rules require it), then the highest values (ties: earlier first) while
  the total stays within ``count`` (8), every category stays within its maximum and enough slots remain
  for every category's minimum (BB/FX: at most 5 acro, at least 3 dance). This greedy choice is optimal
  for such nested limits.
* CR: each requirement is checked over the recognised elements (or only the counted ones, per
  ``common.yaml``); the total is capped at ``max_total`` (2.00).
* CV: every pair of recognised elements joined by ``connected_to_next`` earns the best matching
  connection row; repeated and uncounted elements still earn CV.
* SB (BB): each maximal connected run that holds a qualifying window earns the series bonus once.

VT: D = the vault's value; ``vault_mode="average"`` averages the first two vaults (unverified rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gymscore.scoring.card import (
    ConnectionLine,
    ElementLine,
    RequirementLine,
    ScoreCard,
    UnverifiedRule,
)
from gymscore.scoring.rules import ApparatusRules, CompositionRule, RuleInfo, load_rules
from gymscore.timeline.model import Timeline

_EPS = 1e-9


@dataclass
class Item:
    """A segment resolved for scoring (what predicates see)."""

    index: int
    element: Any
    set_id: int | None
    group: int | None
    category: str | None
    value: float
    attributes: Any
    element_id: str | None
    recognised: bool
    dismount: bool = False
    repeat_of: int | None = None
    connected_to_next: bool = False


def _r(x: float) -> float:
    return round(x + 0.0, 3)


class _Used:
    """Collects the unverified rules that affected a card."""

    def __init__(self) -> None:
        self.rules: dict[str, UnverifiedRule] = {}

    def add(self, info: RuleInfo | None) -> None:
        if info is not None and not info.verified and info.id not in self.rules:
            self.rules[info.id] = UnverifiedRule(info.id, info.description, info.source)


def _resolve(tl: Timeline, cb: Any, rules: ApparatusRules, card: ScoreCard) -> list[Item]:
    items: list[Item] = []
    first_seen: dict[str, int] = {}
    fps = tl.video.fps if tl.video.fps > 0 else 25.0
    for i, seg in enumerate(tl.segments):
        el = None
        reason = ""
        if seg.element_id is None:
            reason = "not counted: no element id"
        else:
            try:
                el = cb.get(seg.element_id)
            except LookupError:
                reason = f"not counted: {seg.element_id} is unknown to the codebook ({tl.edition})"
        if el is not None and getattr(el, "apparatus", tl.apparatus) != tl.apparatus:
            reason = f"not counted: {el.id} is a {el.apparatus} element, not {tl.apparatus}"
            el = None
        value = float(el.value) if el is not None and el.value is not None else 0.0
        set_id = el.set_id if el is not None else seg.set_id
        it = Item(
            i,
            el,
            set_id,
            getattr(el, "group", None),
            None,
            value,
            getattr(el, "attributes", None),
            seg.element_id,
            el is not None,
            connected_to_next=bool(seg.connected_to_next) and i + 1 < len(tl.segments),
        )
        if el is not None:
            for cat, pred in rules.categories.items():
                if pred(it):
                    it.category = cat
                    break
            if el.id in first_seen:
                it.repeat_of = first_seen[el.id]
            else:
                first_seen[el.id] = i
        items.append(it)
        card.elements.append(
            ElementLine(
                index=i,
                id=seg.element_id,
                name=getattr(el, "name", "") if el is not None else "",
                value=value,
                counted=False,
                reason=reason,
                letter=getattr(el, "value_letter", "") or "",
                cop_number=getattr(el, "cop_number", None),
                set_id=set_id,
                category=it.category,
                start_s=round(seg.start_frame / fps, 3),
                end_s=round(seg.end_frame / fps, 3),
                connected_to_next=it.connected_to_next,
            )
        )
    return items


def _mark_dismount(items: list[Item], rules: ApparatusRules, used: _Used) -> Item | None:
    cands = [it for it in items if it.recognised]
    if rules.dismount_method == "set":
        cands = [it for it in cands if it.set_id in rules.dismount_sets]
    else:
        cands = [it for it in cands if it.category == rules.dismount_category]
    if rules.dismount_predicate is not None:
        cands = [it for it in cands if rules.dismount_predicate(it)]
    if not cands:
        return None
    d = cands[-1]
    d.dismount = True
    used.add(rules.dismount_info)
    return d


def _select_dv(items: list[Item], rules: ApparatusRules, dismount: Item | None, card: ScoreCard) -> None:
    lines = card.elements
    for it in items:
        if it.recognised and it.repeat_of is not None:
            lines[it.index].reason = f"not counted: repeated element (first performed as #{it.repeat_of})"
    eligible = [it for it in items if it.recognised and it.repeat_of is None]
    taken: list[Item] = []
    per_cat: dict[str, int] = {}

    def blocker(it: Item) -> str | None:
        if len(taken) >= rules.count:
            return f"not counted: not among the {rules.count} highest"
        lo_hi = rules.limits.get(it.category or "", (0, rules.count))
        if per_cat.get(it.category or "", 0) >= lo_hi[1]:
            return f"not counted: exceeds the {it.category} limit (at most {lo_hi[1]} {it.category})"
        free_after = rules.count - len(taken) - 1
        reserved = sum(
            max(0, mn - per_cat.get(c, 0)) for c, (mn, _) in rules.limits.items() if c != it.category
        )
        if free_after < reserved:
            need = ", ".join(
                f"at least {mn} {c}" for c, (mn, _) in rules.limits.items() if mn and c != it.category
            )
            return f"not counted: exceeds the {it.category} limit (the other slots are kept for {need})"
        return None

    def take(it: Item, why: str) -> None:
        taken.append(it)
        per_cat[it.category or ""] = per_cat.get(it.category or "", 0) + 1
        ln = lines[it.index]
        ln.counted, ln.reason, ln.dismount = True, why, it.dismount
        ln.counted_towards.append("DV")

    if dismount is not None and dismount.repeat_of is None and rules.dismount_required:
        take(dismount, "counted in DV (dismount)")
    for it in sorted(eligible, key=lambda x: (-x.value, x.index)):
        if it in taken:
            continue
        why = blocker(it)
        if why is None:
            take(it, "counted in DV (dismount)" if it.dismount else "counted in DV")
        else:
            lines[it.index].reason = why
            lines[it.index].dismount = it.dismount
    card.dv = _r(sum(it.value for it in taken))
    if rules.dismount_required and dismount is None:
        card.warnings.append("no dismount: no short-exercise deduction is applied (rule unconfirmed)")
    if len(taken) < rules.count:
        card.warnings.append(
            f"only {len(taken)} elements count (of {rules.count}); "
            "short-exercise deductions are not applied (rule unconfirmed)"
        )
    for c, (mn, _) in rules.limits.items():
        have = per_cat.get(c, 0)
        if have < mn:
            card.warnings.append(f"only {have} {c} elements count (at least {mn} expected)")


def _runs(items: list[Item], member: Any) -> list[list[Item]]:
    """Maximal runs of consecutive connected recognised items that all satisfy ``member``."""
    runs: list[list[Item]] = []
    cur: list[Item] = []
    for it in items:
        ok = it.recognised and (member is None or member(it))
        if ok and cur and cur[-1].connected_to_next and cur[-1].index + 1 == it.index:
            cur.append(it)
        else:
            if len(cur) > 1:
                runs.append(cur)
            cur = [it] if ok else []
    if len(cur) > 1:
        runs.append(cur)
    return runs


def _check_cr(
    rule: CompositionRule, pool: list[Item], items: list[Item], counted: set[int]
) -> list[int] | None:
    """Indexes of the elements fulfilling ``rule``, or None."""

    def best(cands: list[Item]) -> Item | None:
        return min(cands, key=lambda x: (x.index not in counted, x.index)) if cands else None

    if rule.kind == "exists":
        hit = best([it for it in pool if rule.predicates[0](it)])
        return [hit.index] if hit else None
    if rule.kind == "each":
        chosen: list[int] = []
        for p in rule.predicates:
            hit = best([it for it in pool if p(it) and it.index not in chosen])
            if hit is None:
                return None
            chosen.append(hit.index)
        return sorted(chosen)
    if rule.kind == "connection":
        allowed = {it.index for it in pool}
        for run in _runs([it for it in items], rule.members):
            for a in range(len(run)):
                ids: set[str] = set()
                for b in range(a, len(run)):
                    if run[b].index not in allowed or (rule.distinct and run[b].element_id in ids):
                        break
                    ids.add(run[b].element_id or "")
                    window = run[a : b + 1]
                    if len(window) >= rule.min_length and (
                        rule.some is None or any(rule.some(x) for x in window)
                    ):
                        return [x.index for x in window]
        return None
    # distinct
    seen: dict[Any, int] = {}
    for it in pool:
        if rule.members is not None and not rule.members(it):
            continue
        v = getattr(it.attributes, rule.attr, None)
        if v is None or v in rule.ignore or v in seen:
            continue
        seen[v] = it.index
    return sorted(seen.values()) if len(seen) >= rule.min_count else None


def _composition(items: list[Item], rules: ApparatusRules, card: ScoreCard, used: _Used) -> None:
    counted = {e.index for e in card.elements if e.counted}
    recognised = [it for it in items if it.recognised]
    pool = (
        recognised if rules.cr_elements == "recognised" else [it for it in recognised if it.index in counted]
    )
    total = 0.0
    for rule in rules.composition:
        by = _check_cr(rule, pool, items, counted)
        ok = by is not None
        value = min(rule.value, max(0.0, rules.cr_max - total)) if ok else 0.0
        total += value
        card.requirements.append(
            RequirementLine(rule.info.id, rule.info.description, ok, by or [], _r(value), rule.info.verified)
        )
        if ok:
            used.add(rule.info)
            if any(i not in counted for i in by or []):
                used.add(rules.cr_elements_info)
            for i in by or []:
                card.elements[i].counted_towards.append(rule.info.id.split("-")[-1])
    card.cr = _r(total)


def _connections(items: list[Item], rules: ApparatusRules, card: ScoreCard, used: _Used) -> None:
    total = 0.0
    for a, b in zip(items, items[1:], strict=False):
        if not (a.connected_to_next and a.recognised and b.recognised):
            continue
        best = None
        for rule in rules.connections:
            ok = rule.first(a) and rule.second(b)
            if not ok and rule.order == "any":
                ok = rule.first(b) and rule.second(a)
            if ok and rule.some is not None:
                ok = rule.some(a) or rule.some(b)
            # the highest value; on a tie a verified rule beats an unverified one, then the first listed
            if ok and (
                best is None
                or rule.value > best.value + _EPS
                or (abs(rule.value - best.value) <= _EPS and rule.info.verified and not best.info.verified)
            ):
                best = rule
        if best is None:
            continue
        total += best.value
        used.add(best.info)
        card.connections.append(ConnectionLine([a.index, b.index], best.value, best.info.id))
        card.elements[a.index].connection_value = best.value
        for i in (a.index, b.index):
            if "CV" not in card.elements[i].counted_towards:
                card.elements[i].counted_towards.append("CV")
    card.cv = _r(total)


def _series_bonus(items: list[Item], rules: ApparatusRules, card: ScoreCard, used: _Used) -> None:
    sb = rules.series_bonus
    if sb is None:
        return
    total = 0.0
    n = len(sb.min_values)
    for run in _runs(items, sb.members):
        if len(run) < sb.min_length:
            continue
        hit = None
        for a in range(len(run) - sb.min_length + 1):
            window = run[a : a + sb.min_length]
            top = sorted(x.value for x in window)[-n:]
            if all(v >= m - 1e-6 for v, m in zip(top, sb.min_values, strict=True)) and (
                sb.some is None or any(sb.some(x) for x in window)
            ):
                hit = run
                break
        if hit is None:
            continue
        total += sb.value
        used.add(sb.info)
        card.connections.append(ConnectionLine([x.index for x in hit], sb.value, sb.info.id, kind="SB"))
        for x in hit:
            card.elements[x.index].counted_towards.append("SB")
    card.sb = _r(total)


def _score_vault(
    tl: Timeline, cb: Any, rules: ApparatusRules, card: ScoreCard, mode: str, used: _Used
) -> None:
    items = _resolve(tl, cb, rules, card)
    vaults = [it for it in items if it.recognised]
    card.vault_mode = mode
    if not vaults:
        card.warnings.append("no recognised vault")
        return
    take = vaults[:2] if mode == "average" else vaults[:1]
    if mode == "average" and len(vaults) < 2:
        card.warnings.append("average mode needs two vaults; only one was recognised, its value is used")
    if mode == "single" and len(vaults) > 1:
        card.warnings.append(f"{len(vaults)} vaults; single mode scores the first (use --vault-mode average)")
    for it in take:
        ln = card.elements[it.index]
        ln.counted, ln.reason, ln.counted_towards = True, f"counted: vault value ({mode})", ["D"]
    for it in vaults:
        if it not in take:
            card.elements[it.index].reason = (
                "not counted: only the first vault counts in single mode"
                if mode == "single"
                else "not counted: only the first two vaults count"
            )
    used.add(rules.vault_modes.get(mode))
    card.dv = _r(sum(it.value for it in take) / len(take))
    card.d_score = card.dv


def score(
    timeline: Timeline,
    edition: str | None = None,
    codebook: Any = None,
    vault_mode: str = "single",
    rules: ApparatusRules | None = None,
) -> ScoreCard:
    """Estimate the D-score of ``timeline`` (edition: the timeline's own unless given)."""
    edition = edition or timeline.edition or "wag-2017"
    if vault_mode not in ("single", "average"):
        raise ValueError(f"vault_mode must be 'single' or 'average', got {vault_mode!r}")
    if codebook is None:
        from gymscore.codebook import default_codebook

        codebook = default_codebook()
    rules = rules or load_rules(timeline.apparatus, edition)
    card = ScoreCard(apparatus=timeline.apparatus, edition=edition)
    used = _Used()
    if timeline.apparatus == "VT":
        _score_vault(timeline, codebook, rules, card, vault_mode, used)
    else:
        items = _resolve(timeline, codebook, rules, card)
        dismount = _mark_dismount(items, rules, used)
        _select_dv(items, rules, dismount, card)
        _composition(items, rules, card, used)
        _connections(items, rules, card, used)
        _series_bonus(items, rules, card, used)
        card.d_score = _r(card.dv + card.cr + card.cv + card.sb)
    card.unverified_rules = list(used.rules.values())
    return card
