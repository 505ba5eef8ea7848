"""Routine-level training samples: a pose track plus its Timeline (GymSynth, disk caches, user corrections).

Sample weights: segments whose ``source`` is ``"user"`` (a coach's correction in the GUI) weigh
:data:`USER_WEIGHT` (2.0) in the classifier and segmenter losses; every other segment weighs 1.0.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gymscore.paths import user_data_dir
from gymscore.timeline import Timeline, from_dict, load_timeline, to_dict
from gymscore.util.atomic import atomic_write_with
from gymscore.util.progress import CancelToken, ProgressFn, check_cancel, report

USER_WEIGHT = 2.0
POSE_SUFFIX = ".pose.npz"


@dataclass
class RoutineSample:
    """One routine: 2D joints (T, 17, 2) in pixels, visibility (T, 17), its timeline, and provenance."""

    joints2d: np.ndarray
    visibility: np.ndarray
    timeline: Timeline
    name: str = ""
    source: str = "synth"
    meta: dict = field(default_factory=dict)

    @property
    def frame_size(self) -> tuple[int, int]:
        return (int(self.timeline.video.width or 1280), int(self.timeline.video.height or 720))

    @property
    def fps(self) -> float:
        return float(self.timeline.video.fps or 25.0)

    def segment_weight(self, index: int) -> float:
        return USER_WEIGHT if self.timeline.segments[index].source == "user" else 1.0


def save_routine(path: str | Path, sample: RoutineSample) -> Path:
    """Write a routine as one ``.npz`` (joints2d, visibility, timeline JSON) atomically."""
    payload = json.dumps(to_dict(sample.timeline))
    meta = json.dumps({"name": sample.name, "source": sample.source, **sample.meta})

    def write(fh) -> None:  # type: ignore[no-untyped-def]
        np.savez_compressed(
            fh,
            joints2d=sample.joints2d.astype(np.float32),
            visibility=sample.visibility.astype(np.float32),
            timeline=np.array(payload),
            meta=np.array(meta),
        )

    return atomic_write_with(path, write)


def load_routine(path: str | Path) -> RoutineSample:
    """Read a routine written by :func:`save_routine`."""
    p = Path(path)
    try:
        with np.load(p, allow_pickle=False) as z:
            j, v = z["joints2d"], z["visibility"]
            tl = from_dict(json.loads(str(z["timeline"])), source=str(p))
            meta = json.loads(str(z["meta"])) if "meta" in z else {}
    except (OSError, KeyError, ValueError) as exc:
        raise ValueError(f"{p}: not a gymscore routine file ({exc})") from exc
    if j.ndim != 3 or j.shape[1:] != (17, 2) or v.shape != j.shape[:2]:
        raise ValueError(
            f"{p}: joints2d {j.shape} / visibility {v.shape} do not have shapes (T, 17, 2) / (T, 17)"
        )
    return RoutineSample(
        j, v, tl, name=meta.pop("name", p.stem), source=meta.pop("source", "disk"), meta=meta
    )


def load_routine_dir(folder: str | Path) -> list[RoutineSample]:
    """Every ``*.npz`` routine in a folder, in name order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"routine folder {folder} does not exist")
    return [load_routine(p) for p in sorted(folder.glob("*.npz"))]


def synth_routine(apparatus: str, seed: int, camera: str = "broadcast", fps: int = 25) -> RoutineSample:
    """One GymSynth routine as a training sample (imports :mod:`gymscore.synth` lazily)."""
    from gymscore.synth import generate_skeleton_routine

    r = generate_skeleton_routine(apparatus, seed, fps=fps, camera=camera)
    return RoutineSample(
        np.asarray(r.joints2d, np.float32),
        np.asarray(r.visibility, np.float32),
        r.timeline,
        name=f"{apparatus}-{camera}-{seed}",
        source="synth",
        meta={"apparatus": apparatus, "seed": seed, "camera": camera},
    )


def synth_routines(
    apparatus: Iterable[str],
    seeds: Iterable[int],
    camera: str = "broadcast",
    fps: int = 25,
    cache_dir: str | Path | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> list[RoutineSample]:
    """GymSynth routines for every (apparatus, seed); with ``cache_dir`` each is saved/reused as ``.npz``."""
    jobs = [(a, s) for s in seeds for a in apparatus]
    out = []
    for k, (app, seed) in enumerate(jobs):
        check_cancel(cancel)
        path = Path(cache_dir) / f"{app}-{camera}-{seed}-{fps}.npz" if cache_dir else None
        if path is not None and path.is_file():
            sample = load_routine(path)
        else:
            sample = synth_routine(app, seed, camera, fps)
            if path is not None:
                save_routine(path, sample)
        out.append(sample)
        report(progress, k + 1, len(jobs), f"GymSynth {app} seed {seed}")
    return out


def synth_balanced_routines(
    element_apparatus: dict[str, str],
    passes: int,
    seed_start: int,
    cameras: list[str],
    fps: int = 25,
    cache_dir: str | Path | None = None,
    per_routine: int = 6,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> list[RoutineSample]:
    """GymSynth routines in which every element of ``element_apparatus`` appears ``passes`` times.

    Elements are shuffled per pass and apparatus and performed about ``per_routine`` at a time (vault:
    one), every dismount last in its routine (:func:`gymscore.synth.sampler.balanced_groups`); cameras
    alternate over ``cameras``. Deterministic in ``seed_start``.
    """
    from gymscore.codebook import default_codebook
    from gymscore.synth import generate_skeleton_routine
    from gymscore.synth.sampler import balanced_groups

    cb = default_codebook()
    rng = np.random.default_rng(seed_start)
    jobs: list[tuple[str, int, list[str], str]] = []
    seed = seed_start
    by_app: dict[str, list[str]] = {}
    for e, app in element_apparatus.items():
        by_app.setdefault(app, []).append(e)
    for _ in range(passes):
        for app in sorted(by_app):
            ids = [by_app[app][i] for i in rng.permutation(len(by_app[app]))]
            for group in balanced_groups(ids, 1 if app == "VT" else per_routine, cb):
                jobs.append((app, seed, group, cameras[seed % len(cameras)]))
                seed += 1
    out = []
    for n, (app, sd, ids, cam) in enumerate(jobs):
        check_cancel(cancel)
        # "bal2": routines that end with their dismount (before, elements after one were dropped)
        path = Path(cache_dir) / f"bal2-{app}-{cam}-{sd}-{fps}.npz" if cache_dir else None
        if path is not None and path.is_file():
            sample = load_routine(path)
        else:
            r = generate_skeleton_routine(app, sd, elements=ids, fps=fps, camera=cam)
            sample = RoutineSample(
                np.asarray(r.joints2d, np.float32),
                np.asarray(r.visibility, np.float32),
                r.timeline,
                name=f"bal2-{app}-{cam}-{sd}",
                source="synth",
                meta={"apparatus": app, "seed": sd, "camera": cam, "balanced": True},
            )
            if path is not None:
                save_routine(path, sample)
        out.append(sample)
        report(progress, n + 1, len(jobs), f"GymSynth balanced {app} seed {sd}")
    return out


def corrections_dir() -> Path:
    """Where the GUI saves corrected timelines (``user_data_dir()/corrections``)."""
    return user_data_dir() / "corrections"


def load_corrections(folder: str | Path | None = None) -> list[RoutineSample]:
    """User-corrected timelines with their pose tracks.

    Each ``NAME.json`` timeline needs the pose track of its video: ``NAME.pose.npz`` beside it (arrays
    ``joints2d`` and ``visibility`` at the timeline's fps, as cached by the analysis pipeline). Timelines
    without one are skipped with a warning naming them.
    """
    folder = Path(folder) if folder is not None else corrections_dir()
    if not folder.is_dir():
        return []
    out, skipped = [], []
    for tl_path in sorted(folder.glob("*.json")):
        tl = load_timeline(tl_path)
        pose = tl_path.with_name(tl_path.stem + POSE_SUFFIX)
        if not pose.is_file():
            skipped.append(tl_path.name)
            continue
        with np.load(pose, allow_pickle=False) as z:
            j, v = np.asarray(z["joints2d"], np.float32), np.asarray(z["visibility"], np.float32)
        out.append(RoutineSample(j, v, tl, name=tl_path.stem, source="user"))
    if skipped:
        warnings.warn(
            f"corrections without a pose track ({POSE_SUFFIX}) were skipped: {', '.join(skipped)}",
            RuntimeWarning,
            stacklevel=2,
        )
    return out
