"""torch Datasets for the classifier (segment clips) and the segmenter (whole routines).

Augmentation is seeded by (dataset seed, epoch, index), so a resumed run sees exactly the samples an
uninterrupted one would, whatever the number of loader workers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

from gymscore.data.augment import AugmentConfig, augment_pose, for_estimated_poses, time_map
from gymscore.data.routines import RoutineSample
from gymscore.features.posefeat import CLIP_CHANNELS_V1, pose_features, skeleton_clip
from gymscore.models.labels import LabelSpace, event_of_set


class _Seeded(Dataset):
    seed: int = 0
    epoch: int = 0
    augment: AugmentConfig | None = None

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def _rng(self, index: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, self.epoch, index])

    def _augment_for(self, routine: RoutineSample) -> AugmentConfig | None:
        """The augmentation of one routine: no simulated estimator errors on estimated poses."""
        if self.augment is not None and routine.source == "estimated":
            return for_estimated_poses(self.augment)
        return self.augment


def _set_of(seg: Any, codebook: Any | None) -> int | None:
    if seg.set_id is not None:
        return int(seg.set_id)
    if seg.element_id and codebook is not None:
        try:
            return int(codebook.get(seg.element_id).set_id)
        except (KeyError, ValueError):
            return None
    return None


def _codebook_element(codebook: Any, element_id: str) -> Any:
    try:
        return codebook.get(element_id)
    except (KeyError, ValueError):
        return None


class ClipDataset(_Seeded):
    """Segment clips of routines -> (x (5, clip_len, 17), targets) for the skeleton classifier.

    Targets: ``element`` (-100 when the element is unknown or outside the label space), ``set``,
    ``event``, ``attr:<name>`` (from the element; -100 when unknown; with ``attributes_of_all`` also
    for elements of the codebook outside the label space, so the attribute heads learn them) and
    ``weight``.
    """

    def __init__(
        self,
        routines: list[RoutineSample],
        label_space: LabelSpace,
        clip_len: int = 32,
        augment: AugmentConfig | None = None,
        boundary_jitter: float = 0.15,
        seed: int = 0,
        codebook: Any | None = None,
        require_element: bool = False,
        channels: tuple[str, ...] = CLIP_CHANNELS_V1,
        attributes_of_all: bool = False,
    ) -> None:
        self.routines, self.ls, self.clip_len = routines, label_space, clip_len
        self.channels = tuple(channels)
        self.augment, self.boundary_jitter, self.seed = augment, boundary_jitter, seed
        self.items: list[tuple[int, int, int, int, str | None, float]] = []
        self.other_attributes: dict[int, dict[str, int]] = {}  # item -> attribute targets, outside the space
        for ri, r in enumerate(routines):
            for si, seg in enumerate(r.timeline.segments):
                set_id = _set_of(seg, codebook)
                if set_id is None or seg.end_frame <= seg.start_frame:
                    continue
                el = seg.element_id if label_space.contains(seg.element_id) else None
                if require_element and el is None:
                    continue
                if attributes_of_all and el is None and seg.element_id and codebook is not None:
                    other = _codebook_element(codebook, seg.element_id)
                    if other is not None:
                        self.other_attributes[len(self.items)] = {
                            a: label_space.attribute_index(a, other) for a in label_space.attributes}
                self.items.append((ri, seg.start_frame, seg.end_frame, set_id, el, r.segment_weight(si)))

    def __len__(self) -> int:
        return len(self.items)

    def element_targets(self) -> list[int]:
        """Element head index of every item (-100 when unknown), for class statistics."""
        return [self.ls.element_index(it[4]) if it[4] else -100 for it in self.items]

    def __getitem__(self, index: int) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        ri, s, e, set_id, el, weight = self.items[index]
        r = self.routines[ri]
        T = len(r.joints2d)
        if self.augment is not None and self.boundary_jitter:
            rng = self._rng(index)
            n = e - s
            s = int(np.clip(s + rng.normal(0, self.boundary_jitter) * n, 0, e - 1))
            e = int(np.clip(e + rng.normal(0, self.boundary_jitter) * n, s + 1, T))
        j, v = r.joints2d[s:e], r.visibility[s:e]
        if self.augment is not None:
            j, v, _ = augment_pose(j, v, r.frame_size, self._rng(index + 7919), self._augment_for(r))
        x = skeleton_clip(j, v, self.clip_len, r.fps, self.channels)
        targets = {
            "element": torch.tensor(self.ls.element_index(el) if el else -100),
            "set": torch.tensor(self.ls.set_index(set_id)),
            "event": torch.tensor(self.ls.event_index(event_of_set(set_id))),
            "weight": torch.tensor(weight, dtype=torch.float32),
        }
        ei = self.ls.element_index(el) if el else None
        other = self.other_attributes.get(index, {})
        for attr in self.ls.attributes:
            idx = self.ls.element_attributes[attr][ei] if ei is not None else other.get(attr, -100)
            targets[f"attr:{attr}"] = torch.tensor(idx)
        return torch.from_numpy(x), targets


def frame_targets(
    sample: RoutineSample,
    labels: list[Any],
    codebook: Any | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-frame (label index, boundary target, weight) of a routine; unknown sets are ignored (-100)."""
    T = len(sample.joints2d)
    lab = np.zeros(T, np.int64)
    bnd = np.zeros(T, np.float32)
    w = np.ones(T, np.float32)
    index = {str(x): i for i, x in enumerate(labels)}
    for si, seg in enumerate(sample.timeline.segments):
        s, e = max(0, seg.start_frame), min(T, seg.end_frame)
        if e <= s:
            continue
        set_id = _set_of(seg, codebook)
        lab[s:e] = index.get(str(set_id), -100) if set_id is not None else -100
        w[s:e] = sample.segment_weight(si)
        bnd[s] = 1.0
        if s + 1 < T:
            bnd[s + 1] = max(bnd[s + 1], 0.5)
        if s >= 1:
            bnd[s - 1] = max(bnd[s - 1], 0.5)
    return lab, bnd, w


class RoutineDataset(_Seeded):
    """Routines -> (features (F, T), labels (T,), boundary (T,), weight (T,)) for the segmenter.

    Routines are resampled to ``fps``; at training time (``augment`` set) a random crop of at most
    ``max_len`` frames is taken after augmentation.
    """

    def __init__(
        self,
        routines: list[RoutineSample],
        labels: list[Any],
        fps: float = 25.0,
        augment: AugmentConfig | None = None,
        max_len: int | None = None,
        seed: int = 0,
        codebook: Any | None = None,
    ) -> None:
        self.routines, self.labels, self.fps = routines, labels, fps
        self.augment, self.max_len, self.seed = augment, max_len, seed
        self.targets = [frame_targets(r, labels, codebook) for r in routines]

    def __len__(self) -> int:
        return len(self.routines)

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        r = self.routines[index]
        lab, bnd, w = self.targets[index]
        j, v = r.joints2d, r.visibility
        src = time_map(len(j), r.fps / self.fps) if abs(r.fps - self.fps) > 1e-6 else np.arange(len(j))
        j, v = j[src], v[src]
        rng = self._rng(index)
        if self.augment is not None:
            j, v, src2 = augment_pose(j, v, r.frame_size, rng, self._augment_for(r))
            src = src[src2]
        lab, bnd, w = lab[src], bnd[src], w[src]
        feats = pose_features(j, v, r.frame_size)
        if self.augment is not None and self.max_len and len(feats) > self.max_len:
            a = int(rng.integers(0, len(feats) - self.max_len + 1))
            sl = slice(a, a + self.max_len)
            feats, lab, bnd, w = feats[sl], lab[sl], bnd[sl], w[sl]
        return {
            "features": torch.from_numpy(np.ascontiguousarray(feats.T)),
            "labels": torch.from_numpy(np.ascontiguousarray(lab)),
            "boundary": torch.from_numpy(np.ascontiguousarray(bnd)),
            "weight": torch.from_numpy(np.ascontiguousarray(w)),
        }


def collate_routines(batch: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    """Pad routines to the longest one; ``mask`` marks real frames, padded labels are -100."""
    n = max(b["labels"].shape[0] for b in batch)
    f = batch[0]["features"].shape[0]
    out = {
        "features": torch.zeros(len(batch), f, n),
        "labels": torch.full((len(batch), n), -100, dtype=torch.long),
        "boundary": torch.zeros(len(batch), n),
        "weight": torch.zeros(len(batch), n),
        "mask": torch.zeros(len(batch), n),
    }
    for i, b in enumerate(batch):
        t = b["labels"].shape[0]
        out["features"][i, :, :t] = b["features"]
        out["labels"][i, :t] = b["labels"]
        out["boundary"][i, :t] = b["boundary"]
        out["weight"][i, :t] = b["weight"]
        out["mask"][i, :t] = 1.0
    return out


class FrameClipDataset(_Seeded):
    """RGB clips -> (x (clip_len, 3, S, S), targets) for the TSM/TSN classifiers.

    ``clips`` holds (frames (t, H, W, 3) uint8 or a video path, element_id, set_id, weight) tuples;
    paths are decoded with OpenCV when read.
    """

    def __init__(
        self,
        clips: list[tuple[Any, str | None, int, float]],
        label_space: LabelSpace,
        spec: dict[str, Any],
        train: bool = False,
        seed: int = 0,
    ) -> None:
        self.clips, self.ls, self.spec, self.train, self.seed = clips, label_space, spec, train, seed

    def __len__(self) -> int:
        return len(self.clips)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        from gymscore.data.rgb import preprocess_frames

        frames, el, set_id, weight = self.clips[index]
        if not isinstance(frames, np.ndarray):
            from gymscore.data.finegym import read_video_frames

            frames = read_video_frames(frames)
        x = preprocess_frames(frames, self.spec, self._rng(index) if self.train else None)
        ei = self.ls.element_index(el) if el else None
        targets = {
            "element": torch.tensor(ei if ei is not None else -100),
            "set": torch.tensor(self.ls.set_index(set_id)),
            "event": torch.tensor(self.ls.event_index(event_of_set(set_id))),
            "weight": torch.tensor(weight, dtype=torch.float32),
        }
        for attr in self.ls.attributes:
            targets[f"attr:{attr}"] = torch.tensor(
                self.ls.element_attributes[attr][ei] if ei is not None else -100
            )
        return torch.from_numpy(x), targets
