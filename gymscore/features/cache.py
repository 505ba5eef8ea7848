"""Feature cache: one compressed ``.npz`` per (video content sha256, feature configuration key).

Files live in ``gymscore.paths.cache_dir() / "features"`` and are written atomically; a damaged or
outdated entry is ignored (and recomputed), never an error.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from gymscore.paths import cache_dir
from gymscore.util.atomic import atomic_write_with
from gymscore.video import VideoMeta

log = logging.getLogger(__name__)
ARRAYS = ("joints2d", "visibility", "source", "flow", "processed")


def entry_path(sha256: str, key: str) -> Path:
    """Where the features of a video with this content and configuration are cached."""
    return cache_dir() / "features" / sha256[:2] / f"{sha256}-{key}.npz"


def save(feats, key: str) -> Path:
    """Write a :class:`~gymscore.features.extract.VideoFeatures` to the cache."""
    info = {
        "meta": feats.meta.to_dict(), "estimator": feats.estimator, "stride": feats.stride,
        "tracker_stats": feats.tracker_stats, "sha256": feats.sha256,
    }
    info["meta"].pop("duration", None)
    arrays = {name: getattr(feats, name) for name in ARRAYS}
    return save_arrays(feats.sha256, key, {"info": np.array(json.dumps(info)), **arrays})


def load(sha256: str, key: str):
    """The cached features, or None when absent or unreadable."""
    from gymscore.features.extract import VideoFeatures  # noqa: PLC0415

    z = load_arrays(sha256, key)
    if z is None:
        return None
    try:
        info = json.loads(str(z["info"]))
        arrays = {name: z[name] for name in ARRAYS}
        return VideoFeatures(
            sha256=info["sha256"], meta=VideoMeta(**info["meta"]), estimator=info["estimator"],
            stride=int(info["stride"]), tracker_stats=info["tracker_stats"], from_cache=True, **arrays,
        )
    except Exception as exc:  # an entry of an older layout is recomputed
        log.warning("ignoring unreadable feature cache %s: %s", entry_path(sha256, key), exc)
        return None


def save_arrays(sha256: str, key: str, arrays: dict[str, np.ndarray]) -> Path:
    """Cache named arrays for a video (for example its full-rate poses inside elements)."""
    return atomic_write_with(entry_path(sha256, key), lambda fh: np.savez_compressed(fh, **arrays))


def load_arrays(sha256: str, key: str) -> dict[str, np.ndarray] | None:
    """Arrays cached by :func:`save_arrays`, or None when absent or unreadable."""
    path = entry_path(sha256, key)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            return {name: z[name] for name in z.files}
    except Exception as exc:  # a damaged entry is recomputed
        log.warning("ignoring unreadable cache entry %s: %s", path, exc)
        return None


def save_track(feats) -> str:
    """Cache the pose track an analysis read its elements from (first pass and full-rate poses
    merged: ``joints2d``, ``visibility``, ``source``) under a key made of its content, which is
    returned (``track-<hash>``): the app draws this skeleton over the video of that analysis."""
    import hashlib  # noqa: PLC0415

    arrays = {"joints2d": np.ascontiguousarray(feats.joints2d, dtype=np.float32),
              "visibility": np.ascontiguousarray(feats.visibility, dtype=np.float32),
              "source": np.ascontiguousarray(feats.source, dtype=np.int8)}
    digest = hashlib.sha256(b"".join(a.tobytes() for a in arrays.values())).hexdigest()[:12]
    key = f"track-{digest}"
    if not entry_path(feats.sha256, key).is_file():
        save_arrays(feats.sha256, key, arrays)
    return key
