"""MediaPipe's tracking-mode smoothing of pose landmarks, for :mod:`gymscore.features.blazepose`.

MediaPipe's pose solution in tracking mode filters the two auxiliary landmarks that place the next
frame's region with a one-euro filter (min cutoff 0.01, beta :data:`AUX_BETA`, derivative cutoff 1)
always, and with
``smooth_landmarks`` also the landmarks (one-euro: 0.1, 40, 1) and their visibilities (low-pass,
alpha 0.1); on pixel coordinates with speeds measured in the landmarks' own size, at the fixed 30
calls a second its Python API assumes. The LiteRT backend filters the same way, so that its poses
match the ones the models before ``cls18`` were trained on.
"""

from __future__ import annotations

import math

import numpy as np

SMOOTH_RATE = 30.0  # calls a second MediaPipe's solution API assumes (its simulated timestamps)


class OneEuroFilter:
    """One-euro filter over (N, 2) pixel coordinates, its speed measured in ``scale`` units (the
    landmarks' size), at :data:`SMOOTH_RATE` calls a second."""

    def __init__(self, min_cutoff: float, beta: float, derivative_cutoff: float) -> None:
        self.min_cutoff, self.beta, self.derivative_cutoff = min_cutoff, beta, derivative_cutoff
        self.reset()

    def reset(self) -> None:
        self._raw: np.ndarray | None = None
        self._value: np.ndarray | None = None
        self._speed: np.ndarray | None = None

    @staticmethod
    def _alpha(cutoff: np.ndarray | float) -> np.ndarray | float:
        tau = 1.0 / (2 * math.pi * cutoff)
        return 1.0 / (1.0 + tau * SMOOTH_RATE)

    def __call__(self, x: np.ndarray, scale: float) -> np.ndarray:
        if self._raw is None:
            self._raw, self._value, self._speed = x.copy(), x.copy(), np.zeros_like(x)
            return x
        speed = (x - self._raw) / scale * SMOOTH_RATE
        a = self._alpha(self.derivative_cutoff)
        self._speed = a * speed + (1 - a) * self._speed
        a = self._alpha(self.min_cutoff + self.beta * np.abs(self._speed))
        self._value = a * x + (1 - a) * self._value
        self._raw = x.copy()
        return self._value


# The published graph description says beta 1 for the auxiliary landmarks; MediaPipe 0.10.14's own
# regions (read from its graph's ROI output on the 92 s benchmark routine) are matched by 3: the
# region centres then agree within 0.2 % of the region's side (median; 1.9 % with beta 1).
AUX_BETA = 3.0


class LandmarkSmoother:
    """MediaPipe's tracking-mode smoothing: the auxiliary landmarks always (its graph filters them
    whatever ``smooth_landmarks`` says), the landmarks and visibilities with ``smooth_landmarks``."""

    VISIBILITY_ALPHA = 0.1

    def __init__(self, smooth_landmarks: bool = True) -> None:
        self.smooth_landmarks = smooth_landmarks
        self.points = OneEuroFilter(0.1, 40.0, 1.0)
        self.aux = OneEuroFilter(0.01, AUX_BETA, 1.0)
        self._visibility: np.ndarray | None = None

    def reset(self) -> None:
        self.points.reset()
        self.aux.reset()
        self._visibility = None

    def __call__(self, lm: np.ndarray) -> np.ndarray:
        """(39, 4) landmarks as :meth:`_Networks.landmarks_in` returns them, smoothed."""
        out = lm.copy()
        if self.smooth_landmarks:
            vis = lm[:33, 2]
            if self._visibility is not None:
                vis = self.VISIBILITY_ALPHA * vis + (1 - self.VISIBILITY_ALPHA) * self._visibility
            self._visibility = out[:33, 2] = vis
            out[:33, :2] = self.points(lm[:33, :2], _object_scale(lm[:33, :2]))
        out[33:35, :2] = self.aux(lm[33:35, :2], _object_scale(lm[33:35, :2]))
        return out


def _object_scale(points: np.ndarray) -> float:
    """Mean of the width and height of the points' bounding box (pixels), at least a pixel."""
    extent = points.max(axis=0) - points.min(axis=0)
    return max(float(extent.mean()), 1.0)
