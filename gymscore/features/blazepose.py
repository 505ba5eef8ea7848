"""BlazePose (full) run directly with the LiteRT interpreter: the same two networks MediaPipe's pose
solution runs, without its graph around them (``gymscore analyze --pose-backend litert``).

MediaPipe 0.10.14's legacy ``Pose`` spends about as much time around the networks as in them: a
call here takes about 0.6 of its time (``bench/results/pose_backends.md``). This module loads the
network files the mediapipe wheel carries (``pose_detection.tflite``, ``pose_landmark_full.tflite``)
into ``ai-edge-litert``'s interpreter and does the steps between them in numpy and OpenCV, following
the published graph descriptions of MediaPipe's pose solution:

* **Detector**: the RGB image letterboxed to 224 x 224 (black borders), values in [-1, 1]; 2254
  SSD anchors (strides 8, 16, 32, 32, 32, two anchors a cell, fixed size); boxes and 4 keypoints
  decoded against them; scores through a sigmoid; the best detection merged with those overlapping
  it (IoU > 0.3, weighted by score).
* **Region of interest**: centred on keypoint 0 (mid-hip), side 2.5 times the distance to keypoint 1,
  turned so that the vector from keypoint 0 to keypoint 1 points up. Regions are cropped as MediaPipe
  crops them: corners onto the tensor's corners, pixel indices taken as coordinates.
* **Landmarks**: the region resampled to 256 x 256, values in [0, 1]; 39 landmarks (33 and two
  auxiliary ones, then 4 unused) of x, y, z, visibility, presence; each x, y refined by the
  score-weighted mean of its 7 x 7 heatmap window when the window's peak passes 0.5; the pose-presence
  output gates the result.
* **Tracking**: the next call's region comes from the auxiliary landmarks (mid-hip and the
  scale/rotation point) in the same way; when presence falls below the tracking threshold, the next
  call runs the detector again. As in MediaPipe's solution, tracking mode filters the auxiliary
  landmarks (a one-euro filter: :mod:`gymscore.features.landmark_filter`), and whole images in
  tracking mode (``smooth_landmarks``) also the landmarks and visibilities; a loss resets the filters.

On crops the joints agree with MediaPipe's within 0.3 % of the body's size (median); what MediaPipe's
tracking holds on to at the edge of its thresholds still differs, so the shipped classifier was
fine-tuned on this backend's poses (``cls18``), and this backend is the default (docs/models.md,
"Pose backends").
"""

from __future__ import annotations

import importlib.util
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gymscore.features.landmark_filter import LandmarkSmoother
from gymscore.features.pose import (
    Box,
    PoseBackendError,
    PoseCandidate,
    candidate_from_landmarks,
    follow_crop,
    from_crop,
    roi_crop,
)

LITERT_INSTALL = "pip install --no-deps ai-edge-litert==2.3.0"
BACKEND_VERSION = "v5"  # bump when the steps around the networks change (part of the feature cache key)
DETECTOR_SIZE = 224
LANDMARK_SIZE = 256
ROI_SCALE = 1.25  # region side over twice the keypoint distance
HEATMAP_KERNEL = 7
HEATMAP_MIN_CONFIDENCE = 0.5
NMS_IOU = 0.3
DETECTOR_FILE = "pose_detection/pose_detection.tflite"
LANDMARK_FILE = "pose_landmark/pose_landmark_full.tflite"


def mediapipe_model_dir() -> Path:
    """The folder of MediaPipe's bundled model files (found without importing mediapipe, which is
    slow to import and not needed here); :class:`PoseBackendError` when the wheel is missing."""
    try:
        spec = importlib.util.find_spec("mediapipe")
    except (ImportError, ValueError):  # a broken install, or a module set to None (tests)
        spec = None
    if spec is None or not spec.submodule_search_locations:
        from gymscore.features.pose import MEDIAPIPE_INSTALL  # noqa: PLC0415

        raise PoseBackendError("the pose estimator needs MediaPipe (its wheel carries BlazePose's model "
                               f"files); install it with: {MEDIAPIPE_INSTALL}")
    folder = Path(next(iter(spec.submodule_search_locations))) / "modules"
    for name in (DETECTOR_FILE, LANDMARK_FILE):
        if not (folder / name).is_file():
            raise PoseBackendError(f"{folder / name}: BlazePose model file missing (a broken mediapipe "
                                   "install?)")
    return folder


def ssd_anchors() -> np.ndarray:
    """(2254, 2) anchor centres, normalised, of BlazePose's detector (cells of the 28, 14 and 7 wide
    feature maps; two anchors a cell on the first two, six on the last)."""
    out = []
    for cells, per_cell in ((28, 2), (14, 2), (7, 6)):
        ys, xs = np.mgrid[0:cells, 0:cells]
        centres = np.stack([(xs.ravel() + 0.5) / cells, (ys.ravel() + 0.5) / cells], axis=1)
        out.append(np.repeat(centres, per_cell, axis=0))
    return np.concatenate(out).astype(np.float32)


@dataclass
class Roi:
    """A square region in image pixels: centre, side and rotation (radians, counter-clockwise as seen
    with y down: the angle that turns the region's up onto the body's up)."""

    cx: float
    cy: float
    side: float
    rotation: float

    @classmethod
    def from_points(cls, centre: np.ndarray, scale_point: np.ndarray) -> Roi:
        """The region of a detection or of the auxiliary landmarks (pixels)."""
        d = scale_point - centre
        rotation = math.pi / 2 - math.atan2(-float(d[1]), float(d[0]))
        rotation = (rotation + math.pi) % (2 * math.pi) - math.pi
        side = 2.0 * float(np.hypot(*d)) * ROI_SCALE
        return cls(float(centre[0]), float(centre[1]), max(side, 1.0), rotation)

    def to_image(self, size: int) -> np.ndarray:
        """2x3 matrix from the ``size`` square tensor's continuous coordinates to image coordinates."""
        c, s = math.cos(self.rotation), math.sin(self.rotation)
        k = self.side / size
        a = np.array([[c * k, -s * k], [s * k, c * k]])
        b = np.array([self.cx, self.cy]) - a @ np.array([size / 2, size / 2])
        return np.column_stack([a, b])


def backend_version() -> str:
    """This backend's version string: the LiteRT release and :data:`BACKEND_VERSION`."""
    from importlib import metadata  # noqa: PLC0415

    try:
        return f"litert-{metadata.version('ai-edge-litert')}-{BACKEND_VERSION}"
    except metadata.PackageNotFoundError:
        return f"litert-missing-{BACKEND_VERSION}"


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function, clipped like MediaPipe's score decoding."""
    return 1.0 / (1.0 + np.exp(-np.clip(x, -80.0, 80.0)))


class LiteRunner:
    """The two networks in LiteRT's interpreters (one set per process or thread): a canvas in, the
    raw outputs out."""

    def __init__(self, threads: int = 1) -> None:
        try:
            from ai_edge_litert.interpreter import Interpreter  # noqa: PLC0415
        except ImportError as exc:
            raise PoseBackendError(f"the fast BlazePose backend needs LiteRT ({exc}); install it with: "
                                   f"{LITERT_INSTALL}") from exc
        folder = mediapipe_model_dir()
        try:
            self.detector = Interpreter(model_path=str(folder / DETECTOR_FILE), num_threads=threads)
            self.landmarks = Interpreter(model_path=str(folder / LANDMARK_FILE), num_threads=threads)
            self.detector.allocate_tensors()
            self.landmarks.allocate_tensors()
        except (ValueError, RuntimeError) as exc:
            raise PoseBackendError(f"LiteRT could not load BlazePose from {folder}: {exc}") from exc
        self._det_in = self.detector.get_input_details()[0]["index"]
        outs = sorted(self.detector.get_output_details(), key=lambda d: int(d["shape"][-1]), reverse=True)
        self._det_boxes, self._det_scores = outs[0]["index"], outs[1]["index"]
        self._lm_in = self.landmarks.get_input_details()[0]["index"]
        by_size = {int(np.prod(d["shape"])): d["index"] for d in self.landmarks.get_output_details()}
        self._lm_points, self._lm_flag = by_size[195], by_size[1]
        self._lm_heatmap = by_size[64 * 64 * 39]

    def detector_outputs(self, canvas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Raw boxes (2254, 12) and score logits (2254,) for one (224, 224, 3) uint8 RGB canvas (the
        network reads it scaled to [-1, 1])."""
        self.detector.set_tensor(self._det_in, (canvas.astype(np.float32) / 127.5 - 1.0)[None])
        self.detector.invoke()
        boxes, logits = self.detector.get_tensor(self._det_boxes), self.detector.get_tensor(self._det_scores)
        return boxes[0], logits[0, :, 0]

    def landmark_outputs(self, tensor: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """Presence, raw landmarks (195,) and heatmap logits (64, 64, 39) for one (256, 256, 3) uint8
        RGB crop (the network reads it scaled to [0, 1])."""
        self.landmarks.set_tensor(self._lm_in, (tensor.astype(np.float32) / 255.0)[None])
        self.landmarks.invoke()
        presence = float(self.landmarks.get_tensor(self._lm_flag).ravel()[0])
        return presence, self.landmarks.get_tensor(self._lm_points).ravel(), self.landmarks.get_tensor(
            self._lm_heatmap)[0]


class _Networks:
    """The steps around the two networks; ``runner`` runs the networks themselves (LiteRT by default;
    :mod:`gymscore.features.blazepose_torch` batches them with torch)."""

    def __init__(self, threads: int = 1, runner: object | None = None) -> None:
        self.runner = runner if runner is not None else LiteRunner(threads)
        self.anchors = ssd_anchors()

    def detect(self, rgb: np.ndarray, min_score: float) -> tuple[np.ndarray, np.ndarray] | None:
        """Mid-hip and scale keypoints (pixels) of the best person in ``rgb``, or None."""
        import cv2  # noqa: PLC0415

        h, w = rgb.shape[:2]
        # MediaPipe's letterbox: the square of the longer side around the image, its corners mapped
        # onto the tensor's corners (no half-pixel shift), black outside the image
        side = max(h, w)
        scale = DETECTOR_SIZE / side
        left, top = (side - w) / 2 * scale, (side - h) / 2 * scale
        m = np.array([[scale, 0.0, left], [0.0, scale, top]])
        canvas = cv2.warpAffine(rgb, m, (DETECTOR_SIZE, DETECTOR_SIZE), flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_CONSTANT)  # uint8: the runner scales it
        raw, logits = self.runner.detector_outputs(canvas)
        scores = sigmoid(logits)
        keep = np.flatnonzero(scores >= min_score)
        if keep.size == 0:
            return None
        raw, scores, anchors = raw[keep], scores[keep], self.anchors[keep]
        centre = raw[:, 0:2] / DETECTOR_SIZE + anchors
        half = raw[:, 2:4] / DETECTOR_SIZE / 2
        boxes = np.concatenate([centre - half, centre + half], axis=1)
        best = int(np.argmax(scores))
        group = _iou(boxes[best], boxes) > NMS_IOU
        group[best] = True
        weight = scores[group] / scores[group].sum()
        kps = raw[group, 4:8].reshape(-1, 2, 2) / DETECTOR_SIZE + anchors[group, None, :]
        kp = (kps * weight[:, None, None]).sum(axis=0)  # (2, 2) normalised in the 224 canvas
        px = (kp * DETECTOR_SIZE - np.array([left, top])) / scale
        return px[0], px[1]

    def landmarks_in(self, rgb: np.ndarray, roi: Roi) -> tuple[float, np.ndarray]:
        """Pose presence (0..1) and (39, 4) landmarks: x, y in image pixels, visibility, presence."""
        import cv2  # noqa: PLC0415

        to_image = roi.to_image(LANDMARK_SIZE)
        # as MediaPipe crops: the region's corners onto the tensor's corners, pixel indices taken as
        # coordinates (no half-pixel shift; measured: joints 2-5 times closer to MediaPipe's than with it)
        tensor = cv2.warpAffine(rgb, to_image, (LANDMARK_SIZE, LANDMARK_SIZE),
                                flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                borderMode=cv2.BORDER_REPLICATE)
        presence, raw, heat = self.runner.landmark_outputs(tensor)
        raw = raw.reshape(39, 5)
        xy = raw[:, :2] / LANDMARK_SIZE
        xy = refine_from_heatmap(xy, heat)
        pts = xy * LANDMARK_SIZE
        img = pts @ to_image[:, :2].T + to_image[:, 2]
        return presence, np.column_stack([img, sigmoid(raw[:, 3]), sigmoid(raw[:, 4])]).astype(np.float32)


def _iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    x0 = np.maximum(box[0], boxes[:, 0])
    y0 = np.maximum(box[1], boxes[:, 1])
    x1 = np.minimum(box[2], boxes[:, 2])
    y1 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return inter / np.maximum(area + areas - inter, 1e-9)


def refine_from_heatmap(xy: np.ndarray, heatmap: np.ndarray) -> np.ndarray:
    """Landmarks (N, 2) normalised, each moved to the confidence-weighted mean of its heatmap window
    (``heatmap`` (H, W, >=N) logits) where the window's best cell passes the refinement threshold.
    All windows at once (a per-landmark loop cost 2.5 ms a call, a tenth of the landmark pass)."""
    hh, hw = heatmap.shape[:2]
    n = len(xy)
    col = (xy[:, 0] * hw).astype(np.int64)  # truncation toward zero, as MediaPipe's int conversion
    row = (xy[:, 1] * hh).astype(np.int64)
    inside = (col >= 0) & (col < hw) & (row >= 0) & (row < hh)
    off = np.arange(HEATMAP_KERNEL) - (HEATMAP_KERNEL - 1) // 2
    rows, cols = row[:, None] + off, col[:, None] + off  # (N, K) each
    valid = ((rows >= 0) & (rows < hh))[:, :, None] & ((cols >= 0) & (cols < hw))[:, None, :]
    logits = heatmap[np.clip(rows, 0, hh - 1)[:, :, None], np.clip(cols, 0, hw - 1)[:, None, :],
                     np.arange(n)[:, None, None]]
    conf = np.where(valid, sigmoid(logits), 0.0)  # (N, K, K); cells off the heatmap weigh nothing
    total = conf.sum(axis=(1, 2))
    refine = inside & (conf.max(axis=(1, 2)) >= HEATMAP_MIN_CONFIDENCE) & (total > 0)
    out = xy.copy()
    safe = np.where(total > 0, total, 1.0)
    out[refine, 0] = ((conf * cols[:, None, :]).sum(axis=(1, 2)) / safe / hw)[refine]
    out[refine, 1] = ((conf * rows[:, :, None]).sum(axis=(1, 2)) / safe / hh)[refine]
    return out


class _Graph:
    """One detector-then-landmarks pipeline with MediaPipe's tracking behaviour (``tracking``: the
    region follows the last landmarks while presence holds; ``smooth``: its landmark smoothing) or
    static behaviour (detector each call)."""

    def __init__(self, nets: _Networks, tracking: bool, min_detection: float, min_tracking: float,
                 smooth: bool = False) -> None:
        self.nets, self.tracking = nets, tracking
        self.min_detection, self.min_tracking = min_detection, min_tracking
        self.roi: Roi | None = None
        self.smoother = LandmarkSmoother(smooth_landmarks=smooth) if tracking else None

    def process(self, rgb: np.ndarray) -> np.ndarray | None:
        """(33, 4) landmarks (x, y pixels, visibility, presence) or None."""
        roi = self.roi if self.tracking else None
        if roi is None:
            found = self.nets.detect(rgb, self.min_detection)
            if found is None:
                return None
            roi = Roi.from_points(*found)
        presence, lm = self.nets.landmarks_in(rgb, roi)
        if presence < self.min_tracking:
            self.reset()
            return None
        if self.smoother is not None:
            lm = self.smoother(lm)
        if self.tracking:
            self.roi = Roi.from_points(lm[33, :2], lm[34, :2])
        return lm[:33]

    def reset(self) -> None:
        self.roi = None
        if self.smoother is not None:
            self.smoother.reset()


class LiteBlazePose:
    """BlazePose full through LiteRT, with the interface of :class:`gymscore.features.pose.MediaPipePose`
    (whole frames in tracking mode, crops in static mode, a weak-threshold static mode and a following
    crop in tracking mode)."""

    name = "litert-blazepose-full"

    def __init__(self, min_detection_confidence: float = 0.5, min_tracking_confidence: float = 0.5,
                 weak_detection_confidence: float = 0.3, threads: int = 1,
                 runner: object | None = None) -> None:
        self._nets = _Networks(threads, runner)
        self.version = backend_version()
        self._track = _Graph(self._nets, True, min_detection_confidence, min_tracking_confidence, smooth=True)
        self._static = _Graph(self._nets, False, min_detection_confidence, min_tracking_confidence)
        self._weak = _Graph(self._nets, False, weak_detection_confidence, min_tracking_confidence)
        self._follow = _Graph(self._nets, True, min_detection_confidence, min_tracking_confidence)

    def detect(self, rgb: np.ndarray, roi: Box | None = None) -> PoseCandidate | None:
        return self._detect(rgb, roi, self._static)

    def detect_weak(self, rgb: np.ndarray, roi: Box) -> PoseCandidate | None:
        """Like :meth:`detect` on a crop, with a lower detector threshold (see MediaPipePose)."""
        return self._detect(rgb, roi, self._weak)

    def detect_follow(self, rgb: np.ndarray, roi: Box) -> PoseCandidate | None:
        """The person in the square around ``roi`` (``pose.follow_crop``), in tracking mode (see
        MediaPipePose.detect_follow)."""
        crop, affine = follow_crop(rgb, roi)
        lm = self._follow.process(crop)
        if lm is None:
            return None
        return candidate_from_landmarks(from_crop(lm[:, :2], affine), lm[:, 2], from_roi=True)

    def reset_follow(self) -> None:
        self._follow.reset()

    def _detect(self, rgb: np.ndarray, roi: Box | None, graph: _Graph) -> PoseCandidate | None:
        if roi is None:
            lm, x0, y0 = self._track.process(rgb), 0, 0
        else:
            cropped = roi_crop(rgb, roi)
            if cropped is None:
                return None
            image, x0, y0 = cropped
            lm = graph.process(image)
        if lm is None:
            return None
        xy = lm[:, :2] + np.array([x0, y0], np.float32)
        return candidate_from_landmarks(xy, lm[:, 2], from_roi=roi is not None)

    def reset(self) -> None:
        self._track.reset()

    def close(self) -> None:
        """Nothing to release beyond what garbage collection frees."""
