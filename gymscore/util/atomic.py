"""Atomic file writes: write a temporary file in the same folder, fsync, then rename over the target."""

from __future__ import annotations

import errno
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO


class SaveError(OSError):
    """A file could not be written; the previous version (if any) is untouched."""

    def __str__(self) -> str:
        return str(self.strerror)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path."""
    return atomic_write_with(path, lambda fh: fh.write(data))


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically."""
    return atomic_write_bytes(path, text.encode(encoding))


def atomic_write_json(path: str | os.PathLike, obj: Any, indent: int = 2) -> Path:
    """Serialise ``obj`` as JSON and write it atomically."""
    text = json.dumps(obj, indent=indent, ensure_ascii=False, sort_keys=False) + "\n"
    return atomic_write_text(path, text)


def atomic_write_with(path: str | os.PathLike, writer: Callable[[BinaryIO], Any]) -> Path:
    """Call ``writer(fh)`` on a temporary file beside ``path``, then rename it onto ``path``.

    On any failure (a full disk included) the temporary file is removed, the old file is kept and a
    :class:`SaveError` naming the file and the problem is raised.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise SaveError(exc.errno, f"cannot write {target}: {exc.strerror or exc}") from exc
    try:
        # mkstemp creates the file 0600: give it the mode of the file it replaces, or the usual one.
        try:
            mode = target.stat().st_mode & 0o777
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp_name, mode)
        with os.fdopen(fd, "wb") as fh:
            writer(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, target)
    except BaseException as exc:
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        if isinstance(exc, OSError):
            reason = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
            message = f"cannot write {target}: {reason}; the previous file is unchanged"
            raise SaveError(exc.errno, message) from exc
        raise
    return target
