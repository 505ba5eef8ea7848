"""Import FineGym annotation files as Timelines.

Two sources are read:

* routine files (``routines/val.json`` / ``test.json``, the E2E-Spot conversion): one entry per
  routine with a start and an end mark per element (``<SET>_start`` / ``<SET>_end``; vault: the four
  phase marks ``VT_0..VT_3`` of one vault). See :func:`import_routines`.
* the official split files (``gym99_train_element_v1.1.txt`` ...): one sub-action per line,
  ``<youtube id>_E_<event start s>_<event end s>_A_<sub start s>_<sub end s> <Clabel>``, grouped by
  event. See :func:`import_split_file`.

Conventions (also in the README):

* A segment ends one frame after its end mark (``end_frame`` is exclusive).
* Overlapping marks (the next element starts at or before the end mark of the previous one) are
  fixed deterministically: the earlier segment's end is moved back to the later one's start; if that
  would leave it empty, the later segment's start is moved forward instead. The change is recorded in
  the segment's ``note``.
* **Connection rule** (routine files): two consecutive elements are connected
  (``connected_to_next``) when at most :data:`CONNECTION_MAX_GAP_S` seconds (0.12 s: 3 frames at
  25 or 30 fps) separate the end of one from the start of the next, i.e.
  ``next.start_frame - prev.end_frame <= floor(0.12 * fps)``. In the 2047 real routines these gaps
  form a cluster at 0-3 frames and a trough after it. It is a heuristic: FineGym does not mark
  connections, and it cannot tell a direct from an indirect connection.
* Unknown element names do not stop an import: the segment keeps its set, gets ``element_id=None``
  and a note ``unknown element name ...``; the import report lists them. ``strict=True`` raises
  :class:`FineGymFormatError` instead.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gymscore.timeline.model import Segment, Timeline, VideoInfo
from gymscore.util.progress import CancelToken, ProgressFn, check_cancel, report

CONNECTION_MAX_GAP_S = 0.12
CONNECTION_RULE = (
    f"connected when the gap between one element's end and the next one's start is at most "
    f"{CONNECTION_MAX_GAP_S:g} s (floor({CONNECTION_MAX_GAP_S:g} x fps) frames: 3 at 25 or 30 fps)"
)

# FineGym set names as they appear in routine labels (note the dataset's own typo "fligh").
SET_IDS: dict[str, int] = {
    "VT": 1,
    "FX_leap_jump_hop": 21,
    "FX_turns": 22,
    "FX_side_salto": 23,
    "FX_front_salto": 24,
    "FX_back_salto": 25,
    "BB_leap_jump_hop": 31,
    "BB_turns": 32,
    "BB_flight_salto": 33,
    "BB_flight_handspring": 34,
    "BB_dismounts": 35,
    "UB_circles": 41,
    "UB_fligh_same_bar": 42,
    "UB_flight_same_bar": 42,
    "UB_transition_flight": 43,
    "UB_dismounts": 44,
}
SET_APPARATUS = {
    1: "VT",
    **{s: "FX" for s in range(21, 26)},
    **{s: "BB" for s in range(31, 36)},
    **{s: "UB" for s in range(41, 45)},
}
VAULT_PHASES = ("VT_0", "VT_1", "VT_2", "VT_3")

_COMMENT_RE = re.compile(r"^A_(\d+)_(\d+);\((VT|FX|BB|UB)\) (.+)$")
_SPLIT_RE = re.compile(r"^(?P<yt>.+)_E_(?P<es>\d+)_(?P<ee>\d+)_A_(?P<as>\d+)_(?P<ae>\d+)$")


class FineGymFormatError(ValueError):
    """A FineGym file is malformed; the message names the file, the entry and the problem."""


@dataclass
class ImportReport:
    """What an import produced besides the timelines: counts and every problem worth a look."""

    routines: int = 0
    segments: int = 0
    unknown_names: list[str] = field(default_factory=list)
    overlaps_fixed: int = 0
    connections: int = 0

    def summary(self) -> str:
        """One line for the terminal."""
        return (
            f"{self.routines} routines, {self.segments} elements, {self.connections} connections "
            f"({CONNECTION_RULE}), {self.overlaps_fixed} overlapping marks fixed, "
            f"{len(self.unknown_names)} unknown element names"
        )


def connection_max_gap_frames(fps: float) -> int:
    """The largest gap in frames that still counts as a connection at ``fps``."""
    return int(math.floor(CONNECTION_MAX_GAP_S * fps + 1e-9))


def fix_overlaps_and_connect(segments: list[Segment], fps: float, infer_connections: bool = True) -> int:
    """Sort segments, fix overlaps in place (noting them) and set ``connected_to_next``.

    Returns the number of overlaps fixed. See the module docstring for both rules.
    """
    segments.sort(key=lambda s: (s.start_frame, s.end_frame))
    fixed = 0
    for prev, nxt in zip(segments, segments[1:], strict=False):
        if nxt.start_frame >= prev.end_frame:
            continue
        fixed += 1
        if nxt.start_frame > prev.start_frame:
            old = prev.end_frame
            prev.end_frame = nxt.start_frame
            _add_note(prev, f"end moved from frame {old} to {prev.end_frame}: it overlapped the next element")
        else:
            old = nxt.start_frame
            nxt.start_frame = prev.end_frame
            nxt.end_frame = max(nxt.end_frame, nxt.start_frame + 1)
            _add_note(
                nxt, f"start moved from frame {old} to {nxt.start_frame}: it overlapped the previous element"
            )
    if infer_connections:
        limit = connection_max_gap_frames(fps)
        for prev, nxt in zip(segments, segments[1:], strict=False):
            prev.connected_to_next = nxt.start_frame - prev.end_frame <= limit
        if segments:
            segments[-1].connected_to_next = False
    return fixed


def _add_note(seg: Segment, text: str) -> None:
    seg.note = f"{seg.note}; {text}" if seg.note else text


def _lookup(codebook: Any, apparatus: str, name: str, set_id: int | None) -> str | None:
    """Element id of a FineGym name in ``set_id``, or None when the codebook does not know it."""
    try:
        return codebook.by_name(apparatus, name, set_id=set_id).id
    except LookupError:  # UnknownElementError is a LookupError
        return None


def _default_codebook(codebook: Any) -> Any:
    if codebook is not None:
        return codebook
    from gymscore.codebook import default_codebook

    return default_codebook()


def _parse_comment(comment: Any, where: str) -> tuple[str, str]:
    if not isinstance(comment, str):
        raise FineGymFormatError(f"{where}: comment must be a string, got {type(comment).__name__}")
    m = _COMMENT_RE.match(comment.strip())
    if not m:
        raise FineGymFormatError(f"{where}: comment {comment!r} is not 'A_<s>_<e>;(EV) element name'")
    return m.group(3), m.group(4).strip()


def _event_fields(ev: Any, where: str) -> tuple[int, str, str]:
    if not isinstance(ev, dict):
        raise FineGymFormatError(f"{where}: expected an object, got {type(ev).__name__}")
    frame, label, comment = ev.get("frame"), ev.get("label"), ev.get("comment")
    if not isinstance(frame, int) or isinstance(frame, bool) or frame < 0:
        raise FineGymFormatError(f"{where}: frame must be a non-negative integer, got {frame!r}")
    if not isinstance(label, str):
        raise FineGymFormatError(f"{where}: label must be a string, got {label!r}")
    if not isinstance(comment, str):
        raise FineGymFormatError(f"{where}: comment must be a string, got {comment!r}")
    return frame, label, comment


def routine_to_timeline(
    entry: Any,
    codebook: Any = None,
    source: str = "<routines>",
    strict: bool = False,
    report_to: ImportReport | None = None,
) -> Timeline:
    """Convert one routine entry of a FineGym routine file into a Timeline."""
    cb = _default_codebook(codebook)
    rep = report_to if report_to is not None else ImportReport()
    if not isinstance(entry, dict):
        raise FineGymFormatError(f"{source}: expected an object, got {type(entry).__name__}")
    video = entry.get("video")
    where = f"{source}: routine {video!r}"
    if not isinstance(video, str) or not video:
        raise FineGymFormatError(f"{source}: routine without a 'video' name")
    fps, n = entry.get("fps"), entry.get("num_frames")
    if not isinstance(fps, int | float) or isinstance(fps, bool) or fps <= 0:
        raise FineGymFormatError(f"{where}: fps must be a positive number, got {fps!r}")
    if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
        raise FineGymFormatError(f"{where}: num_frames must be a positive integer, got {n!r}")
    events = entry.get("events")
    if not isinstance(events, list) or not events:
        raise FineGymFormatError(f"{where}: 'events' must be a non-empty list")
    parsed = [_event_fields(ev, f"{where} event {i}") for i, ev in enumerate(events)]
    parsed.sort(key=lambda t: t[0])
    if parsed[0][1] in VAULT_PHASES:
        apparatus = "VT"
        segments = _vault_segments(parsed, where)
    else:
        apparatus = parsed[0][1][:2]
        segments = _element_segments(parsed, where, n)
    for seg, (ev_app, name) in segments:
        if ev_app != apparatus:
            raise FineGymFormatError(
                f"{where}: element {name!r} is marked ({ev_app}) in a {apparatus} routine"
            )
        if seg.end_frame > n:
            _add_note(seg, f"end clipped from frame {seg.end_frame} to {n} (end of the routine)")
            seg.end_frame = n
        eid = _lookup(cb, apparatus, name, seg.set_id)
        if eid is None:
            msg = f"unknown element name {name!r} in set {seg.set_id}"
            if strict:
                raise FineGymFormatError(f"{where}: {msg}")
            rep.unknown_names.append(f"{video}: {name} (set {seg.set_id})")
            _add_note(seg, msg)
        seg.element_id = eid
    segs = [s for s, _ in segments]
    rep.overlaps_fixed += fix_overlaps_and_connect(segs, float(fps), infer_connections=apparatus != "VT")
    rep.routines += 1
    rep.segments += len(segs)
    rep.connections += sum(s.connected_to_next for s in segs)
    tl = Timeline(
        video=VideoInfo(
            path=video,
            fps=float(fps),
            frame_count=n,
            width=int(entry.get("width") or 0),
            height=int(entry.get("height") or 0),
        ),
        apparatus=apparatus,
        edition="wag-2017",
        segments=segs,
        metadata={"finegym_video": video, "imported_from": source, "connection_rule": CONNECTION_RULE},
    )
    problems = tl.problems()
    if problems:
        raise FineGymFormatError(f"{where}: {'; '.join(problems)}")
    return tl


def _set_of(label: str, suffix: str, where: str) -> int:
    key = label[: -len(suffix)]
    if not label.endswith(suffix) or key not in SET_IDS:
        raise FineGymFormatError(f"{where}: unknown label {label!r}")
    return SET_IDS[key]


def _element_segments(parsed: list[tuple[int, str, str]], where: str, n: int) -> list[tuple[Segment, tuple]]:
    out = []
    open_marks: dict[tuple[int, str], int] = {}
    for frame, label, comment in parsed:
        if label.endswith("_start"):
            set_id = _set_of(label, "_start", where)
            open_marks[(set_id, comment)] = frame
        elif label.endswith("_end"):
            set_id = _set_of(label, "_end", where)
            start = open_marks.pop((set_id, comment), None)
            if start is None:
                raise FineGymFormatError(f"{where}: end mark {label!r} at frame {frame} has no start mark")
            ev_app, name = _parse_comment(comment, f"{where} frame {frame}")
            seg = Segment(start_frame=start, end_frame=frame + 1, set_id=set_id, source="import")
            out.append((seg, (ev_app, name)))
        else:
            raise FineGymFormatError(f"{where}: unknown label {label!r}")
    if open_marks:
        (set_id, comment), frame = next(iter(open_marks.items()))
        raise FineGymFormatError(f"{where}: start mark at frame {frame} ({comment!r}) has no end mark")
    return out


def _vault_segments(parsed: list[tuple[int, str, str]], where: str) -> list[tuple[Segment, tuple]]:
    groups: dict[str, list[tuple[int, str]]] = {}
    for frame, label, comment in parsed:
        if label not in VAULT_PHASES:
            raise FineGymFormatError(f"{where}: label {label!r} in a vault routine")
        groups.setdefault(comment, []).append((frame, label))
    out = []
    for comment, marks in groups.items():
        labels = sorted(lb for _, lb in marks)
        if labels != list(VAULT_PHASES):
            raise FineGymFormatError(
                f"{where}: vault {comment!r} has phase marks {labels}, expected VT_0..VT_3"
            )
        frames = [f for f, _ in marks]
        ev_app, name = _parse_comment(comment, where)
        seg = Segment(start_frame=min(frames), end_frame=max(frames) + 1, set_id=1, source="import")
        out.append((seg, (ev_app, name)))
    return out


def read_json_file(path: str | os.PathLike) -> Any:
    """Parse a JSON file, raising :class:`FineGymFormatError` naming the file on any problem."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise FineGymFormatError(f"{p}: cannot read: {exc.strerror or exc}") from None
    if not raw.strip():
        raise FineGymFormatError(f"{p}: the file is empty")
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise FineGymFormatError(f"{p}: not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise FineGymFormatError(
            f"{p}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None


def import_routines(
    path: str | os.PathLike,
    codebook: Any = None,
    strict: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> tuple[list[Timeline], ImportReport]:
    """Read a FineGym routine file (``val.json`` / ``test.json``) into one Timeline per routine."""
    data = read_json_file(path)
    if not isinstance(data, list):
        raise FineGymFormatError(f"{path}: expected a JSON list of routines, got {type(data).__name__}")
    cb = _default_codebook(codebook)
    rep = ImportReport()
    out = []
    for i, entry in enumerate(data):
        check_cancel(cancel)
        out.append(routine_to_timeline(entry, cb, source=f"{path} entry {i}", strict=strict, report_to=rep))
        if i % 50 == 0 or i + 1 == len(data):
            report(progress, i + 1, len(data), f"routine {i + 1}/{len(data)}")
    return out, rep


def parse_split_lines(
    lines: Iterable[str], source: str = "<split>"
) -> list[tuple[str, int, int, int, int, int]]:
    """Parse split-file lines into (youtube id, event start, event end, sub start, sub end, Clabel)."""
    out = []
    for no, line in enumerate(lines, 1):
        line = line.strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2:
            raise FineGymFormatError(f"{source} line {no}: expected '<sub-action id> <Clabel>', got {line!r}")
        m = _SPLIT_RE.match(parts[0])
        if not m or not parts[1].isdigit():
            raise FineGymFormatError(
                f"{source} line {no}: {line!r} is not '<yt>_E_<s>_<e>_A_<s>_<e> <Clabel>'"
            )
        es, ee, a_s, a_e = (int(m.group(k)) for k in ("es", "ee", "as", "ae"))
        if ee < es or a_e < a_s:
            raise FineGymFormatError(f"{source} line {no}: end before start in {parts[0]!r}")
        out.append((m.group("yt"), es, ee, a_s, a_e, int(parts[1])))
    return out


def import_split_file(
    path: str | os.PathLike,
    label_space: str = "gym99",
    fps: float = 25.0,
    codebook: Any = None,
    strict: bool = False,
) -> tuple[list[Timeline], ImportReport]:
    """Group the sub-actions of an official split file by event into Timelines.

    Times are whole seconds relative to the event start: a sub-action ``A_<s>_<e>`` covers frames
    ``round(s*fps)`` to ``round(max(e, s+1)*fps)`` (a label with s == e gets one second). Only the
    benchmark's sub-actions are listed, so connections are not inferred (all False).
    """
    if label_space not in ("gym99", "gym288"):
        raise ValueError(f"label_space must be 'gym99' or 'gym288', got {label_space!r}")
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8")
    except OSError as exc:
        raise FineGymFormatError(f"{p}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise FineGymFormatError(f"{p}: not UTF-8 text (byte {exc.start})") from None
    rows = parse_split_lines(text.splitlines(), str(p))
    if not rows:
        raise FineGymFormatError(f"{p}: no sub-actions found")
    cb = _default_codebook(codebook)
    lookup = cb.by_gym99 if label_space == "gym99" else cb.by_gym288
    events: dict[tuple[str, int, int], list[tuple[int, int, int]]] = {}
    for yt, es, ee, a_s, a_e, clabel in rows:
        events.setdefault((yt, es, ee), []).append((a_s, a_e, clabel))
    rep = ImportReport()
    out = []
    for (yt, es, ee), subs in events.items():
        key = f"{yt}_E_{es:06d}_{ee:06d}"
        segs, apps = [], set()
        n = int(round((ee - es) * fps))
        for a_s, a_e, clabel in subs:
            seg = Segment(
                start_frame=int(round(a_s * fps)),
                end_frame=int(round(max(a_e, a_s + 1) * fps)),
                source="import",
            )
            try:
                el = lookup(clabel)
            except Exception:  # noqa: BLE001 - any lookup failure is an unknown label here
                el = None
            if el is None:
                msg = f"unknown {label_space} Clabel {clabel}"
                if strict:
                    raise FineGymFormatError(f"{p}: event {key}: {msg}")
                rep.unknown_names.append(f"{key}: Clabel {clabel}")
                _add_note(seg, msg)
            else:
                seg.element_id, seg.set_id = el.id, el.set_id
                apps.add(el.apparatus)
            segs.append(seg)
        if len(apps) > 1:
            raise FineGymFormatError(f"{p}: event {key} mixes apparatus {sorted(apps)}")
        n = max(n, max(s.end_frame for s in segs))
        rep.overlaps_fixed += fix_overlaps_and_connect(segs, fps, infer_connections=False)
        rep.routines += 1
        rep.segments += len(segs)
        tl = Timeline(
            video=VideoInfo(path=key, fps=fps, frame_count=n),
            apparatus=apps.pop() if apps else "FX",
            segments=segs,
            metadata={
                "finegym_event": key,
                "youtube_id": yt,
                "event_start_s": es,
                "event_end_s": ee,
                "label_space": label_space,
                "imported_from": str(p),
            },
        )
        tl.validate()
        out.append(tl)
    return out, rep
