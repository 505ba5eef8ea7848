"""Pose on a crop that follows the gymnast: the full-rate pass over elements.

The first pass already knows where she is on every frame (detected or interpolated), so the full-rate
pass needs no search: each frame is cropped around her at the video's full resolution, the crop is
resized to :data:`CROP_PIXELS` square and handed to the estimator's whole-image tracking mode. She
stays at the centre and the same size from crop to crop, which is what BlazePose's own tracking
expects, so most frames cost one landmark pass without the detector, and a small gymnast in a wide
shot is seen with all the pixels the video has.
"""

from __future__ import annotations

import numpy as np

from gymscore.features.extract import RangeTrack, _prefetch
from gymscore.features.flow import NUM_FLOW_FEATURES
from gymscore.features.pose import FOLLOW_PIXELS, PoseEstimator, from_crop, square_affine
from gymscore.skeleton import NUM_JOINTS
from gymscore.util.progress import CancelToken, ProgressFn, check_cancel, report
from gymscore.video import VideoError, VideoReader

CROP_PIXELS = FOLLOW_PIXELS  # BlazePose's input size
BOX_MARGIN = 1.6  # crop side over the body's extent
MIN_BOX_TORSOS = 4.5  # ... and at least this many torso lengths (a tuck is small, a layout is long)


def follow_boxes(joints: np.ndarray, visibility: np.ndarray, frame_height: float) -> np.ndarray:
    """(T, 3) crop boxes (centre x, centre y, side) in displayed pixels from a pose track that has a
    pose on every frame (the first pass after gap filling; frames without one hold the last known)."""
    n = len(joints)
    if n == 0:
        return np.zeros((0, 3))
    centre = joints.mean(axis=1)
    extent = (joints.max(axis=1) - joints.min(axis=1)).max(axis=1)
    torso = np.linalg.norm(joints[:, 1] - joints[:, 2], axis=1)
    seen = visibility.max(axis=1) > 0
    torso_ref = float(np.median(torso[seen])) if seen.any() else frame_height / 8
    side = np.maximum(extent * BOX_MARGIN, MIN_BOX_TORSOS * torso_ref)
    k = 5  # smooth: centre by a moving mean, side by a running max over +-5 frames
    pad_c = np.pad(centre, ((2, 2), (0, 0)), mode="edge")
    centre = np.stack([pad_c[i : i + n] for i in range(5)]).mean(axis=0)
    pad_s = np.pad(side, (k, k), mode="edge")
    side = np.stack([pad_s[i : i + n] for i in range(2 * k + 1)]).max(axis=0)
    side = np.clip(side, 32.0, 2.0 * frame_height)
    return np.column_stack([centre, side])


def crop_affine(box: np.ndarray, pixels_per_unit: float) -> np.ndarray:
    """2x3 matrix from image pixels to crop pixels for a box given in displayed pixels."""
    cx, cy, side = (float(v) * pixels_per_unit for v in box)
    return square_affine((cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2), CROP_PIXELS)


def crop_track(
    reader: VideoReader,
    estimator: PoseEstimator,
    start: int,
    stop: int,
    boxes: np.ndarray,
    skip: np.ndarray | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    follow: bool = False,
    prefetch: bool = False,
) -> RangeTrack:
    """The estimator on every frame of ``[start, stop)`` (but ``skip``), cropped to ``boxes``; with
    ``follow`` the crop is centred on the last frame's detection where there is one (the boxes come
    from a first pass that may have interpolated her through a salto or a giant swing). ``prefetch``
    decodes in a background thread (the threads of the GPU path; worker processes, one per core,
    gain nothing from it: measured 0.7 s slower on the 2-core dev machine)."""
    import cv2  # noqa: PLC0415

    meta = reader.meta
    stop = min(stop, meta.frame_count)
    n = max(stop - start, 0)
    joints = np.zeros((n, NUM_JOINTS, 2), np.float32)
    vis = np.zeros((n, NUM_JOINTS), np.float32)
    detected = np.zeros(n, bool)
    processed = np.zeros(n, bool)
    estimator.reset()
    calls = 0
    last: tuple[int, np.ndarray] | None = None  # (frame, centre) of the last detection
    frames = reader.frames(start=start, stop=stop)
    for frame in _prefetch(frames) if prefetch else frames:
        check_cancel(cancel)
        i, img = frame.index, frame.image
        r = i - start
        if skip is not None and i < len(skip) and skip[i]:
            last = None
            continue
        unit = img.shape[1] / meta.width  # decoded pixels per displayed pixel
        box = boxes[i]
        if follow and last is not None and last[0] == i - 1:
            box = np.array([last[1][0], last[1][1], box[2]])
        affine = crop_affine(box, unit)
        crop = cv2.warpAffine(img, affine, (CROP_PIXELS, CROP_PIXELS), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_CONSTANT)
        cand = estimator.detect(cv2.cvtColor(crop, cv2.COLOR_BGR2RGB))
        calls += 1
        processed[r] = True
        if cand is not None:
            joints[r] = from_crop(cand.joints, affine) / unit
            vis[r] = cand.visibility
            detected[r] = True
            last = (i, joints[r].mean(axis=0))
        if calls % 8 == 0:
            report(progress, r + 1, n, f"elements at full frame rate: frame {i + 1}/{meta.frame_count}")
    return RangeTrack(start=start, end=start + n, joints=joints, visibility=vis, detected=detected,
                      processed=processed, flow=np.zeros((n, NUM_FLOW_FEATURES), np.float32),
                      camera=np.zeros((n, 2)), stats={"crop": calls})


def crop_track_spans(
    reader: VideoReader,
    estimator: PoseEstimator,
    spans: list[tuple[int, int]],
    boxes: np.ndarray,
    skip: np.ndarray | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    follow: bool = False,
    prefetch: bool = False,
) -> list[RangeTrack]:
    """:func:`crop_track` on each (start, stop) span in turn; ``progress`` counts frames over all of
    them. A span that the file ends before comes back empty."""
    total = sum(b - a for a, b in spans)
    out: list[RangeTrack] = []
    before = 0
    for a, b in spans:
        check_cancel(cancel)
        try:
            out.append(crop_track(reader, estimator, a, b, boxes, skip, cancel=cancel, follow=follow,
                                  prefetch=prefetch,
                                  progress=lambda d, t, m="", o=before: report(progress, o + d, total, m)))
        except VideoError as exc:
            if "cannot reach frame" not in str(exc):
                raise
            out.append(RangeTrack.empty(a))
        before += b - a
    return out
