"""The Timeline data model, its JSON format, importers and exporters."""

from gymscore.timeline.io import TimelineFormatError, from_dict, load_timeline, save_timeline, to_dict
from gymscore.timeline.lost import describe_lost, lost_stretches
from gymscore.timeline.model import (
    APPARATUS,
    SCHEMA_VERSION,
    Alternative,
    Segment,
    Timeline,
    TimelineError,
    VideoInfo,
)

__all__ = [
    "APPARATUS",
    "SCHEMA_VERSION",
    "Alternative",
    "Segment",
    "Timeline",
    "TimelineError",
    "TimelineFormatError",
    "VideoInfo",
    "describe_lost",
    "from_dict",
    "load_timeline",
    "lost_stretches",
    "save_timeline",
    "to_dict",
]
