"""Derive typed attributes from FineGym element names (the project's own parsing rules).

Used by ``scripts/build_codebook.py`` to generate the shipped codebook. Conventions:

* ``turn_amount`` counts turns on the floor / beam / bar and during leaps, jumps and hops (the
  quarter turn of a Johnson is the flag ``quarter_turn``, not part of ``turn_amount``);
* ``twist_count`` counts twists in flight (saltos, vault second flight, bar releases and dismounts;
  the bars names say "turn" for these); for an arabian the half twist of the take-off is the flag
  ``arabian`` and ``twist_count`` holds only the additional twist;
* ``flags`` hold the distinctions the typed fields do not (see ``codebook/wag-2017/flags.yaml``).
"""

from __future__ import annotations

import re

from gymscore.codebook.attributes import Attributes

_NUM = r"(\d+(?:\.\d+)?)"


def _first(pattern: str, text: str) -> float | None:
    m = re.search(pattern, text)
    return float(m.group(1)) if m else None


def _shape(text: str) -> str:
    for word, shape in (
        ("tuck", "tucked"), ("pike", "piked"), ("stretched", "stretched"), ("layout", "stretched"),
        ("straddle", "straddled"),
    ):
        if word in text:
            return shape
    return "none"


def _saltos(text: str) -> float:
    if "without salto" in text:
        return 0.0
    if "triple salto" in text:
        return 3.0
    if "double salto" in text:
        return 2.0
    if "into salto" in text and text.count("salto") >= 2:
        return 2.0
    if "salto" in text:
        return 1.0
    return 0.0


def _direction(text: str) -> str:
    positions = {d: text.find(f"salto {d}") for d in ("forward", "backward", "sideward")}
    found = {d: p for d, p in positions.items() if p >= 0}
    if found:
        return min(found, key=found.get)
    for d in ("forward", "backward", "sideward"):
        if d in text:
            return d
    return "none"


# --- vault ------------------------------------------------------------------------------------

def vault(name: str) -> Attributes:
    """Attributes of a vault: entry, first-flight turn, salto, shape and twist of the second flight."""
    n = name.lower()
    a = Attributes(kind="vault", take_off="springboard", landing="feet")
    if n.startswith("round-off"):
        a.vault_entry = "round_off"
    elif n.startswith("tsukahara"):
        a.vault_entry = "tsukahara"
        a.entry_turn = 0.5
    else:
        a.vault_entry = "handspring"
    on = _first(r"with " + _NUM + r" turn on", n)
    if on is not None:
        a.entry_turn = on
    off = n.split(" on, ", 1)[1] if " on, " in n else n
    a.salto_count = _saltos(off)
    if n.startswith("tsukahara") and "without salto" not in n:
        a.salto_count = 1.0
    a.body_shape = _shape(off) if _shape(off) != "none" else "stretched"
    if "yamashita" in n:
        a.flags.append("yamashita")
        a.body_shape = "piked"
    if re.search(_NUM + r" turn to .*salto", off):
        a.flags.append("turn_before_salto")
    twist = _first(r"(?:with )?" + _NUM + r" turn(?: off|$| to)", off)
    a.twist_count = twist or 0.0
    if a.vault_entry == "tsukahara":
        a.direction = "backward"
    elif a.salto_count:
        a.direction = _direction(off)
    else:
        a.direction = "forward"
    return a


# --- leaps, jumps and hops (FX 21, BB 31) -----------------------------------------------------

_LEG_WORDS = (
    ("butterfly", "butterfly"), ("cat leap", "cat"), ("sheep", "sheep"), ("wolf", "wolf"),
    (r"ring\b", "ring"), ("stag", "stag"), ("sissone", "sissone"), ("johnson", "side_split"),
    ("straddle pike", "straddle_pike"), ("side split", "side_split"), ("legs separated", "straddle"),
    ("to straddle", "straddle"), ("yang-bo", "split"), ("switch", "switch"), ("split", "split"),
    ("tuck", "tuck"), ("pike", "pike"), ("stretched", "stretched"),
    ("free leg extended", "free_leg_extended"), ("fouett", "free_leg_extended"),
)


def leap_jump_hop(name: str) -> Attributes:
    """Attributes of a leap, jump or hop: kind, take-off, leg position, turn, landing, flags."""
    n = name.lower()
    a = Attributes(landing="feet")
    if "hop or jump" in n or "jump/hop" in n:
        a.kind = "jump"
        a.flags.append("hop_or_jump")
    elif "leap" in n or "johnson" in n or "butterfly" in n:
        a.kind, a.take_off = "leap", "one_foot"
    elif "hop" in n:
        a.kind, a.take_off = "hop", "one_foot"
    else:
        a.kind, a.take_off = "jump", "two_feet"
    a.leg_position = next((pos for word, pos in _LEG_WORDS if re.search(r"\b" + word, n)), "none")
    if "stag split" in n:
        a.leg_position = "split"
    if "stag" in n and ("ring" in n or "split" in n):
        a.flags.append("front_leg_bent")
    if re.search(r"(?<!split )\bring jump \(", n):
        a.flags.append("front_leg_low")
    if "yang-bo" in n:
        a.body_shape = "arched"
    if any(w in n for w in ("switch", "johnson", "leg change", "change of legs")):
        a.flags.append("leg_change")
    if "0.25 turn" in n or "johnson" in n:
        a.flags.append("quarter_turn")
    if "tuck jump with separation" in n:
        a.flags.append("tuck_to_split")
    a.turn_amount = _first(_NUM + r" turn", n.replace("0.25 turn", "")) or 0.0
    if "fouett" in n:
        a.flags.append("fouette")
        a.turn_amount = a.turn_amount or 0.5
    if "front lying" in n:
        a.landing = "front_lying"
    elif "split sit" in n:
        a.landing = "sit"
    elif "arabesque" in n or "land on one foot" in n:
        a.landing = "one_foot"
    if "arabesque" in n:
        a.flags.append("arabesque")
    if "horizontal plane" in n:
        a.flags.append("horizontal_body")
    if a.leg_position == "butterfly":
        a.direction = "forward" if "forward" in n else "backward"
    if "side position" in n:
        a.flags.append("side_position")
    return a


# --- turns (FX 22, BB 32) ---------------------------------------------------------------------

_TURN_POSITIONS = (
    ("illusion", "illusion"), ("held backward with both hands", "split_hold"),
    ("leg held backward and upward", "split_hold"), ("upward in 180 split", "free_leg_up"),
    ("tuck stand", "tuck_stand"), ("on back", "on_back"), ("knee arabesque", "knee"),
    ("prone", "prone"), ("attitude", "attitude"), ("thigh of free leg at horizontal", "attitude"),
    ("heel of free leg forward at horizontal", "free_leg_horizontal"),
    ("below horizontal", "free_leg_low"),
)


def turn(name: str) -> Attributes:
    """Attributes of a turn on one leg (or on the back, knee or in prone position)."""
    n = name.lower()
    a = Attributes(kind="turn", landing="none")
    a.turn_position = next((pos for word, pos in _TURN_POSITIONS if word in n), "none")
    a.turn_amount = _first(_NUM + r" (?:illusion )?(?:turn|spin)", n) or 0.0
    if "free leg straight" in n:
        a.flags.append("free_leg_straight")
    if "free leg bent" in n:
        a.flags.append("free_leg_bent")
    if "or more" in n:
        a.flags.append("or_more")
    if "or less" in n:
        a.flags.append("or_less")
    return a


# --- saltos and aerials (FX 23-25, BB 33 and 35) ----------------------------------------------

def salto(name: str) -> Attributes:
    """Attributes of an acrobatic flight element (salto, aerial, walkover) on floor or beam."""
    n = name.lower()
    a = Attributes(landing="feet")
    a.salto_count = _saltos(n)
    a.kind = "salto" if a.salto_count and "aerial cartwheel into" not in n else "aerial"
    if "aerial cartwheel into" in n:
        a.kind = "salto"
        a.flags.append("cartwheel_entry")
    a.direction = _direction(n)
    if "aerial" in n and a.direction == "none":
        a.direction = "sideward"
    a.body_shape = _shape(n)
    if "whip" in n:
        a.body_shape = "arched"
        a.flags.append("whip")
    if a.body_shape == "none" and a.kind == "salto":
        a.body_shape = "stretched"
    twist = _first(r"with " + _NUM + r" (?:twist|turn)", n)
    for word, flag in (
        ("arabian", "arabian"), ("gainer", "gainer"), ("round-off", "round_off"),
        ("walkover", "walkover"), ("leg change", "leg_change"), ("step out", "step_out"),
        ("successively", "step_out"), ("side of beam", "side_of_beam"), ("end of beam", "end_of_beam"),
        ("end of the beam", "end_of_beam"),
    ):
        if word in n and flag not in a.flags:
            a.flags.append(flag)
    if "arabian" in n:
        a.direction = "forward"
    before = re.search(r"jump (?:forward|backward) with " + _NUM + " twist", n)
    if before:
        a.flags.append("twist_before_salto")
        twist = float(before.group(1))
    a.twist_count = twist or 0.0
    if "take off from 2 feet" in n:
        a.take_off = "two_feet"
    elif "one or both legs" in n:
        a.take_off = "none"
    elif "from one leg" in n or "gainer" in n or a.kind == "aerial" or "aerial cartwheel into" in n:
        a.take_off = "one_foot"
    elif a.kind == "salto":
        a.take_off = "two_feet"
    if "cartwheel" in n and "into" not in n:
        a.landing = "one_foot"  # a cartwheel lands one foot after the other
    if "side stand" in n or "landing in side position" in n:
        a.landing = "side"
    if re.search(r"in side position$", n) and "landing in side" not in n:
        a.flags.append("side_position")
        a.landing = "side"
    return a


def element_attributes(set_id: int, name: str) -> Attributes:
    """Attributes of a FineGym element from its set and display name."""
    if set_id == 1:
        return vault(name)
    if set_id in (21, 31):
        return leap_jump_hop(name)
    if set_id in (22, 32):
        return turn(name)
    if set_id in (23, 24, 25, 33, 35):
        return salto(name)
    from gymscore.codebook.derive_more import handspring_or_bars

    return handspring_or_bars(set_id, name)
