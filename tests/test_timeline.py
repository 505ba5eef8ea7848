"""Timeline model and JSON: validation messages, time conversion, atomic saves, migration, bad files."""

from __future__ import annotations

import json
import os

import pytest

from gymscore.timeline import (
    Alternative,
    Segment,
    Timeline,
    TimelineError,
    TimelineFormatError,
    VideoInfo,
    from_dict,
    load_timeline,
    save_timeline,
    to_dict,
)
from gymscore.util.atomic import SaveError


def make(*segs: tuple[int, int], fps: float = 25.0, n: int = 100) -> Timeline:
    return Timeline(
        video=VideoInfo(path="v.mp4", fps=fps, frame_count=n),
        apparatus="BB",
        segments=[Segment(a, b, set_id=31, element_id="BB-001") for a, b in segs],
    )


def test_valid_timeline_has_no_problems():
    assert make((0, 10), (10, 20)).problems() == []


def test_validation_messages():
    tl = make((5, 5), (-1, 3), (90, 120), fps=0, n=100)
    tl.apparatus = "XX"
    tl.segments[0].confidence = 1.5
    tl.segments[1].source = "robot"  # type: ignore[assignment]
    assert tl.problems() == [
        "apparatus 'XX' is not one of VT, FX, BB, UB",
        "video.fps must be positive, got 0",
        "segment 0 (frames 5-5) ends at or before its start",
        "segment 0 (frames 5-5) has confidence 1.5 outside [0, 1]",
        "segment 1 (frames -1-3) starts before frame 0",
        "segment 1 (frames -1-3) has unknown source 'robot'",
        "segment 2 (frames 90-120) runs past the end of the video (100 frames)",
    ]
    with pytest.raises(TimelineError, match="apparatus 'XX'"):
        tl.validate()


def test_overlap_message():
    assert make((0, 10), (5, 15)).problems() == ["segment 1 (frames 5-15) overlaps segment 0 (frames 0-10)"]


def test_frame_seconds_conversion():
    tl = make(fps=30.0)
    assert tl.frame_to_seconds(45) == 1.5
    assert tl.seconds_to_frame(1.5) == 45
    assert tl.seconds_to_frame(0.51 / 30 * 30) == 15
    ntsc = make(fps=30000 / 1001)
    assert ntsc.seconds_to_frame(ntsc.frame_to_seconds(1234)) == 1234
    assert make(n=250).video.duration == 10.0
    bad = make(fps=0)
    with pytest.raises(TimelineError, match="fps must be positive"):
        bad.frame_to_seconds(3)
    with pytest.raises(TimelineError, match="fps must be positive"):
        bad.seconds_to_frame(3)


def test_queries():
    tl = make((20, 30), (0, 10))
    assert tl.segment_at(25) == 0 and tl.segment_at(10) is None and tl.segment_at(0) == 1
    assert [s.start_frame for s in tl.sorted().segments] == [0, 20]
    assert [s.start_frame for s in tl.segments] == [20, 0]


def test_round_trip(tmp_path):
    tl = make((0, 10), (12, 20))
    tl.segments[0].alternatives = [Alternative("BB-002", 0.25)]
    tl.segments[0].connected_to_next = True
    tl.metadata = {"k": [1, 2]}
    p = save_timeline(tl, tmp_path / "a.json")
    back = load_timeline(p)
    assert to_dict(back) == to_dict(tl)
    assert back.segments[0].alternatives == [Alternative("BB-002", 0.25)]


def test_atomic_save_keeps_the_old_file(tmp_path, monkeypatch):
    p = tmp_path / "a.json"
    save_timeline(make((0, 10)), p)
    old = p.read_bytes()

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(
        SaveError, match="cannot write .*a.json: the disk is full; the previous file is unchanged"
    ):
        save_timeline(make((0, 10), (20, 30)), p)
    assert p.read_bytes() == old
    assert [f.name for f in tmp_path.iterdir()] == ["a.json"]  # no temporary file left behind


def test_save_refuses_an_invalid_timeline(tmp_path):
    with pytest.raises(TimelineError, match="overlaps"):
        save_timeline(make((0, 10), (5, 15)), tmp_path / "a.json")
    assert not (tmp_path / "a.json").exists()


def test_migration_from_schema_version_0(tmp_path):
    d = to_dict(make((0, 10)))
    del d["schema_version"]
    del d["edition"]
    p = tmp_path / "old.json"
    p.write_text(json.dumps(d))
    tl = load_timeline(p)
    assert tl.schema_version == 1 and tl.edition == "wag-2017" and len(tl.segments) == 1


def test_newer_schema_is_refused():
    d = to_dict(make())
    d["schema_version"] = 99
    with pytest.raises(
        TimelineFormatError, match="schema_version 99 is newer than this gymscore understands"
    ):
        from_dict(d, "x.json")


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "the file is empty"),
        (b"  \n", "the file is empty"),
        (b'{"schema_version": 1, "video": {', "invalid JSON at line 1 column 33"),
        (b"\xff\xfe{}", "not UTF-8 text (byte 0)"),
        (b"[1, 2]", "expected a JSON object at the top level, got list"),
    ],
)
def test_malformed_files(tmp_path, content, message):
    p = tmp_path / "t.json"
    p.write_bytes(content)
    with pytest.raises(TimelineFormatError) as err:
        load_timeline(p)
    assert str(err.value).startswith(str(p)) and message in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(TimelineFormatError, match="file not found"):
        load_timeline(tmp_path / "nope.json")


def _bad(mutate) -> str:
    d = to_dict(make((0, 10)))
    mutate(d)
    with pytest.raises(TimelineFormatError) as err:
        from_dict(json.loads(json.dumps(d)), "t.json")
    return str(err.value)


def test_wrong_types_and_unknown_fields():
    assert (
        _bad(lambda d: d["video"].__setitem__("fps", "25"))
        == "t.json: field video.fps: '25' is not of type 'number'"
    )
    assert _bad(lambda d: d["segments"][0].__setitem__("start_frame", 1.5)) == (
        "t.json: field segments.0.start_frame: 1.5 is not of type 'integer'"
    )
    assert _bad(lambda d: d.__setitem__("colour", "red")) == (
        "t.json: field (top level): Additional properties are not allowed ('colour' was unexpected)"
    )
    assert _bad(lambda d: d["segments"][0].__setitem__("elemnt", "x")).startswith(
        "t.json: field segments.0: Additional properties are not allowed ('elemnt' was unexpected)"
    )
    assert _bad(lambda d: d.__setitem__("apparatus", "MX")).startswith(
        "t.json: field apparatus: 'MX' is not one of"
    )
    assert _bad(lambda d: d.pop("segments")) == "t.json: field (top level): 'segments' is a required property"
    msg = _bad(lambda d: d["segments"].append({"start_frame": 5, "end_frame": 12}))
    assert msg == "t.json: segment 1 (frames 5-12) overlaps segment 0 (frames 0-10)"
    assert "(and 1 more problems)" in _bad(
        lambda d: (d["video"].__setitem__("fps", "x"), d["video"].__setitem__("frame_count", "y"))
    )


def test_the_stretches_where_the_analysis_lost_her_are_read_safely_from_the_metadata():
    from gymscore.timeline import Timeline, VideoInfo, describe_lost, lost_stretches

    tl = Timeline(video=VideoInfo(fps=25, frame_count=100))
    assert lost_stretches(tl) == [] and describe_lost(tl) is None
    tl.metadata["analysis"] = {"pose_lost": [[60, 130], [10, 35], ["a", 2], [5], [True, 9], [50, 50], "x"]}
    assert lost_stretches(tl) == [(10, 35), (60, 100)]  # sorted, clipped to the video, the rest skipped
    assert describe_lost(tl) == ("gymnast not found at 0.40-1.40s, 2.40-4.00s (2.6 s in all): "
                                 "elements there may be missing")
    assert describe_lost(tl, most=1).startswith("gymnast not found at 0.40-1.40s and 1 more (2.6 s")
    tl.metadata["analysis"] = "not a mapping"
    assert lost_stretches(tl) == []


def test_a_long_list_of_lost_stretches_is_cut_short():
    from gymscore.timeline import Timeline, VideoInfo, describe_lost

    tl = Timeline(video=VideoInfo(fps=10, frame_count=400), apparatus="FX")
    tl.metadata["analysis"] = {"pose_lost": [[20 * k, 20 * k + 5] for k in range(10)]}
    assert describe_lost(tl, most=2) == ("gymnast not found at 0.00-0.50s, 2.00-2.50s and 8 more "
                                         "(5.0 s in all): elements there may be missing")
    tl.metadata["analysis"]["pose_lost"] = []
    assert describe_lost(tl) is None
    assert describe_lost(Timeline()) is None
