"""FineGym importers: routine files and split files, synthetic and real."""

from __future__ import annotations

import json

import pytest

from gymscore.scoring import score
from gymscore.scoring.minicodebook import MiniCodebook, element
from gymscore.timeline.finegym import (
    CONNECTION_MAX_GAP_S,
    FineGymFormatError,
    connection_max_gap_frames,
    import_routines,
    import_split_file,
    parse_split_lines,
    routine_to_timeline,
)

CB = MiniCodebook(
    [
        element("FX-001", 21, "C", 1, "split leap with 1 turn", kind="leap", leg_position="split"),
        element("FX-002", 21, "A", 1, "stag jump", kind="jump", leg_position="stag"),
        element(
            "FX-003",
            25,
            "D",
            5,
            "double salto backward tucked",
            kind="salto",
            direction="backward",
            salto_count=2,
        ),
        element(
            "VT-001",
            1,
            "",
            None,
            "round-off, flic-flac on, stretched salto backward with 2 turn off",
            value=5.4,
            kind="vault",
        ),
    ]
)
CB.elements["FX-001"].gym99 = 7
CB.elements["FX-003"].gym99 = 9


def mark(frame: int, label: str, name: str, ev: str = "FX", s: int = 0, e: int = 1) -> dict:
    return {"frame": frame, "label": label, "comment": f"A_{s:04d}_{e:04d};({ev}) {name}"}


def el(start: int, end: int, set_name: str, name: str) -> list[dict]:
    return [mark(start, f"{set_name}_start", name), mark(end, f"{set_name}_end", name)]


def entry(events: list[dict], fps: float = 25.0, n: int = 500, video: str = "abc_E_000001_000021") -> dict:
    return {
        "video": video,
        "fps": fps,
        "num_frames": n,
        "width": 640,
        "height": 360,
        "events": events,
        "num_events": len(events),
    }


def test_routine_segments_exclusive_end_and_connections():
    ev = (
        el(10, 20, "FX_leap_jump_hop", "split leap with 1 turn")
        + el(24, 30, "FX_leap_jump_hop", "stag jump")  # gap 24 - 21 = 3 frames -> connected
        + el(40, 60, "FX_back_salto", "double salto backward tucked")
    )  # gap 40 - 31 = 9 -> not
    tl = routine_to_timeline(entry(ev), CB)
    assert tl.apparatus == "FX" and tl.video.fps == 25.0 and tl.video.frame_count == 500
    assert [
        (s.start_frame, s.end_frame, s.set_id, s.element_id, s.connected_to_next, s.source)
        for s in tl.segments
    ] == [
        (10, 21, 21, "FX-001", True, "import"),
        (24, 31, 21, "FX-002", False, "import"),
        (40, 61, 25, "FX-003", False, "import"),
    ]
    assert "0.12 s" in tl.metadata["connection_rule"]


def test_connection_rule_frames_at_25_and_30_fps():
    assert CONNECTION_MAX_GAP_S == 0.12
    assert connection_max_gap_frames(25.0) == 3
    assert connection_max_gap_frames(30.0) == 3
    assert connection_max_gap_frames(29.97002997) == 3
    assert connection_max_gap_frames(50.0) == 6
    ev = el(10, 20, "FX_leap_jump_hop", "stag jump") + el(25, 30, "FX_leap_jump_hop", "stag jump")
    assert not routine_to_timeline(entry(ev, fps=30.0), CB).segments[0].connected_to_next  # gap 4


def test_overlapping_marks_are_fixed_and_noted():
    # the second element starts on the first one's end mark (a 1-frame overlap, common in the data)
    ev = el(10, 20, "FX_leap_jump_hop", "stag jump") + el(
        20, 30, "FX_leap_jump_hop", "split leap with 1 turn"
    )
    tl = routine_to_timeline(entry(ev), CB)
    a, b = tl.segments
    assert (a.start_frame, a.end_frame, b.start_frame, b.end_frame) == (10, 20, 20, 31)
    assert a.note == "end moved from frame 21 to 20: it overlapped the next element"
    assert a.connected_to_next
    # same start: the later one is pushed after the earlier one
    ev = el(10, 20, "FX_leap_jump_hop", "stag jump") + el(
        10, 15, "FX_back_salto", "double salto backward tucked"
    )
    a, b = routine_to_timeline(entry(ev), CB).segments
    assert (a.start_frame, a.end_frame, b.start_frame, b.end_frame) == (10, 16, 16, 21)
    assert a.note == "" and b.note == "start moved from frame 10 to 16: it overlapped the previous element"


def test_vault_phases_make_one_segment():
    name = "round-off, flic-flac on, stretched salto backward with 2 turn off"
    ev = [mark(f, f"VT_{i}", name, "VT") for i, f in enumerate((43, 131, 164, 211))]
    tl = routine_to_timeline(entry(ev, n=246), CB)
    assert tl.apparatus == "VT"
    assert [(s.start_frame, s.end_frame, s.set_id, s.element_id) for s in tl.segments] == [
        (43, 212, 1, "VT-001")
    ]
    assert score(tl, codebook=CB).d_score == 5.4


def test_unknown_name_kept_with_note_or_strict_error():
    ev = el(10, 20, "FX_leap_jump_hop", "no such leap")
    tl = routine_to_timeline(entry(ev), CB)
    assert tl.segments[0].element_id is None and tl.segments[0].set_id == 21
    assert tl.segments[0].note == "unknown element name 'no such leap' in set 21"
    with pytest.raises(FineGymFormatError, match="unknown element name 'no such leap' in set 21"):
        routine_to_timeline(entry(ev), CB, strict=True)


@pytest.mark.parametrize(
    "events,message",
    [
        (
            [mark(10, "FX_leaps_start", "stag jump"), mark(20, "FX_leaps_end", "stag jump")],
            "unknown label 'FX_leaps_start'",
        ),
        ([mark(10, "FX_leap_jump_hop_start", "stag jump")], "has no end mark"),
        ([mark(20, "FX_leap_jump_hop_end", "stag jump")], "has no start mark"),
        (
            [{"frame": "10", "label": "FX_leap_jump_hop_start", "comment": "x"}],
            "frame must be a non-negative integer",
        ),
        (
            [
                {"frame": 1, "label": "FX_turns_start", "comment": "bad"},
                {"frame": 2, "label": "FX_turns_end", "comment": "bad"},
            ],
            "is not 'A_<s>_<e>;(EV)",
        ),
        (
            [
                mark(10, "FX_leap_jump_hop_start", "stag jump", ev="BB"),
                mark(20, "FX_leap_jump_hop_end", "stag jump", ev="BB"),
            ],
            "is marked (BB) in a FX routine",
        ),
        ([mark(1, "VT_0", "x", "VT"), mark(2, "VT_1", "x", "VT")], "has phase marks ['VT_0', 'VT_1']"),
        ([], "'events' must be a non-empty list"),
        (["oops"], "expected an object"),
    ],
)
def test_bad_routine_entries(events, message):
    with pytest.raises(FineGymFormatError) as err:
        routine_to_timeline(entry(events), CB, source="f.json entry 0")
    assert message in str(err.value) and "f.json entry 0" in str(err.value)


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("fps", 0, "fps must be a positive number"),
        ("num_frames", "9", "num_frames must be a positive integer"),
        ("video", None, "routine without a 'video' name"),
    ],
)
def test_bad_routine_fields(field, value, message):
    e = entry(el(10, 20, "FX_leap_jump_hop", "stag jump"))
    e[field] = value
    with pytest.raises(FineGymFormatError, match=message):
        routine_to_timeline(e, CB)


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "the file is empty"),
        (b'[{"video": "a", ', "invalid JSON at line 1"),
        (b"\xff\xfe[]", "not UTF-8 text"),
        (b'{"video": 1}', "expected a JSON list of routines"),
    ],
)
def test_bad_routine_files(tmp_path, content, message):
    p = tmp_path / "r.json"
    p.write_bytes(content)
    with pytest.raises(FineGymFormatError) as err:
        import_routines(p, CB)
    assert message in str(err.value) and str(p) in str(err.value)


def test_import_routines_file_and_report(tmp_path):
    p = tmp_path / "r.json"
    p.write_text(
        json.dumps([entry(el(10, 20, "FX_leap_jump_hop", "stag jump") + el(21, 30, "FX_leap_jump_hop", "x"))])
    )
    seen = []
    tls, rep = import_routines(p, CB, progress=lambda d, t, m: seen.append((d, t)))
    assert len(tls) == 1 and seen[-1] == (1, 1)
    assert (rep.routines, rep.segments, rep.connections, rep.overlaps_fixed) == (1, 2, 1, 0)
    assert rep.unknown_names == ["abc_E_000001_000021: x (set 21)"]
    assert "1 routines, 2 elements, 1 connections" in rep.summary()


def test_split_lines_grouped_into_timelines(tmp_path):
    p = tmp_path / "split.txt"
    p.write_text(
        "vid_x-1_E_000100_000130_A_0002_0003 7\nvid_x-1_E_000100_000130_A_0003_0003 9\n"
        "other_E_000001_000010_A_0001_0002 7\nother_E_000001_000010_A_0004_0005 55\n"
    )
    tls, rep = import_split_file(p, fps=25, codebook=CB)
    a, b = tls
    assert a.video.path == "vid_x-1_E_000100_000130" and a.metadata["youtube_id"] == "vid_x-1"
    assert a.video.frame_count == 750 and a.apparatus == "FX"
    assert [(s.start_frame, s.end_frame, s.element_id, s.connected_to_next) for s in a.segments] == [
        (50, 75, "FX-001", False),
        (75, 100, "FX-003", False),
    ]
    assert [s.element_id for s in b.segments] == ["FX-001", None]
    assert b.segments[1].note == "unknown gym99 Clabel 55"
    assert rep.unknown_names == ["other_E_000001_000010: Clabel 55"]
    with pytest.raises(FineGymFormatError, match="unknown gym99 Clabel 55"):
        import_split_file(p, codebook=CB, strict=True)


@pytest.mark.parametrize(
    "line,message",
    [
        ("abc_E_1_2_A_0_1", "expected '<sub-action id> <Clabel>'"),
        ("abc_A_0_1 5", "is not '<yt>_E_<s>_<e>_A_<s>_<e> <Clabel>'"),
        ("abc_E_1_2_A_0_1 x", "is not '<yt>_E_<s>_<e>_A_<s>_<e> <Clabel>'"),
        ("abc_E_1_2_A_3_1 5", "end before start"),
    ],
)
def test_bad_split_lines(line, message):
    with pytest.raises(FineGymFormatError) as err:
        parse_split_lines(["abc_E_1_2_A_0_1 5", line], "s.txt")
    assert message in str(err.value) and "s.txt line 2" in str(err.value)


def test_bad_split_files(tmp_path):
    p = tmp_path / "s.txt"
    p.write_bytes(b"")
    with pytest.raises(FineGymFormatError, match="no sub-actions found"):
        import_split_file(p, codebook=CB)
    p.write_bytes(b"\xff\xff")
    with pytest.raises(FineGymFormatError, match="not UTF-8"):
        import_split_file(p, codebook=CB)
    with pytest.raises(ValueError, match="label_space"):
        import_split_file(p, label_space="gym530", codebook=CB)


# --- real data ------------------------------------------------------------------------------
def test_all_real_routines_import_and_score(finegym_dir):
    from gymscore.codebook import default_codebook

    cb = default_codebook()
    total, apparatus = 0, {}
    for name in ("val.json", "test.json"):
        tls, rep = import_routines(finegym_dir / "routines" / name, cb, strict=True)
        assert rep.unknown_names == []
        for tl in tls:
            card = score(tl, codebook=cb)
            assert card.d_score >= 0 and len(card.elements) == len(tl.segments)
            apparatus[tl.apparatus] = apparatus.get(tl.apparatus, 0) + 1
        total += len(tls)
    assert total == 2047
    assert apparatus == {"VT": 768, "UB": 477, "BB": 455, "FX": 347}


def test_real_split_file_imports(finegym_dir):
    from gymscore.codebook import default_codebook

    tls, rep = import_split_file(
        finegym_dir / "annotations" / "gym99_val_element.txt", codebook=default_codebook(), strict=True
    )
    assert rep.segments == 8521 and rep.unknown_names == []
    assert all(not tl.problems() for tl in tls)


def test_marks_past_the_end_are_clipped_or_refused():
    tl = routine_to_timeline(entry(el(10, 30, "FX_leap_jump_hop", "stag jump"), n=25), CB)
    assert (tl.segments[0].end_frame, tl.segments[0].note) == (
        25,
        "end clipped from frame 31 to 25 (end of the routine)",
    )
    with pytest.raises(FineGymFormatError, match="ends at or before its start"):
        routine_to_timeline(entry(el(30, 40, "FX_leap_jump_hop", "stag jump"), n=25), CB)
