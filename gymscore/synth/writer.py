"""Writing a synthetic routine folder: video (mp4, mp4v), timeline.json and joints.npz.

``joints.npz`` is written with fixed zip timestamps so that the same seed gives identical bytes.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path

import cv2
import numpy as np

from gymscore.util.atomic import atomic_write_with

VIDEO_NAME = "video.mp4"
TIMELINE_NAME = "timeline.json"
JOINTS_NAME = "joints.npz"


def save_npz_deterministic(path: str | os.PathLike, arrays: dict[str, np.ndarray]) -> Path:
    """Like ``np.savez_compressed`` but byte-identical for identical arrays (atomic write)."""

    def write(fh) -> None:
        with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name in sorted(arrays):
                info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                buf = io.BytesIO()
                np.lib.format.write_array(buf, np.asarray(arrays[name]), allow_pickle=False)
                zf.writestr(info, buf.getvalue())

    return atomic_write_with(path, write)


class VideoSink:
    """An mp4 (mp4v) writer that writes to a temporary name and renames on close."""

    def __init__(self, path: str | os.PathLike, fps: float, size: tuple[int, int]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = self.path.with_name(f".{self.path.stem}.partial.mp4")
        self.writer = cv2.VideoWriter(str(self.tmp), cv2.VideoWriter_fourcc(*"mp4v"), float(fps), size)
        if not self.writer.isOpened():
            raise OSError(
                f"cannot open a video writer for {self.path} (mp4v, {size[0]}x{size[1]} at {fps} fps)"
            )
        self.count = 0

    def write(self, frame: np.ndarray) -> None:
        self.writer.write(frame)
        self.count += 1

    def close(self, keep: bool = True) -> Path | None:
        """Finish the file; ``keep=False`` (cancel, error) deletes it."""
        self.writer.release()
        if keep:
            os.replace(self.tmp, self.path)
            return self.path
        try:
            self.tmp.unlink()
        except OSError:
            pass
        return None


def file_sha256(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
