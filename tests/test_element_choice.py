"""The element a segment is scored as: the likeliest leaf of the set's weighted median value."""

from __future__ import annotations

import pytest

from gymscore.codebook import default_codebook
from gymscore.element_choice import choose_elements, median_value_element
from gymscore.timeline import Alternative


@pytest.fixture(scope="module")
def cb():
    return default_codebook()


def test_the_median_value_decides_when_no_leaf_has_half_the_probability(cb):
    # FX set 25: FX-183 (0.3) 40 %, FX-182 (0.5) 35 %, FX-187 (0.4) 25 % -> 0.3 holds 40 %, up to 0.4
    # holds 65 %: the median value is 0.4
    ranked = [("FX-183", 0.4), ("FX-182", 0.35), ("FX-187", 0.25)]
    element, note = median_value_element(ranked, cb)
    assert element == "FX-187"
    assert note == ("scored at the median value 0.4: 60% of the probability is on elements worth 0.4 or "
                    "more, 65% on 0.4 or less; the likeliest single element is FX-183 (40%)")


def test_a_leaf_with_half_the_probability_or_the_median_value_stays(cb):
    assert median_value_element([("FX-183", 0.5), ("FX-182", 0.3), ("FX-187", 0.2)], cb) == ("FX-183", "")
    # FX-188 (0.3) is likelier than FX-183 (0.3): the median value 0.3, its likeliest leaf
    ranked = [("FX-188", 0.3), ("FX-183", 0.25), ("FX-182", 0.25), ("FX-187", 0.2)]
    assert median_value_element(ranked, cb) == ("FX-188", "")
    # unnormalised scores give the same choice as normalised ones
    assert median_value_element([(e, 10 * p) for e, p in ranked], cb) == ("FX-188", "")


def _spans_and_prediction(probs: dict[str, float]):
    return [(0, 20, 25, 0.9)], [{"element_probs": probs}]


def test_choose_elements_scores_the_median_value_and_keeps_it_among_the_alternatives(cb):
    spans, preds = _spans_and_prediction({"FX-183": 0.4, "FX-182": 0.35, "FX-187": 0.25})
    (seg,) = choose_elements(spans, preds, "FX", cb)
    assert (seg.set_id, seg.element_id, seg.confidence) == (25, "FX-187", 0.25)
    assert seg.alternatives == [Alternative("FX-183", 0.4), Alternative("FX-182", 0.35),
                                Alternative("FX-187", 0.25)]
    assert seg.note.startswith("scored at the median value 0.4")
    (plain,) = choose_elements(spans, preds, "FX", cb, choice="likeliest")
    assert (plain.element_id, plain.confidence, plain.note) == ("FX-183", 0.4, "")
    assert plain.alternatives == seg.alternatives
    with pytest.raises(ValueError, match="unknown element choice 'mean'"):
        choose_elements(spans, preds, "FX", cb, choice="mean")


def test_a_median_leaf_below_the_top_five_replaces_the_fifth_alternative(cb):
    leaves = cb.tree(25).leaves()
    value = {e: cb.elements[e].value for e in leaves}
    low, mid = [e for e in leaves if value[e] == 0.1][:3], [e for e in leaves if value[e] == 0.3][:3]
    high = [e for e in leaves if value[e] in (0.4, 0.5)][:4]
    # 0.1: 30 %; 0.3: 27 % (57 % up to it: the median) in three leaves less likely than the seven others
    probs = {e: 0.1 for e in low} | dict(zip(mid, (0.095, 0.09, 0.085), strict=True))
    probs |= {e: 0.1075 for e in high}
    spans, preds = _spans_and_prediction(probs)
    (seg,) = choose_elements(spans, preds, "FX", cb)
    assert seg.element_id == mid[0] and seg.confidence == pytest.approx(0.095)
    assert [a.element_id for a in seg.alternatives] == high + [mid[0]]
