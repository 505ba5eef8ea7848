"""Small generated videos for tests and benchmarks: each frame carries its index as a bar code.

The code (``CODE_BITS`` black/white blocks along the top edge) survives lossy codecs and GIF
palettes, so tests can check that seeking returned exactly the frame asked for.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import cv2
import numpy as np

CODE_BITS = 10
CODECS = {".mp4": "mp4v", ".mov": "mp4v", ".avi": "MJPG", ".webm": "VP80", ".mkv": "FFV1"}


def coded_frame(index: int, width: int = 160, height: int = 120) -> np.ndarray:
    """A BGR frame whose top strip encodes ``index`` and with a moving disc below."""
    img = np.full((height, width, 3), 90, np.uint8)
    block = width // CODE_BITS
    for b in range(CODE_BITS):
        img[0:block, b * block:(b + 1) * block] = 255 if (index >> b) & 1 else 0
    cx = int(block + (index * 4) % max(width - 2 * block, 1))
    cv2.circle(img, (cx, (height + block) // 2), max(4, height // 10), (40, 60, 220), -1)
    return img


def decode_index(img: np.ndarray) -> int:
    """The index encoded by :func:`coded_frame` (works on rotated-back or downscaled frames)."""
    h, w = img.shape[:2]
    block = w / CODE_BITS
    y = int(block / 2)
    value = 0
    for b in range(CODE_BITS):
        x = int((b + 0.5) * block)
        if img[max(0, min(h - 1, y)), x].mean() > 128:
            value |= 1 << b
    return value


def write_video(path: str | os.PathLike, frames: int = 30, fps: float = 25.0,
                width: int = 160, height: int = 120) -> Path:
    """Write a coded clip with OpenCV; the codec follows the extension (see :data:`CODECS`)."""
    p = Path(path)
    fourcc = CODECS.get(p.suffix.lower())
    if fourcc is None:
        raise ValueError(f"{p}: no OpenCV codec known for {p.suffix!r} (use {', '.join(CODECS)})")
    writer = cv2.VideoWriter(str(p), cv2.VideoWriter_fourcc(*fourcc), fps, (width, height))
    if not writer.isOpened():
        raise OSError(f"{p}: OpenCV cannot write {fourcc} video here")
    for i in range(frames):
        writer.write(coded_frame(i, width, height))
    writer.release()
    return p


def write_gif(path: str | os.PathLike, frames: int = 20, durations_ms: list[int] | int = 100,
              width: int = 160, height: int = 120) -> Path:
    """Write a coded GIF with Pillow (per-frame durations make a variable frame rate)."""
    from PIL import Image

    images = [Image.fromarray(cv2.cvtColor(coded_frame(i, width, height), cv2.COLOR_BGR2RGB))
              for i in range(frames)]
    images[0].save(path, save_all=True, append_images=images[1:], duration=durations_ms, loop=0)
    return Path(path)


def set_mp4_rotation(path: str | os.PathLike, degrees: int) -> None:
    """Rewrite the display matrix of an mp4/mov track header so players rotate it by ``degrees``."""
    p = Path(path)
    data = bytearray(p.read_bytes())
    i = data.find(b"tkhd")
    if i < 0:
        raise ValueError(f"{p}: no track header (tkhd) found")
    version = data[i + 4]
    offset = i + 4 + 4 + (32 if version == 1 else 20) + 8 + 8
    one = 1 << 16
    matrices = {
        0: (one, 0, 0, 0, one, 0),
        90: (0, one, 0, -one, 0, 0),
        180: (-one, 0, 0, 0, -one, 0),
        270: (0, -one, 0, one, 0, 0),
    }
    a, b, u, c, d, v = matrices[degrees % 360]
    data[offset:offset + 36] = struct.pack(">9i", a, b, u, c, d, v, 0, 0, 1 << 30)
    p.write_bytes(bytes(data))
