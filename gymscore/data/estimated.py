"""Training routines whose poses come from the analysis pipeline's own pose estimator.

A labelled video (GymSynth's ``video.mp4`` + ``timeline.json`` folders, or any video with a Timeline)
is run through :func:`gymscore.features.extract.extract_features`, the code the analysis uses, so the
saved joints carry the estimator's real errors (lost inverted bodies, left/right swaps, longer torso)
instead of a simulation of them. The results are routine ``.npz`` files (:func:`save_routine`) that a
training config reads through ``data.train_dirs`` / ``data.val_dirs``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gymscore.data.routines import RoutineSample, load_routine, save_routine
from gymscore.timeline import Timeline, load_timeline
from gymscore.util.progress import CancelToken, ProgressFn, check_cancel, report

if TYPE_CHECKING:
    from gymscore.features.extract import ExtractConfig

VIDEO_NAMES = ("video.mp4", "video.mov", "video.mkv", "video.avi", "video.webm")
FRAME_TOLERANCE = 2  # containers may report a frame or two more or fewer than the Timeline says


@dataclass
class LabelledVideo:
    """A video and the Timeline that labels it."""

    video: Path
    timeline: Path

    @property
    def name(self) -> str:
        return self.video.parent.name if self.video.stem == "video" else self.video.stem


def find_labelled_videos(folder: str | Path) -> list[LabelledVideo]:
    """Labelled videos under ``folder``: GymSynth-style sub-folders (``video.*`` + ``timeline.json``)
    and flat pairs ``NAME.<video ext>`` + ``NAME.json``, in name order."""
    root = Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: not a folder of labelled videos")
    found: list[LabelledVideo] = []
    for sub in sorted(p for p in root.iterdir() if p.is_dir()):
        video = next((sub / n for n in VIDEO_NAMES if (sub / n).is_file()), None)
        if video is not None and (sub / "timeline.json").is_file():
            found.append(LabelledVideo(video, sub / "timeline.json"))
    for tl in sorted(root.glob("*.json")):
        candidates = (tl.with_suffix(Path(n).suffix) for n in VIDEO_NAMES)
        video = next((v for v in candidates if v.is_file()), None)
        if video is not None:
            found.append(LabelledVideo(video, tl))
    return found


def estimate_routine(item: LabelledVideo, use_cache: bool = True, cancel: CancelToken | None = None,
                     estimator: Any = None, full_rate_elements: bool = True,
                     config: ExtractConfig | None = None) -> RoutineSample:
    """The estimator's pose track of one labelled video (``estimator``: the analysis default when None),
    paired with its Timeline. With ``full_rate_elements`` the labelled elements are estimated on every
    frame, as the analysis does for the elements it finds (:mod:`gymscore.features.densify`).
    ``config``: the feature extraction settings (the analysis default when None).

    Raises ``ValueError`` naming both files when the video's frame count differs from the Timeline's
    by more than :data:`FRAME_TOLERANCE`.
    """
    from gymscore.features.extract import extract_features  # noqa: PLC0415 (pulls in cv2/mediapipe)

    timeline: Timeline = load_timeline(item.timeline)
    feats = extract_features(item.video, estimator, config, cancel=cancel, use_cache=use_cache)
    n_tl = timeline.video.frame_count
    if n_tl and abs(feats.frame_count - n_tl) > FRAME_TOLERANCE:
        raise ValueError(
            f"{item.video}: {feats.frame_count} frames, but its timeline {item.timeline} "
            f"describes {n_tl}; they do not belong together"
        )
    if full_rate_elements:
        from gymscore.features.densify import densify  # noqa: PLC0415

        spans = [(s.start_frame, s.end_frame) for s in timeline.segments]
        feats = densify(item.video, feats, spans, estimator, config, cancel=cancel, use_cache=use_cache)
    meta = {"video": str(item.video), "estimator": feats.estimator, "found_rate": feats.found_rate,
            "full_rate_elements": full_rate_elements}
    return RoutineSample(
        np.asarray(feats.joints2d, np.float32), np.asarray(feats.visibility, np.float32), timeline,
        name=item.name, source="estimated", meta=meta,
    )


def estimate_folder(
    src: str | Path,
    out: str | Path,
    use_cache: bool = True,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    estimator: Any = None,
) -> list[Path]:
    """Write ``out/NAME.npz`` for every labelled video in ``src``; files already there are kept
    (resumable). Returns the routine files of all videos in ``src``."""
    items = find_labelled_videos(src)
    if not items:
        raise FileNotFoundError(
            f"{src}: no labelled videos (video.* + timeline.json, or NAME.mp4 + NAME.json)"
        )
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for k, item in enumerate(items):
        check_cancel(cancel)
        path = out_dir / f"{item.name}.npz"
        if not path.is_file():
            save_routine(path, estimate_routine(item, use_cache, cancel, estimator))
        paths.append(path)
        report(progress, k + 1, len(items), f"poses of {item.name}")
    return paths


def summarise(paths: Iterable[Path]) -> dict[str, float]:
    """Routine count, frames and the mean share of frames in which the gymnast was found."""
    samples = [load_routine(p) for p in paths]
    found = [float(s.meta.get("found_rate", np.nan)) for s in samples]
    return {
        "routines": len(samples),
        "frames": int(sum(len(s.joints2d) for s in samples)),
        "mean_found_rate": float(np.nanmean(found)) if samples else float("nan"),
    }
