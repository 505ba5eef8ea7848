"""2D pose estimation behind a small interface: BlazePose, through MediaPipe's pose solution or (the
default, :mod:`gymscore.features.blazepose`) its networks run directly by LiteRT.

A :class:`PoseEstimator` finds at most one person in an RGB image, optionally inside a region of
interest, and returns a :class:`PoseCandidate` in the 17-joint gymscore layout (pixel coordinates of
the full image). Choosing *which* person is the gymnast, and keeping her across frames, is the job of
:mod:`gymscore.features.tracking`.

MediaPipe 0.10.14 ships BlazePose's detector and its *full* landmark model (``model_complexity=1``);
the other complexities download their models at run time and do not work offline.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from gymscore.skeleton import MEDIAPIPE_TO_GYM, NUM_JOINTS

MEDIAPIPE_INSTALL = (
    'pip install --no-deps mediapipe==0.10.14 absl-py "protobuf>=4.25.3,<5" flatbuffers attrs matplotlib'
)
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels


class PoseBackendError(RuntimeError):
    """The pose backend is missing or broken; the message says how to install it."""


@dataclass
class PoseCandidate:
    """One person found in a frame: 17 joints in pixels, their visibility (0..1) and a bounding box."""

    joints: np.ndarray  # (17, 2) float32, x right, y down, pixels of the full image
    visibility: np.ndarray  # (17,) float32
    box: Box
    score: float  # mean visibility of the landmarks, 0..1
    from_roi: bool = False

    @property
    def center(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self.box
        return (x0 + x1) / 2, (y0 + y1) / 2

    @property
    def size(self) -> float:
        """The longer side of the box in pixels (stable through tucks and twists)."""
        x0, y0, x1, y1 = self.box
        return max(x1 - x0, y1 - y0, 1.0)


class PoseEstimator(Protocol):
    """Finds one person in an RGB uint8 image, optionally inside ``roi`` (pixels of the image)."""

    name: str
    version: str

    def detect(self, rgb: np.ndarray, roi: Box | None = None) -> PoseCandidate | None: ...

    def reset(self) -> None: ...

    # Optional (the tracker uses them when present): ``detect_weak(rgb, roi)``, a crop with a lower
    # detector threshold; ``detect_follow(rgb, roi)`` / ``reset_follow()``, a crop that follows her
    # from frame to frame in the estimator's tracking mode.

    def close(self) -> None: ...


def map_landmarks(landmarks: np.ndarray) -> np.ndarray:
    """Map BlazePose's 33 landmarks (..., 33, C) to the 17 gymscore joints (..., 17, C).

    Joints defined by several landmarks (neck, pelvis) take their mean.
    """
    if landmarks.shape[-2] != 33:
        raise ValueError(f"expected 33 landmarks on axis -2, got shape {landmarks.shape}")
    out = []
    for src in MEDIAPIPE_TO_GYM:
        idx = list(src) if isinstance(src, tuple) else [src]
        out.append(landmarks[..., idx, :].mean(axis=-2))
    return np.stack(out, axis=-2)


def map_visibility(visibility: np.ndarray) -> np.ndarray:
    """Map 33 landmark visibilities (..., 33) to 17 joints (..., 17); composite joints take the minimum."""
    out = []
    for src in MEDIAPIPE_TO_GYM:
        idx = list(src) if isinstance(src, tuple) else [src]
        out.append(visibility[..., idx].min(axis=-1))
    return np.stack(out, axis=-1)


FOLLOW_PIXELS = 256  # side of the square crop that follows the gymnast (BlazePose's input size)


def square_affine(roi: Box, pixels: int = FOLLOW_PIXELS) -> np.ndarray:
    """2x3 matrix from image pixels to a ``pixels`` square crop of the square around ``roi``'s centre
    whose side is ``roi``'s longer side (the square may reach past the image: the crop is padded)."""
    x0, y0, x1, y1 = roi
    side = max(x1 - x0, y1 - y0, 1.0)
    s = pixels / side
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return np.array([[s, 0.0, pixels / 2 - s * cx], [0.0, s, pixels / 2 - s * cy]])


def from_crop(points: np.ndarray, affine: np.ndarray) -> np.ndarray:
    """Crop pixels (..., 2) back to image pixels, for a crop made with a :func:`square_affine` matrix."""
    return ((points - affine[:, 2]) / affine[0, 0]).astype(np.float32)


def candidate_from_landmarks(xy: np.ndarray, visibility: np.ndarray, from_roi: bool = False) -> PoseCandidate:
    """Build a candidate from 33 landmarks in pixels (33, 2) and their visibility (33,)."""
    joints = map_landmarks(xy.astype(np.float32))
    vis = map_visibility(visibility.astype(np.float32))
    x0, y0 = xy.min(axis=0)
    x1, y1 = xy.max(axis=0)
    assert joints.shape == (NUM_JOINTS, 2)
    return PoseCandidate(joints, vis, (float(x0), float(y0), float(x1), float(y1)),
                         float(np.mean(visibility)), from_roi)


def clip_box(box: Box, width: int, height: int) -> tuple[int, int, int, int]:
    """Integer box clipped to the image."""
    x0, y0, x1, y1 = box
    return (max(0, int(x0)), max(0, int(y0)), min(width, int(np.ceil(x1))), min(height, int(np.ceil(y1))))


MIN_CROP_PIXELS = 16  # crops narrower or lower than this are not worth an estimator call


def roi_crop(rgb: np.ndarray, roi: Box) -> tuple[np.ndarray, int, int] | None:
    """The part of ``rgb`` inside ``roi`` (clipped to the image, contiguous) and its top-left corner;
    None when it is under :data:`MIN_CROP_PIXELS` on a side."""
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = clip_box(roi, w, h)
    if x1 - x0 < MIN_CROP_PIXELS or y1 - y0 < MIN_CROP_PIXELS:
        return None
    return np.ascontiguousarray(rgb[y0:y1, x0:x1]), x0, y0


def follow_crop(rgb: np.ndarray, roi: Box) -> tuple[np.ndarray, np.ndarray]:
    """The square around ``roi`` resized to :data:`FOLLOW_PIXELS` (black past the image) and the
    :func:`square_affine` matrix that made it (for :func:`from_crop`)."""
    import cv2  # noqa: PLC0415

    affine = square_affine(roi)
    crop = cv2.warpAffine(rgb, affine, (FOLLOW_PIXELS, FOLLOW_PIXELS), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT)
    return crop, affine


def _import_mediapipe():
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        import mediapipe as mp  # noqa: PLC0415
        from mediapipe.python.solutions import pose as mp_pose  # noqa: PLC0415
    except ImportError as exc:
        raise PoseBackendError(
            f"the pose estimator needs MediaPipe ({exc}); install it with: {MEDIAPIPE_INSTALL}"
        ) from exc
    return mp, mp_pose


class MediaPipePose:
    """BlazePose (full model) through MediaPipe's legacy solution API.

    Two graphs: one in tracking mode for whole frames (BlazePose follows its own ROI from frame to
    frame and re-runs the detector when it loses the person), and one in static mode for crops
    around a region of interest (used to re-find the gymnast where the tracker predicts her).
    """

    name = "mediapipe-blazepose-full"

    def __init__(self, min_detection_confidence: float = 0.5, min_tracking_confidence: float = 0.5,
                 weak_detection_confidence: float = 0.3) -> None:
        """``weak_detection_confidence`` is the detector's threshold in :meth:`detect_weak`."""
        mp, mp_pose = _import_mediapipe()
        self.version = f"mediapipe-{mp.__version__}"
        self._mp_pose = mp_pose
        self._weak_confidence = weak_detection_confidence
        self._weak = None  # a third graph, loaded on first use
        self._follow = None  # a fourth one (tracking mode on crops that follow her), on first use
        kw = dict(model_complexity=1, min_detection_confidence=min_detection_confidence)
        try:
            self._track = mp_pose.Pose(static_image_mode=False, smooth_landmarks=True,
                                       min_tracking_confidence=min_tracking_confidence, **kw)
            self._static = mp_pose.Pose(static_image_mode=True, **kw)
        except Exception as exc:  # model files missing, unsupported complexity, ...
            raise PoseBackendError(f"MediaPipe could not load BlazePose: {exc}") from exc

    def detect(self, rgb: np.ndarray, roi: Box | None = None) -> PoseCandidate | None:
        return self._detect(rgb, roi, self._static)

    def detect_weak(self, rgb: np.ndarray, roi: Box) -> PoseCandidate | None:
        """Like :meth:`detect` on a crop, with a lower detector threshold: for crops where the gymnast
        is expected but hard to see (re-acquisition where she was lost, crops turned upside down:
        small or inverted gymnasts on bars and beam score below the usual threshold)."""
        if self._weak is None:
            self._weak = self._mp_pose.Pose(static_image_mode=True, model_complexity=1,
                                            min_detection_confidence=self._weak_confidence)
        return self._detect(rgb, roi, self._weak)

    def detect_follow(self, rgb: np.ndarray, roi: Box) -> PoseCandidate | None:
        """The person in the square around ``roi``, resized to :data:`FOLLOW_PIXELS`, in tracking
        mode: while the crops of successive calls follow her (same place and size in the crop), a
        call costs one landmark pass without the detector. :meth:`reset_follow` when she is lost."""
        if self._follow is None:
            self._follow = self._mp_pose.Pose(static_image_mode=False, model_complexity=1,
                                              smooth_landmarks=False, min_detection_confidence=0.5,
                                              min_tracking_confidence=0.5)
        crop, affine = follow_crop(rgb, roi)
        res = self._follow.process(crop)
        if res.pose_landmarks is None:
            return None
        lm = np.array([(p.x, p.y, p.visibility) for p in res.pose_landmarks.landmark], dtype=np.float32)
        return candidate_from_landmarks(from_crop(lm[:, :2] * FOLLOW_PIXELS, affine), lm[:, 2], from_roi=True)

    def reset_follow(self) -> None:
        """Forget the person :meth:`detect_follow` follows (its next call runs the detector)."""
        if self._follow is not None:
            self._follow.reset()

    def _detect(self, rgb: np.ndarray, roi: Box | None, static) -> PoseCandidate | None:
        if roi is None:
            image, x0, y0 = rgb, 0, 0
            res = self._track.process(rgb)
        else:
            cropped = roi_crop(rgb, roi)
            if cropped is None:
                return None
            image, x0, y0 = cropped
            res = static.process(image)
        ch, cw = image.shape[:2]
        if res.pose_landmarks is None:
            return None
        lm = np.array([(p.x, p.y, p.visibility) for p in res.pose_landmarks.landmark], dtype=np.float32)
        xy = np.stack([x0 + lm[:, 0] * cw, y0 + lm[:, 1] * ch], axis=1)
        return candidate_from_landmarks(xy, lm[:, 2], from_roi=roi is not None)

    def reset(self) -> None:
        """Forget the tracked person (the next whole-frame call runs the detector)."""
        self._track.reset()

    def close(self) -> None:
        self._track.close()
        self._static.close()
        for graph in (self._weak, self._follow):
            if graph is not None:
                graph.close()


POSE_BACKENDS = ("mediapipe", "litert", "torch")
DEFAULT_POSE_BACKEND = "litert"
POSE_BACKEND_ENV = "GYMSCORE_POSE_BACKEND"


def pose_backend() -> str:
    """The pose backend analyses use: ``$GYMSCORE_POSE_BACKEND`` when set, else ``litert``.

    ``litert``: BlazePose's two networks run directly (:mod:`gymscore.features.blazepose`), about 0.6
    of MediaPipe's time a call; the shipped classifier was fine-tuned on its poses (``cls18``).
    ``mediapipe``: MediaPipe's pose solution around the same networks (the default until ``cls18``;
    figures of both in docs/models.md, "Pose backends").
    ``torch``: LiteRT's networks replayed by torch, frames batched across threads, on the GPU when there
    is one (:mod:`gymscore.features.blazepose_torch`; an analysis on a CUDA device takes it unless
    another is chosen: :func:`pose_backend_for`; docs/models.md "Pose on a GPU").
    """
    chosen = os.environ.get(POSE_BACKEND_ENV, "").strip().lower()
    if not chosen:
        return DEFAULT_POSE_BACKEND
    if chosen not in POSE_BACKENDS:
        raise PoseBackendError(f"{POSE_BACKEND_ENV}={chosen!r}: expected one of "
                               f"{', '.join(POSE_BACKENDS)}")
    return chosen


def set_pose_backend(name: str | None) -> None:
    """Choose the pose backend for this process and the worker processes it starts (None: default)."""
    if name is None:
        os.environ.pop(POSE_BACKEND_ENV, None)
        return
    if name not in POSE_BACKENDS:
        raise PoseBackendError(f"unknown pose backend {name!r}: expected one of {', '.join(POSE_BACKENDS)}")
    os.environ[POSE_BACKEND_ENV] = name


@contextmanager
def pose_backend_for(device_type: str, notes: list[str]) -> Iterator[str]:
    """Inside, the pose backend an analysis on ``device_type`` uses (yielded): the one chosen
    (:func:`pose_backend`) when one is, else ``torch`` for a CUDA device and the default elsewhere.
    The choice made here is undone on leaving. When the torch backend cannot load, the pose stays
    on the default with a line in ``notes`` saying why. On an H200 machine the torch backend took
    8.4-8.7 s on the 92 s routine against 23.7 s for LiteRT's two CPU processes
    (bench/results/analysis_gpu.md, analysis_gpu_litert.md)."""
    if os.environ.get(POSE_BACKEND_ENV, "").strip() or device_type != "cuda":
        yield pose_backend()
        return
    from gymscore.features.blazepose_torch import check_available  # noqa: PLC0415

    try:
        check_available()
    except PoseBackendError as exc:
        notes.append(f"the pose stays on the CPU ({DEFAULT_POSE_BACKEND}): {exc}")
        yield pose_backend()
        return
    set_pose_backend("torch")
    try:
        yield "torch"
    finally:
        set_pose_backend(None)


def default_estimator() -> PoseEstimator:
    """The shipped pose estimator (BlazePose full, through :func:`pose_backend`);
    :class:`PoseBackendError` if it is missing."""
    backend = pose_backend()
    if backend == "litert":
        from gymscore.features.blazepose import LiteBlazePose  # noqa: PLC0415

        return LiteBlazePose()
    if backend == "torch":
        from gymscore.features.blazepose_torch import TorchBlazePose  # noqa: PLC0415

        return TorchBlazePose()
    return MediaPipePose()


def default_estimator_id() -> str:
    """``name/version`` of :func:`default_estimator` without loading it (part of cache keys)."""
    if pose_backend() == "litert":
        from gymscore.features.blazepose import LiteBlazePose, backend_version  # noqa: PLC0415

        return f"{LiteBlazePose.name}/{backend_version()}"
    if pose_backend() == "torch":
        from gymscore.features.blazepose_torch import estimator_id  # noqa: PLC0415

        return estimator_id()
    from importlib import metadata  # noqa: PLC0415

    try:
        version = metadata.version("mediapipe")
    except metadata.PackageNotFoundError:
        version = "missing"
    return f"{MediaPipePose.name}/mediapipe-{version}"
