"""``.gymproj`` project files (Qt-free): a Timeline plus the view state, written atomically."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gymscore.timeline import Timeline, TimelineFormatError, from_dict, to_dict
from gymscore.util.atomic import atomic_write_json

PROJECT_FORMAT = "gymscore-project"
PROJECT_VERSION = 1
PROJECT_SUFFIX = ".gymproj"
VIDEO_SUFFIXES = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".gif")


class ProjectFormatError(ValueError):
    """A project file cannot be read; the message names the file and the problem."""


@dataclass
class Project:
    """What a project file holds."""

    timeline: Timeline
    view: dict[str, Any] = field(default_factory=dict)


def project_to_dict(project: Project, project_path: str | os.PathLike | None = None) -> dict[str, Any]:
    """JSON-ready dict; the video path is stored relative to the project folder when it lies below it."""
    tl = to_dict(project.timeline)
    if project_path is not None and tl["video"]["path"]:
        video = Path(tl["video"]["path"]).resolve()
        folder = Path(project_path).resolve().parent
        try:
            tl["video"]["path"] = str(video.relative_to(folder))
        except ValueError:
            tl["video"]["path"] = str(video)
    return {
        "format": PROJECT_FORMAT,
        "version": PROJECT_VERSION,
        "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "timeline": tl,
        "view": project.view,
    }


def save_project(project: Project, path: str | os.PathLike) -> Path:
    """Validate the timeline and write the project atomically."""
    project.timeline.validate()
    return atomic_write_json(path, project_to_dict(project, path))


def resolve_video(video: str, project_path: Path) -> str:
    """An absolute video path: relative paths are taken from the project folder; a moved project still
    finds a video with the same name beside it."""
    if not video:
        return ""
    p = Path(video)
    if not p.is_absolute():
        p = project_path.resolve().parent / p
    if not p.exists():
        beside = project_path.resolve().parent / Path(video).name
        if beside.exists():
            p = beside
    return str(p)


def load_project(path: str | os.PathLike) -> Project:
    """Read a project file (or a bare timeline JSON) and return it with an absolute video path."""
    p = Path(path)
    try:
        data = json.loads(p.read_text("utf-8"))
    except FileNotFoundError:
        raise ProjectFormatError(f"{p}: file not found") from None
    except UnicodeDecodeError:
        raise ProjectFormatError(f"{p}: not a gymscore project (not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise ProjectFormatError(
            f"{p}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except OSError as exc:
        raise ProjectFormatError(f"{p}: cannot read: {exc.strerror or exc}") from None
    if not isinstance(data, dict):
        raise ProjectFormatError(f"{p}: not a gymscore project (expected a JSON object)")
    if data.get("format") == PROJECT_FORMAT:
        version = data.get("version")
        if not isinstance(version, int) or version > PROJECT_VERSION:
            raise ProjectFormatError(
                f"{p}: project version {version!r} is newer than this gymscore understands"
            )
        tl_data, view = data.get("timeline"), data.get("view") or {}
        if not isinstance(view, dict):
            raise ProjectFormatError(f"{p}: field view: expected an object")
    elif "segments" in data and "video" in data:
        tl_data, view = data, {}
    else:
        raise ProjectFormatError(f"{p}: not a gymscore project (no 'format': '{PROJECT_FORMAT}' field)")
    try:
        tl = from_dict(tl_data, source=f"{p}: timeline")
    except TimelineFormatError as exc:
        raise ProjectFormatError(str(exc)) from None
    tl.video.path = resolve_video(tl.video.path, p)
    return Project(tl, dict(view))
