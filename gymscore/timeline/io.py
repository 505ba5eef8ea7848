"""Timeline JSON: versioned, schema-checked on load, written atomically."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

from gymscore.timeline.model import (
    SCHEMA_VERSION,
    Alternative,
    Segment,
    Timeline,
    TimelineError,
    VideoInfo,
)
from gymscore.util.atomic import atomic_write_json


class TimelineFormatError(ValueError):
    """A timeline file is malformed; the message names the file, the field and the problem."""


@lru_cache(maxsize=1)
def timeline_schema() -> dict[str, Any]:
    """The JSON Schema of the current timeline format."""
    return json.loads((Path(__file__).with_name("timeline.schema.json")).read_text("utf-8"))


def to_dict(tl: Timeline) -> dict[str, Any]:
    """A JSON-ready dict of a timeline."""
    d = asdict(tl)
    return {
        "schema_version": SCHEMA_VERSION,
        "video": d["video"],
        "apparatus": d["apparatus"],
        "edition": d["edition"],
        "metadata": d["metadata"],
        "segments": d["segments"],
    }


def _field_path(err: jsonschema.ValidationError) -> str:
    parts = [str(p) for p in err.absolute_path]
    return ".".join(parts) if parts else "(top level)"


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """Bring an older file format up to :data:`SCHEMA_VERSION` (version 0 had no version field)."""
    version = data.get("schema_version", 0)
    if version == 0:
        data = dict(data)
        data["schema_version"] = 1
        data.setdefault("edition", "wag-2017")
        version = 1
    if isinstance(version, int) and version > SCHEMA_VERSION:
        raise TimelineFormatError(
            f"schema_version {version} is newer than this gymscore understands ({SCHEMA_VERSION}); "
            "update gymscore"
        )
    return data


def from_dict(data: Any, source: str = "<timeline>") -> Timeline:
    """Build a timeline from parsed JSON, raising :class:`TimelineFormatError` on any problem."""
    if not isinstance(data, dict):
        raise TimelineFormatError(
            f"{source}: expected a JSON object at the top level, got {type(data).__name__}"
        )
    data = migrate(data)
    validator = jsonschema.Draft202012Validator(timeline_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        e = errors[0]
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        raise TimelineFormatError(f"{source}: field {_field_path(e)}: {e.message}{more}")
    segs = [
        Segment(
            start_frame=s["start_frame"],
            end_frame=s["end_frame"],
            set_id=s.get("set_id"),
            element_id=s.get("element_id"),
            confidence=float(s.get("confidence", 1.0)),
            alternatives=[
                Alternative(a["element_id"], float(a["probability"])) for a in s.get("alternatives", [])
            ],
            connected_to_next=bool(s.get("connected_to_next", False)),
            source=s.get("source", "user"),
            note=s.get("note", ""),
        )
        for s in data["segments"]
    ]
    v = data["video"]
    tl = Timeline(
        video=VideoInfo(
            path=v["path"],
            sha256=v.get("sha256"),
            fps=float(v["fps"]),
            frame_count=int(v["frame_count"]),
            width=int(v.get("width", 0)),
            height=int(v.get("height", 0)),
        ),
        apparatus=data["apparatus"],
        edition=data["edition"],
        segments=segs,
        metadata=dict(data.get("metadata", {})),
    )
    try:
        tl.validate()
    except TimelineError as exc:
        raise TimelineFormatError(f"{source}: {exc}") from None
    return tl


def load_timeline(path: str | os.PathLike) -> Timeline:
    """Read and validate a timeline JSON file."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise TimelineFormatError(f"{p}: file not found") from None
    except OSError as exc:
        raise TimelineFormatError(f"{p}: cannot read: {exc.strerror or exc}") from None
    if not raw.strip():
        raise TimelineFormatError(f"{p}: the file is empty")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TimelineFormatError(f"{p}: not UTF-8 text (byte {exc.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TimelineFormatError(
            f"{p}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    return from_dict(data, source=str(p))


def save_timeline(tl: Timeline, path: str | os.PathLike) -> Path:
    """Validate and write a timeline atomically."""
    tl.validate()
    return atomic_write_json(path, to_dict(tl))
