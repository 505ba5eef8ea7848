"""The two training tasks: element classifier (skeleton or RGB) and segmenter."""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import Dataset, default_collate

from gymscore.data.augment import AugmentConfig
from gymscore.data.routines import (
    RoutineSample,
    load_corrections,
    load_routine_dir,
    synth_balanced_routines,
    synth_routines,
)
from gymscore.features.posefeat import CLIP_CHANNELS_V1, CLIP_CHANNELS_V2, FEATURE_DIM
from gymscore.models.inference import decode_segments
from gymscore.models.labels import LabelSpace, build_label_space, segmenter_labels
from gymscore.models.registry import create_model
from gymscore.paths import cache_dir
from gymscore.skeleton import JOINTS
from gymscore.train import metrics as M
from gymscore.train.config import TrainConfig

MIN_SEGMENT_S = 0.6
NORMALISATION = (
    "joints centred on the pelvis and divided by the running-max neck-pelvis length; "
    "velocities; visibility (gymscore.features.posefeat, FEATURE_DIM=89)"
)


def load_routines(cfg: TrainConfig, split: str, label_space: LabelSpace | None = None) -> list[RoutineSample]:
    """Training or validation routines of a config (GymSynth, routine folders, user corrections)."""
    d = cfg.data
    out: list[RoutineSample] = []
    if d.source == "synth":
        cache = Path(d.cache_dir) if d.cache_dir else cache_dir() / "synth"
        if split == "train":
            seeds = range(d.train_seed_start, d.train_seed_start + d.train_routines)
            for cam in d.train_cameras:
                out += synth_routines(d.apparatus, seeds, cam, int(round(d.fps)), cache)
            if d.balanced_passes and label_space is not None:
                cb = _codebook()
                apps = {e: cb.get(e).apparatus for e in label_space.element_ids}
                apps = {e: a for e, a in apps.items() if a in d.apparatus}
                out += synth_balanced_routines(
                    apps, d.balanced_passes, d.balanced_seed_start, d.train_cameras, int(round(d.fps)), cache
                )
        else:
            seeds = range(d.val_seed_start, d.val_seed_start + d.val_routines)
            out += synth_routines(d.apparatus, seeds, d.val_camera, int(round(d.fps)), cache)
    elif d.source not in ("dirs", "rgb-dirs"):
        raise ValueError(f"data.source {d.source!r} must be synth, dirs or rgb-dirs")
    if d.source != "rgb-dirs":
        for folder in d.train_dirs if split == "train" else d.val_dirs:
            out += load_routine_dir(folder)
        if split == "train" and d.use_corrections:
            out += load_corrections()
    return out


def _augment_config(d: Any) -> AugmentConfig | None:
    """The pose augmentation of a data config (None when ``augment`` is off)."""
    if not d.augment:
        return None
    cfg = AugmentConfig(estimator_prob=d.estimator_aug, fps=d.fps, swap_labels_prob=d.swap_labels_aug,
                        torso_stretch=(min(1.0, d.torso_stretch_aug), max(1.0, d.torso_stretch_aug)))
    return replace(cfg, swap_prob=d.swap_frame_aug) if d.swap_frame_aug else cfg


def _codebook() -> Any:
    from gymscore.codebook import default_codebook

    return default_codebook()


def _masked_ce(
    logits: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor,
    smoothing: float = 0.0,
) -> torch.Tensor:
    valid = (target != -100).float() * weight
    if valid.sum() == 0:
        return logits.sum() * 0.0
    ce = F.cross_entropy(logits.float(), target.clamp(min=0), reduction="none", label_smoothing=smoothing)
    return (ce * valid).sum() / valid.sum()


def _describe(cfg: TrainConfig) -> dict[str, Any]:
    d = cfg.data
    info: dict[str, Any] = {"source": d.source}
    if d.source == "synth":
        info.update(
            generator="GymSynth (gymscore.synth.generate_skeleton_routine)",
            apparatus=d.apparatus,
            train_seeds=[d.train_seed_start, d.train_seed_start + d.train_routines - 1],
            train_cameras=d.train_cameras,
            val_seeds=[d.val_seed_start, d.val_seed_start + d.val_routines - 1],
            val_camera=d.val_camera,
        )
        if d.balanced_passes and cfg.task == "classifier":
            info["balanced"] = (
                f"+ routines with every {d.label_space} element {d.balanced_passes} times "
                f"(seeds from {d.balanced_seed_start})"
            )
    if d.train_dirs:
        info["train_dirs"] = d.train_dirs
    if d.val_dirs:
        info["val_dirs"] = d.val_dirs
    if cfg.model.pretrained:
        heads = " (heads included)" if cfg.model.pretrained_heads else ""
        info["pretrained"] = cfg.model.pretrained + heads
    if d.use_corrections:
        info["user_corrections"] = "user_data_dir()/corrections, user segments weight 2.0"
    info["augmentation"] = d.augment
    if d.augment and d.estimator_aug:
        info["estimator_augmentation"] = d.estimator_aug
    if d.augment and d.swap_labels_aug:
        info["swap_labels_augmentation"] = d.swap_labels_aug
    if d.augment and d.estimator_aug and d.swap_frame_aug:
        info["swap_frame_augmentation"] = d.swap_frame_aug
    if d.augment and d.torso_stretch_aug != 1.0:
        info["torso_stretch_augmentation"] = d.torso_stretch_aug
    return info


class ClassifierTask:
    """Hierarchical element classifier over segment clips (skeleton: ST-GCN; rgb: TSM/TSN)."""

    default_metric = "val/element_top1"

    def __init__(
        self,
        cfg: TrainConfig,
        train_routines: list[RoutineSample] | None = None,
        val_routines: list[RoutineSample] | None = None,
        rgb_clips: tuple[list, list] | None = None,
    ) -> None:
        self.cfg = cfg
        self._given = (train_routines, val_routines)
        self._rgb_clips = rgb_clips
        self.codebook = _codebook()

    @property
    def modality(self) -> str:
        return "rgb" if self.cfg.model.name.startswith(("tsm", "tsn")) else "skeleton"

    @cached_property
    def label_space(self) -> LabelSpace:
        kind = self.cfg.data.label_space
        # "gym99" | "gym288" | "all", or an explicit comma-separated list of element ids
        return build_label_space(self.codebook, [e.strip() for e in kind.split(",")] if "," in kind else kind)

    def rgb_spec(self) -> dict[str, Any]:
        from gymscore.data.rgb import DEFAULT_MEAN, DEFAULT_STD

        return {
            "clip_len": self.cfg.data.clip_len,
            "frame_size": self.cfg.data.frame_size,
            "mean": list(DEFAULT_MEAN),
            "std": list(DEFAULT_STD),
        }

    def datasets(self) -> tuple[Dataset, Dataset]:
        from gymscore.data.torchsets import ClipDataset, FrameClipDataset

        d = self.cfg.data
        if self.modality == "rgb":
            if self._rgb_clips is not None:
                train_clips, val_clips = self._rgb_clips
            else:
                from gymscore.data.finegym import load_clip_index

                train_clips = [c for f in d.train_dirs for c in load_clip_index(f, "train")]
                val_clips = [c for f in (d.val_dirs or d.train_dirs) for c in load_clip_index(f, "val")]
            spec = self.rgb_spec()
            return (
                FrameClipDataset(train_clips, self.label_space, spec, train=d.augment, seed=self.cfg.seed),
                FrameClipDataset(val_clips, self.label_space, spec, train=False),
            )
        train = (
            self._given[0]
            if self._given[0] is not None
            else load_routines(self.cfg, "train", self.label_space)
        )
        val = self._given[1] if self._given[1] is not None else load_routines(self.cfg, "val")
        aug = _augment_config(d)
        ch = self.clip_channels
        return (
            ClipDataset(train, self.label_space, d.clip_len, aug, seed=self.cfg.seed, codebook=self.codebook,
                        channels=ch, attributes_of_all=d.attributes_all_elements),
            ClipDataset(val, self.label_space, d.clip_len, None, codebook=self.codebook, channels=ch,
                        attributes_of_all=d.attributes_all_elements),
        )

    @property
    def clip_channels(self) -> tuple[str, ...]:
        """Per-joint input channels of the skeleton clips (``data.clip_channels``)."""
        layouts = {"v1": CLIP_CHANNELS_V1, "v2": CLIP_CHANNELS_V2}
        if self.cfg.data.clip_channels not in layouts:
            raise ValueError(f"config data.clip_channels {self.cfg.data.clip_channels!r} must be v1 or v2")
        return layouts[self.cfg.data.clip_channels]

    def build_model(self) -> nn.Module:
        kw = dict(self.cfg.model.kwargs)
        if self.cfg.model.pretrained and self.modality == "rgb":
            kw["pretrained"] = self.cfg.model.pretrained
        if self.modality == "skeleton":
            kw.setdefault("in_channels", len(self.clip_channels))
        model = create_model(self.cfg.model.name, label_space=self.label_space, **kw)
        if self.cfg.model.pretrained and self.modality != "rgb":
            from gymscore.models.tsm import load_backbone
            from gymscore.models.warm_start import warm_start_heads

            load_backbone(model, self.cfg.model.pretrained, heads=self.cfg.model.pretrained_heads)
            if self.cfg.model.pretrained_heads:
                # another label space (e.g. gym99 -> all): keep the rows of the classes both share
                warm_start_heads(model, self.cfg.model.pretrained)
        return model

    def collate(self, batch: list[Any]) -> Any:
        return default_collate(batch)

    def loss(self, model: nn.Module, batch: Any, device: torch.device) -> torch.Tensor:
        x, t = batch
        out = model(x.to(device, non_blocking=True))
        t = {k: v.to(device, non_blocking=True) for k, v in t.items()}
        w, lc = t["weight"], self.cfg.loss
        loss = lc.element * _masked_ce(out["element"], t["element"], w, self.cfg.optim.label_smoothing)
        loss = (
            loss
            + lc.set * _masked_ce(out["set"], t["set"], w)
            + lc.event * _masked_ce(out["event"], t["event"], w)
        )
        attrs = [k for k in out if k.startswith("attr:")]
        if attrs and lc.attributes:
            loss = loss + lc.attributes * sum(_masked_ce(out[k], t[k], w) for k in attrs) / len(attrs)
        return loss

    @torch.no_grad()
    def predict_dataset(
        self, model: nn.Module, dataset: Dataset, device: torch.device, batch_size: int = 128
    ) -> dict[str, np.ndarray]:
        """Per head: logits (N, C) and targets (N,) over a dataset."""
        from torch.utils.data import DataLoader

        model.eval()
        outs: dict[str, list[np.ndarray]] = {}
        for x, t in DataLoader(dataset, batch_size=batch_size, collate_fn=self.collate):
            o = model(x.to(device))
            for k in ("element", "set", "event"):
                outs.setdefault(k, []).append(o[k].float().cpu().numpy())
                outs.setdefault(f"{k}_true", []).append(t[k].numpy())
        return {k: np.concatenate(v) for k, v in outs.items()}

    def evaluate(self, model: nn.Module, dataset: Dataset, device: torch.device) -> dict[str, float]:
        r = self.predict_dataset(model, dataset, device)
        out: dict[str, float] = {}
        for k in ("element", "set", "event"):
            true = r[f"{k}_true"]
            keep = true != -100
            pred = r[k].argmax(axis=1)[keep].tolist()
            out[f"val/{k}_top1"] = M.top1_accuracy(pred, true[keep].tolist())
            out[f"val/{k}_mean_class"] = M.mean_class_accuracy(pred, true[keep].tolist())
        return out

    def report(self, model: nn.Module, dataset: Dataset, device: torch.device) -> dict[str, Any]:
        """FineGym-style report on a dataset: per-class report and confusion matrix per level."""
        r = self.predict_dataset(model, dataset, device)
        names = {
            "element": self.label_space.element_ids,
            "set": self.label_space.set_ids,
            "event": self.label_space.events,
        }
        out: dict[str, Any] = {}
        for k, labels in names.items():
            true = r[f"{k}_true"]
            keep = true != -100
            pred = [labels[i] for i in r[k].argmax(axis=1)[keep]]
            tl = [labels[i] for i in true[keep]]
            present = [c for c in labels if c in set(tl) | set(pred)]
            cm, order = M.confusion_matrix(pred, tl, present)
            out[k] = {
                "top1": M.top1_accuracy(pred, tl),
                "mean_class": M.mean_class_accuracy(pred, tl),
                "per_class": M.per_class_report(pred, tl),
                "confusion": {"labels": order, "matrix": cm.tolist()},
            }
        return out

    def manifest_fields(self) -> dict[str, Any]:
        d = self.cfg.data
        if self.modality == "rgb":
            inp = {
                "modality": "rgb",
                "fps": d.fps,
                **self.rgb_spec(),
                "normalisation": "RGB in [0,1], minus mean, divided by std; TSN segment sampling",
            }
        else:
            inp = {
                "modality": "skeleton",
                "fps": d.fps,
                "clip_len": d.clip_len,
                "joint_layout": list(JOINTS),
                "feature_dim": FEATURE_DIM,
                "channels": list(self.clip_channels),
                "normalisation": NORMALISATION + (
                    "; each clip resampled in time to clip_len frames"
                    if self.cfg.data.clip_channels == "v1"
                    else "; features at the video's frame rate, then resampled to clip_len frames; "
                    "x_clip/y_clip: joints relative to the clip's mean body centre in body sizes; "
                    "log_duration: log of the duration in seconds (posefeat.skeleton_clip)"
                ),
            }
        return {
            "task": "classifier",
            "architecture": self.cfg.model.name,
            "model_kwargs": dict(self.cfg.model.kwargs),
            "input": inp,
            "label_space": self.label_space.to_dict(),
            "training_data": _describe(self.cfg),
        }


class SegmenterTask:
    """MS-TCN over per-frame pose features: background or set per frame, plus boundaries."""

    default_metric = "val/f1@50"

    def __init__(
        self,
        cfg: TrainConfig,
        train_routines: list[RoutineSample] | None = None,
        val_routines: list[RoutineSample] | None = None,
    ) -> None:
        self.cfg = cfg
        self._given = (train_routines, val_routines)
        self.labels = segmenter_labels()
        self.codebook = _codebook()
        # shortest segment the decoder keeps: 0.6 s (bench/bench_min_segment.py, validation routines
        # with pipeline-like pose corruption: F1@0.5 0.973 at 15 frames vs 0.949 at 5 with the shipped
        # models; fewer elements cut into pieces)
        self.min_len = max(2, int(round(cfg.data.fps * MIN_SEGMENT_S)))

    def datasets(self) -> tuple[Dataset, Dataset]:
        from gymscore.data.torchsets import RoutineDataset

        d = self.cfg.data
        train = self._given[0] if self._given[0] is not None else load_routines(self.cfg, "train")
        val = self._given[1] if self._given[1] is not None else load_routines(self.cfg, "val")
        aug = _augment_config(d)
        return (
            RoutineDataset(train, self.labels, d.fps, aug, d.max_len, self.cfg.seed, self.codebook),
            RoutineDataset(val, self.labels, d.fps, None, None, codebook=self.codebook),
        )

    def build_model(self) -> nn.Module:
        model = create_model(
            self.cfg.model.name,
            num_classes=len(self.labels),
            in_features=FEATURE_DIM,
            **self.cfg.model.kwargs,
        )
        if self.cfg.model.pretrained:
            from gymscore.models.tsm import load_backbone

            load_backbone(model, self.cfg.model.pretrained, heads=self.cfg.model.pretrained_heads)
        return model

    def collate(self, batch: list[Any]) -> Any:
        from gymscore.data.torchsets import collate_routines

        return collate_routines(batch)

    def loss(self, model: nn.Module, batch: Any, device: torch.device) -> torch.Tensor:
        from gymscore.models.mstcn import segmentation_loss

        b = {k: v.to(device, non_blocking=True) for k, v in batch.items()}
        outs = model(b["features"])
        return segmentation_loss(
            outs,
            b["labels"],
            b["boundary"],
            b["mask"],
            b["weight"],
            self.cfg.loss.smooth,
            self.cfg.loss.boundary,
        )

    @torch.no_grad()
    def predict_routines(
        self, model: nn.Module, dataset: Dataset, device: torch.device
    ) -> list[dict[str, Any]]:
        model.eval()
        out = []
        for i in range(len(dataset)):
            item = dataset[i]
            o = model(item["features"][None].to(device))[-1][0].float().cpu()
            probs = torch.softmax(o[:-1], dim=0).T.numpy()
            bnd = torch.sigmoid(o[-1]).numpy()
            out.append(
                {
                    "probs": probs,
                    "boundary": bnd,
                    "labels": item["labels"].numpy(),
                    "boundary_true": item["boundary"].numpy(),
                }
            )
        return out

    def evaluate(self, model: nn.Module, dataset: Dataset, device: torch.device) -> dict[str, float]:
        preds, truths, dets, accs = [], [], [], []
        for r in self.predict_routines(model, dataset, device):
            segs = decode_segments(r["probs"], self.labels, self.min_len, r["boundary"])
            dets.append(segs)
            preds.append([(s, e, lab) for s, e, lab, _ in segs])
            truths.append(truth_segments(r["labels"], r["boundary_true"], self.labels))
            accs.append(M.frame_accuracy(r["probs"].argmax(axis=1), r["labels"]))
        rep = M.segmentation_report(preds, truths)
        out = {f"val/{k}": v for k, v in rep.items()}
        out["val/frame_acc"] = float(np.mean(accs)) if accs else 0.0
        out["val/mAP"] = M.detection_map(dets, truths)["mAP"]
        return out

    def manifest_fields(self) -> dict[str, Any]:
        d = self.cfg.data
        return {
            "task": "segmenter",
            "architecture": self.cfg.model.name,
            "model_kwargs": {
                **self.cfg.model.kwargs,
                "num_classes": len(self.labels),
                "in_features": FEATURE_DIM,
            },
            "input": {
                "modality": "skeleton",
                "fps": d.fps,
                "feature_dim": FEATURE_DIM,
                "joint_layout": list(JOINTS),
                "normalisation": NORMALISATION,
                "min_segment_frames": self.min_len,
            },
            "label_space": {"labels": self.labels, "edition": self.codebook.edition},
            "training_data": _describe(self.cfg),
        }


def truth_segments(
    labels: np.ndarray, boundary: np.ndarray, label_space: list[Any]
) -> list[tuple[int, int, int]]:
    """Ground-truth segments (start, end, set id) from frame labels, split where the boundary target is 1."""
    out = []
    for s, e, lab in M.labels_to_segments(labels.tolist(), background=0):
        if lab == -100:
            continue
        cuts = [s] + [t for t in range(s + 1, e) if boundary[t] >= 1.0] + [e]
        out += [(a, b, int(label_space[lab])) for a, b in zip(cuts, cuts[1:], strict=False)]
    return out


def build_task(cfg: TrainConfig, **kw: Any) -> ClassifierTask | SegmenterTask:
    """The task object of a config."""
    return ClassifierTask(cfg, **kw) if cfg.task == "classifier" else SegmenterTask(cfg, **kw)
