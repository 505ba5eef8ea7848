"""Attribute rules for beam handsprings (set 34) and the uneven bars sets (41-44)."""

from __future__ import annotations

import re

from gymscore.codebook.attributes import Attributes

_NUM = r"(\d+(?:\.\d+)?)"


def _first(pattern: str, text: str) -> float | None:
    m = re.search(pattern, text)
    return float(m.group(1)) if m else None


def _add(a: Attributes, text: str, table: tuple[tuple[str, str], ...]) -> None:
    for word, flag in table:
        if word in text and flag not in a.flags:
            a.flags.append(flag)


def beam_handspring(name: str) -> Attributes:
    """A flic-flac, handspring or round-off on the beam."""
    n = name.lower()
    a = Attributes(kind="handspring", landing="feet")
    if "flic-flac" in n:
        a.direction = "backward"
    elif "round-off" in n:
        a.direction = "sideward"
        a.flags.append("round_off")
    else:
        a.direction = "forward"
    a.twist_count = _first(r"(?:with|minimum) " + _NUM + " twist", n) or 0.0
    if "piking" in n:
        a.body_shape = "piked"
    if "straddle sit" in n:
        a.landing = "sit"
    elif "hip circle" in n:
        a.landing = "support"
        a.flags.append("hip_circle")
    elif "front support" in n:
        a.landing = "support"
    elif "handstand, keep" in n or "handstand lower" in n or "side handstand" in n:
        a.landing = "handstand"
    _add(a, n, (
        ("gainer", "gainer"), ("jump backward", "jump_backward_entry"),
        ("from side position", "side_position"),
        ("side handstand", "side_handstand"), ("step-out", "step_out"), ("tic-toc", "tic_toc"),
        ("walkover forward", "walkover"), ("to handspring forward", "handspring_after"),
        ("before hand support", "twist_before_support"), ("after hand support", "twist_after_support"),
        ("leg change", "leg_change"), ("high flight", "high_flight"),
    ))
    if "land on 2 feet" in n or "land on both feet" in n:
        a.take_off = "two_feet"
    return a


_CIRCLE_FLAGS = (
    ("sole circle", "feet_on_bar"), ("toes-on-bar", "end_toes_on_bar"), ("giant", "giant"),
    ("clear hip", "clear_hip"), ("hips touching", "hips_on_bar"), ("stalder", "stalder"),
    ("one arm", "one_arm"), ("hop 1 turn", "hop_turn"), ("rear support", "rear_support"),
    ("clear rear", "clear"), ("seat", "seat"), ("from handstand", "from_handstand"),
    ("rear inverted", "end_rear_inverted"), ("before handstand", "turn_before_handstand"),
    ("clear support", "end_clear_support"), ("full circle swing", "giant"),
)


def bar_circle(name: str) -> Attributes:
    """A circle on one bar (sole, giant, hip, pike, stalder)."""
    n = name.lower()
    a = Attributes(kind="circle", landing="bar_support")
    a.direction = "backward" if "backward" in n else "forward"
    if "pike" in n:
        a.body_shape = "piked"
    elif "straddle" in n or "stalder" in n:
        a.body_shape = "straddled"
    elif "giant" in n or "clear hip" in n:
        a.body_shape = "stretched"
    a.turn_amount = _first(_NUM + " turn", n) or 0.0
    if "to handstand" in n:
        a.landing = "handstand"
    _add(a, n, _CIRCLE_FLAGS)
    return a


def _lead(n: str) -> tuple[str, str]:
    """Split a bars name into its parenthesised lead-in and the rest."""
    m = re.match(r"^\(([^)]*)\)\s*(.*)$", n)
    return (m.group(1), m.group(2)) if m else ("", n)


_LEAD_FLAGS = (
    ("swing backward", "from_swing_backward"), ("swing forward", "from_swing_forward"),
    ("under-swing", "from_underswing"), ("hip circle backward", "from_hip_circle"),
    ("pike sole circle", "from_sole_circle"), ("front support", "from_front_support"),
    ("from high bar", "from_high_bar"), ("support of feet", "feet_support"),
)


def bar_flight(set_id: int, name: str) -> Attributes:
    """A release on the same bar (42), a transition (43) or a dismount (44)."""
    lead, rest = _lead(name.lower())
    n = rest
    a = Attributes()
    _add(a, lead, _LEAD_FLAGS)
    if set_id == 43:
        a.kind = "transition"
        a.bar = "high_to_low" if "high bar to low bar" in n else "low_to_high"
        a.landing = "bar_hang"
        a.flags.append("generic_class")
        return a
    from gymscore.codebook.derive import _direction, _saltos, _shape

    a.salto_count = _saltos(n)
    a.body_shape = _shape(n)
    if "layout" in n or "reverse hecht" in n:
        a.body_shape = "stretched"
    twist = _first(r"with " + _NUM + " (?:turn|twist)", n)
    pre = re.match(_NUM + r" turn to (?:\w+ )?salto", n)
    if pre:
        a.flags.append("turn_before_salto")
        twist = float(pre.group(1)) + (twist or 0.0)
    a.twist_count = twist or _first(r"^" + _NUM + " turn", n) or 0.0
    on_bar = _first(r"^" + _NUM + " turn to counter", n) or _first(r"with " + _NUM + " turn", lead)
    if on_bar:  # a turn in handstand before the release, not a twist in flight
        a.turn_amount, a.twist_count = on_bar, 0.0
    a.direction = _direction(n)
    if "counter" in n:
        a.flags.append("counter")
        if not a.salto_count:
            a.direction = "backward"
        if not lead:
            a.flags.append("from_swing_forward")
    if "into salto" in n:
        a.flags.append("mixed_saltos")
    _add(a, n, (("stoop", "stoop"), ("over high bar", "over_bar"), ("over hb", "over_bar"),
                ("vault", "vault_over_bar"), ("hecht", "hecht"),
                ("first or second", "twist_any_salto"), ("in flight", "turn_in_flight"),
                ("0.5 turn and salto", "turn_before_salto")))
    if "straddle" in n:
        a.body_shape = "straddled"
    if set_id == 42:
        a.kind = "release"
        a.bar = "high"
        a.landing = "bar_hang"
    else:
        a.kind = "salto" if a.salto_count else "dismount"
        a.landing = "feet"
        if "hecht" in n and a.salto_count and a.body_shape == "none":
            a.body_shape = "tucked"  # a hecht into a salto is tucked unless the name says otherwise
    return a


def handspring_or_bars(set_id: int, name: str) -> Attributes:
    """Attributes for sets 34, 41, 42, 43 and 44."""
    if set_id == 34:
        return beam_handspring(name)
    if set_id == 41:
        return bar_circle(name)
    if set_id in (42, 43, 44):
        return bar_flight(set_id, name)
    raise ValueError(f"unknown FineGym set id {set_id}")
