"""Frames of video segments, for classifiers that read pixels (TSM/TSN)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from gymscore.video.reader import VideoReader


def segment_frames(video: str | Path, spans: list[tuple[int, int]], per_clip: int,
                   max_side: int = 320) -> list[np.ndarray]:
    """For an RGB classifier: ``per_clip`` evenly spaced frames (t, H, W, 3) RGB of each segment."""
    out = []
    with VideoReader(video, count_frames=False) as reader:
        for a, b in spans:
            frames = []
            for i in np.linspace(a, b - 1, max(per_clip, 1)).round().astype(int):
                img = reader.read(int(min(i, reader.meta.frame_count - 1)))
                scale = max_side / max(img.shape[:2])
                if scale < 1:
                    img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
                frames.append(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
            out.append(np.stack(frames))
    return out
