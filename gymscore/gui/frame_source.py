"""Frame-accurate random access to a video with OpenCV (no Qt): sequential reads, short forward grabs,
seeks for long jumps, a cache of decoded frames for scrubbing back and forth, and an optional
background decoder that keeps the frames just after the last one asked for ready (playback, forward
scrubbing) on another core."""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

import cv2
import numpy as np

FORWARD_GRAB_LIMIT = 40  # frames: closer targets are reached by grabbing instead of seeking
BACKWARD_BLOCK = 24  # frames decoded (and cached) before a backward target, so that scrubbing back hits
PREFETCH_AHEAD = 16  # frames the background decoder keeps ready after the last one asked for
CACHE_BYTES = 320 * 1024 * 1024  # decoded frames kept for scrubbing


class VideoOpenError(OSError):
    """A video file cannot be opened or decoded."""


class _Decoder:
    """One OpenCV capture that moves forward cheaply and seeks when it must."""

    def __init__(self, path: str) -> None:
        self.cap = cv2.VideoCapture(path)
        self.next = 0  # index the next cap.read() returns

    def decode(self, start: int, stop: int, store) -> np.ndarray | None:
        """Decode frames ``start`` .. ``stop`` (inclusive), passing each to ``store(index, frame)``."""
        if not self.next <= start <= self.next + FORWARD_GRAB_LIMIT:
            self.cap.set(cv2.CAP_PROP_POS_FRAMES, start)
            self.next = start
        while self.next < start:
            if not self.cap.grab():
                return None
            self.next += 1
        frame = None
        while self.next <= stop:
            ok, frame = self.cap.read()
            if not ok:
                return None
            store(self.next, frame)
            self.next += 1
        return frame


class FrameSource:
    """Decoded frames (BGR ``uint8`` arrays) of one video file by frame index (thread-safe cache)."""

    def __init__(self, path: str | Path, cache_size: int | None = None, prefetch: bool = True) -> None:
        self.path = str(path)
        if not Path(self.path).is_file():
            raise VideoOpenError(f"{self.path}: video file not found")
        self._main = _Decoder(self.path)
        cap = self._main.cap
        if not cap.isOpened():
            raise VideoOpenError(f"{self.path}: cannot open the video (unknown format or damaged file)")
        self.fps = float(cap.get(cv2.CAP_PROP_FPS)) or 25.0
        self.frame_count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        self.width = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        self.height = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        self._cache: OrderedDict[int, np.ndarray] = OrderedDict()
        frame_bytes = max(1, self.width * self.height * 3)
        self._cache_size = cache_size or max(
            BACKWARD_BLOCK + PREFETCH_AHEAD + 8, min(400, CACHE_BYTES // frame_bytes)
        )
        self._lock = threading.Lock()
        self._wanted = -1
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if prefetch and self.frame_count > 0:
            self._thread = threading.Thread(target=self._prefetch_loop, name="gymscore-prefetch", daemon=True)
            self._thread.start()

    def close(self) -> None:
        """Stop the background decoder and release the decoders."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
        self._main.cap.release()

    def _store(self, index: int, frame: np.ndarray) -> None:
        with self._lock:
            self._cache[index] = frame
            self._cache.move_to_end(index)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    def read(self, index: int) -> np.ndarray | None:
        """The frame at ``index`` (None past the end or on a decoding error)."""
        if index < 0 or (self.frame_count and index >= self.frame_count):
            return None
        with self._lock:
            self._wanted = index
            hit = self._cache.get(index)
            if hit is not None:
                self._cache.move_to_end(index)
        self._wake.set()
        if hit is not None:
            return hit
        start = index
        if index < self._main.next:  # backward: decode a block ending at the target, caching all of it
            start = max(0, index - BACKWARD_BLOCK)
        return self._main.decode(start, index, self._store)

    def _prefetch_loop(self) -> None:
        dec = _Decoder(self.path)
        try:
            while not self._stop.is_set():
                self._wake.wait(0.25)
                self._wake.clear()
                while not self._stop.is_set():
                    with self._lock:
                        base = self._wanted
                        end = min(base + PREFETCH_AHEAD, self.frame_count - 1)
                        missing = next((i for i in range(base + 1, end + 1) if i not in self._cache), None)
                    if base < 0 or missing is None:
                        break
                    if dec.decode(missing, missing, self._store) is None:
                        break
        finally:
            dec.cap.release()
