"""User codebook files: elements added on top of a shipped edition, and the loader's error messages."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import yaml

from gymscore.codebook import CodebookError, default_codebook, load_codebook
from gymscore.codebook.loader import read_edition, value_problem
from gymscore.paths import codebook_dir

USER = {
    "flags": {"one_handed": {"question": "Is it done with one hand only?", "meaning": "one-handed variant"}},
    "elements": [
        {"id": "my-triple", "apparatus": "FX", "set": 25, "name": "triple salto backward tucked",
         "number": "5.905", "value": 0.9,
         "attributes": {"kind": "salto", "direction": "backward", "body_shape": "tucked", "salto_count": 3,
                        "take_off": "two_feet", "landing": "feet"}},
        {"id": "my-hop", "apparatus": "FX", "set": 25, "name": "one-handed triple", "cop_number": "5.905",
         "value_letter": "I", "value": 0.9,
         "attributes": {"kind": "salto", "direction": "backward", "body_shape": "tucked", "salto_count": 3,
                        "take_off": "two_feet", "landing": "feet", "flags": ["one_handed"]}},
        {"id": "my-vault", "apparatus": "VT", "set": 1, "name": "my vault", "value": 7.2,
         "attributes": {"kind": "vault", "vault_entry": "round_off", "salto_count": 2}},
    ],
}


def write(path: Path, data) -> Path:
    if isinstance(data, bytes):
        path.write_bytes(data)
    elif isinstance(data, str):
        path.write_text(data, "utf-8")
    elif path.suffix == ".json":
        path.write_text(json.dumps(data), "utf-8")
    else:
        path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    return path


def user_error(tmp_path: Path, data, name: str = "user.yaml") -> str:
    path = write(tmp_path / name, data)
    with pytest.raises(CodebookError) as exc:
        load_codebook(user_file=path, include_user_dir=False)
    return str(exc.value).replace(str(path), name)


def one(**changes) -> dict:
    element = json.loads(json.dumps(USER["elements"][0]))
    element.update(changes)
    return {"elements": [element]}


def test_user_elements_are_added_with_a_user_branch(tmp_path):
    path = write(tmp_path / "mine.yaml", USER)
    cb = load_codebook(user_file=path, include_user_dir=False)
    assert len(cb) == 533
    e = cb.get("my-triple")
    got = (e.source, e.cop_number, e.value_letter, e.value, e.group, e.glabel)
    assert got == ("user", "5.905", "I", 0.9, 5, None)
    assert cb.get("my-vault").value == 7.2
    root = cb.tree(25).root
    assert root.id == "user" and [a for a, _ in root.branches] == ["user", "wag-2017"]
    assert cb.path("my-hop")[0] == ("user", "Is it an element added in a user codebook file?", "user")
    assert cb.path("my-hop")[-1].question == "Is it done with one hand only?"
    assert cb.resolve(25, {"source": "user", "one_handed": True}).id == "my-hop"
    assert cb.resolve(25, {"source": "user", "flags": []}).id == "my-triple"
    shipped = cb.get("FX-195")
    assert cb.resolve(25, shipped.attributes).id == "FX-195"  # source defaults to the shipped edition
    assert cb.path("FX-195")[0].answer == "wag-2017"
    assert cb.resolve(1, {"source": "user"}).id == "my-vault"
    assert [s.question_id for s in cb.path("FX-151")][0] == "s23q1"  # sets without user elements unchanged
    assert cb.search("one-handed")[0].id == "my-hop"


def test_user_json_file_and_home_folder(tmp_path):
    home = Path(os.environ["GYMSCORE_HOME"])
    (home / "codebook").mkdir(parents=True)
    write(home / "codebook" / "extra.json", {"elements": [USER["elements"][2]]})
    cb = load_codebook()
    assert cb.get("my-vault").source == "user"
    assert "my-vault" in default_codebook()
    assert "my-vault" not in load_codebook(include_user_dir=False)


def test_shipped_codebook_unchanged_by_user_files(tmp_path):
    load_codebook(user_file=write(tmp_path / "u.yaml", USER), include_user_dir=False)
    plain = load_codebook(include_user_dir=False)
    assert len(plain) == 530 and plain.tree(25).root.id != "user"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ('{"elements": [', "user.json: invalid JSON at line 1 column 15: Expecting value"),
        ('elements:\n  - id: "FX-U1\n',
         "user.yaml: invalid YAML at line 3 column 1: found unexpected end of stream"),
        ("", "user.yaml: file is empty"),
        ("  \n\n", "user.yaml: file is empty"),
        (b"elements: [\xff\xfe]\n", "user.yaml: not UTF-8 text (byte 0xff at offset 11)"),
        ("- a\n- b\n", "user.yaml: expected a mapping at the top level, got list"),
        ({"items": []}, "user.yaml: (top level): 'elements' is a required property"),
        (one(value="high"), "user.yaml: elements[0].value: 'high' is not of type 'number'"),
        (one(set="25"), "user.yaml: elements[0].set: '25' is not of type 'integer'"),
        (one(number="5.9"),
         r"user.yaml: elements[0].number: '5.9' does not match '^\\d+\\.\\d\\d\\d$'"),
        (one(colour="red"),
         "user.yaml: elements[0]: Additional properties are not allowed ('colour' was unexpected)"),
        (one(set=26), "user.yaml: element my-triple: unknown set 26"),
        (one(set=31), "user.yaml: element my-triple: set 31 belongs to BB, not FX"),
        (one(value=0.5), "user.yaml: element my-triple: value 0.5 does not match column 9 "
                                      "(I = 0.9) of CoP number 5.905"),
        (one(value_letter="C"), "user.yaml: element my-triple: value letter C does not match "
                                             "column 9 (I) of CoP number 5.905"),
        (one(number="5.005"), "user.yaml: element my-triple: CoP number 5.005 has value column 0"),
        (one(group=4), "user.yaml: element my-triple: group 4 does not match CoP number 5.905"),
        (one(id="FX-094"), "user.yaml: element id 'FX-094' clashes with a shipped element of wag-2017"),
        ({"elements": [USER["elements"][0], USER["elements"][0]]},
         "user.yaml: duplicate element id 'my-triple'"),
        (one(attributes={"kind": "salto", "flags": ["shiny"]}),
         "user.yaml: element my-triple: unknown flag 'shiny' (declare it under 'flags:')"),
        (one(attributes={"kind": "salto", "salto_count": -1}),
         "user.yaml: elements[0].attributes.salto_count: -1 is less than the minimum of 0"),
        (one(attributes={"kind": "flying"}), "user.yaml: elements[0].attributes.kind: 'flying' is "
                                                          "not one of"),
        (one(attributes={"colour": "red"}),
         "user.yaml: elements[0].attributes: Additional properties are not allowed "
         "('colour' was unexpected)"),
        ({"elements": [dict(USER["elements"][2], number="1.101")]},
         "user.yaml: element my-vault: a vault has no CoP number (its value comes from the vault table)"),
        ({"elements": [USER["elements"][0], dict(USER["elements"][0], id="twin")]},
         "user.yaml: elements my-triple, twin have identical attributes; add a flag or attribute value that "
         "tells them apart"),
    ],
)
def test_user_file_errors_name_file_and_problem(tmp_path, data, message):
    got = user_error(tmp_path, data, message.split(":")[0])
    if message.endswith("is not one of"):
        assert got.startswith(message)
    else:
        assert got == message


def test_missing_user_file(tmp_path):
    with pytest.raises(CodebookError) as exc:
        load_codebook(user_file=tmp_path / "nope.yaml", include_user_dir=False)
    assert str(exc.value) == f"{tmp_path / 'nope.yaml'}: cannot read file: No such file or directory"


def test_unknown_edition():
    with pytest.raises(CodebookError, match="unknown codebook edition 'wag-1999'"):
        load_codebook(edition="wag-1999")


def test_value_problem():
    assert value_problem("FX", "1.304", "C", 0.3) is None
    assert value_problem("FX", None, None, 0.0) is None
    assert value_problem("FX", None, "B", 0.3) == "value 0.3 does not match value letter B"
    assert value_problem("VT", None, None, 0.0) == "vault value must be positive, got 0.0"
    assert value_problem("VT", None, "A", 5.0) == "a vault has no value letter"


@pytest.fixture()
def ed(tmp_path) -> Path:
    folder = tmp_path / "wag-2017"
    shutil.copytree(codebook_dir("wag-2017"), folder)
    return folder


def edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text("utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")


def edition_error(folder: Path) -> str:
    with pytest.raises(CodebookError) as exc:
        read_edition(folder, "wag-2017")
    return str(exc.value).replace(str(folder) + os.sep, "")


def test_ed_reads(ed):
    sets, elements, trees, flags = read_edition(ed, "wag-2017")
    assert len(elements) == 530 and len(trees) == 15 and "leg_change" in flags


def test_edition_duplicate_id_across_files(ed):
    edit_yaml(ed / "elements" / "VT.yaml", lambda d: d["elements"].append(
        yaml.safe_load((ed / "elements" / "BB.yaml").read_text("utf-8"))["elements"][0]))
    assert edition_error(ed) == ("elements/VT.yaml: duplicate element id 'BB-204' (first defined in "
                                           "elements/BB.yaml)")


def test_edition_id_must_follow_glabel(ed):
    edit_yaml(ed / "elements" / "VT.yaml", lambda d: d["elements"][0].update(id="VT-X"))
    assert edition_error(ed) == "elements/VT.yaml: element VT-X: id must be VT-000"


def test_edition_value_column_mismatch(ed):
    edit_yaml(ed / "elements" / "FX.yaml", lambda d: d["elements"][0].update(value=0.9))
    assert edition_error(ed) == ("elements/FX.yaml: element FX-067: value 0.9 does not match column 3 "
                                           "(C = 0.3) of CoP number 1.304")


def test_edition_tree_with_unknown_leaf(ed):
    text = (ed / "trees" / "23.yaml").read_text("utf-8").replace("FX-154", "FX-999")
    (ed / "trees" / "23.yaml").write_text(text, "utf-8")
    assert edition_error(ed) == "trees/23.yaml: leaf 'FX-999' is not an element of set 23"


def test_edition_tree_missing_element(ed):
    def drop(d):
        d["root"]["branches"] = d["root"]["branches"][1:]
    edit_yaml(ed / "trees" / "23.yaml", drop)
    assert edition_error(ed) == "trees/23.yaml: element FX-153 is not reachable from the tree of set 23"


def test_edition_element_attributes_disagree_with_tree(ed):
    def change(d):
        for e in d["elements"]:
            if e["id"] == "FX-151":
                e["attributes"]["body_shape"] = "piked"
    edit_yaml(ed / "elements" / "FX.yaml", change)
    assert edition_error(ed) == ("trees/23.yaml: element FX-151: its attributes lead to FX-152 in the "
                                           "tree of set 23")


def test_edition_truncated_tree_file(ed):
    text = (ed / "trees" / "21.yaml").read_text("utf-8")
    (ed / "trees" / "21.yaml").write_text(text[: len(text) // 2] + "\n  - answer: [", "utf-8")
    assert edition_error(ed).startswith("trees/21.yaml: invalid YAML at line ")
