"""The shipped wag-2017 codebook: contents, lookups, trees."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from gymscore.codebook import (
    Attributes,
    Codebook,
    CodebookError,
    Element,
    PathStep,
    SetInfo,
    UnknownElementError,
    default_codebook,
    load_codebook,
)
from gymscore.codebook.tree import build_tree


@pytest.fixture(scope="module")
def cb() -> Codebook:
    return load_codebook(include_user_dir=False)


def test_counts_sets_and_ids(cb):
    assert cb.edition == "wag-2017"
    assert len(cb.elements) == 530
    assert sorted(cb.sets) == [1, 21, 22, 23, 24, 25, 31, 32, 33, 34, 35, 41, 42, 43, 44]
    assert cb.sets[21] == SetInfo(21, "FX", "leap_jump_hop", "FX_leap_jump_hop")
    assert cb.sets[42].name == "flight_same_bar"
    counts = {a: sum(e.apparatus == a for e in cb.elements.values()) for a in ("VT", "FX", "BB", "UB")}
    assert counts == {"VT": 67, "FX": 137, "BB": 193, "UB": 133}
    for e in cb.elements.values():
        assert e.id == f"{e.apparatus}-{e.glabel:03d}"
        assert cb.sets[e.set_id].apparatus == e.apparatus
        assert e.source == "wag-2017"
        assert e.attributes.problems() == []


def test_element_fields(cb):
    e = cb.get("FX-094")
    assert isinstance(e, Element)
    assert (e.name, e.set_id, e.cop_number, e.value_letter, e.value, e.group) == (
        "stag ring jump", 21, "1.209", "B", 0.2, 1)
    assert (e.glabel, e.gym288, e.gym99) == (94, 57, None)
    assert e.attributes.leg_position == "ring" and "front_leg_bent" in e.attributes.flags
    v = cb.get("VT-000")
    assert (v.cop_number, v.value_letter, v.value, v.group) == (None, None, 6.0, None)
    va = v.attributes
    assert (va.vault_entry, va.entry_turn, va.twist_count) == ("round_off", 0.5, 1.5)
    assert cb.get("FX-132").cop_number == "2.300"  # FineGym writes 02.300
    assert cb.get("UB-471").cop_number is None and cb.get("UB-471").value == 0.0


def test_values_follow_column(cb):
    for e in cb.elements.values():
        if e.cop_number:
            column = int(e.cop_number.split(".")[1][0])
            assert e.value == column / 10 and e.value_letter == "ABCDEFGHI"[column - 1]
            assert e.group == int(e.cop_number.split(".")[0])


def test_get_unknown(cb):
    with pytest.raises(UnknownElementError) as exc:
        cb.get("FX-999")
    assert str(exc.value) == "unknown element id 'FX-999' in codebook wag-2017"
    assert isinstance(exc.value, CodebookError) and isinstance(exc.value, LookupError)


def test_label_lookups(cb):
    assert cb.by_glabel(0).id == "VT-000"
    assert cb.by_gym99(0).id == "VT-001"
    assert cb.by_gym288(0).id == "VT-000"
    ids = cb.gym99_ids()
    assert len(ids) == 99 and ids[0] == "VT-001" and len(set(ids)) == 99
    assert len(cb.gym288_ids()) == 288
    with pytest.raises(UnknownElementError, match="unknown FineGym Glabel 530 in codebook wag-2017"):
        cb.by_glabel(530)
    with pytest.raises(UnknownElementError, match="unknown Gym99 Clabel 99"):
        cb.by_gym99(99)
    with pytest.raises(UnknownElementError, match="unknown Gym288 Clabel -1"):
        cb.by_gym288(-1)


def test_by_name(cb):
    assert cb.by_name("FX", "stag ring jump").id == "FX-094"
    assert cb.by_name("fx", "  Stag  Ring Jump ").id == "FX-094"
    assert cb.by_name("BB", "salto backward tucked", set_id=35).id == "BB-359"
    assert cb.by_name("BB", "salto backward tucked", set_id=33).id == "BB-290"
    with pytest.raises(UnknownElementError) as exc:
        cb.by_name("BB", "salto backward tucked")
    assert str(exc.value) == ("element name 'salto backward tucked' on BB is in several sets (33, 35); "
                              "pass set_id")
    with pytest.raises(UnknownElementError) as exc:
        cb.by_name("UB", "stag ring jump")
    assert str(exc.value) == "unknown element name 'stag ring jump' on UB in codebook wag-2017"


def test_search_ranking(cb):
    assert [e.id for e in cb.search("fx-094")] == ["FX-094"]
    assert cb.search("1.209")[0].cop_number == "1.209"
    hits = cb.search("ring jump")
    assert hits[0].name.lower().startswith("ring jump") and all("ring jump" in e.name.lower() for e in hits)
    assert cb.search("") == [] and cb.search("no such element") == []


def test_find(cb):
    doubles = cb.find(apparatus="FX", salto_count=2.0)
    assert doubles and all(e.apparatus == "FX" and e.attributes.salto_count == 2 for e in doubles)
    assert [e.id for e in cb.find(set_id=23, flags="round_off")] == ["FX-153"]
    assert len(cb.find()) == 530
    with pytest.raises(CodebookError, match="find: unknown attribute 'colour'"):
        cb.find(colour="red")


def test_elements_of_set(cb):
    assert [e.id for e in cb.elements_of_set(43)] == ["UB-471", "UB-472"]
    assert sum(len(cb.elements_of_set(s)) for s in cb.sets) == 530
    with pytest.raises(CodebookError, match="unknown set id 99 in codebook wag-2017"):
        cb.elements_of_set(99)


@pytest.mark.parametrize("set_id", [1, 21, 22, 23, 24, 25, 31, 32, 33, 34, 35, 41, 42, 43, 44])
def test_tree_separates_every_element_of_its_set(cb, set_id):
    tree = cb.tree(set_id)
    leaves = tree.leaves()
    assert sorted(leaves) == [e.id for e in cb.elements_of_set(set_id)]
    assert len(set(leaves)) == len(leaves)
    for n in tree.nodes():
        assert n.text.endswith("?") and len({a for a, _ in n.branches}) == len(n.branches)


def test_resolve_path_round_trip_every_element(cb):
    for e in cb.elements.values():
        path = cb.path(e.id)
        assert all(isinstance(step, PathStep) for step in path)
        by_question = {step.question_id: step.answer for step in path}
        assert cb.resolve(e.set_id, by_question).id == e.id
        assert cb.resolve(e.set_id, dataclasses.asdict(e.attributes)).id == e.id
        assert cb.resolve(e.set_id, e.attributes).id == e.id


def test_resolve_errors(cb):
    msg = r"set 23: question s23q1 \('Which body shape is held\?'\) needs an answer for 'body_shape'"
    with pytest.raises(CodebookError, match=msg):
        cb.resolve(23, {})
    with pytest.raises(CodebookError, match=r"set 23: answer 'arched' to question s23q1 .* is not one of "
                                            r"'none', 'piked', 'tucked'"):
        cb.resolve(23, {"body_shape": "arched"})
    assert cb.resolve(23, {"body_shape": "tucked"}).id == "FX-151"
    with pytest.raises(CodebookError, match="unknown set id 7 in codebook wag-2017"):
        cb.tree(7)
    with pytest.raises(UnknownElementError):
        cb.path("XX-001")


def test_build_tree_refuses_identical_attributes():
    items = {"A": Attributes(kind="leap"), "B": Attributes(kind="leap"), "C": Attributes(kind="jump")}
    with pytest.raises(CodebookError) as exc:
        build_tree(21, items, lambda f: f"{f}?", where="demo.yaml")
    assert str(exc.value) == ("demo.yaml: elements A, B have identical attributes; "
                              "add a flag or attribute value that tells them apart")
    items["B"] = Attributes(kind="leap", flags=["leg_change"])
    tree = build_tree(21, items, lambda f: f"has {f}?")
    assert sorted(tree.leaves()) == ["A", "B", "C"]
    assert tree.path("B")[-1].answer is True


def test_tree_to_and_from_dict(cb):
    from gymscore.codebook.tree import DecisionTree

    tree = cb.tree(24)
    again = DecisionTree.from_dict(tree.to_dict(), "mem")
    assert again.leaves() == tree.leaves()
    with pytest.raises(CodebookError, match="x.yaml: a tree file needs 'set' and 'root'"):
        DecisionTree.from_dict({"set": 1}, "x.yaml")
    with pytest.raises(CodebookError, match="x.yaml: question q1 asks about unknown attribute 'colour'"):
        DecisionTree.from_dict({"set": 1, "root": {"id": "q1", "attribute": "colour", "text": "?",
                                                   "branches": []}}, "x.yaml")


def test_default_codebook_is_cached():
    assert default_codebook() is default_codebook()
    assert len(default_codebook()) == 530


def test_element_to_dict(cb):
    d = cb.get("FX-067").to_dict()
    assert d["id"] == "FX-067" and d["set"] == 21 and d["finegym"]["glabel"] == 67
    assert d["attributes"]["leg_position"] == "switch"


def test_codebook_package_imports_no_qt_torch_cv2():
    code = ("import sys, gymscore.codebook, gymscore.codebook.check, gymscore.codebook.derive;"
            "bad=[m for m in ('PySide6','torch','cv2') if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_flag_vocabulary_covers_every_flag(cb):
    from gymscore.codebook import flag_vocabulary

    vocab = flag_vocabulary()
    used = {f for e in cb.elements.values() for f in e.attributes.flags}
    assert used <= set(vocab)
    assert all(v["question"].endswith("?") for v in vocab.values())


def test_cli_codebook_without_subcommand(capsys):
    from gymscore.cli.main import main

    assert main(["codebook"]) == 2
    assert "check" in capsys.readouterr().out
