"""A small generated routine for tests, screenshots and benchmarks (no Qt): a video of a stick figure,
its pose track, and a floor timeline with model-style confidences and alternatives."""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

from gymscore.skeleton import BONES
from gymscore.timeline import Alternative, Segment, Timeline, VideoInfo, save_timeline

# (element id, set id, model confidence, alternatives) of a plausible floor routine, in order.
FX_ROUTINE: tuple[tuple[str, int, float, tuple[str, ...]], ...] = (
    ("FX-181", 25, 0.91, ("FX-180", "FX-199")),  # double salto backward stretched (F)
    ("FX-068", 21, 0.84, ("FX-067", "FX-071")),  # switch leap with 1 turn (D)
    ("FX-070", 21, 0.77, ("FX-071", "FX-068")),  # split leap with 0.5 turn (B)
    ("FX-159", 24, 0.45, ("FX-156", "FX-158")),  # double salto forward tucked (E), low confidence
    ("FX-134", 22, 0.88, ("FX-133", "FX-135")),  # 2 turn with free leg upward (D)
    ("FX-183", 25, 0.80, ("FX-184", "FX-182")),  # salto backward stretched with 2 twist (C)
    ("FX-161", 24, 0.52, ("FX-160", "FX-162")),  # salto forward tucked with 1.5 twist (C), low
    ("FX-195", 25, 0.93, ("FX-199", "FX-181")),  # double salto backward tucked (D), dismount
)
CONNECTED = {1}  # element 2 connects to element 3 (a dance passage)


def _pose(t: float, w: int, h: int) -> np.ndarray:
    """17 joints (x, y, visibility) of a figure that travels and rotates a little."""
    cx = w * (0.2 + 0.6 * (0.5 + 0.5 * math.sin(t * 0.35)))
    cy = h * 0.55 - h * 0.12 * max(0.0, math.sin(t * 2.2))
    s = h / 360 * 55
    ang = 0.35 * math.sin(t * 1.7)
    local = np.array(
        [
            (0, -2.3),
            (0, -1.7),
            (0, -0.4),
            (-0.45, -1.6),
            (0.45, -1.6),
            (-0.7, -1.0),
            (0.7, -1.0),
            (-0.8, -0.4 - 0.6 * math.sin(t * 3)),
            (0.8, -0.4 - 0.6 * math.cos(t * 3)),
            (-0.25, -0.3),
            (0.25, -0.3),
            (-0.35, 0.5),
            (0.35, 0.5),
            (-0.4 + 0.3 * math.sin(t * 2), 1.3),
            (0.4 - 0.3 * math.sin(t * 2), 1.3),
            (-0.6 + 0.3 * math.sin(t * 2), 1.4),
            (0.6 - 0.3 * math.sin(t * 2), 1.4),
        ]
    )
    rot = np.array([[math.cos(ang), -math.sin(ang)], [math.sin(ang), math.cos(ang)]])
    xy = local @ rot.T * s + (cx, cy)
    return np.concatenate([xy, np.ones((17, 1))], axis=1).astype(np.float32)


def write_video(
    path: str | Path,
    frames: int = 250,
    size: tuple[int, int] = (640, 360),
    fps: float = 25.0,
    skeleton: bool = True,
) -> np.ndarray:
    """Write an mp4 (mp4v) of a stick figure on a floor; returns the (frames, 17, 3) pose track."""
    w, h = size
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    if not out.isOpened():
        raise OSError(f"{path}: OpenCV cannot write an mp4v video here")
    poses = np.zeros((frames, 17, 3), np.float32)
    yy = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    base = (np.array([60, 90, 150], np.float32) * (0.6 + 0.4 * yy)).astype(np.uint8)
    base = np.broadcast_to(base, (h, w, 3)).copy()
    cv2.rectangle(base, (0, int(h * 0.8)), (w, h), (70, 110, 170), -1)
    for i in range(frames):
        img = base.copy()
        p = _pose(i / fps, w, h)
        poses[i] = p
        if skeleton:
            for a, b in BONES:
                cv2.line(
                    img,
                    tuple(int(v) for v in p[a, :2]),
                    tuple(int(v) for v in p[b, :2]),
                    (235, 235, 240),
                    max(2, h // 90),
                    cv2.LINE_AA,
                )
            cv2.circle(
                img, tuple(int(v) for v in p[0, :2]), max(4, h // 40), (235, 235, 240), -1, cv2.LINE_AA
            )
        cv2.putText(
            img, f"{i}", (8, h - 10), cv2.FONT_HERSHEY_SIMPLEX, h / 720, (255, 255, 255), 1, cv2.LINE_AA
        )
        out.write(img)
    out.release()
    return poses


def routine_timeline(
    video: str | Path, frames: int, fps: float = 25.0, size: tuple[int, int] = (640, 360), n_elements: int = 8
) -> Timeline:
    """A floor timeline with ``n_elements`` evenly spread elements (cycling :data:`FX_ROUTINE`)."""
    slot = frames / n_elements
    segs = []
    for k in range(n_elements):
        eid, sid, conf, alts = FX_ROUTINE[k % len(FX_ROUTINE)]
        start = int(round(k * slot + slot * 0.15))
        end = int(round(k * slot + slot * (0.85 if k not in CONNECTED else 0.98)))
        probs = [conf] + [round((1 - conf) * f, 3) for f in (0.6, 0.3)]
        segs.append(
            Segment(
                start,
                end,
                sid,
                eid,
                conf,
                [Alternative(a, p) for a, p in zip((eid, *alts), probs, strict=True)],
                connected_to_next=k in CONNECTED and k + 1 < n_elements,
                source="model",
            )
        )
    return Timeline(
        video=VideoInfo(str(video), None, fps, frames, size[0], size[1]),
        apparatus="FX",
        segments=segs,
        metadata={"poses": f"{Path(video).stem}.pose.npz"},
    )


def make_demo(
    folder: str | Path,
    frames: int = 250,
    size: tuple[int, int] = (640, 360),
    fps: float = 25.0,
    n_elements: int = 8,
    name: str = "demo",
) -> tuple[Path, Path, Timeline]:
    """Write ``NAME.mp4``, ``NAME.pose.npz`` and ``NAME.timeline.json`` into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    video = folder / f"{name}.mp4"
    poses = write_video(video, frames, size, fps)
    np.savez_compressed(folder / f"{name}.pose.npz", joints2d=poses[..., :2], visibility=poses[..., 2])
    tl = routine_timeline(video.resolve(), frames, fps, size, n_elements)
    tl_path = save_timeline(tl, folder / f"{name}.timeline.json")
    return video, tl_path, tl
