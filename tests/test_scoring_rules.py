"""Rules data files: the shipped ones load and cite sources; malformed ones fail with clear messages."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
import yaml

from gymscore.paths import codebook_dir
from gymscore.scoring import RulesError, load_rules
from gymscore.scoring.rules import clear_rules_cache

SHIPPED = codebook_dir("wag-2017") / "rules"


@pytest.mark.parametrize("apparatus", ["FX", "BB", "UB", "VT"])
def test_shipped_rules_load_and_cite_sources(apparatus):
    rules = load_rules(apparatus)
    assert rules.all_rules()
    for r in rules.all_rules():
        assert r.source.strip() and r.description.strip()


def test_unverified_rules_are_the_expected_ones():
    ids = sorted(
        {r.id for a in ("FX", "BB", "UB", "VT") for r in load_rules(a).all_rules() if not r.verified}
    )
    assert ids == [
        "BB-CV-DANCE-D+D",
        "BB-SB",
        "COMMON-CR-ELEMENTS",
        "COMMON-SHORT",
        "FX-DISMOUNT",
        "UB-CR3",
        "UB-CV-FLIGHT-D+E",
        "VT-AVERAGE",
    ]


def test_counts_and_limits():
    fx = load_rules("FX")
    assert (fx.count, fx.cr_max, fx.limits) == (8, 2.0, {"acro": (0, 5), "dance": (3, 8)})
    assert [c.info.id for c in fx.composition] == ["FX-CR1", "FX-CR2", "FX-CR3", "FX-CR4"]
    assert [r.id for r in fx.not_applied] == [
        "COMMON-SHORT",
        "FX-CV-INDIRECT-B+D",
        "FX-CV-INDIRECT-C+E",
        "FX-CV-INDIRECT-D+D",
    ]
    assert load_rules("UB").limits == {}


def test_scoring_imports_no_qt_torch_or_cv2():
    code = (
        "import sys; import gymscore.scoring, gymscore.timeline.finegym, gymscore.timeline.export; "
        "bad = [m for m in ('torch', 'cv2', 'PySide6') if m in sys.modules]; print(bad); sys.exit(bool(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


# --- malformed files ------------------------------------------------------------------------
@pytest.fixture
def rules_dir(tmp_path):
    d = tmp_path / "rules"
    shutil.copytree(SHIPPED, d)
    clear_rules_cache()
    yield d
    clear_rules_cache()


def edit(path, fn):
    data = yaml.safe_load(path.read_text())
    fn(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def err(rules_dir, apparatus="FX") -> str:
    clear_rules_cache()
    with pytest.raises(RulesError) as e:
        load_rules(apparatus, rules_dir=rules_dir)
    return str(e.value)


def test_missing_folder_and_file(tmp_path, rules_dir):
    assert "no rules folder" in err(tmp_path / "none")
    (rules_dir / "bb.yaml").unlink()
    assert err(rules_dir, "BB") == f"{rules_dir / 'bb.yaml'}: rules file not found"
    with pytest.raises(RulesError, match="unknown apparatus 'MX'"):
        load_rules("MX")


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "expected a mapping at the top level, got NoneType"),
        (b"apparatus: FX\ncategories: [\n", "invalid YAML at line 3"),
        (b"\xff\xfeapparatus", "not UTF-8 text (byte 0)"),
        (b"- 1\n- 2\n", "expected a mapping at the top level, got list"),
        (b"apparatus: BB\n", "apparatus must be 'FX', got 'BB'"),
    ],
)
def test_bad_file_content(rules_dir, content, message):
    (rules_dir / "fx.yaml").write_bytes(content)
    m = err(rules_dir)
    assert m.startswith(str(rules_dir / "fx.yaml")) and message in m


def test_missing_rule_fields(rules_dir):
    edit(rules_dir / "fx.yaml", lambda d: d["composition"][0].pop("source"))
    assert err(rules_dir) == f"{rules_dir / 'fx.yaml'}: composition[0]: missing source"
    edit(
        rules_dir / "fx.yaml",
        lambda d: (
            d["composition"][0].__setitem__("source", "x"),
            d["composition"][0].__setitem__("verified", "yes"),
        ),
    )
    assert "composition[0]: verified must be true or false, got 'yes'" in err(rules_dir)


@pytest.mark.parametrize(
    "predicate,message",
    [
        ({"colour": "red"}, "unknown predicate key 'colour'"),
        ({"attr": "colour", "in": ["red"]}, "unknown attribute 'colour'"),
        ({"attr": "direction", "in": ["up"]}, "['up'] not allowed for direction"),
        ({"attr": "salto_count", "gte": "two"}, "'gte' needs a numeric attribute and a number"),
        ({"attr": "salto_count"}, "attribute test needs exactly one of"),
        ({"category": "tumbling"}, "unknown category ['tumbling']"),
        ({"min_value": "Z"}, "'Z' is not a value letter A..J"),
        ({"set": ["21"]}, "expected an integer or a list of integers"),
        ({"all": []}, "'all' needs a non-empty list"),
        ({"set": [21], "group": [1]}, "a predicate has exactly one key"),
        ("acro", "a predicate must be a non-empty mapping"),
    ],
)
def test_bad_predicates(rules_dir, predicate, message):
    edit(rules_dir / "fx.yaml", lambda d: d["composition"][2].__setitem__("predicate", predicate))
    m = err(rules_dir)
    assert m.startswith(f"{rules_dir / 'fx.yaml'}: composition[2] (FX-CR3).predicate") and message in m


def test_bad_structures(rules_dir):
    edit(rules_dir / "fx.yaml", lambda d: d["composition"][0].__setitem__("kind", "maybe"))
    assert "kind must be exists, each, connection or distinct, got 'maybe'" in err(rules_dir)
    shutil.copy(SHIPPED / "fx.yaml", rules_dir / "fx.yaml")
    edit(rules_dir / "fx.yaml", lambda d: d["connections"][0].__setitem__("members", [{"category": "acro"}]))
    assert "connections[0] (FX-CV-DIRECT-A+D): members must be a list of 2 predicates" in err(rules_dir)
    shutil.copy(SHIPPED / "fx.yaml", rules_dir / "fx.yaml")
    edit(rules_dir / "fx.yaml", lambda d: d["connections"][1].__setitem__("id", "FX-CV-DIRECT-A+D"))
    assert "duplicate rule ids ['FX-CV-DIRECT-A+D']" in err(rules_dir)
    shutil.copy(SHIPPED / "fx.yaml", rules_dir / "fx.yaml")
    edit(rules_dir / "fx.yaml", lambda d: d["dismount"].__setitem__("method", "guess"))
    assert "dismount.method must be set or last_of_category, got 'guess'" in err(rules_dir)
    shutil.copy(SHIPPED / "fx.yaml", rules_dir / "fx.yaml")
    edit(rules_dir / "fx.yaml", lambda d: d["connections"][0].__setitem__("value", -1))
    assert "value must be a number >= 0, got -1" in err(rules_dir)
    edit(rules_dir / "common.yaml", lambda d: d.pop("dv"))
    assert f"{rules_dir / 'common.yaml'}: dv: missing id, description, source, verified" in err(rules_dir)
    edit(rules_dir / "vt.yaml", lambda d: d.pop("vault"))
    assert "'vault' must map modes (single, average) to rules" in err(rules_dir, "VT")
