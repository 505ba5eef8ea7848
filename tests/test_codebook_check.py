"""The codebook against the real FineGym files, the name parser, the build script and the CLI."""

from __future__ import annotations

import filecmp
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gymscore.cli.main import main
from gymscore.codebook import CodebookError, load_codebook
from gymscore.codebook.check import WAIVERS, check_against_finegym, explain_rules, find_rule
from gymscore.codebook.derive import element_attributes
from gymscore.codebook.finegym import normalise_code, read_classes, read_sets

REPO = Path(__file__).resolve().parent.parent


def test_check_530_of_530(finegym_dir):
    result = check_against_finegym(load_codebook(include_user_dir=False), finegym_dir).to_dict()
    assert (result["elements"], result["matched"], result["mismatches"]) == (530, 530, [])
    q = result["annotator_questions"]
    assert q["asked"] == 3257
    assert q["checked"] == 3245 and q["waived"] == len(WAIVERS) == 8 and q["unchecked"] == 4


def test_every_waiver_is_needed(finegym_dir):
    classes = read_classes(finegym_dir)
    cb = load_codebook(include_user_dir=False)
    for (g, label), _reason in WAIVERS.items():
        c = classes[g]
        hits = [(q, d) for q, d in zip(c.questions, c.btcode, strict=True)
                if (found := find_rule(c.set_id, q)) and found[0].label(found[1]) == label]
        assert hits, (g, label)
        for q, digit in hits:
            rule, m = find_rule(c.set_id, q)
            assert rule.predicate(cb.by_glabel(g).attributes, m) != (digit == "1"), (g, label)


def test_check_reports_a_wrong_number(finegym_dir):
    cb = load_codebook(include_user_dir=False)
    cb.get("FX-094").cop_number = "1.309"
    cb.get("FX-151").attributes.body_shape = "piked"
    result = check_against_finegym(cb, finegym_dir)
    assert result.matched == 528
    problems = {m["id"]: m["problems"] for m in result.mismatches}
    assert problems["FX-094"] == ["CoP number 1.309 but FineGym code is 1.209"]
    assert "annotators answer yes to 'tucked', attributes say no" in problems["FX-151"]
    assert load_codebook(include_user_dir=False).get("FX-094").cop_number == "1.209"


def test_finegym_reader(finegym_dir):
    sets = read_sets(finegym_dir)
    assert sets[42] == "UB_fligh_same_bar" and len(sets) == 15
    c = read_classes(finegym_dir)[94]
    assert (c.set_id, c.apparatus, c.name, c.code, c.gym288) == (21, "FX", "stag ring jump", "1.209", 57)
    with pytest.raises(CodebookError, match="not a FineGym folder"):
        read_classes(finegym_dir / "routines")


def test_normalise_code():
    assert normalise_code("02.300") == "2.300"
    assert normalise_code("1.309") == "1.309"
    assert normalise_code("0.000") is None
    with pytest.raises(CodebookError, match="FineGym code '5.40' is not a Code of Points number G.VRR"):
        normalise_code("5.40")


@pytest.mark.parametrize(
    ("set_id", "name", "expected"),
    [
        (1, "round-off, flic-flac with 0.5 turn on, stretched salto forward with 1.5 turn off",
         {"kind": "vault", "vault_entry": "round_off", "entry_turn": 0.5, "direction": "forward",
          "body_shape": "stretched", "salto_count": 1.0, "twist_count": 1.5}),
        (1, "tsukahara tucked with 1 turn",
         {"vault_entry": "tsukahara", "direction": "backward", "twist_count": 1.0}),
        (21, "johnson with additional 0.5 turn",
         {"kind": "leap", "leg_position": "side_split", "turn_amount": 0.5,
          "flags": ["leg_change", "quarter_turn"]}),
        (21, "tuck jump with separation of legs to cross split during flight phase",
         {"kind": "jump", "leg_position": "split", "flags": ["tuck_to_split"]}),
        (32, "2.5 turn in tuck stand on one leg, free leg optional",
         {"kind": "turn", "turn_position": "tuck_stand", "turn_amount": 2.5}),
        (24, "arabian double salto tucked with 0.5 twist",
         {"kind": "salto", "direction": "forward", "salto_count": 2.0, "twist_count": 0.5,
          "flags": ["arabian"]}),
        (44, "(under-swing or clear under-swing) 0.5 turn to salto backward tucked with 1 twist",
         {"kind": "salto", "direction": "backward", "twist_count": 1.5,
          "flags": ["from_underswing", "turn_before_salto"]}),
        (42, "0.5 turn to counter straddle in flight over high bar to hang",
         {"kind": "release", "body_shape": "straddled", "turn_amount": 0.5, "twist_count": 0.0,
          "direction": "backward"}),
        (43, "transition flight from high bar to low bar", {"kind": "transition", "bar": "high_to_low"}),
    ],
)
def test_element_attributes_from_names(set_id, name, expected):
    a = element_attributes(set_id, name)
    assert a.problems() == []
    for key, value in expected.items():
        assert getattr(a, key) == value, key


def test_explain_rules_lists_every_rule():
    rules = explain_rules()
    assert len(rules) > 150 and all(sets and text for sets, text in rules)


def test_build_script_reproduces_committed_data(finegym_dir, tmp_path):
    out = tmp_path / "wag-2017"
    out.mkdir()
    shutil.copy(REPO / "codebook" / "wag-2017" / "flags.yaml", out / "flags.yaml")
    script = str(REPO / "scripts" / "build_codebook.py")
    subprocess.run([sys.executable, script, "--finegym", str(finegym_dir), "--out", str(out)],
                   check=True, capture_output=True)
    shipped = REPO / "codebook" / "wag-2017"
    names = ["sets.yaml", "element.schema.json", "flag_separated.yaml"]
    names += [f"elements/{a}.yaml" for a in ("VT", "FX", "BB", "UB")]
    names += [f"trees/{s}.yaml" for s in (1, 21, 22, 23, 24, 25, 31, 32, 33, 34, 35, 41, 42, 43, 44)]
    for name in names:
        assert filecmp.cmp(out / name, shipped / name, shallow=False), name


# --- command line ------------------------------------------------------------------------------

def test_cli_check_json(finegym_dir, capsys):
    assert main(["codebook", "check", "--finegym", str(finegym_dir), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["elements"], data["matched"], data["mismatches"]) == (530, 530, [])


def test_cli_check_text(finegym_dir, capsys):
    assert main(["codebook", "check", "--finegym", str(finegym_dir)]) == 0
    out = capsys.readouterr().out
    assert "elements: 530, matched: 530, mismatched: 0" in out
    assert "3257 asked, 3245 checked against attributes, 8 waived, 4 not mapped" in out


def test_cli_check_bad_folder(tmp_path, capsys):
    assert main(["codebook", "check", "--finegym", str(tmp_path)]) == 2
    assert f"{tmp_path}: not a FineGym folder" in capsys.readouterr().err


def test_cli_show(capsys):
    assert main(["codebook", "show", "FX-094"]) == 0
    out = capsys.readouterr().out
    assert "stag ring jump" in out and "1.209" in out and "B = 0.2" in out
    assert "Is the front leg bent?  ->  yes" in out
    assert main(["codebook", "show", "VT-000", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["value"] == 6.0 and data["path"][-1][0].startswith("s1q")


def test_cli_show_unknown(capsys):
    assert main(["codebook", "show", "ring jump"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gymscore: error: unknown element id 'ring jump' in codebook wag-2017; "
                          "did you mean")


def test_cli_search_and_tree(capsys):
    assert main(["codebook", "search", "aerial", "--limit", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["id", "set", "CoP", "value", "name"] and len(out) == 6
    assert main(["codebook", "search", "zzz"]) == 1
    assert "no element matches 'zzz'" in capsys.readouterr().out
    assert main(["codebook", "tree", "43"]) == 0
    out = capsys.readouterr().out
    assert "UB-471 transition flight from high bar to low bar" in out
