"""Video decoding: :class:`VideoReader` (OpenCV/FFmpeg), metadata, content hashing."""

from gymscore.video.reader import (
    Frame,
    TruncatedVideoWarning,
    VideoError,
    VideoMeta,
    VideoReader,
    file_sha256,
    open_video,
    probe,
)

__all__ = [
    "Frame",
    "TruncatedVideoWarning",
    "VideoError",
    "VideoMeta",
    "VideoReader",
    "file_sha256",
    "open_video",
    "probe",
]
