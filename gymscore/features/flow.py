"""Motion features: dense optical flow (OpenCV DIS) on a small grey copy of each processed frame.

Per frame, :class:`FlowExtractor` returns a flow field at ``width`` pixels wide. :func:`flow_stats`
turns it into a fixed vector: the camera motion (median flow of the whole frame) and, inside the
gymnast's box with camera motion removed, the mean magnitude, mean vector, spread and a
magnitude-weighted direction histogram. Flow is in pixels of the *original* frame per second, then
divided by the box size so it does not depend on resolution or zoom.
"""

from __future__ import annotations

import cv2
import numpy as np

from gymscore.features.pose import Box

DIRECTION_BINS = 8
FLOW_FEATURES = (
    "cam_dx", "cam_dy", "mag_mean", "mag_std", "res_dx", "res_dy",
    *(f"dir_{i}" for i in range(DIRECTION_BINS)),
)
NUM_FLOW_FEATURES = len(FLOW_FEATURES)
# Mean grey-level difference (0-255) left after motion compensation above which a frame is a new shot.
# Measured on the real clips: camera cuts 27-28, fast motion at 10 fps up to 21.
CUT_RESIDUAL = 24.0


class FlowExtractor:
    """Dense optical flow between consecutive processed frames, on a downscaled grey image."""

    def __init__(self, width: int = 160) -> None:
        self.width = width
        self._dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST)
        self._prev: np.ndarray | None = None
        self._grid: tuple[np.ndarray, np.ndarray] | None = None
        self.scale = 1.0  # small pixels per original pixel
        self.cut = False

    def small_grey(self, bgr: np.ndarray) -> np.ndarray:
        h, w = bgr.shape[:2]
        self.scale = self.width / w
        grey = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
        size = (self.width, max(8, int(round(h * self.scale))))
        return cv2.resize(grey, size, interpolation=cv2.INTER_AREA)

    def step(self, bgr: np.ndarray) -> np.ndarray | None:
        """Flow from the previous frame to this one (small pixels); None on the first frame and at cuts.

        :attr:`cut` tells whether this frame starts a new shot: the flow cannot explain the change
        (mean grey difference after warping the frame back onto the previous one > ``CUT_RESIDUAL``).
        """
        grey = self.small_grey(bgr)
        prev, self._prev = self._prev, grey
        self.cut = False
        if prev is None or prev.shape != grey.shape:
            return None
        flow = self._dis.calc(prev, grey, None)
        h, w = grey.shape
        if self._grid is None or self._grid[0].shape != (h, w):
            gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
            self._grid = (gx, gy)
        gx, gy = self._grid
        warped = cv2.remap(grey, gx + flow[..., 0], gy + flow[..., 1], cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_REPLICATE)
        residual = float(np.abs(warped.astype(np.int16) - prev.astype(np.int16)).mean())
        if residual > CUT_RESIDUAL:
            self.cut = True
            return None
        return flow

    def reset(self) -> None:
        self._prev = None


def camera_motion(flow: np.ndarray | None) -> np.ndarray | None:
    """The camera's image motion: the median flow of the whole frame (flow pixels), None without flow.
    Computed once a frame and handed to :func:`residual_motion` and :func:`flow_stats` (a median of
    the field cost about 0.7 ms; it used to be taken three times a frame)."""
    return None if flow is None else np.median(flow.reshape(-1, 2), axis=0)


def residual_motion(flow: np.ndarray | None, cell: int = 8,
                    cam: np.ndarray | None = None) -> np.ndarray | None:
    """Coarse map of flow magnitude after removing the camera's motion (``cam``, else computed)."""
    if flow is None:
        return None
    res = flow - (camera_motion(flow) if cam is None else cam)
    mag = np.hypot(res[..., 0], res[..., 1])
    h, w = mag.shape
    hc, wc = h // cell, w // cell
    if hc == 0 or wc == 0:
        return mag
    return mag[: hc * cell, : wc * cell].reshape(hc, cell, wc, cell).mean(axis=(1, 3))


def flow_stats(
    flow: np.ndarray | None, box: Box | None, scale: float, dt: float, box_size: float,
    cam: np.ndarray | None = None,
) -> np.ndarray:
    """The :data:`FLOW_FEATURES` vector of one frame (zeros when there is no flow yet).

    ``box`` is in original pixels, ``scale`` converts them to flow pixels, ``dt`` is the time between
    the two frames in seconds and ``box_size`` (original pixels) normalises the speeds; ``cam``: the
    frame's :func:`camera_motion` when already known.
    """
    out = np.zeros(NUM_FLOW_FEATURES, dtype=np.float32)
    if flow is None or dt <= 0:
        return out
    norm = 1.0 / (scale * dt * max(box_size, 1.0))  # flow px -> box sizes per second
    if cam is None:
        cam = camera_motion(flow)
    out[0:2] = cam * norm
    h, w = flow.shape[:2]
    if box is None:
        x0, y0, x1, y1 = 0, 0, w, h
    else:
        x0, y0 = int(max(0, box[0] * scale)), int(max(0, box[1] * scale))
        x1, y1 = int(min(w, np.ceil(box[2] * scale))), int(min(h, np.ceil(box[3] * scale)))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return out
    res = (flow[y0:y1, x0:x1] - cam).reshape(-1, 2) * norm
    mag = np.hypot(res[:, 0], res[:, 1])
    out[2] = mag.mean()
    out[3] = mag.std()
    out[4:6] = res.mean(axis=0)
    ang = np.arctan2(res[:, 1], res[:, 0])
    bins = ((ang + np.pi) / (2 * np.pi) * DIRECTION_BINS).astype(int) % DIRECTION_BINS
    hist = np.bincount(bins, weights=mag, minlength=DIRECTION_BINS)
    total = hist.sum()
    if total > 0:
        out[6:] = hist / total
    return out
