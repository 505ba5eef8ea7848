"""Tiny stand-ins for the pose estimator and the model runners (dependency injection in tests)."""

from __future__ import annotations

import numpy as np

from gymscore.features.pose import PoseCandidate, candidate_from_landmarks

LABELS = ["background", 21, 22, 31]


def stick_figure(cx: float, cy: float, height: float) -> np.ndarray:
    """33 BlazePose-like landmarks (pixels) of an upright person centred at (cx, cy)."""
    xy = np.zeros((33, 2), np.float32)
    xy[:, 0] = cx
    xy[:, 1] = np.linspace(cy - height / 2, cy + height / 2, 33)
    xy[11::2, 0] -= height * 0.1  # left side
    xy[12::2, 0] += height * 0.1
    return xy


class FakeEstimator:
    """Finds a person at a scripted place; counts its calls."""

    name = "fake-pose"
    version = "1"

    def __init__(self, where=lambda call, roi: (80.0, 60.0, 60.0), missing=()):
        self.where = where
        self.missing = set(missing)
        self.calls = 0
        self.resets = 0

    def detect(self, rgb, roi=None) -> PoseCandidate | None:
        call = self.calls
        self.calls += 1
        if call in self.missing:
            return None
        spot = self.where(call, roi)
        if spot is None:
            return None
        return candidate_from_landmarks(stick_figure(*spot), np.full(33, 0.9, np.float32), roi is not None)

    def reset(self) -> None:
        self.resets += 1

    def close(self) -> None:
        pass


class FakeManifest:
    def __init__(self, name: str, fps: float | None = None) -> None:
        self.name = name
        self.input = {"min_segment_frames": 3}
        if fps:
            self.input["fps"] = fps


class FakeSegmenter:
    """Set 21 on frames [5, 15), set 22 on [17, 27), a weak BB set everywhere (at the model's frames)."""

    label_space = LABELS

    def __init__(self, fps: float | None = None) -> None:
        self.manifest = FakeManifest("fake-segmenter", fps)
        self.fps = fps
        self.seen_shape = None

    def predict(self, features: np.ndarray) -> np.ndarray:
        self.seen_shape = features.shape
        t = len(features)
        p = np.zeros((t, 4))
        p[:, 0] = 0.8
        p[:, 3] = 0.2
        p[5:15] = [0.1, 0.6, 0.0, 0.3]
        p[17:27] = [0.1, 0.0, 0.55, 0.35]
        return p

    def decode(self, probs: np.ndarray, min_len: int = 5):
        labels = probs.argmax(axis=1)
        out, s = [], 0
        for i in range(1, len(labels) + 1):
            if i == len(labels) or labels[i] != labels[s]:
                if self.label_space[labels[s]] != "background" and i - s >= min_len:
                    out.append((s, i, self.label_space[labels[s]], float(probs[s:i, labels[s]].mean())))
                s = i
        return out


class FakeClassifier:
    """Set 21: plain element probabilities; set 22: attributes overturn the element ranking."""

    def __init__(self) -> None:
        self.manifest = FakeManifest("fake-classifier")
        self.clip_lengths: list[int] = []

    def predict(self, clips, fps=None):
        out = []
        for j, _v in clips:
            self.clip_lengths.append(len(j))
            if len(out) == 0:
                out.append({
                    "element_probs": {"FX-094": 0.7, "FX-142": 0.2},
                    "set_probs": {21: 0.9, 22: 0.1}, "event_probs": {"FX": 1.0}, "attribute_probs": {},
                })
            else:
                out.append({
                    "element_probs": {"FX-143": 0.5, "FX-144": 0.3, "FX-149": 0.2},
                    "set_probs": {21: 0.2, 22: 0.8}, "event_probs": {"FX": 1.0},
                    "attribute_probs": {
                        "turn_position": {"attitude": 0.9, "free_leg_horizontal": 0.1},
                        "turn_amount": {"1": 0.98, "2": 0.02},
                    },
                })
        return out
