"""Keyword rules that map FineGym annotators' questions to predicates over codebook attributes.

Each rule names the sets it applies to, a keyword pattern (a regular expression over the lower-cased
question), a predicate over :class:`Attributes` and a short label in the project's words. The first
rule of a set whose pattern matches decides. Rules are ordered from specific to general.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from gymscore.codebook.attributes import Attributes

Pred = Callable[[Attributes, re.Match[str]], bool]


@dataclass(frozen=True)
class Rule:
    """One question-to-predicate mapping."""

    sets: frozenset[int]
    pattern: str
    predicate: Pred
    label_format: str

    def label(self, m: re.Match[str]) -> str:
        """The label with numbers from the question filled in."""
        return self.label_format.format(*(m.groups() or ()))

    @property
    def describe(self) -> str:
        return self.label_format.replace("{0}", "N").replace("{1}", "M")


def _half(x: float) -> bool:
    return abs(x % 1 - 0.5) < 1e-9


def _n(m: re.Match[str], i: int = 1) -> float:
    return float(m.group(i))


def _flag(name: str) -> Pred:
    return lambda a, m: name in a.flags


def _is(attr: str, *values: object) -> Pred:
    return lambda a, m: getattr(a, attr) in values


VT = {1}
LEAP = {21, 31}
TURN = {22, 32}
FLOOR_SALTO = {23, 24, 25}
BEAM_SALTO = {33, 35}
SALTO = FLOOR_SALTO | BEAM_SALTO
SEP180 = ("split", "switch", "side_split", "straddle_pike", "ring", "stag", "sissone")
NUM = r"(\d+(?:\.\d+)?)"

_R: list[tuple[set[int], str, Pred, str]] = [
    # --- vault ---------------------------------------------------------------------------
    (VT, r"round-off onto the springboard", _is("vault_entry", "round_off"), "round-off entry"),
    (VT, r"turning entry after round-off", lambda a, m: a.entry_turn > 0, "turn in the first flight"),
    (VT, r"facing the coming direction when handstand", lambda a, m: a.entry_turn == 0.5,
     "half turn in the first flight"),
    (VT, r"facing the opposite of the coming direction", lambda a, m: _half(a.entry_turn),
     "half turn in the first flight"),
    (VT, r"twisting body before touching", lambda a, m: a.entry_turn > 0, "turn in the first flight"),
    (VT, r"^tsukahara", _is("vault_entry", "tsukahara"), "tsukahara entry"),
    (VT, r"0\.5 turn with body being stretched before salto", _flag("turn_before_salto"),
     "turn before the salto"),
    (VT, r"facing vault table after landing", lambda a, m: (a.direction == "forward") == _half(a.twist_count),
     "facing the table after landing"),
    (VT, r"double salto tucked", lambda a, m: a.salto_count == 2 and a.body_shape == "tucked",
     "tucked double salto"),
    (VT, r"pike", _is("body_shape", "piked"), "piked body"),
    (VT, r"keep stretched", _is("body_shape", "stretched"), "stretched body"),
    (VT, r"^(?:with )?salto(?: off)?\?", lambda a, m: a.salto_count > 0, "has a salto"),
    (VT, r"^(?:salto )?with turn", lambda a, m: a.twist_count > 0, "twists in the second flight"),
    (VT, r"^(?:salto with )?" + NUM + r" turn\?", lambda a, m: a.twist_count == _n(m), "twist count = {0}"),
    # --- leaps, jumps, hops ------------------------------------------------------------------
    (LEAP, r"180 degree separation", _is("leg_position", *SEP180), "legs split 180 degrees"),
    (LEAP, r"both legs straight when separated",
     _is("leg_position", "split", "switch", "side_split", "straddle_pike", "sissone"),
      "legs straight in the split"),
    (LEAP, r"cross split", _is("leg_position", "split", "switch", "sissone"), "front-back split"),
    (LEAP, r"^leap \(do not jump|^leap\?", _is("take_off", "one_foot"), "one-foot take-off"),
    (LEAP, r"^jump\?", _is("kind", "jump"), "is a jump"),
    (LEAP, r"take off with two (?:feet|legs)", _is("take_off", "two_feet"), "two-feet take-off"),
    (LEAP, r"^switch leap\?", lambda a, m: a.kind == "leap" and "leg_change" in a.flags, "switch leap"),
    (LEAP, r"leap with (?:leg change|change of legs)|^with leg change|legs switched",
     _flag("leg_change"), "legs change in flight"),
    (LEAP, r"^with turn|^yes: with tur", lambda a, m: a.turn_amount > 0, "turns"),
    (LEAP, r"land in split sit", _is("landing", "sit"), "lands in a split sit"),
    (LEAP, r"tuck jump before separation", _flag("tuck_to_split"), "tuck before the split"),
    (LEAP, r"not parallel to the floor|diagonal to the floor", _is("leg_position", "sissone"),
     "sissone split"),
    (LEAP, r"land in front lying", _is("landing", "front_lying"), "lands in front lying support"),
    (LEAP, r"^stag-ring jump", lambda a, m: a.leg_position == "ring" and "front_leg_bent" in a.flags,
     "ring with the front leg bent"),
    (LEAP, r"ring position", _is("leg_position", "ring"), "ring position"),
    (LEAP, r"front leg bent", lambda a, m: a.leg_position == "stag" or "front_leg_bent" in a.flags,
     "front leg bent"),
    (LEAP, r"front leg below horizontal", _flag("front_leg_low"), "front leg low"),
    (LEAP, r"both legs stay together", _is("leg_position", "tuck", "pike", "stretched", "sheep"),
     "legs together"),
    (LEAP, r"^tuck(?:ed)?\?", _is("leg_position", "tuck"), "tuck position"),
    (LEAP, r"^stretched(?: jump)?\?", _is("leg_position", "stretched"), "stretched position"),
    (LEAP, r"^pike(?:d| jump)?\?", _is("leg_position", "pike"), "pike position"),
    (LEAP, r"^sheep jump", _is("leg_position", "sheep"), "sheep position"),
    (LEAP, r"wolf position", _is("leg_position", "wolf"), "wolf position"),
    (LEAP, r"cat leap", _is("leg_position", "cat"), "cat leap"),
    (LEAP, r"^hop\?", _is("kind", "hop"), "is a hop"),
    (LEAP, r"arabesque", _flag("arabesque"), "lands in arabesque"),
    (LEAP, r"^butterfly forward", _is("direction", "forward"), "forward"),
    (LEAP, r"^butterfly \(", _is("leg_position", "butterfly"), "butterfly"),
    (LEAP, r"body arched and head dropped", _is("body_shape", "arched"), "arched body"),
    (LEAP, r"take off and land in side position", _flag("side_position"), "side position"),
    (LEAP, r"^" + NUM + r" turn", lambda a, m: a.turn_amount == _n(m), "turn amount = {0}"),
    # --- turns ---------------------------------------------------------------------------
    (TURN, r"heel over head\?", _is("turn_position", "illusion", "free_leg_up"), "free leg up"),
    (TURN, r"illusion", _is("turn_position", "illusion"), "illusion"),
    (TURN, r"tuck stand or on back", _is("turn_position", "tuck_stand", "on_back"), "tuck stand or on back"),
    (TURN, r"tuck stand", _is("turn_position", "tuck_stand"), "tuck stand"),
    (TURN, r"support leg straight", lambda a, m: a.turn_position not in ("tuck_stand", "knee", "prone",
     "on_back"),
     "on a straight support leg"),
    (TURN, r"free leg straight at or ever above horizontal",
     _is("turn_position", "illusion", "free_leg_up", "free_leg_horizontal"), "free leg straight and high"),
    (TURN, r"^free leg straight", _flag("free_leg_straight"), "free leg straight"),
    (TURN, r"free leg extended backward", _is("turn_position", "attitude", "split_hold"), "free leg behind"),
    (TURN, r"held upa?wa?rd and backward by hand|held backward with hands", _is("turn_position",
     "split_hold"),
     "free leg held by hand"),
    (TURN, r"free leg held upward", _is("turn_position", "free_leg_up"), "free leg up"),
    (TURN, r"heel of free leg at horizontal", _is("turn_position", "free_leg_horizontal"),
     "free leg horizontal"),
    (TURN, r"free leg below horizontal", _is("turn_position", "free_leg_low"), "free leg low"),
    (TURN, r"turn on knee", _is("turn_position", "knee"), "on the knee"),
    (TURN, r"prone position", _is("turn_position", "prone"), "prone"),
    (TURN, r"either " + NUM + r" turn or " + NUM + " turn",
     lambda a, m: a.turn_amount in (_n(m), _n(m, 2)), "turn amount = {0} or {1}"),
    (TURN, r"^" + NUM + r" turn or " + NUM + " turn",
     lambda a, m: a.turn_amount in (_n(m), _n(m, 2)), "turn amount = {0} or {1}"),
    (TURN, r"^" + NUM + r" turn or more", lambda a, m: a.turn_amount >= _n(m), "turn amount >= {0}"),
    (TURN, r"^" + NUM + r" turn", lambda a, m: a.turn_amount == _n(m), "turn amount = {0}"),
]

_R += [
    # --- saltos on floor and beam ------------------------------------------------------------
    (SALTO, r"^tucked \(legs are bent|^tuck ?salto|^salto backward tucked|body tucked and legs separated",
     _is("body_shape", "tucked"), "tucked"),
    (SALTO, r"^piked\?|^pike salto|^salto backward piked", _is("body_shape", "piked"), "piked"),
    (SALTO, r"^salto backward stretched", _is("body_shape", "stretched"), "stretched"),
    (SALTO, r"aerial round-off", _flag("round_off"), "round-off"),
    (SALTO, r"^arabian|take off backward with 0\.5 twist", _flag("arabian"), "arabian"),
    ({35}, r"^jump backward", _flag("arabian"), "arabian"),
    (SALTO, r"^double salto", lambda a, m: a.salto_count == 2, "salto count = 2"),
    (SALTO, r"integer twist|facing the same direction before taking off and after landing",
     lambda a, m: a.twist_count % 1 == 0, "whole number of twists"),
    (SALTO, r"if not, then twist before salto",
     lambda a, m: a.twist_count > 0 and "twist_before_salto" not in a.flags, "twists during the salto"),
    (SALTO, r"^(?:salto )?with (?:twist|turn)\?", lambda a, m: a.twist_count > 0, "twists"),
    (SALTO, r"^(?:salto with )?" + NUM + r" or more twist", lambda a, m: a.twist_count >= _n(m),
     "twist count >= {0}"),
    (SALTO, r"^(?:salto with )?" + NUM + r" twist", lambda a, m: a.twist_count == _n(m), "twist count = {0}"),
    (SALTO, r"^walkover", _flag("walkover"), "walkover"),
    (SALTO, r"feet land successively|^step out", _flag("step_out"), "step-out landing"),
    (SALTO, r"^salto backward\?", _is("direction", "backward"), "salto backward"),
    (SALTO, r"^salto sideward", _is("direction", "sideward"), "sideward"),
    (SALTO, r"land in side position", _is("landing", "side"), "lands sideways on the beam"),
    (SALTO, r"start in side position", _flag("side_position"), "starts sideways on the beam"),
    (SALTO, r"take off (?:from|with) two feet", _is("take_off", "two_feet"), "two-feet take-off"),
    (SALTO, r"land on both feet", _is("landing", "feet"), "lands on both feet"),
    (SALTO, r"with leg change", _flag("leg_change"), "legs change"),
    (SALTO, r"gainer", _flag("gainer"), "gainer"),
    (SALTO, r"jump forward with 0\.5 twist before salto|stretched jump forward with 1 twis",
     _flag("twist_before_salto"), "twisting jump before the salto"),
    (SALTO, r"^salto forward", _is("direction", "forward"), "salto forward"),
    (SALTO, r"facing balance beam after landing",
     lambda a, m: (a.direction == "forward") == _half(a.twist_count), "facing the beam after landing"),
    (SALTO, r"land to side of beam", _flag("side_of_beam"), "lands beside the beam"),
    # --- beam handsprings -------------------------------------------------------------------
    ({34}, r"^jump backward", _is("direction", "backward"), "backward"),
    ({34}, r"cross straddle sit", _is("landing", "sit"), "ends in a straddle sit"),
    ({34}, r"kick one leg forward", _flag("gainer"), "gainer"),
    ({34}, r"piking of hips", _is("body_shape", "piked"), "piked"),
    ({34}, r"take off from side position", _flag("side_position"), "starts sideways on the beam"),
    ({34}, r"to hip circle backward", _flag("hip_circle"), "ends in a hip circle"),
    ({34}, r"to front support", lambda a, m: a.landing == "support" and "hip_circle" not in a.flags,
     "ends in front support"),
    ({34}, r"^to handstand", _is("landing", "handstand"), "ends in handstand"),
    ({34}, r"^side handstand", _flag("side_handstand"), "side handstand"),
    ({34}, r"minimum " + NUM + r" twist before handstand",
     lambda a, m: a.twist_count >= _n(m) and "twist_after_support" not in a.flags, "twist count >= {0}"),
    ({34}, r"twist before handstand", lambda a, m: a.twist_count > 0 and "twist_after_support" not in a.flags,
     "twists before the hands"),
    ({34}, r"twist after handstand", _flag("twist_after_support"), "twists after the hands"),
    ({34}, r"walkover after handstand", lambda a, m: "walkover" in a.flags or "tic_toc" in a.flags,
     "walkover after the handstand"),
    ({34}, r"tic-toc", _flag("tic_toc"), "tic-toc"),
    ({34}, r"take off from and land on both feet", _is("take_off", "two_feet"), "two feet"),
    ({34}, r"^round-off", _flag("round_off"), "round-off"),
    ({34}, r"leg change", _flag("leg_change"), "legs change"),
    ({34}, r"^with twist", lambda a, m: a.twist_count > 0, "twists"),
    # --- bars: circles ----------------------------------------------------------------------
    ({41}, r"toes touch the bar", _flag("feet_on_bar"), "feet on the bar"),
    ({41}, r"two legs are together when toes on bar", _is("body_shape", "piked"), "piked"),
    ({41}, r"end with toes on bar", _flag("end_toes_on_bar"), "ends with the feet on the bar"),
    ({41}, r"^circle backward", _is("direction", "backward"), "backward"),
    ({41}, r"^to handstand", _is("landing", "handstand"), "ends in handstand"),
    ({41}, r"either 1 turn or hop 1 turn", lambda a, m: a.turn_amount == 1, "turn amount = 1"),
    ({41}, r"either " + NUM + r" turn or " + NUM + " turn", lambda a, m: a.turn_amount in (_n(m), _n(m, 2)),
     "turn amount = {0} or {1}"),
    ({41}, r"^hop 1 turn", _flag("hop_turn"), "hop turn"),
    ({41}, r"^1 turn on one arm", lambda a, m: a.turn_amount == 1 and "one_arm" in a.flags,
     "one turn on one arm"),
    ({41}, r"^1 turn \(either", lambda a, m: a.turn_amount == 1, "turn amount = 1"),
    ({41}, r"on one arm", _flag("one_arm"), "on one arm"),
    ({41}, r"^giant circle", _flag("giant"), "giant circle"),
    ({41}, r"turn before handstand phase|^with turn", lambda a, m: a.turn_amount > 0, "turns"),
    ({41}, r"clear rear support", _flag("rear_support"), "rear support"),
    ({41}, r"either hip circle or clear hip circle",
     lambda a, m: "clear_hip" in a.flags or "hips_on_bar" in a.flags, "hip circle"),
    ({41}, r"^pike circle", _is("body_shape", "piked"), "piked"),
    ({41}, r"circle starts from handstand",
     lambda a, m: "from_handstand" in a.flags or a.landing == "handstand", "through handstand"),
    ({41}, r"^straddle circle", _is("body_shape", "straddled"), "straddled"),
    ({41}, r"^" + NUM + r" turn", lambda a, m: a.turn_amount == _n(m), "turn amount = {0}"),
    # --- bars: releases and transitions -------------------------------------------------------
    ({42}, r"flight over the bar", _flag("over_bar"), "over the bar"),
    ({42}, r"^straddle \(", _is("body_shape", "straddled"), "straddled"),
    ({42}, r"^stoop", _flag("stoop"), "stoop"),
    ({42}, r"swing forward with 0\.5 turn in handstand",
     lambda a, m: "from_swing_forward" in a.flags and a.turn_amount == 0.5, "half turn in handstand"),
    ({42}, r"0\.5 turn in handstand position before flight", lambda a, m: a.turn_amount == 0.5,
     "half turn in handstand"),
    ({42}, r"swing or under-swing forward before flight",
     lambda a, m: "from_swing_forward" in a.flags or "from_underswing" in a.flags, "from a forward swing"),
    ({42}, r"swing backward before flight", _flag("from_swing_backward"), "from a backward swing"),
    ({42}, r"swing forward before the flight", _flag("from_swing_forward"), "from a forward swing"),
    ({42}, r"soaring backwards over the bar", lambda a, m: "counter" in a.flags and "over_bar" in a.flags,
     "counter flight over the bar"),
    ({42}, r"0\.5 turn before hang during flight", lambda a, m: a.twist_count == 0.5, "twist count = 0.5"),
    ({42}, r"^piked", _is("body_shape", "piked"), "piked"),
    ({42}, r"\(tucked\?", _is("body_shape", "tucked"), "tucked"),
    ({42}, r"without turn during flight", lambda a, m: a.twist_count == 0, "no twist"),
    ({42}, r"only turning without salto", lambda a, m: a.salto_count == 0 and a.twist_count > 0,
     "twist without salto"),
    ({42}, r"^pike salto", lambda a, m: a.salto_count > 0 and a.body_shape == "piked", "piked salto"),
    ({42}, r"^tuck salto", lambda a, m: a.salto_count > 0 and a.body_shape == "tucked", "tucked salto"),
    ({42}, r"salto forward without turn",
     lambda a, m: a.salto_count > 0 and a.direction == "forward" and a.twist_count == 0,
      "salto forward, no twist"),
    ({42}, r"salto forward", lambda a, m: a.salto_count > 0 and a.direction == "forward", "salto forward"),
    ({42}, r"^" + NUM + r" turn", lambda a, m: a.twist_count == _n(m), "twist count = {0}"),
    ({43}, r"from high bar to low bar", _is("bar", "high_to_low"), "high bar to low bar"),
    # --- bars: dismounts -------------------------------------------------------------------
    ({44}, r"hip circle before dismount", _flag("from_hip_circle"), "from a hip circle"),
    ({44}, r"^tuck ?salto", _is("body_shape", "tucked"), "tucked"),
    ({44}, r"^pike salto", _is("body_shape", "piked"), "piked"),
    ({44}, r"facing bars after landing, 0\.5 turn", lambda a, m: a.twist_count == 0.5, "twist count = 0.5"),
    ({44}, r"facing bars after landing",
     lambda a, m: _half(a.twist_count) != ("from_swing_backward" in a.flags),
      "facing the bars after landing"),
    ({44}, r"with turn during flight|^with turn|^salto with turn\?", lambda a, m: a.twist_count > 0,
     "twists"),
    ({44}, r"^with salto", lambda a, m: a.salto_count > 0, "has a salto"),
    ({44}, r"salto more than two times", lambda a, m: a.salto_count >= 2, "salto count >= 2"),
    ({44}, r"^swing forward", _flag("from_swing_forward"), "from a forward swing"),
    ({44}, r"^swing backward", _flag("from_swing_backward"), "from a backward swing"),
    ({44}, r"triple salto", lambda a, m: a.salto_count == 3, "salto count = 3"),
    ({44}, r"^double salto", lambda a, m: a.salto_count == 2, "salto count = 2"),
    ({44}, r"second salto back salto",
     lambda a, m: "mixed_saltos" in a.flags and a.direction == "forward", "second salto backward"),
    ({44}, r"second salto salto forward",
     lambda a, m: "mixed_saltos" in a.flags and a.direction == "backward", "second salto forward"),
    ({44}, r"under-swing or clear under-swing", _flag("from_underswing"), "from an under-swing"),
    ({44}, r"0\.5 turn to salto backward", _flag("turn_before_salto"), "turn before the salto"),
    ({44}, r"^salto backward", _is("direction", "backward"), "salto backward"),
    ({44}, r"^(?:salto with )?" + NUM + r" turn", lambda a, m: a.twist_count == _n(m), "twist count = {0}"),
]

RULES: tuple[Rule, ...] = tuple(Rule(frozenset(s), p, f, label) for s, p, f, label in _R)
