"""Public entry points of GymSynth: :func:`generate_routine` and :func:`generate_skeleton_routine`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from gymscore.codebook import default_codebook
from gymscore.skeleton import JOINTS, MEDIAPIPE_TO_GYM
from gymscore.synth.body import BodyParams, sample_body
from gymscore.synth.camera import MODES, CameraTrack, make_camera, project, visibility
from gymscore.synth.priors import load_priors
from gymscore.synth.routine import build_routine_motion
from gymscore.synth.sampler import RoutinePlan, plan_routine
from gymscore.timeline import Segment, Timeline, VideoInfo, save_timeline
from gymscore.util.progress import CancelToken, ProgressFn, check_cancel, report

FPS_CHOICES = (25, 30, 50)
MAX_SIZE = (1280, 720)
APPARATUS_INDEX = {"VT": 0, "FX": 1, "BB": 2, "UB": 3}


@dataclass
class SynthRoutine:
    """A generated routine: ground truth, joints and camera (and the folder/video when written)."""

    timeline: Timeline
    joints3d: np.ndarray  # (T,17,3) metres, world frame
    joints2d: np.ndarray  # (T,17,2) pixels
    visibility: np.ndarray  # (T,17) uint8
    camera: CameraTrack
    body: BodyParams
    frames_path: Path | None = None
    out_dir: Path | None = None
    info: dict[str, Any] = field(default_factory=dict)


def _rng(seed: int, apparatus: str, stream: int) -> np.random.Generator:
    return np.random.default_rng([int(seed), APPARATUS_INDEX[apparatus], stream])


def _check(apparatus: str, size: tuple[int, int], fps: float, camera: str) -> None:
    if apparatus not in APPARATUS_INDEX:
        raise ValueError(f"unknown apparatus {apparatus!r}; expected one of VT, FX, BB, UB")
    if camera not in MODES:
        raise ValueError(f"unknown camera {camera!r}; expected one of {', '.join(MODES)}")
    if fps not in FPS_CHOICES:
        raise ValueError(f"fps must be one of {FPS_CHOICES}, got {fps}")
    w, h = size
    if not (32 <= w <= MAX_SIZE[0] and 32 <= h <= MAX_SIZE[1]) or w % 2 or h % 2:
        raise ValueError(f"size must be even and between 32x32 and {MAX_SIZE[0]}x{MAX_SIZE[1]}, got {w}x{h}")


def generate_skeleton_routine(
    apparatus: str,
    seed: int,
    elements: list[str] | None = None,
    size: tuple[int, int] = (640, 360),
    fps: int = 25,
    camera: str = "broadcast",
    timeline: Timeline | None = None,
) -> SynthRoutine:
    """Ground truth, 3D/2D joints and camera of a routine without rendering (fast, for training)."""
    _check(apparatus, size, fps, camera)
    cb = default_codebook()
    plan: RoutinePlan = plan_routine(
        apparatus, _rng(seed, apparatus, 0), cb, load_priors(), elements, timeline
    )
    body = sample_body(_rng(seed, apparatus, 1))
    motion = build_routine_motion(plan, body, float(fps), _rng(seed, apparatus, 2))
    joints = motion.joints
    cuts = [s.end + 2 for s in motion.segments]
    cam = make_camera(joints, apparatus, camera, size, float(fps), _rng(seed, apparatus, 3), cuts)
    uv, depth = project(joints, cam)
    vis = visibility(uv, depth, size)
    n = len(joints)
    segs = [
        Segment(
            s.start,
            s.end,
            set_id=s.set_id,
            element_id=s.element_id,
            confidence=1.0,
            connected_to_next=s.connected_to_next,
            source="synth",
        )
        for s in motion.segments
    ]
    tl = Timeline(
        video=VideoInfo(path="", sha256=None, fps=float(fps), frame_count=n, width=size[0], height=size[1]),
        apparatus=apparatus,
        edition=cb_edition(cb),
        segments=segs,
        metadata={
            "generator": "gymscore.synth",
            "seed": int(seed),
            "camera": camera,
            "camera_cuts": cam.cuts,
            "body_height_m": round(body.height, 4),
        },
    )
    tl.validate()
    return SynthRoutine(tl, joints, uv.astype(np.float32), vis, cam, body, info=motion.info)


def cb_edition(cb) -> str:
    """The codebook edition name (``wag-2017`` by default)."""
    return str(getattr(cb, "edition", None) or "wag-2017")


def generate_routine(
    apparatus: str,
    seed: int,
    elements: list[str] | None = None,
    size: tuple[int, int] = (640, 360),
    fps: int = 25,
    camera: str = "broadcast",
    skeleton_only: bool = False,
    out_dir: str | os.PathLike | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    timeline: Timeline | None = None,
) -> SynthRoutine:
    """Generate a routine; with ``out_dir`` write video.mp4 (unless ``skeleton_only``), timeline.json
    and joints.npz there (layout in docs/synth.md). Without ``out_dir`` nothing is rendered or written.
    ``progress(done, total, message)`` is called while rendering; ``cancel`` stops it (raising
    :class:`gymscore.util.progress.Cancelled`) and leaves no partial video behind."""
    from gymscore.synth.writer import (
        JOINTS_NAME,
        TIMELINE_NAME,
        VIDEO_NAME,
        file_sha256,
        save_npz_deterministic,
    )

    r = generate_skeleton_routine(apparatus, seed, elements, size, fps, camera, timeline)
    n = len(r.joints3d)
    folder = Path(out_dir) if out_dir is not None else None
    if not skeleton_only and folder is not None:
        from gymscore.synth.render import Renderer, make_look
        from gymscore.synth.scene import make_scene
        from gymscore.synth.writer import VideoSink

        rng = _rng(seed, apparatus, 4)
        renderer = Renderer(make_scene(apparatus, rng), r.camera, r.body, make_look(rng, camera), rng)
        sink = VideoSink(folder / VIDEO_NAME, fps, size)
        ok = False
        try:
            for i in range(n):
                if i % 10 == 0:
                    check_cancel(cancel)
                    report(progress, i, n, f"rendering frame {i}/{n}")
                sink.write(renderer.frame(i, r.joints3d[i]))
            ok = True
        finally:
            r.frames_path = sink.close(keep=ok)
        if r.frames_path is not None:
            r.timeline.video.path = VIDEO_NAME
            r.timeline.video.sha256 = file_sha256(r.frames_path)
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        save_timeline(r.timeline, folder / TIMELINE_NAME)
        save_npz_deterministic(folder / JOINTS_NAME, skeleton_arrays(r))
        r.out_dir = folder
    report(progress, n, n, "done")
    return r


def skeleton_arrays(r: SynthRoutine) -> dict[str, np.ndarray]:
    """The arrays of joints.npz (see docs/synth.md)."""
    mp = np.full((len(JOINTS), 2), -1, dtype=np.int16)
    for j, src in enumerate(MEDIAPIPE_TO_GYM):
        ids = src if isinstance(src, tuple) else (src,)
        mp[j, : len(ids)] = ids
    return {
        "joints3d": r.joints3d.astype(np.float32),
        "joints2d": r.joints2d.astype(np.float32),
        "visibility": r.visibility.astype(np.uint8),
        "camera_K": r.camera.K.astype(np.float32),
        "camera_R": r.camera.R.astype(np.float32),
        "camera_t": r.camera.t.astype(np.float32),
        "fps": np.array(r.timeline.fps, dtype=np.float32),
        "size": np.array(r.camera.size, dtype=np.int32),
        "joint_names": np.array(JOINTS),
        "mediapipe_index": mp,
    }
