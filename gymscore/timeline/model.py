"""The Timeline: the one data model every stage of gymscore reads or writes (no Qt, no torch).

Frames are 0-based; a segment covers frames ``start_frame <= f < end_frame`` (end exclusive).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Literal

SCHEMA_VERSION = 1
APPARATUS = ("VT", "FX", "BB", "UB")
SOURCES = ("model", "user", "import", "synth")
Source = Literal["model", "user", "import", "synth"]


class TimelineError(ValueError):
    """A timeline breaks a rule (overlap, out of range, bad value); the message says which segment."""


@dataclass
class VideoInfo:
    """The video a timeline describes."""

    path: str = ""
    sha256: str | None = None
    fps: float = 25.0
    frame_count: int = 0
    width: int = 0
    height: int = 0

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.frame_count / self.fps if self.fps > 0 else 0.0


@dataclass
class Alternative:
    """One candidate element for a segment with its probability."""

    element_id: str
    probability: float


@dataclass
class Segment:
    """One element (sub-action) in time."""

    start_frame: int
    end_frame: int
    set_id: int | None = None
    element_id: str | None = None
    confidence: float = 1.0
    alternatives: list[Alternative] = field(default_factory=list)
    connected_to_next: bool = False
    source: Source = "user"
    note: str = ""

    @property
    def length(self) -> int:
        """Number of frames."""
        return self.end_frame - self.start_frame

    def copy(self) -> Segment:
        """A deep copy."""
        return copy.deepcopy(self)


@dataclass
class Timeline:
    """A routine: its video, apparatus, codebook edition and element segments in time order."""

    video: VideoInfo = field(default_factory=VideoInfo)
    apparatus: str = "FX"
    edition: str = "wag-2017"
    segments: list[Segment] = field(default_factory=list)
    schema_version: int = SCHEMA_VERSION
    metadata: dict[str, Any] = field(default_factory=dict)

    # --- time ---------------------------------------------------------------------------
    @property
    def fps(self) -> float:
        return self.video.fps

    def frame_to_seconds(self, frame: int | float) -> float:
        """Seconds from the start of the video of a frame index."""
        if self.video.fps <= 0:
            raise TimelineError("video.fps must be positive to convert frames to seconds")
        return float(frame) / self.video.fps

    def seconds_to_frame(self, seconds: float) -> int:
        """Nearest frame index of a time in seconds."""
        if self.video.fps <= 0:
            raise TimelineError("video.fps must be positive to convert seconds to frames")
        return int(round(seconds * self.video.fps))

    # --- queries ------------------------------------------------------------------------
    def sorted(self) -> Timeline:
        """A copy with segments in time order."""
        tl = self.copy()
        tl.segments.sort(key=lambda s: (s.start_frame, s.end_frame))
        return tl

    def segment_at(self, frame: int) -> int | None:
        """Index of the segment containing ``frame``, or None."""
        for i, s in enumerate(self.segments):
            if s.start_frame <= frame < s.end_frame:
                return i
        return None

    def copy(self) -> Timeline:
        """A deep copy."""
        return copy.deepcopy(self)

    # --- validation ---------------------------------------------------------------------
    def problems(self) -> list[str]:
        """Every rule the timeline breaks, one sentence each (empty when valid)."""
        out: list[str] = []
        if self.apparatus not in APPARATUS:
            out.append(f"apparatus {self.apparatus!r} is not one of {', '.join(APPARATUS)}")
        if self.video.fps <= 0:
            out.append(f"video.fps must be positive, got {self.video.fps}")
        if self.video.frame_count < 0:
            out.append(f"video.frame_count must not be negative, got {self.video.frame_count}")
        n = self.video.frame_count
        order = sorted(range(len(self.segments)), key=lambda i: self.segments[i].start_frame)
        for i, s in enumerate(self.segments):
            name = f"segment {i} (frames {s.start_frame}-{s.end_frame})"
            if s.start_frame < 0:
                out.append(f"{name} starts before frame 0")
            if s.end_frame <= s.start_frame:
                out.append(f"{name} ends at or before its start")
            if n and s.end_frame > n:
                out.append(f"{name} runs past the end of the video ({n} frames)")
            if not 0.0 <= s.confidence <= 1.0:
                out.append(f"{name} has confidence {s.confidence} outside [0, 1]")
            if s.source not in SOURCES:
                out.append(f"{name} has unknown source {s.source!r}")
        for a, b in zip(order, order[1:], strict=False):
            sa, sb = self.segments[a], self.segments[b]
            if sb.start_frame < sa.end_frame:
                out.append(
                    f"segment {b} (frames {sb.start_frame}-{sb.end_frame}) overlaps "
                    f"segment {a} (frames {sa.start_frame}-{sa.end_frame})"
                )
        return out

    def validate(self) -> None:
        """Raise :class:`TimelineError` listing every broken rule."""
        probs = self.problems()
        if probs:
            raise TimelineError("; ".join(probs))
