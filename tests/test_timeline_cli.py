"""CLI: gymscore import finegym-routines / finegym-split, export, score."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from gymscore.cli.main import main


def _routine() -> dict:
    def m(frame, label, name):
        return {"frame": frame, "label": label, "comment": f"A_0001_0002;(BB) {name}"}

    return {
        "video": "demo_E_000001_000030",
        "fps": 25.0,
        "num_frames": 700,
        "width": 1,
        "height": 1,
        "events": [
            m(10, "BB_leap_jump_hop_start", "switch leap (leap forward with leg change)"),
            m(30, "BB_leap_jump_hop_end", "switch leap (leap forward with leg change)"),
            m(31, "BB_leap_jump_hop_start", "split jump"),
            m(50, "BB_leap_jump_hop_end", "split jump"),
            m(100, "BB_leap_jump_hop_start", "no such jump"),
            m(120, "BB_leap_jump_hop_end", "no such jump"),
        ],
    }


@pytest.fixture
def imported(tmp_path, capsys):
    src = tmp_path / "r.json"
    src.write_text(json.dumps([_routine()]))
    out = tmp_path / "out"
    assert main(["import", "finegym-routines", str(src), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    return out / "demo_E_000001_000030.json", text


def test_import_prints_summary_and_rule(imported):
    path, text = imported
    assert path.is_file()
    assert "1 routines, 3 elements, 1 connections" in text
    assert (
        "connection rule: connected when the gap between one element's end and the next one's start" in text
    )
    assert "unknown element name: demo_E_000001_000030: no such jump (set 31)" in text


def test_score_table_and_json(imported, capsys):
    path, _ = imported
    assert main(["score", str(path)]) == 0
    text = capsys.readouterr().out
    assert "BB D-score (wag-2017)" in text and "BB-CR1" in text and "not counted: no element id" in text
    assert "connection rule of the import" in text
    assert main(["score", str(path), "--json"]) == 0
    card = json.loads(capsys.readouterr().out)
    assert card["apparatus"] == "BB" and [e["counted"] for e in card["elements"]] == [True, True, False]
    assert card["requirements"][0]["fulfilled"] is True
    assert "gymnast not found" not in text


def test_score_of_an_analysed_timeline_names_where_the_analysis_lost_her(tmp_path, capsys):
    from gymscore.timeline import Segment, Timeline, VideoInfo, save_timeline

    tl = Timeline(video=VideoInfo(fps=25, frame_count=250), apparatus="FX",
                  segments=[Segment(0, 25, 21, "FX-094")])
    tl.metadata["analysis"] = {"pose_lost": [[50, 100]]}
    save_timeline(tl, tmp_path / "a.json")
    assert main(["score", str(tmp_path / "a.json")]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "note: the analysis behind this timeline: gymnast not found at 2.00-4.00s (2.0 s in all): "
        "elements there may be missing")


def test_export_csv_and_json(imported, tmp_path, capsys):
    path, _ = imported
    out_csv, out_json = tmp_path / "t.csv", tmp_path / "t.json"
    assert main(["export", str(path), "--csv", str(out_csv), "--json", str(out_json)]) == 0
    df = pd.read_csv(out_csv)
    assert list(df.columns) == [
        "index",
        "start_frame",
        "end_frame",
        "start_s",
        "end_s",
        "set_id",
        "element_id",
        "name",
        "cop_number",
        "value_letter",
        "value",
        "counted",
        "reason",
        "confidence",
        "connected_to_next",
        "source",
    ]
    assert df["start_frame"].tolist() == [10, 31, 100] and df["end_frame"].tolist() == [31, 51, 121]
    assert df["start_s"].tolist() == [0.4, 1.24, 4.0]
    assert df["counted"].tolist() == [True, True, False]
    assert df["reason"].iloc[2] == "not counted: no element id"
    assert df["connected_to_next"].tolist() == [True, False, False]
    assert json.loads(out_json.read_text())["apparatus"] == "BB"


def test_errors_are_clear(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    assert main(["score", str(bad)]) == 2
    assert f"gymscore: error: {bad}: invalid JSON" in capsys.readouterr().err
    assert main(["import", "finegym-routines", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "invalid JSON" in capsys.readouterr().err
    assert main(["export", str(bad)]) == 2


def test_import_split(tmp_path, capsys):
    src = tmp_path / "s.txt"
    src.write_text("yt_E_000001_000020_A_0001_0002 0\n")
    assert main(["import", "finegym-split", str(src), "--out", str(tmp_path / "o")]) == 0
    assert "1 events, 1 sub-actions" in capsys.readouterr().out
    assert (tmp_path / "o" / "yt_E_000001_000020.json").is_file()
