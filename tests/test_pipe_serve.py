"""A worker's network calls over a pipe and a shared block (gymscore.features.pipe_serve)."""

from __future__ import annotations

import multiprocessing
import threading

import numpy as np
import pytest

from gymscore.features.pipe_serve import BLOCK_BYTES, Channel, PoseServerError


@pytest.fixture
def channel_pair():
    parent_conn, worker_conn = multiprocessing.Pipe()
    owner = Channel.create()
    worker = Channel.attach(owner.name)
    calls: list[tuple[str, tuple]] = []

    def run(kind, array):
        calls.append((kind, array.shape))
        if kind == "fail":
            raise ValueError("no such network")
        big = np.full(BLOCK_BYTES // 4, 7.0, np.float32)  # does not fit: travels in the message
        return [np.float32(array.sum()).reshape(()), array.astype(np.float32) * 2, big]

    th = threading.Thread(target=owner.serve, args=(parent_conn, run), daemon=True)
    th.start()
    yield worker, worker_conn, calls
    worker_conn.close()
    th.join(timeout=5)
    assert not th.is_alive()  # the server ends when the worker hangs up
    worker.close()
    owner.close()


def test_arrays_go_through_the_block_and_come_back_with_their_shapes(channel_pair):
    worker, conn, calls = channel_pair
    image = np.arange(256 * 256 * 3, dtype=np.uint8).reshape(256, 256, 3)
    total, doubled, big = worker.call(conn, "lm", image)
    assert calls == [("lm", (256, 256, 3))]
    assert total.shape == () and total == np.float32(image.sum())
    np.testing.assert_array_equal(doubled, image.astype(np.float32) * 2)
    assert big.shape == (BLOCK_BYTES // 4,) and big[0] == 7.0
    again = worker.call(conn, "det", np.ones((224, 224, 3), np.uint8))[0]
    assert again == 224 * 224 * 3  # the block reused: the first result was copied out


def test_an_error_in_the_parent_is_raised_in_the_worker_with_its_message(channel_pair):
    worker, conn, _ = channel_pair
    with pytest.raises(PoseServerError, match="ValueError: no such network"):
        worker.call(conn, "fail", np.zeros((4, 4, 3), np.uint8))
    assert worker.call(conn, "lm", np.ones((2, 2, 3), np.uint8))[0] == 12  # and it goes on serving
