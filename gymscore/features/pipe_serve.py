"""A worker process' network calls run by its parent: a pipe for the messages, shared memory for
the arrays (:mod:`gymscore.features.served`).

Pickling the arrays through the pipe cost 2.6-2.9 ms a round trip on the dev machine and 1.1 ms of
the parent's CPU a call (a landmark call returns a 640 KB heatmap); with the arrays in a shared block
the messages are a few dozen bytes: 0.28-0.38 ms a round trip, 0.13 ms of the parent's CPU (a
landmark-sized call answered at once, 3 x 500 calls, the machine busy with other work).

Each worker has its own block, written by one side at a time:
the worker writes its input and waits; the parent reads it, runs the call, writes the outputs after
it and answers. An array that does not fit travels in the message instead.
"""

from __future__ import annotations

from collections.abc import Callable
from multiprocessing import shared_memory
from typing import Any

import numpy as np

INPUT_BYTES = 256 * 256 * 3  # the largest input: a landmark crop (uint8)
BLOCK_BYTES = 1 << 20  # input + outputs (a landmark call's: 640 KB)
ALIGN = 64


class PoseServerError(RuntimeError):
    """The parent process could not run a network call (its message says why)."""


class Channel:
    """One worker's shared block (see the module doc); the parent creates it, the worker attaches."""

    def __init__(self, shm: shared_memory.SharedMemory, owner: bool) -> None:
        self.shm, self.owner = shm, owner

    @classmethod
    def create(cls) -> Channel:
        return cls(shared_memory.SharedMemory(create=True, size=BLOCK_BYTES), owner=True)

    @classmethod
    def attach(cls, name: str) -> Channel:
        """The block ``name`` in a worker; the parent alone removes it. (Before Python 3.13 attaching
        registers it with the resource tracker the workers share with the parent, as a set: the
        parent's removal then unregisters it once, as it should.)"""
        try:
            shm = shared_memory.SharedMemory(name=name, track=False)  # type: ignore[call-arg]
        except TypeError:  # Python < 3.13
            shm = shared_memory.SharedMemory(name=name)
        return cls(shm, owner=False)

    @property
    def name(self) -> str:
        return self.shm.name

    def close(self) -> None:
        self.shm.close()
        if self.owner:
            try:
                self.shm.unlink()
            except FileNotFoundError:
                pass

    def _view(self, shape: tuple[int, ...], dtype: str, offset: int) -> np.ndarray:
        return np.ndarray(shape, np.dtype(dtype), buffer=self.shm.buf, offset=offset)

    def call(self, conn: Any, kind: str, array: np.ndarray) -> list[np.ndarray]:
        """Worker side: the outputs of network ``kind`` for ``array``, run by the parent."""
        a = np.asarray(array, order="C")
        if a.nbytes <= INPUT_BYTES:
            self._view(a.shape, a.dtype.str, 0)[...] = a
            conn.send((kind, a.shape, a.dtype.str, None))
        else:
            conn.send((kind, a.shape, a.dtype.str, a))
        status, payload = conn.recv()
        if status != "ok":
            raise PoseServerError(payload)
        return [data if off is None else self._view(shape, dtype, off).copy()
                for shape, dtype, off, data in payload]

    def serve(self, conn: Any, run: Callable[[str, np.ndarray], list[np.ndarray]]) -> None:
        """Parent side: answer the worker's calls with ``run`` until it hangs up."""
        while True:
            try:
                kind, shape, dtype, data = conn.recv()
            except (EOFError, OSError):
                return
            try:
                outs = run(kind, self._view(shape, dtype, 0) if data is None else data)
                reply: tuple[str, Any] = ("ok", self._write(outs))
            except Exception as exc:  # noqa: BLE001 - the worker raises it, the parent reports it
                reply = ("error", f"{type(exc).__name__}: {exc}")
            try:
                conn.send(reply)
            except (EOFError, OSError):
                return

    def _write(self, outs: list[np.ndarray]) -> list[tuple]:
        meta, offset = [], INPUT_BYTES
        for out in outs:
            o = np.asarray(out, order="C")  # (0-d stays 0-d: the presence)
            offset = -(-offset // ALIGN) * ALIGN
            if offset + o.nbytes <= BLOCK_BYTES:
                self._view(o.shape, o.dtype.str, offset)[...] = o
                meta.append((o.shape, o.dtype.str, offset, None))
                offset += o.nbytes
            else:
                meta.append((o.shape, o.dtype.str, None, o))
        return meta
