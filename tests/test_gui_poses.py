"""Which skeleton the app draws over a video (gymscore.gui.services._load_poses)."""

from __future__ import annotations

import numpy as np

from gymscore.features import cache
from gymscore.gui.services import _load_poses
from gymscore.timeline import Timeline, VideoInfo

SHA = "ab" * 32


def _track(value: float, frames: int = 6) -> dict[str, np.ndarray]:
    return {"joints2d": np.full((frames, 17, 2), value, np.float32),
            "visibility": np.ones((frames, 17), np.float32), "source": np.ones(frames, np.int8)}


def _timeline(tmp_path, analysis: dict | None = None) -> Timeline:
    tl = Timeline(video=VideoInfo(path=str(tmp_path / "video.mp4"), sha256=SHA, frame_count=6))
    if analysis is not None:
        tl.metadata["analysis"] = analysis
    return tl


def test_an_analysed_timeline_shows_the_poses_the_analysis_read_not_the_file_beside_the_video(tmp_path):
    np.savez(tmp_path / "joints.npz", **_track(1.0))  # GymSynth's true joints beside the video
    cache.save_arrays(SHA, "track-0123456789ab", _track(2.0))
    analysed = _load_poses(_timeline(tmp_path, {"pose_track": "track-0123456789ab"}))
    assert analysed.shape == (6, 17, 3) and analysed[0, 0, 0] == 2.0
    assert _load_poses(_timeline(tmp_path))[0, 0, 0] == 1.0  # no analysis: the file beside the video
    # a track that is gone, or a name that is not a cache key, falls back to the file beside the video
    assert _load_poses(_timeline(tmp_path, {"pose_track": "track-gone"}))[0, 0, 0] == 1.0
    assert _load_poses(_timeline(tmp_path, {"pose_track": "../../joints"}))[0, 0, 0] == 1.0


def test_the_cache_fallback_skips_entries_that_hold_no_whole_track(tmp_path):
    import os
    import time

    cache.save_arrays(SHA, "49ae695606cf", _track(3.0))  # a first pass
    time.sleep(0.01)
    full_rate = {"done": np.ones(6, bool), "found": np.ones(6, bool),
                 "joints": np.zeros((6, 17, 2), np.float32), "visibility": np.ones((6, 17), np.float32)}
    dense = cache.save_arrays(SHA, "49ae695606cf-dense2", full_rate)
    os.utime(dense, (time.time() + 5, time.time() + 5))  # the newest entry
    poses = _load_poses(_timeline(tmp_path))
    assert poses is not None and poses[0, 0, 0] == 3.0
    assert _load_poses(Timeline(video=VideoInfo(path="", sha256="cd" * 32))) is None
