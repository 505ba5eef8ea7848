"""D-score engine: hand-built routines for every rule, with exact expected numbers (mini codebook)."""

from __future__ import annotations

import json

import pytest

from gymscore.scoring import format_card, score
from gymscore.scoring.minicodebook import MiniCodebook, element
from gymscore.timeline import Segment, Timeline, VideoInfo

E = element
CB = MiniCodebook(
    [
        # FX dance (set 21 leaps/jumps/hops, 22 turns)
        E("FX-SWL1", 21, "D", 1, "switch leap 1/1", kind="leap", leg_position="switch", turn_amount=1),
        E("FX-SPL1", 21, "D", 1, "split leap 1/1", kind="leap", leg_position="split", turn_amount=1),
        E("FX-SPJ1", 21, "D", 1, "split jump 1/1", kind="jump", leg_position="split", turn_amount=1),
        E("FX-STAG", 21, "A", 1, "stag jump", kind="jump", leg_position="stag"),
        E("FX-SISS", 21, "B", 1, "sissone", kind="leap", leg_position="sissone"),
        E("FX-TRN2", 22, "D", 2, "double turn", kind="turn", turn_amount=2),
        E("FX-TRN1", 22, "A", 2, "single turn", kind="turn", turn_amount=1),
        # FX acro (23 side, 24 front, 25 back)
        E(
            "FX-FRT1",
            24,
            "C",
            4,
            "front 1/1",
            kind="salto",
            direction="forward",
            salto_count=1,
            twist_count=1,
        ),
        E("FX-FRTT", 24, "A", 4, "front tuck", kind="salto", direction="forward", salto_count=1),
        E("FX-ARCW", 23, "A", 4, "aerial cartwheel", kind="aerial", direction="sideward", salto_count=1),
        E("FX-AERW", 24, "A", 4, "aerial walkover", kind="aerial", direction="forward"),
    E("FX-WHIP", 25, "A", 5, "whip", kind="salto", direction="backward", salto_count=1),
        E(
            "FX-LAY1",
            25,
            "B",
            5,
            "layout 1/1",
            kind="salto",
            direction="backward",
            salto_count=1,
            twist_count=1,
        ),
        E("FX-DBT", 25, "D", 5, "double tuck", kind="salto", direction="backward", salto_count=2),
        E(
            "FX-FULLIN",
            25,
            "E",
            5,
            "full-in",
            kind="salto",
            direction="backward",
            salto_count=2,
            twist_count=1,
        ),
        E(
            "FX-BILES",
            25,
            "G",
            5,
            "biles",
            kind="salto",
            direction="backward",
            salto_count=2,
            twist_count=0.5,
        ),
        E(
            "FX-SILIVAS",
            25,
            "H",
            5,
            "silivas",
            kind="salto",
            direction="backward",
            salto_count=2,
            twist_count=2,
        ),
        E(
            "FX-TD",
            25,
            "I",
            5,
            "triple double",
            kind="salto",
            direction="backward",
            salto_count=2,
            twist_count=3,
        ),
        # BB
        E("BB-SPJ", 31, "B", 2, "split jump", kind="jump", leg_position="split"),
        E("BB-SWL", 31, "C", 2, "switch leap", kind="leap", leg_position="switch"),
        E("BB-SWH", 31, "D", 2, "switch 1/2", kind="leap", leg_position="switch", turn_amount=0.5),
        E("BB-SHJ", 31, "A", 2, "sheep jump? no: straight jump", kind="jump", leg_position="stretched"),
        E("BB-WLF", 31, "D", 2, "wolf jump 1/1", kind="jump", leg_position="wolf", turn_amount=1),
        E("BB-TRN", 32, "B", 3, "double turn", kind="turn", turn_amount=2),
        E("BB-BHS", 34, "B", 5, "back handspring", kind="handspring", direction="backward"),
        E("BB-LAY", 33, "C", 5, "layout step-out", kind="salto", direction="backward", salto_count=1),
        E("BB-FAER", 33, "D", 5, "front aerial", kind="aerial", direction="forward", salto_count=1),
        E("BB-FHS", 34, "B", 5, "front handspring", kind="handspring", direction="forward"),
        E("BB-FTUCK", 33, "D", 5, "front tuck", kind="salto", direction="forward", salto_count=1),
        E(
            "BB-LAYFULL",
            33,
            "E",
            5,
            "layout full",
            kind="salto",
            direction="backward",
            salto_count=1,
            twist_count=1,
        ),
        E("BB-PATT", 33, "F", 5, "arabian (F here)", kind="salto", direction="forward", salto_count=1),
        E("BB-RO", 35, "A", 6, "round-off dismount", kind="salto", direction="sideward", salto_count=1),
        E(
            "BB-DDM",
            35,
            "H",
            6,
            "double double",
            kind="salto",
            direction="backward",
            salto_count=2,
            twist_count=2,
        ),
        E(
            "BB-FDM",
            35,
            "D",
            6,
            "full-in? gainer",
            kind="salto",
            direction="backward",
            salto_count=1,
            twist_count=1,
        ),
        # UB
        E("UB-GNT", 41, "A", 3, "giant", kind="circle", direction="backward"),
        E("UB-WEIH", 41, "D", 4, "weiler 1/2", kind="circle", direction="backward", turn_amount=0.5),
        E("UB-PIR", 41, "D", 3, "giant fwd 1/1", kind="circle", direction="forward", turn_amount=1),
        E("UB-INB", 41, "D", 5, "inbar 1/1", kind="circle", grip="l_grip", turn_amount=1, bar="high"),
        E("UB-TKA", 42, "C", 3, "tkatchev", kind="release", bar="high", grip="overgrip"),
        E("UB-TKP", 42, "E", 3, "tkatchev piked (E)", kind="release", bar="high", grip="overgrip"),
        E("UB-JAEG", 42, "D", 3, "jaeger", kind="release", bar="high", grip="mixed"),
        E("UB-MAL", 43, "D", 1, "maloney", kind="transition", bar="low_to_high"),
        E("UB-PAK", 43, "D", 1, "pak", kind="transition", bar="high_to_low"),
        E("UB-PAKE", 43, "E", 1, "pak salto variant (E here)", kind="transition", bar="high_to_low"),
        E("UB-DDM", 44, "E", 6, "double double", kind="dismount", salto_count=2, twist_count=2),
        # VT
        E("VT-AMANAR", 1, "", None, "amanar", value=5.8, kind="vault"),
        E("VT-DTY", 1, "", None, "dty", value=5.4, kind="vault"),
    ]
)


def routine(apparatus: str, *elements: str, fps: float = 25.0) -> Timeline:
    """A timeline of 1 s elements 2 s apart; ``"X+"`` marks X as connected to the next one."""
    segs = []
    for i, e in enumerate(elements):
        eid = e.rstrip("+") or None
        segs.append(
            Segment(
                start_frame=50 * i, end_frame=50 * i + 25, element_id=eid, connected_to_next=e.endswith("+")
            )
        )
    return Timeline(
        video=VideoInfo(path="x.mp4", fps=fps, frame_count=50 * len(elements) + 50),
        apparatus=apparatus,
        segments=segs,
    )


def sc(tl: Timeline, **kw):
    return score(tl, codebook=CB, **kw)


def reasons(card) -> list[str]:
    return [e.reason for e in card.elements]


# --- FX -------------------------------------------------------------------------------------
FX_EXAMPLE = (
    "FX-FRT1+",
    "FX-FULLIN",
    "FX-SILIVAS+",
    "FX-STAG",
    "FX-SWL1+",
    "FX-SPL1",
    "FX-TRN2",
    "FX-BILES+",
    "FX-STAG",
    "FX-TD",
)


def test_fx_worked_example_6_8():
    # digest: acro IHGEC 3.2 + dance DDD 1.2 + CR 2.0 + CV 0.4 = 6.8
    card = sc(routine("FX", *FX_EXAMPLE))
    assert (card.dv, card.cr, card.cv, card.d_score) == (4.4, 2.0, 0.4, 6.8)
    assert [e.counted for e in card.elements] == [
        True,
        True,
        True,
        False,
        True,
        True,
        True,
        True,
        False,
        True,
    ]
    assert card.elements[3].reason == "not counted: not among the 8 highest"
    assert card.elements[8].reason == "not counted: repeated element (first performed as #3)"
    assert card.elements[9].reason == "counted in DV (dismount)"
    assert [(r.id, r.fulfilled, r.by) for r in card.requirements] == [
        ("FX-CR1", True, [4, 5]),
        ("FX-CR2", True, [0, 1]),
        ("FX-CR3", True, [0]),
        ("FX-CR4", True, [1]),
    ]
    assert [(c.indexes, c.value, c.rule) for c in card.connections] == [
        ([0, 1], 0.2, "FX-CV-DIRECT-A+E"),
        ([2, 3], 0.1, "FX-CV-MIXED-E+A"),
        ([7, 8], 0.1, "FX-CV-MIXED-E+A"),
    ]
    assert [u.id for u in card.unverified_rules] == ["FX-DISMOUNT"]
    assert card.elements[0].counted_towards == ["DV", "CR2", "CR3", "CV"]


def test_fx_acro_limit_and_last_acro_is_dismount():
    card = sc(
        routine(
            "FX",
            "FX-TD",
            "FX-SILIVAS",
            "FX-BILES",
            "FX-FULLIN",
            "FX-DBT",
            "FX-SWL1",
            "FX-SPL1",
            "FX-TRN2",
            "FX-WHIP",
        )
    )
    # the whip (A) is the last acro line -> dismount, forced in; the double tuck (D) is the 6th acro
    assert card.elements[8].reason == "counted in DV (dismount)"
    assert card.elements[4].reason == "not counted: exceeds the acro limit (at most 5 acro)"
    assert card.dv == round(0.9 + 0.8 + 0.7 + 0.5 + 0.1 + 0.4 * 3, 3)


def test_fx_dismount_is_the_last_acro_with_a_salto():
    card = sc(routine("FX", "FX-DBT", "FX-FULLIN", "FX-AERW"))
    assert [e.dismount for e in card.elements] == [False, True, False]
    assert card.elements[1].reason == "counted in DV (dismount)"


def test_fx_fewer_than_three_dance_leaves_slots_empty():
    card = sc(
        routine(
            "FX", "FX-TD", "FX-SILIVAS", "FX-BILES", "FX-FULLIN", "FX-DBT", "FX-FRT1", "FX-SWL1", "FX-SPL1"
        )
    )
    assert sum(e.counted for e in card.elements) == 7
    # the front 1/1 (C) is the last acro -> dismount; I H G E + C = 3.2 acro, D D = 0.8 dance
    assert card.dv == 4.0
    assert card.elements[4].reason == "not counted: exceeds the acro limit (at most 5 acro)"
    assert "only 2 dance elements count (at least 3 expected)" in card.warnings


def test_fx_cr_each_missing():
    card = sc(routine("FX", "FX-SPJ1+", "FX-SWL1", "FX-WHIP"))
    # split jump is a jump, not a leap or hop -> no dance passage; no forward salto; no twist; no double
    assert [(r.id, r.fulfilled, r.value) for r in card.requirements] == [
        ("FX-CR1", False, 0.0),
        ("FX-CR2", False, 0.0),
        ("FX-CR3", False, 0.0),
        ("FX-CR4", False, 0.0),
    ]
    assert card.cr == 0.0


def test_fx_cr1_needs_two_different_leaps():
    assert not sc(routine("FX", "FX-SWL1+", "FX-SWL1")).requirements[0].fulfilled
    assert sc(routine("FX", "FX-SISS+", "FX-SPL1")).requirements[0].by == [0, 1]
    # not connected -> no passage
    assert not sc(routine("FX", "FX-SISS", "FX-SPL1")).requirements[0].fulfilled


def test_fx_cr2_side_salto_counts_as_forward_sideward():
    card = sc(routine("FX", "FX-ARCW", "FX-WHIP"))
    assert card.requirements[1].fulfilled and card.requirements[1].by == [0, 1]


@pytest.mark.parametrize(
    "pair,value,rule",
    [
        (("FX-WHIP+", "FX-DBT"), 0.1, "FX-CV-DIRECT-A+D"),
        (("FX-FRT1+", "FX-FRT1"), 0.1, "FX-CV-DIRECT-C+C"),
        (("FX-WHIP+", "FX-FULLIN"), 0.2, "FX-CV-DIRECT-A+E"),
        (("FX-FRT1+", "FX-DBT"), 0.2, "FX-CV-DIRECT-C+D"),
        (("FX-FULLIN+", "FX-STAG"), 0.1, "FX-CV-MIXED-E+A"),
    ],
)
def test_fx_cv_rows(pair, value, rule):
    card = sc(routine("FX", *pair))
    assert [(c.indexes, c.value, c.rule) for c in card.connections] == [([0, 1], value, rule)]
    assert card.cv == value


@pytest.mark.parametrize(
    "pair",
    [("FX-WHIP+", "FX-LAY1"), ("FX-STAG+", "FX-FULLIN"), ("FX-DBT+", "FX-STAG"), ("FX-WHIP", "FX-DBT")],
)
def test_fx_no_cv(pair):
    assert sc(routine("FX", *pair)).cv == 0.0


# --- BB -------------------------------------------------------------------------------------
def test_bb_best_eight_with_dismount_forced_in():
    card = sc(
        routine(
            "BB",
            "BB-SWH",
            "BB-WLF",
            "BB-SWL",
            "BB-FAER",
            "BB-FTUCK",
            "BB-LAYFULL",
            "BB-PATT",
            "BB-LAY",
            "BB-RO",
        )
    )
    # 9 elements; the A dismount must count, so the lowest other (layout C) drops out
    assert card.elements[8].reason == "counted in DV (dismount)"
    assert card.elements[7].reason == "not counted: not among the 8 highest"
    assert card.dv == round(0.4 + 0.4 + 0.3 + 0.4 + 0.4 + 0.5 + 0.6 + 0.1, 3)
    assert card.requirements[3].fulfilled  # forward (aerial) and backward (layout full)


def test_bb_no_dismount_warns():
    card = sc(routine("BB", "BB-SWH", "BB-BHS"))
    assert card.warnings[0] == "no dismount: no short-exercise deduction is applied (rule unconfirmed)"
    assert card.warnings[1].startswith("only 2 elements count (of 8)")


def test_bb_crs_and_series_bonus_biles_style():
    # BHS + layout + layout (B+C+C): CR3 acro series, CV C+C 0.1, SB 0.1 (repeat allowed)
    card = sc(
        routine("BB", "BB-SWL+", "BB-SWH", "BB-TRN", "BB-BHS+", "BB-LAY+", "BB-LAY", "BB-FTUCK", "BB-DDM")
    )
    assert [(r.id, r.fulfilled, r.by) for r in card.requirements] == [
        ("BB-CR1", True, [0, 1]),
        ("BB-CR2", True, [2]),
        ("BB-CR3", True, [3, 4]),
        ("BB-CR4", True, [3, 6]),
    ]
    assert [(c.indexes, c.value, c.rule, c.kind) for c in card.connections] == [
        ([0, 1], 0.1, "BB-CV-DANCE-B+C", "CV"),
        ([4, 5], 0.1, "BB-CV-ACRO-C+C", "CV"),
        ([3, 4, 5], 0.1, "BB-SB", "SB"),
    ]
    assert card.elements[5].reason == "not counted: repeated element (first performed as #4)"
    assert (card.dv, card.cr, card.cv, card.sb) == (2.6, 2.0, 0.2, 0.1)
    assert card.d_score == 4.9
    assert [u.id for u in card.unverified_rules] == ["BB-SB"]


@pytest.mark.parametrize(
    "pair,value,rule",
    [
        (("BB-LAY+", "BB-LAY"), 0.1, "BB-CV-ACRO-C+C"),
        (("BB-BHS+", "BB-LAYFULL"), 0.1, "BB-CV-ACRO-B+E"),
        (("BB-LAY+", "BB-FTUCK"), 0.2, "BB-CV-ACRO-C+D"),
        (("BB-FHS+", "BB-FTUCK"), 0.2, "BB-CV-ACRO-B+D-FWD"),
        (("BB-BHS+", "BB-PATT"), 0.2, "BB-CV-ACRO-B+F"),
        (("BB-SPJ+", "BB-SWL"), 0.1, "BB-CV-DANCE-B+C"),
        (("BB-FAER+", "BB-SPJ"), 0.1, "BB-CV-MIXED-D+B"),
        (("BB-SWH+", "BB-WLF"), 0.2, "BB-CV-DANCE-D+D"),
        (("BB-WLF+", "BB-FAER"), 0.2, "BB-CV-DANCE-D+D"),
    ],
)
def test_bb_cv_rows(pair, value, rule):
    card = sc(routine("BB", *pair))
    assert [(c.indexes, c.value, c.rule) for c in card.connections] == [([0, 1], value, rule)]


@pytest.mark.parametrize(
    "pair", [("BB-BHS+", "BB-BHS"), ("BB-BHS+", "BB-FTUCK"), ("BB-FTUCK+", "BB-SHJ"), ("BB-SWL+", "BB-SPJ")]
)
def test_bb_no_cv(pair):
    assert sc(routine("BB", *pair)).cv == 0.0


def test_bb_series_bonus_needs_three_and_bbc():
    assert sc(routine("BB", "BB-BHS+", "BB-BHS+", "BB-BHS")).sb == 0.0  # B+B+B
    assert sc(routine("BB", "BB-BHS+", "BB-LAY")).sb == 0.0  # only 2
    assert sc(routine("BB", "BB-SPJ+", "BB-SWL+", "BB-SWH")).sb == 0.0  # dance only
    card = sc(routine("BB", "BB-SPJ+", "BB-BHS+", "BB-LAY+", "BB-LAY", "BB-BHS+", "BB-BHS+", "BB-LAY"))
    assert card.sb == 0.2  # a mixed 4-element series and an acro series: 0.1 each
    assert [c.indexes for c in card.connections if c.kind == "SB"] == [[0, 1, 2, 3], [4, 5, 6]]


def test_bb_acro_limit():
    card = sc(
        routine(
            "BB",
            "BB-PATT",
            "BB-LAYFULL",
            "BB-FTUCK",
            "BB-FAER",
            "BB-LAY",
            "BB-SPJ",
            "BB-SWL",
            "BB-SWH",
            "BB-DDM",
        )
    )
    # dismount H forced, then F E D D: 5 acro; the layout (C) is a 6th acro
    assert card.elements[4].reason == "not counted: exceeds the acro limit (at most 5 acro)"
    assert [e.counted for e in card.elements] == [True] * 4 + [False] + [True] * 4
    assert card.dv == 3.6


# --- UB -------------------------------------------------------------------------------------
def test_ub_crs_and_cv_weiler_maloney_tkatchev():
    card = sc(routine("UB", "UB-WEIH+", "UB-MAL+", "UB-TKA", "UB-PAK", "UB-PIR", "UB-DDM"))
    assert [(c.indexes, c.value, c.rule) for c in card.connections] == [
        ([0, 1], 0.1, "UB-CV-D+D"),
        ([1, 2], 0.2, "UB-CV-DFLIGHT+C-HB"),
    ]
    assert card.cv == 0.3
    assert [(r.id, r.fulfilled, r.by) for r in card.requirements] == [
        ("UB-CR1", True, [3]),
        ("UB-CR2", True, [2]),
        ("UB-CR3", True, [0, 4]),
        ("UB-CR4", True, [4]),
    ]
    assert card.dv == round(0.4 + 0.4 + 0.3 + 0.4 + 0.4 + 0.5, 3)
    assert card.d_score == round(card.dv + 2.0 + 0.3, 3)
    assert [u.id for u in card.unverified_rules] == ["UB-CR3"]


def test_ub_flight_d_plus_e_is_unverified_and_ordered():
    card = sc(routine("UB", "UB-JAEG+", "UB-PAKE+", "UB-JAEG"))
    assert [(c.indexes, c.value, c.rule) for c in card.connections] == [
        ([0, 1], 0.2, "UB-CV-FLIGHT-D+E"),
        ([1, 2], 0.1, "UB-CV-D+D"),
    ]
    assert [u.id for u in card.unverified_rules] == ["UB-CV-FLIGHT-D+E"]


def test_equal_values_prefer_the_verified_rule():
    # jaeger (D, same bar) + tkatchev piked (E, high bar): D flight + C on HB (verified) = D + E flights
    card = sc(routine("UB", "UB-JAEG+", "UB-TKP"))
    assert [(c.value, c.rule) for c in card.connections] == [(0.2, "UB-CV-DFLIGHT+C-HB")]
    assert card.unverified_rules == []


def test_ub_cr_missing():
    card = sc(routine("UB", "UB-GNT", "UB-GNT", "UB-DDM"))
    assert [r.fulfilled for r in card.requirements] == [False, False, False, False]
    assert card.elements[1].reason == "not counted: repeated element (first performed as #0)"


# --- VT -------------------------------------------------------------------------------------
def test_vault_single_and_average():
    one = sc(routine("VT", "VT-AMANAR"))
    assert (one.d_score, one.dv, one.vault_mode) == (5.8, 5.8, "single")
    assert one.unverified_rules == []
    two = routine("VT", "VT-AMANAR", "VT-DTY")
    single = sc(two)
    assert single.d_score == 5.8 and single.warnings[0].startswith("2 vaults; single mode scores the first")
    avg = sc(two, vault_mode="average")
    assert avg.d_score == 5.6 and [u.id for u in avg.unverified_rules] == ["VT-AVERAGE"]
    assert [e.counted for e in avg.elements] == [True, True]
    lone = sc(routine("VT", "VT-DTY"), vault_mode="average")
    assert lone.d_score == 5.4 and "average mode needs two vaults" in lone.warnings[0]
    with pytest.raises(ValueError, match="vault_mode must be"):
        sc(two, vault_mode="best")


# --- unknown / missing ids and output -------------------------------------------------------
def test_unknown_and_missing_element_ids():
    card = sc(routine("FX", "FX-NOPE", "", "BB-LAY", "FX-WHIP"))
    assert reasons(card)[:3] == [
        "not counted: FX-NOPE is unknown to the codebook (wag-2017)",
        "not counted: no element id",
        "not counted: BB-LAY is a BB element, not FX",
    ]
    assert card.elements[3].counted and card.dv == 0.1


def test_unknown_element_breaks_connections():
    assert sc(routine("FX", "FX-FRT1+", "FX-NOPE+", "FX-DBT")).cv == 0.0


def test_to_dict_and_text():
    card = sc(routine("FX", *FX_EXAMPLE))
    d = json.loads(json.dumps(card.to_dict()))
    assert {"apparatus", "d_score", "dv", "cr", "cv", "elements"} <= set(d)
    assert {"id", "value", "counted", "reason"} <= set(d["elements"][0])
    text = format_card(card)
    assert "D    6.80" in text and "FX-CR1" in text and "unverified rules used: FX-DISMOUNT" in text


def test_empty_routine():
    card = sc(routine("BB"))
    assert card.d_score == 0.0 and card.elements == []


def test_bb_crs_missing():
    card = sc(routine("BB", "BB-SWL", "BB-BHS+", "BB-BHS", "BB-DDM"))
    # no dance connection, no turn, BHS+BHS has no salto, only backward acro
    assert [(r.id, r.fulfilled) for r in card.requirements] == [
        ("BB-CR1", False), ("BB-CR2", False), ("BB-CR3", False), ("BB-CR4", False)]
    assert card.elements[2].reason == "not counted: repeated element (first performed as #1)"


def test_cr_by_an_uncounted_element_flags_the_assumption():
    card = sc(routine("FX", "FX-FRT1", "FX-TD", "FX-SILIVAS", "FX-BILES", "FX-FULLIN", "FX-DBT", "FX-SWL1",
                      "FX-SPL1", "FX-TRN2"))
    # the double tuck is the dismount (last acro with a salto); the front 1/1 is left out of DV ...
    assert card.elements[5].reason == "counted in DV (dismount)"
    assert card.elements[0].reason == "not counted: not among the 8 highest"
    # ... but still fulfils CR2 (forward salto) under the unverified COMMON-CR-ELEMENTS reading
    assert card.requirements[1].by == [0, 1] and card.requirements[2].by == [1]
    assert card.elements[0].counted_towards == ["CR2"]
    assert [u.id for u in card.unverified_rules] == ["FX-DISMOUNT", "COMMON-CR-ELEMENTS"]
