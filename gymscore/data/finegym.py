"""FineGym in its official layout: split files, categories, status, download and clip preparation.

Layout of a FineGym folder ``DIR``::

    DIR/annotations/finegym_annotation_info_v1.1.json   event + sub-action timestamps of every video
    DIR/annotations/gym99_train_element_v1.1.txt ...     benchmark splits (see SPLIT_FILES)
    DIR/annotations/gym530_categories.txt ...            categories (see CATEGORY_FILES)
    DIR/videos/<youtube_id>.mp4                          source videos (any common container)
    DIR/clips/<split line name>.npz                      prepared sub-action clips (frames, uint8 RGB)
    DIR/clips/index.json                                 what was prepared, with labels
    DIR/events/<youtube_id>_E_<s>_<e>.mp4                prepared event (routine) clips

A split line ``<youtube_id>_E_<event start s>_<event end s>_A_<sub start s>_<sub end s> <Clabel>`` names a
sub-action; its times are seconds, the sub-action's relative to the event start.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gymscore.util.atomic import atomic_write_json
from gymscore.util.progress import CancelToken, ProgressFn, check_cancel, report

INFO_FILE = "finegym_annotation_info_v1.1.json"
SPLIT_FILES = {
    ("gym99", "train"): "gym99_train_element_v1.1.txt",
    ("gym99", "val"): "gym99_val_element.txt",
    ("gym288", "train"): "gym288_train_element_v1.1.txt",
    ("gym288", "val"): "gym288_val_element.txt",
}
CATEGORY_FILES = (
    "gym530_categories.txt",
    "gym288_categories.txt",
    "gym99_categories.txt",
    "set_categories.txt",
)
ANNOTATION_FILES = (INFO_FILE, *SPLIT_FILES.values(), *CATEGORY_FILES)
# The FineGym authors' site; GYMSCORE_FINEGYM_URL (or --base-url) points elsewhere (a mirror).
DEFAULT_BASE_URL = "https://sdolivia.github.io/FineGym/resources/dataset/"
VIDEO_EXTS = (".mp4", ".mkv", ".webm", ".avi", ".mov")
LINE_RE = re.compile(r"^(?P<vid>.+)_E_(?P<es>\d+)_(?P<ee>\d+)_A_(?P<ss>\d+)_(?P<se>\d+)$")


class FineGymError(OSError):
    """A FineGym folder or download problem; the message says what is missing and what to do."""


@dataclass(frozen=True)
class SubAction:
    """One line of a split file."""

    name: str
    youtube_id: str
    event_start: int
    event_end: int
    start: int  # seconds from the event start
    end: int
    label: int  # Clabel of the benchmark (Gym99 / Gym288)

    @property
    def event_name(self) -> str:
        return f"{self.youtube_id}_E_{self.event_start:06d}_{self.event_end:06d}"

    @property
    def abs_start(self) -> float:
        return float(self.event_start + self.start)

    @property
    def abs_end(self) -> float:
        return float(self.event_start + self.end)


def parse_split_line(line: str, source: str = "split file", line_no: int = 0) -> SubAction:
    """Parse one split line; ValueError naming the file and line when it is malformed."""
    parts = line.split()
    if len(parts) != 2:
        raise ValueError(f"{source}:{line_no}: expected '<name> <label>', got {line.strip()!r}")
    m = LINE_RE.match(parts[0])
    if not m or not parts[1].isdigit():
        raise ValueError(f"{source}:{line_no}: malformed sub-action name or label {line.strip()!r}")
    return SubAction(
        parts[0], m["vid"], int(m["es"]), int(m["ee"]), int(m["ss"]), int(m["se"]), int(parts[1])
    )


def annotations_dir(root: str | Path) -> Path:
    """``root/annotations`` (or ``root`` itself when the files sit there directly)."""
    root = Path(root)
    return root / "annotations" if (root / "annotations").is_dir() else root


def read_split(root: str | Path, benchmark: str = "gym99", split: str = "train") -> list[SubAction]:
    """All sub-actions of a benchmark split (``gym99``/``gym288``, ``train``/``val``)."""
    key = (benchmark, split)
    if key not in SPLIT_FILES:
        raise ValueError(f"unknown split {benchmark}/{split}; use gym99|gym288 and train|val")
    path = annotations_dir(root) / SPLIT_FILES[key]
    if not path.is_file():
        raise FineGymError(f"FineGym split file {path} is missing (run `gymscore data finegym download`)")
    out = []
    with path.open(encoding="utf-8") as fh:
        for i, line in enumerate(fh, 1):
            if line.strip():
                out.append(parse_split_line(line, str(path), i))
    return out


def read_categories(root: str | Path, which: str = "gym99") -> dict[int, dict[str, Any]]:
    """Category file as {Clabel (or Glabel for gym530 / set id for sets): fields}."""
    name = {
        "gym530": "gym530_categories.txt",
        "gym288": "gym288_categories.txt",
        "gym99": "gym99_categories.txt",
        "set": "set_categories.txt",
    }.get(which)
    if name is None:
        raise ValueError(f"unknown category file {which!r}; use gym530, gym288, gym99 or set")
    path = annotations_dir(root) / name
    if not path.is_file():
        raise FineGymError(f"FineGym category file {path} is missing")
    out: dict[int, dict[str, Any]] = {}
    for i, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        fields: dict[str, Any] = {}
        head, _, rest = line.partition("(") if which != "set" else (line, "", "")
        for part in head.split(";"):
            if ":" in part:
                k, v = part.split(":", 1)
                fields[k.strip()] = int(v) if v.strip().isdigit() else v.strip()
        if which == "set":
            sid, _, sname = line.partition(";")
            fields = {"set": int(sid.split(":")[1]), "name": sname.strip()}
        elif rest:
            fields["name"] = "(" + rest.strip()
        key = fields.get("Clabel", fields.get("Glabel", fields.get("set")))
        if not isinstance(key, int):
            raise ValueError(f"{path}:{i}: cannot parse {line!r}")
        out[key] = fields
    return out


def label_to_element(codebook: Any, benchmark: str, label: int) -> Any:
    """The codebook element of a Gym99/Gym288 Clabel."""
    if benchmark == "gym99":
        return codebook.by_gym99(label)
    if benchmark == "gym288":
        return codebook.by_gym288(label)
    raise ValueError(f"unknown benchmark {benchmark!r}")


LEVELS = ("element", "set", "event")


def label_targets(codebook: Any, benchmark: str, subs: list[SubAction], level: str = "element") -> list[Any]:
    """Targets of sub-actions in a label space: ``element`` ids (Gym99/Gym288 classes), FineGym ``set``
    ids or ``event`` codes (VT, FX, BB, UB), all through the codebook."""
    if level not in LEVELS:
        raise ValueError(f"unknown label level {level!r}; use one of {', '.join(LEVELS)}")
    cache: dict[int, Any] = {}
    out = []
    for s in subs:
        el = cache.get(s.label)
        if el is None:
            el = cache[s.label] = label_to_element(codebook, benchmark, s.label)
        out.append(el.id if level == "element" else int(el.set_id) if level == "set" else el.apparatus)
    return out


def find_video(root: str | Path, youtube_id: str) -> Path | None:
    """The downloaded video of a YouTube id, if any."""
    for ext in VIDEO_EXTS:
        p = Path(root) / "videos" / f"{youtube_id}{ext}"
        if p.is_file():
            return p
    return None


def video_ids(root: str | Path) -> list[str]:
    """YouTube ids named by the annotation info JSON (or, without it, by the split files)."""
    info = annotations_dir(root) / INFO_FILE
    if info.is_file():
        return sorted(json.loads(info.read_text("utf-8")))
    ids: set[str] = set()
    for (bench, split), name in SPLIT_FILES.items():
        if (annotations_dir(root) / name).is_file():
            ids |= {s.youtube_id for s in read_split(root, bench, split)}
    return sorted(ids)


def status(root: str | Path) -> dict[str, Any]:
    """What is present and missing in a FineGym folder (annotation files, videos, prepared clips)."""
    root = Path(root)
    ann = annotations_dir(root)
    files = {name: (ann / name).is_file() for name in ANNOTATION_FILES}
    counts = {}
    for (bench, split), name in SPLIT_FILES.items():
        if files[name]:
            counts[f"{bench}_{split}"] = sum(
                1 for line in (ann / name).open(encoding="utf-8") if line.strip()
            )
    vdir = root / "videos"
    have_videos = sorted(p.stem for p in vdir.iterdir() if p.suffix in VIDEO_EXTS) if vdir.is_dir() else []
    wanted = video_ids(root) if any(files[n] for n in SPLIT_FILES.values()) or files[INFO_FILE] else []
    missing_videos = sorted(set(wanted) - set(have_videos))
    unavailable = root / "videos" / "unavailable.txt"
    index = root / "clips" / "index.json"
    return {
        "root": str(root),
        "exists": root.is_dir(),
        "annotation_files": files,
        "split_lines": counts,
        "videos_folder": vdir.is_dir(),
        "videos_present": len(have_videos),
        "videos_wanted": len(wanted),
        "videos_missing": len(missing_videos),
        "videos_unavailable": unavailable.read_text("utf-8").split() if unavailable.is_file() else [],
        "clips_prepared": len(json.loads(index.read_text("utf-8"))) if index.is_file() else 0,
    }


def _fetch(url: str, target: Path, timeout: float = 20.0) -> None:
    """Download ``url`` to ``target`` resumably (``target.part`` + HTTP Range), then rename."""
    part = target.with_name(target.name + ".part")
    have = part.stat().st_size if part.is_file() else 0
    req = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            mode = "ab" if have and resp.status == 206 else "wb"
            with part.open(mode) as fh:
                while chunk := resp.read(1 << 16):
                    fh.write(chunk)
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FineGymError(
            f"cannot download {url}: {reason}. The FineGym download needs a network connection; "
            f"without one, copy the official files into {target.parent} by hand"
        ) from exc
    os.replace(part, target)


def download(
    root: str | Path,
    videos: bool = True,
    limit: int | None = None,
    base_url: str | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> dict[str, Any]:
    """Fetch the official annotation files (skipping present ones) and, with yt-dlp, the videos.

    Resumable: finished files are skipped and partial ones continued. Videos that YouTube no longer
    serves are listed in ``videos/unavailable.txt``. Returns a summary.
    """
    root = Path(root)
    base = base_url or os.environ.get("GYMSCORE_FINEGYM_URL") or DEFAULT_BASE_URL
    ann = root / "annotations"
    ann.mkdir(parents=True, exist_ok=True)
    fetched = []
    for i, name in enumerate(ANNOTATION_FILES):
        check_cancel(cancel)
        if not (ann / name).is_file():
            _fetch(base.rstrip("/") + "/" + name, ann / name)
            fetched.append(name)
        report(progress, i + 1, len(ANNOTATION_FILES), f"annotations: {name}")
    summary: dict[str, Any] = {"annotations_fetched": fetched, "videos_fetched": [], "videos_unavailable": []}
    if not videos:
        return summary
    try:
        import yt_dlp  # optional dependency
    except ImportError as exc:
        raise FineGymError(
            "downloading FineGym videos needs yt-dlp: pip install yt-dlp "
            "(or use --no-videos and copy the videos into DIR/videos)"
        ) from exc
    vdir = root / "videos"
    vdir.mkdir(exist_ok=True)
    todo = [v for v in video_ids(root) if find_video(root, v) is None]
    if limit is not None:
        todo = todo[:limit]
    opts = {
        "outtmpl": str(vdir / "%(id)s.%(ext)s"),
        "format": "mp4/best",
        "continuedl": True,
        "quiet": True,
        "no_warnings": True,
        "noprogress": True,
    }
    unavailable = vdir / "unavailable.txt"
    gone = set(unavailable.read_text("utf-8").split()) if unavailable.is_file() else set()
    with yt_dlp.YoutubeDL(opts) as ydl:
        for i, vid in enumerate(todo):
            check_cancel(cancel)
            try:
                ydl.download([f"https://www.youtube.com/watch?v={vid}"])
                summary["videos_fetched"].append(vid)
            except Exception:  # yt-dlp raises DownloadError and others for removed/private videos
                gone.add(vid)
                summary["videos_unavailable"].append(vid)
            report(progress, i + 1, len(todo), f"video {vid}")
    from gymscore.util.atomic import atomic_write_text

    atomic_write_text(unavailable, "\n".join(sorted(gone)) + ("\n" if gone else ""))
    return summary


def read_video_frames(
    path: str | Path,
    start_s: float | None = None,
    end_s: float | None = None,
    max_frames: int | None = None,
    size: int | None = None,
) -> np.ndarray:
    """RGB frames (t, H, W, 3) uint8 of a video (or a prepared ``.npz`` clip), optionally a time range."""
    p = Path(path)
    if p.suffix == ".npz":
        with np.load(p, allow_pickle=False) as z:
            return np.asarray(z["frames"])
    import cv2

    cap = cv2.VideoCapture(str(p))
    if not cap.isOpened():
        raise FineGymError(f"cannot open video {p}")
    try:
        fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
        if start_s:
            cap.set(cv2.CAP_PROP_POS_MSEC, start_s * 1000.0)
        frames = []
        limit = None if end_s is None else int(round((end_s - (start_s or 0.0)) * fps))
        while limit is None or len(frames) < limit:
            ok, frame = cap.read()
            if not ok:
                break
            frame = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
            if size:
                h, w = frame.shape[:2]
                scale = size / min(h, w)
                frame = cv2.resize(
                    frame, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA
                )
            frames.append(frame)
    finally:
        cap.release()
    if not frames:
        raise FineGymError(f"{p}: no frames could be read" + (f" from {start_s:.1f}s" if start_s else ""))
    arr = np.stack(frames)
    if max_frames and len(arr) > max_frames:
        arr = arr[np.linspace(0, len(arr) - 1, max_frames).astype(int)]
    return arr


def prepare(
    root: str | Path,
    benchmark: str = "gym99",
    splits: tuple[str, ...] = ("train", "val"),
    max_frames: int = 32,
    size: int = 128,
    limit: int | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> dict[str, Any]:
    """Cut sub-action clips (OpenCV) into ``clips/*.npz`` (at most ``max_frames`` frames, short side
    ``size``) and write ``clips/index.json`` with element ids from the codebook. Existing clips are kept."""
    from gymscore.codebook import default_codebook

    root = Path(root)
    cb = default_codebook()
    items = [(sp, s) for sp in splits for s in read_split(root, benchmark, sp)]
    if limit is not None:
        items = items[:limit]
    cdir = root / "clips"
    cdir.mkdir(exist_ok=True)
    index_path = cdir / "index.json"
    index = {e["file"]: e for e in json.loads(index_path.read_text("utf-8"))} if index_path.is_file() else {}
    no_video: set[str] = set()
    made = 0
    for i, (split, sub) in enumerate(items):
        check_cancel(cancel)
        out = cdir / f"{sub.name}.npz"
        video = find_video(root, sub.youtube_id)
        if video is None:
            no_video.add(sub.youtube_id)
            continue
        if not out.is_file():
            frames = read_video_frames(video, sub.abs_start, sub.abs_end, max_frames, size)
            from gymscore.util.atomic import atomic_write_with

            atomic_write_with(out, lambda fh, fr=frames: np.savez(fh, frames=fr))
            made += 1
        el = label_to_element(cb, benchmark, sub.label)
        index[out.name] = {
            "file": out.name,
            "split": split,
            "benchmark": benchmark,
            "label": sub.label,
            "element_id": el.id,
            "set_id": int(el.set_id),
        }
        report(progress, i + 1, len(items), sub.name)
    atomic_write_json(index_path, sorted(index.values(), key=lambda e: e["file"]))
    return {"clips_made": made, "clips_indexed": len(index), "videos_missing": sorted(no_video)}


def load_clip_index(folder: str | Path, split: str | None = None) -> list[tuple[Path, str, int, float]]:
    """Prepared clips of a folder (``index.json``) as (path, element_id, set_id, weight) tuples."""
    folder = Path(folder)
    index = folder / "index.json"
    if not index.is_file():
        raise FineGymError(f"{index} is missing: run `gymscore data finegym prepare` first")
    entries = json.loads(index.read_text("utf-8"))
    return [
        (folder / e["file"], e["element_id"], int(e["set_id"]), float(e.get("weight", 1.0)))
        for e in entries
        if split is None or e.get("split") == split
    ]
