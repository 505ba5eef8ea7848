"""The GUI's doors to the rest of gymscore (codebook, scoring, analysis, poses), injectable for tests.

The window never imports the scoring engine, the pipeline or torch directly: it calls a
:class:`Services` object. :func:`default_services` wires the real modules, imported lazily so that the
window opens fast; tests pass small fakes instead.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gymscore.paths import resource_path
from gymscore.timeline import Timeline

AnalyzeFn = Callable[..., Timeline]


@dataclass
class ElementInfo:
    """What the GUI shows of one codebook element."""

    id: str
    name: str = ""
    cop_number: str = ""
    value_letter: str = ""
    value: float | None = None
    set_id: int | None = None

    @property
    def short(self) -> str:
        """Name and value letter, e.g. "split leap with 1 turn (C)"."""
        return f"{self.name} ({self.value_letter})" if self.value_letter else self.name


def _lazy(module: str, attr: str) -> Any | None:
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError):
        return None


def _load_codebook(edition: str) -> Any | None:
    factory = _lazy("gymscore.codebook", "default_codebook")
    if factory is None:
        return None
    try:
        return factory(edition)
    except TypeError:
        return factory()


def _score(tl: Timeline) -> Any | None:
    fn = _lazy("gymscore.scoring", "score")
    return None if fn is None else fn(tl)


def _analyze(video_path: str, **kw: Any) -> Timeline:
    fn = _lazy("gymscore.pipeline", "analyze")
    if fn is None:
        raise RuntimeError("the analysis pipeline (gymscore.pipeline) is not installed in this build")
    return fn(video_path, **kw)


def read_pose_track(path: str | Path) -> Any | None:
    """A pose track file (``.npz`` with ``joints2d`` (T, 17, 2) and ``visibility`` (T, 17), or ``.npy``)
    as one (T, 17, 3) array of x, y, visibility; None when unreadable."""
    import numpy as np

    try:
        data = np.load(path, allow_pickle=False)
        if not hasattr(data, "files"):
            return np.asarray(data, dtype=np.float32)
        with data:
            joints = np.asarray(data["joints2d"], dtype=np.float32)
            vis = np.asarray(data["visibility"], dtype=np.float32) if "visibility" in data.files else None
    except (OSError, ValueError, KeyError):
        return None
    if vis is None:
        vis = np.ones(joints.shape[:2], np.float32)
    return np.concatenate([joints[..., :2], vis[..., None]], axis=-1)


def _load_poses(tl: Timeline) -> Any | None:
    """The skeleton track of a timeline's video: a file named in ``metadata["poses"]`` (relative to the
    video); for a timeline made by an analysis, the poses it read (``metadata["analysis"]["pose_track"]``
    in the feature cache); ``NAME.pose.npz`` or GymSynth's ``joints.npz`` beside the video; else the
    newest readable pose entry of the feature cache for the video's sha256; None when there is none."""
    from gymscore.paths import cache_dir

    meta = tl.metadata if isinstance(tl.metadata, dict) else {}
    ref = meta.get("poses")
    if isinstance(ref, str) and ref:
        p = Path(ref)
        if not p.is_absolute() and tl.video.path:
            p = Path(tl.video.path).parent / p
        if p.exists():
            return read_pose_track(p)
    sha = tl.video.sha256
    analysis = meta.get("analysis") if isinstance(meta.get("analysis"), dict) else {}
    track = analysis.get("pose_track")
    if sha and isinstance(track, str) and track.replace("-", "").isalnum():
        p = cache_dir() / "features" / sha[:2] / f"{sha}-{track}.npz"
        if p.is_file() and (poses := read_pose_track(p)) is not None:
            return poses
    if tl.video.path:  # a pose track beside the video: GymSynth's joints.npz or NAME.pose.npz
        video = Path(tl.video.path)
        for p in (video.with_name(video.stem + ".pose.npz"), video.with_name("joints.npz")):
            if p.is_file():
                track = read_pose_track(p)
                if track is not None:
                    return track
    if sha:  # (full-rate entries, "-dense", hold only the elements' frames: not a whole track)
        found = sorted(
            (q for q in (cache_dir() / "features" / sha[:2]).glob(f"{sha}-*.npz") if "-dense" not in q.name),
            key=lambda q: q.stat().st_mtime,
        )
        for q in reversed(found):
            if (poses := read_pose_track(q)) is not None:
                return poses
    return None


def _editions() -> list[str]:
    root = resource_path("codebook")
    found = sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    return found or ["wag-2017"]


@dataclass
class Services:
    """Callables the GUI uses; every field can be replaced by a fake."""

    load_codebook: Callable[[str], Any | None] = _load_codebook
    score: Callable[[Timeline], Any | None] = _score
    analyze: AnalyzeFn = _analyze
    load_poses: Callable[[Timeline], Any | None] = _load_poses
    editions: Callable[[], list[str]] = _editions
    _codebooks: dict[str, Any] = field(default_factory=dict, repr=False)

    def codebook(self, edition: str) -> Any | None:
        """The codebook of an edition (loaded once)."""
        if edition not in self._codebooks:
            try:
                self._codebooks[edition] = self.load_codebook(edition)
            except Exception:  # noqa: BLE001 - a broken codebook shows as unnamed elements
                self._codebooks[edition] = None
        return self._codebooks[edition]

    def element(self, edition: str, element_id: str | None) -> ElementInfo | None:
        """Display facts of an element, or None when it is unknown."""
        if not element_id:
            return None
        cb = self.codebook(edition)
        el = None
        if cb is not None:
            try:
                el = cb.get(element_id)
            except (KeyError, ValueError, LookupError):
                el = None
        if el is None:
            return ElementInfo(id=element_id, name=element_id)
        value = getattr(el, "value", None)
        return ElementInfo(
            id=element_id,
            name=str(getattr(el, "name", element_id)),
            cop_number=str(getattr(el, "cop_number", "") or ""),
            value_letter=str(getattr(el, "value_letter", "") or ""),
            value=float(value) if value is not None else None,
            set_id=getattr(el, "set_id", None),
        )

    def set_name(self, edition: str, set_id: int | None) -> str:
        """Readable name of a set id ("FX leaps, jumps and hops"), or "set N"."""
        if set_id is None:
            return "no set"
        cb = self.codebook(edition)
        info = getattr(cb, "sets", {}).get(set_id) if cb is not None else None
        if info is None:
            return f"set {set_id}"
        name = str(getattr(info, "name", set_id)).replace("_", " ")
        return f"{getattr(info, 'apparatus', '')} {name}".strip()


def default_services() -> Services:
    """The real codebook, scorer and pipeline, imported on first use."""
    return Services()
