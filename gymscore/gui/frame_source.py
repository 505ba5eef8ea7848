"""Frame-accurate random access to a video with OpenCV (no Qt): sequential reads, short forward grabs,
seeks for long jumps, and a small cache of decoded frames for scrubbing back and forth."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import cv2
import numpy as np

FORWARD_GRAB_LIMIT = 40  # frames: closer targets are reached by grabbing instead of seeking


class VideoOpenError(OSError):
    """A video file cannot be opened or decoded."""


class FrameSource:
    """Decoded frames (BGR ``uint8`` arrays) of one video file by frame index."""

    def __init__(self, path: str | Path, cache_size: int = 48) -> None:
        self.path = str(path)
        if not Path(self.path).is_file():
            raise VideoOpenError(f"{self.path}: video file not found")
        self._cap = cv2.VideoCapture(self.path)
        if not self._cap.isOpened():
            raise VideoOpenError(f"{self.path}: cannot open the video (unknown format or damaged file)")
        self.fps = float(self._cap.get(cv2.CAP_PROP_FPS)) or 25.0
        self.frame_count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT))
        self.width = int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        self.height = int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        self._next = 0  # index the next cap.read() returns
        self._cache: OrderedDict[int, np.ndarray] = OrderedDict()
        self._cache_size = cache_size

    def close(self) -> None:
        """Release the decoder."""
        self._cap.release()

    def read(self, index: int) -> np.ndarray | None:
        """The frame at ``index`` (None past the end or on a decoding error)."""
        if index < 0 or (self.frame_count and index >= self.frame_count):
            return None
        hit = self._cache.get(index)
        if hit is not None:
            self._cache.move_to_end(index)
            return hit
        if not self._next <= index <= self._next + FORWARD_GRAB_LIMIT:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, index)
            self._next = index
        while self._next < index:
            if not self._cap.grab():
                return None
            self._next += 1
        ok, frame = self._cap.read()
        if not ok:
            return None
        self._next = index + 1
        self._cache[index] = frame
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return frame
