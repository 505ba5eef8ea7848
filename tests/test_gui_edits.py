"""The Qt-free edit functions behind the GUI's undo stack, the project format and the exports."""

from __future__ import annotations

import json

import pytest

from gymscore.gui import edits
from gymscore.gui.autosave import autosave_path, find_recovery
from gymscore.gui.project import Project, ProjectFormatError, load_project, save_project
from gymscore.gui.score_view import format_time
from gymscore.timeline import Alternative, Segment, Timeline, VideoInfo


def _tl() -> Timeline:
    return Timeline(
        video=VideoInfo("/videos/r.mp4", None, 25.0, 200, 640, 360),
        apparatus="FX",
        segments=[
            Segment(
                10,
                30,
                21,
                "FX-068",
                0.8,
                [Alternative("FX-068", 0.8), Alternative("FX-067", 0.1)],
                source="model",
            ),
            Segment(40, 60, 21, "FX-070", 0.7, connected_to_next=True, source="model"),
            Segment(62, 90, 25, "FX-195", 0.9, source="model"),
        ],
    )


def _spans(tl: Timeline) -> list[tuple[int, int]]:
    return [(s.start_frame, s.end_frame) for s in tl.segments]


def test_move_boundary_snaps_to_frames_and_stops_at_neighbours():
    tl = _tl()
    r = edits.move_boundary(tl, 0, "end", 35.4)
    assert _spans(r.timeline)[0] == (10, 35) and r.selected == 0
    assert r.timeline.segments[0].source == "user"
    assert _spans(tl)[0] == (10, 30)  # the input is untouched
    assert _spans(edits.move_boundary(tl, 0, "end", 55).timeline)[0] == (10, 40)
    assert _spans(edits.move_boundary(tl, 1, "start", 70).timeline)[1] == (59, 60)
    assert _spans(edits.move_boundary(tl, 0, "start", -5).timeline)[0] == (0, 30)
    assert _spans(edits.move_boundary(tl, 2, "end", 500).timeline)[2] == (62, 200)
    with pytest.raises(edits.EditError, match="there is no element 4"):
        edits.move_boundary(tl, 3, "end", 10)


def test_move_segment_is_clamped():
    tl = _tl()
    assert _spans(edits.move_segment(tl, 1, 5).timeline)[1] == (42, 62)
    assert _spans(edits.move_segment(tl, 1, -100).timeline)[1] == (30, 50)


def test_split_merge_delete_insert():
    tl = _tl()
    r = edits.split_segment(tl, 1, 50)
    assert _spans(r.timeline) == [(10, 30), (40, 50), (50, 60), (62, 90)] and r.selected == 2
    assert [s.connected_to_next for s in r.timeline.segments] == [False, False, True, False]
    assert r.timeline.segments[2].element_id == "FX-070"
    with pytest.raises(edits.EditError, match="the playhead must be inside it"):
        edits.split_segment(tl, 1, 40)
    m = edits.merge_with_next(r.timeline, 1)
    assert _spans(m.timeline) == _spans(tl) and m.timeline.segments[1].connected_to_next is True
    with pytest.raises(edits.EditError, match="element 3 is the last one"):
        edits.merge_with_next(tl, 2)
    d = edits.delete_segment(tl, 2)
    assert _spans(d.timeline) == [(10, 30), (40, 60)] and d.selected == 1
    assert d.timeline.segments[1].connected_to_next is False
    i = edits.insert_segment(tl, 92)
    assert (
        _spans(i.timeline)[3] == (92, 117) and i.selected == 3 and i.timeline.segments[3].element_id is None
    )
    assert _spans(edits.insert_segment(tl, 32).timeline)[1] == (32, 40)
    with pytest.raises(edits.EditError, match="frame 15 is inside element 1"):
        edits.insert_segment(tl, 15)


def test_toggle_connected_and_relabel():
    tl = _tl()
    assert edits.toggle_connected(tl, 0).timeline.segments[0].connected_to_next is True
    assert edits.toggle_connected(tl, 1).timeline.segments[1].connected_to_next is False
    with pytest.raises(edits.EditError, match="cannot be connected"):
        edits.toggle_connected(tl, 2)
    tl.segments[0].note = "scored at the median value 0.4: ..."
    r = edits.relabel(tl, 0, "FX-067", 21)
    seg = r.timeline.segments[0]
    assert (seg.element_id, seg.set_id, seg.confidence, seg.source) == ("FX-067", 21, 1.0, "user")
    assert seg.note == ""
    assert tl.segments[0].note  # the edit works on a copy
    assert [a.element_id for a in seg.alternatives] == ["FX-068", "FX-067"]
    assert edits.set_apparatus(tl, "BB").timeline.apparatus == "BB"
    with pytest.raises(edits.EditError, match="apparatus 'XX' is not one of"):
        edits.set_apparatus(tl, "XX")


def test_project_round_trip_with_relative_video(tmp_path):
    video = tmp_path / "clips" / "r.mp4"
    video.parent.mkdir()
    video.write_bytes(b"")
    tl = _tl()
    tl.video.path = str(video)
    path = save_project(Project(tl, {"playhead": 12, "selected": 1}), tmp_path / "r.gymproj")
    data = json.loads(path.read_text())
    assert data["format"] == "gymscore-project" and data["timeline"]["video"]["path"] == "clips/r.mp4"
    back = load_project(path)
    assert back.timeline.video.path == str(video) and back.view == {"playhead": 12, "selected": 1}
    assert _spans(back.timeline) == _spans(tl)


def test_project_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.gymproj"
    bad.write_text("{nope")
    with pytest.raises(ProjectFormatError, match=r"bad.gymproj: invalid JSON at line 1 column 2"):
        load_project(bad)
    bad.write_text('{"format": "other"}')
    with pytest.raises(ProjectFormatError, match="not a gymscore project"):
        load_project(bad)
    bad.write_text('{"format": "gymscore-project", "version": 1, "timeline": {"video": {}}}')
    with pytest.raises(ProjectFormatError, match=r"bad.gymproj: timeline: field"):
        load_project(bad)
    with pytest.raises(ProjectFormatError, match="file not found"):
        load_project(tmp_path / "missing.gymproj")


def test_autosave_paths_and_recovery(tmp_path):
    proj = tmp_path / "r.gymproj"
    assert autosave_path(str(proj), None) == tmp_path / "r.gymproj.autosave"
    side = autosave_path(None, "/videos/r.mp4")
    assert side.name.startswith("r-") and side.name.endswith(".gymproj.autosave")
    assert find_recovery(str(proj), None) is None
    save_project(Project(_tl()), tmp_path / "r.gymproj.autosave")
    assert find_recovery(str(proj), None) == tmp_path / "r.gymproj.autosave"


def test_format_time():
    assert format_time(0, 25) == "0:00.00"
    assert format_time(61.48, 25) == "1:01.48"  # seconds to the hundredth, not frames
    assert format_time(61.49, 25) == "1:01.48"  # at the nearest frame (25 fps: every 0.04 s)
    assert format_time(59.999, 30) == "1:00.00" and format_time(13.72, 25) == "0:13.72"
    assert format_time(10 / 3, 30) == "0:03.33"


def test_replace_timeline_keeps_the_open_video_path():
    tl = _tl()
    new = _tl()
    new.video.path, new.video.sha256, new.video.width = "video.mp4", "abc", 0
    out = edits.replace_timeline(tl, new, 0).timeline
    assert (out.video.path, out.video.sha256, out.video.width) == ("/videos/r.mp4", "abc", 640)
