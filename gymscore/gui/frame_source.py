"""Frame-accurate random access to a video with OpenCV (no Qt): sequential reads, short forward grabs,
seeks for long jumps, and a small cache of decoded frames for scrubbing back and forth."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import cv2
import numpy as np

FORWARD_GRAB_LIMIT = 40  # frames: closer targets are reached by grabbing instead of seeking
BACKWARD_BLOCK = 24  # frames decoded (and cached) before a backward target, so that scrubbing back hits
CACHE_BYTES = 320 * 1024 * 1024  # decoded frames kept for scrubbing


class VideoOpenError(OSError):
    """A video file cannot be opened or decoded."""


class FrameSource:
    """Decoded frames (BGR ``uint8`` arrays) of one video file by frame index."""

    def __init__(self, path: str | Path, cache_size: int | None = None) -> None:
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
        frame_bytes = max(1, self.width * self.height * 3)
        self._cache_size = cache_size or max(BACKWARD_BLOCK + 8, min(400, CACHE_BYTES // frame_bytes))

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
        start = index
        if index < self._next:  # backward: decode a block ending at the target, caching all of it
            start = max(0, index - BACKWARD_BLOCK)
            while start < index and start in self._cache:
                start += 1
        if not self._next <= start <= self._next + FORWARD_GRAB_LIMIT:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, start)
            self._next = start
        while self._next < start:
            if not self._cap.grab():
                return None
            self._next += 1
        frame = None
        while self._next <= index:
            ok, frame = self._cap.read()
            if not ok:
                return None
            self._store(self._next, frame)
            self._next += 1
        return frame

    def _store(self, index: int, frame: np.ndarray) -> None:
        self._cache[index] = frame
        self._cache.move_to_end(index)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
