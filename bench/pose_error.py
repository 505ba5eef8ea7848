"""How far the analysis' poses lie from GymSynth's true 2D joints (``joints.npz`` beside each video).

Used by ``bench_accuracy.py``. A frame's error is the median over the 17 joints of the distance
between the estimated and the true joint, in displayed pixels (the median: one swapped or lost limb
does not dominate); frames without a pose (lost and not interpolated) are left out and counted apart.
A frame further than one torso length (true neck to pelvis, the routine's median) from the truth is
"far": the wrong person, or the right one badly lost.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gymscore.features.gaps import MISSING


def frame_errors(est: np.ndarray, source: np.ndarray, truth_file: Path) -> tuple[np.ndarray, np.ndarray, int]:
    """Per-frame errors (px) and torso-relative errors on the frames with a pose, and the number of
    frames without one. ``est`` (T, 17, 2) displayed pixels, ``source`` (T,) the features' source."""
    true = np.load(truth_file)["joints2d"].astype(np.float64)
    n = min(len(true), len(est))
    true, est, source = true[:n], est[:n].astype(np.float64), source[:n]
    has = source != MISSING
    err = np.median(np.linalg.norm(est - true, axis=2), axis=1)
    torso = float(np.median(np.linalg.norm(true[:, 1] - true[:, 2], axis=1)))
    return err[has], err[has] / max(torso, 1.0), int((~has).sum())


def summary(parts: list[tuple[np.ndarray, np.ndarray, int]]) -> dict[str, float]:
    """Mean, median and 90th percentile error (px) over all frames of all routines, the share of far
    frames and of frames without a pose (per cent)."""
    err = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0)
    rel = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0)
    missing = sum(p[2] for p in parts)
    if not len(err):
        return {}
    return {
        "pose_error_mean_px": float(err.mean()),
        "pose_error_median_px": float(np.median(err)),
        "pose_error_p90_px": float(np.percentile(err, 90)),
        "pose_far_pct": float(100 * (rel > 1.0).mean()),
        "pose_missing_pct": float(100 * missing / (len(err) + missing)),
    }
