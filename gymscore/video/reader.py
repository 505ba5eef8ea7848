"""Video decoding with OpenCV (its bundled FFmpeg): metadata, frame iteration, frame-accurate seeking.

Containers: mp4, mov, mkv, avi, webm and GIF (anything FFmpeg reads). Rotation metadata is honoured
(OpenCV's automatic rotation; the reported size is the displayed size). Variable frame rate is handled
through per-frame timestamps (``CAP_PROP_POS_MSEC``): :meth:`VideoReader.frames` yields each frame's
time, and :attr:`VideoMeta.variable_fps` says whether they deviate from ``index / fps``.

Errors (missing, empty, unreadable, audio-only, truncated index) raise :class:`VideoError` naming the
file and the problem. A file that breaks in the middle is read up to the break, with a warning.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np

# Containers whose frame count or seeking FFmpeg may only estimate (no per-frame index).
INEXACT_CONTAINERS = {".webm", ".mkv", ".gif", ".ts", ".m2ts", ".mpg", ".mpeg"}
AUDIO_MAGIC = (
    (b"RIFF", 8, b"WAVE"), (b"ID3", None, None), (b"fLaC", None, None), (b"\xff\xfb", None, None),
)


class VideoError(ValueError):
    """A video cannot be read; the message names the file and the problem."""


class TruncatedVideoWarning(UserWarning):
    """The video ended before its header said it would: it was read up to the break."""


@dataclass(frozen=True)
class VideoMeta:
    """What a video is: size as displayed (after rotation), timing and codec."""

    path: str
    fps: float
    frame_count: int
    width: int
    height: int
    rotation: int = 0
    codec: str = ""
    variable_fps: bool = False
    truncated: bool = False

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.frame_count / self.fps if self.fps > 0 else 0.0

    def to_dict(self) -> dict:
        return {**asdict(self), "duration": self.duration}


@dataclass
class Frame:
    """One decoded frame: its index, its presentation time in seconds and the BGR image."""

    index: int
    time: float
    image: np.ndarray


def file_sha256(path: str | os.PathLike, chunk_size: int = 1 << 20) -> str:
    """The sha256 of a file's content, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while True:
            block = fh.read(chunk_size)
            if not block:
                break
            h.update(block)
    return h.hexdigest()


def _fourcc_text(value: float) -> str:
    code = int(value)
    if code <= 0:
        return ""
    chars = [chr((code >> (8 * i)) & 0xFF) for i in range(4)]
    text = "".join(chars)
    return text if text.isprintable() and code else ""


def _why_unopenable(path: Path) -> str:
    """A human reason why FFmpeg could not open a file, from its first bytes."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    for magic, off, tag in AUDIO_MAGIC:
        if head.startswith(magic) and (off is None or head[off:off + len(tag)] == tag):
            return "has no video stream (it looks like an audio-only file)"
    if head[4:8] == b"ftyp":
        if b"M4A " in head[8:32]:
            return "has no video stream (it looks like an audio-only file)"
        with open(path, "rb") as fh:
            whole_has_moov = b"moov" in fh.read()
        if not whole_has_moov:
            return "the MP4/MOV index (moov box) is missing: the file is truncated or still being written"
        return "an MP4/MOV file that FFmpeg cannot open (damaged?)"
    return "not a video file OpenCV/FFmpeg can read (unknown format or damaged)"


class VideoReader:
    """A video file opened for reading. Use as a context manager or call :meth:`close`.

    ``count_frames`` decodes the whole file once when the container's frame count may be inexact
    (webm, mkv, GIF, MPEG-TS), so :attr:`meta` is exact; pass ``False`` to trust the header.
    """

    def __init__(self, path: str | os.PathLike, count_frames: bool = True) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise VideoError(f"{self.path}: file not found")
        if self.path.is_dir():
            raise VideoError(f"{self.path}: is a folder, not a video file")
        if self.path.stat().st_size == 0:
            raise VideoError(f"{self.path}: the file is empty (0 bytes)")
        self._cap = self._open()
        cap = self._cap
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        header_count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        ok, first = cap.read()
        if not ok or first is None:
            cap.release()
            raise VideoError(f"{self.path}: no frame could be decoded (no video stream, or damaged)")
        h, w = first.shape[:2]
        self._pos = 1  # index of the next frame cap.read() returns
        rotation = int(cap.get(cv2.CAP_PROP_ORIENTATION_META) or 0) % 360
        self._exact = self.path.suffix.lower() not in INEXACT_CONTAINERS
        count, variable, truncated = header_count, False, False
        if count_frames and (not self._exact or header_count <= 0):
            times = self._scan_times()
            count = len(times)
            truncated = header_count > count + max(2, header_count // 20)
            variable = _is_variable(times, fps)
            if count > 1 and (fps <= 0 or variable):
                fps = float((count - 1) / (times[-1] - times[0])) if times[-1] > times[0] else fps
            self._times: np.ndarray | None = times
        else:
            self._times = None
        if fps <= 0:
            fps = 25.0
            warnings.warn(f"{self.path}: no frame rate in the file; assuming 25 fps", stacklevel=2)
        if count <= 0:
            count = 1
        self.meta = VideoMeta(
            path=str(self.path), fps=fps, frame_count=count, width=w, height=h, rotation=rotation,
            codec=_fourcc_text(cap.get(cv2.CAP_PROP_FOURCC)), variable_fps=variable, truncated=truncated,
        )
        if truncated:
            warnings.warn(
                f"{self.path}: the video breaks after frame {count} of {header_count} (truncated or "
                f"damaged); analysing the first {count} frames",
                TruncatedVideoWarning,
                stacklevel=2,
            )

    # --- opening --------------------------------------------------------------------------
    def _open(self) -> cv2.VideoCapture:
        cap = cv2.VideoCapture(str(self.path), cv2.CAP_FFMPEG)
        if not cap.isOpened():
            cap.release()
            raise VideoError(f"{self.path}: {_why_unopenable(self.path)}")
        cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
        return cap

    def _rewind(self) -> None:
        self._cap.release()
        self._cap = self._open()
        self._pos = 0

    def _scan_times(self) -> np.ndarray:
        """Decode every frame once (grab only) and return the timestamps in seconds."""
        self._rewind()
        times = []
        while self._cap.grab():
            times.append(self._cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0)
        self._rewind()
        return np.asarray(times, dtype=np.float64)

    def close(self) -> None:
        """Release the decoder."""
        self._cap.release()

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reading --------------------------------------------------------------------------
    def _read_next(self) -> tuple[np.ndarray | None, float]:
        ok, img = self._cap.read()
        if not ok:
            return None, 0.0
        t = self._cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
        self._pos += 1
        return img, t

    def _seek(self, index: int) -> None:
        """Position the decoder so that the next read returns frame ``index``."""
        if index == self._pos:
            return
        if self._exact and index > 0:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, index)
            if int(self._cap.get(cv2.CAP_PROP_POS_FRAMES)) == index:
                self._pos = index
                return
        # Inexact container or the seek missed: decode from the start (or from here, if ahead).
        if index < self._pos or self._pos < 0:
            self._rewind()
        while self._pos < index:
            if not self._cap.grab():
                raise VideoError(f"{self.path}: cannot reach frame {index}: the video ends at {self._pos}")
            self._pos += 1

    def read(self, index: int) -> np.ndarray:
        """The frame at ``index`` (BGR, as displayed), frame-accurately."""
        if not 0 <= index < self.meta.frame_count:
            raise VideoError(f"{self.path}: frame {index} is outside 0..{self.meta.frame_count - 1}")
        self._seek(index)
        img, _ = self._read_next()
        if img is None:
            raise VideoError(f"{self.path}: frame {index} could not be decoded")
        return img

    def frames(
        self,
        start: int = 0,
        stop: int | None = None,
        stride: int = 1,
        max_side: int | None = None,
        scale: float | None = None,
    ) -> Iterator[Frame]:
        """Yield frames ``start, start+stride, ... < stop``, optionally downscaled.

        ``max_side`` caps the longer side in pixels; ``scale`` multiplies both sides. Frames between
        the yielded ones are grabbed without conversion. A file that breaks before its announced end
        stops the iteration with a :class:`TruncatedVideoWarning`.
        """
        if stride < 1:
            raise ValueError(f"stride must be >= 1, got {stride}")
        stop = self.meta.frame_count if stop is None else min(stop, self.meta.frame_count)
        factor = _scale_factor(self.meta.width, self.meta.height, max_side, scale)
        if start >= stop:
            return
        self._seek(start)
        index = start
        while index < stop:
            if (index - start) % stride == 0:
                img, t = self._read_next()
                if img is None:
                    self._warn_truncated(index)
                    return
                if self._times is not None and index < len(self._times):
                    t = float(self._times[index])
                if factor != 1.0:
                    img = cv2.resize(img, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
                yield Frame(index, t, img)
            else:
                if not self._cap.grab():
                    self._warn_truncated(index)
                    return
                self._pos += 1
            index += 1

    def _warn_truncated(self, index: int) -> None:
        expected = self.meta.frame_count
        self.meta = VideoMeta(**{**asdict(self.meta), "frame_count": max(index, 1), "truncated": True})
        warnings.warn(
            f"{self.path}: the video breaks after frame {index} of {expected} (truncated or damaged); "
            f"analysing the first {index} frames",
            TruncatedVideoWarning,
            stacklevel=3,
        )

    def timestamps(self) -> np.ndarray:
        """Presentation time of every frame in seconds (decodes the file once if not yet known)."""
        if self._times is None:
            self._times = self._scan_times()
            if len(self._times) < self.meta.frame_count:
                self._warn_truncated(len(self._times))
        return self._times


def _is_variable(times: np.ndarray, fps: float) -> bool:
    if len(times) < 3 or fps <= 0:
        return False
    d = np.diff(times)
    return bool(np.max(np.abs(d - np.median(d))) > 0.5 / fps)


def _scale_factor(width: int, height: int, max_side: int | None, scale: float | None) -> float:
    f = 1.0
    if scale is not None:
        f = float(scale)
    if max_side is not None and max(width, height) * f > max_side:
        f = max_side / max(width, height)
    return f


def open_video(path: str | os.PathLike, count_frames: bool = True) -> VideoReader:
    """Open a video (see :class:`VideoReader`)."""
    return VideoReader(path, count_frames=count_frames)


def probe(path: str | os.PathLike) -> VideoMeta:
    """Metadata of a video, checking that it decodes."""
    with VideoReader(path) as r:
        return r.meta
