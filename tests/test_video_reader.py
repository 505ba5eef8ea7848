"""Video reader: every container, seeking, stride/downscale, rotation, VFR, and the error cases."""

from __future__ import annotations

import os
import wave

import cv2
import numpy as np
import pytest

from gymscore.video import TruncatedVideoWarning, VideoError, VideoReader, file_sha256, probe
from gymscore.video.testclips import decode_index, set_mp4_rotation, write_gif, write_video

CONTAINERS = [".mp4", ".mov", ".avi", ".webm", ".mkv"]


@pytest.mark.parametrize("ext", CONTAINERS)
def test_every_container_reads_all_frames_and_seeks_exactly(tmp_path, ext):
    path = write_video(tmp_path / f"clip{ext}", frames=30, fps=25)
    with VideoReader(path) as r:
        assert (r.meta.fps, r.meta.frame_count, r.meta.width, r.meta.height) == (25.0, 30, 160, 120)
        assert r.meta.duration == pytest.approx(1.2)
        frames = list(r.frames())
        assert [decode_index(f.image) for f in frames] == list(range(30))
        assert [f.index for f in frames] == list(range(30))
        assert frames[10].time == pytest.approx(0.4, abs=1e-3)
        for j in (23, 2, 29, 11, 12, 0, 5):
            assert decode_index(r.read(j)) == j


@pytest.mark.parametrize("ext", [".mp4", ".webm"])
def test_stride_and_downscale(tmp_path, ext):
    path = write_video(tmp_path / f"clip{ext}", frames=30)
    with VideoReader(path) as r:
        frames = r.frames(3, 20, stride=4, max_side=80)
        got = [(f.index, decode_index(f.image), f.image.shape) for f in frames]
    assert got == [(i, i, (60, 80, 3)) for i in (3, 7, 11, 15, 19)]


def test_gif_with_variable_frame_rate_uses_timestamps(tmp_path):
    path = write_gif(tmp_path / "vfr.gif", frames=6, durations_ms=[40, 40, 120, 40, 200, 40])
    with VideoReader(path) as r:
        assert r.meta.variable_fps is True
        assert r.meta.frame_count == 6
        assert r.timestamps().tolist() == pytest.approx([0.0, 0.04, 0.08, 0.2, 0.24, 0.44])
        assert [round(f.time, 3) for f in r.frames()] == [0.0, 0.04, 0.08, 0.2, 0.24, 0.44]
        assert r.meta.fps == pytest.approx(5 / 0.44)
        assert decode_index(r.read(4)) == 4


def test_rotation_metadata_is_honoured(tmp_path):
    path = write_video(tmp_path / "rot.mp4", frames=10)
    set_mp4_rotation(path, 90)
    with VideoReader(path) as r:
        assert (r.meta.rotation, r.meta.width, r.meta.height) == (90, 120, 160)
        img = r.read(7)
    assert img.shape == (160, 120, 3)
    assert decode_index(cv2.rotate(img, cv2.ROTATE_90_COUNTERCLOCKWISE)) == 7


def test_missing_empty_random_audio_folder(tmp_path):
    missing = tmp_path / "nope.mp4"
    with pytest.raises(VideoError, match=f"^{missing}: file not found$"):
        VideoReader(missing)
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(VideoError, match=r"^.*empty\.mp4: the file is empty \(0 bytes\)$"):
        VideoReader(empty)
    noise = tmp_path / "noise.mp4"
    noise.write_bytes(np.random.default_rng(0).integers(0, 256, 20000, dtype=np.uint8).tobytes())
    with pytest.raises(VideoError, match=r"noise\.mp4: not a video file OpenCV/FFmpeg can read"):
        VideoReader(noise)
    audio = tmp_path / "sound.wav"
    with wave.open(str(audio), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * 8000)
    audio_msg = r"sound\.wav: has no video stream \(it looks like an audio-only file\)$"
    with pytest.raises(VideoError, match=audio_msg):
        VideoReader(audio)
    with pytest.raises(VideoError, match="is a folder, not a video file"):
        VideoReader(tmp_path)


def test_truncated_mp4_names_the_missing_index(tmp_path):
    path = write_video(tmp_path / "cut.mp4", frames=30)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(VideoError, match=r"cut\.mp4: the MP4/MOV index \(moov box\) is missing"):
        probe(path)


@pytest.mark.parametrize("ext", [".avi", ".mkv"])
def test_truncated_stream_is_read_up_to_the_break_with_a_warning(tmp_path, ext):
    path = write_video(tmp_path / f"cut{ext}", frames=40)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 6 // 10])
    with pytest.warns(TruncatedVideoWarning, match=r"the video breaks after frame \d+ of \d+"):
        with VideoReader(path) as r:
            frames = list(r.frames())
    assert 10 < len(frames) < 40
    assert r.meta.truncated and r.meta.frame_count == len(frames)
    assert [decode_index(f.image) for f in frames] == list(range(len(frames)))


def test_frame_out_of_range_and_bad_stride(tmp_path):
    path = write_video(tmp_path / "c.mp4", frames=5)
    with VideoReader(path) as r:
        with pytest.raises(VideoError, match=r"frame 5 is outside 0\.\.4"):
            r.read(5)
        with pytest.raises(ValueError, match="stride must be >= 1, got 0"):
            list(r.frames(stride=0))


def test_sha256_is_chunked_content_hash(tmp_path):
    p = tmp_path / "x.bin"
    p.write_bytes(os.urandom(3000))
    import hashlib

    assert file_sha256(p, chunk_size=1000) == hashlib.sha256(p.read_bytes()).hexdigest()


def test_real_clip_gif(realclips_dir):
    meta = probe(realclips_dir / "fx_01.gif")
    assert (meta.width, meta.height, meta.fps, meta.frame_count) == (320, 240, 10.0, 17)
