"""Typed training configuration: dataclasses loaded from YAML, overridden by dotted ``key=value`` pairs.

Example: ``gymscore train classifier --config configs/classifier_skeleton.yaml optim.epochs=5
data.train_routines=10 model.name=stgcn_base``. Values are parsed as YAML scalars/lists and checked
against the field's type; an unknown key is an error naming the valid ones.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


@dataclass
class DataConfig:
    """Where samples come from and how they are shaped."""

    source: str = "synth"  # synth | dirs (routine .npz folders) | rgb-dirs (video clips folder)
    apparatus: list[str] = field(default_factory=lambda: ["VT", "FX", "BB", "UB"])
    train_seed_start: int = 0
    train_routines: int = 40  # per apparatus and camera
    train_cameras: list[str] = field(default_factory=lambda: ["broadcast", "fixed"])
    val_seed_start: int = 50_000  # validation seeds never overlap training ones
    val_routines: int = 4
    val_camera: str = "broadcast"
    # classifier: extra GymSynth routines in which every label-space element appears this many times
    balanced_passes: int = 0
    balanced_seed_start: int = 100_000
    cache_dir: str = ""  # "" = cache_dir()/synth
    train_dirs: list[str] = field(default_factory=list)
    val_dirs: list[str] = field(default_factory=list)
    use_corrections: bool = False  # add user_data_dir()/corrections (user segments weigh 2.0)
    label_space: str = "gym99"  # gym99 | gym288 | all | comma-separated element ids
    attributes_all_elements: bool = False  # classifier: attribute targets for elements outside it too
    clip_len: int = 32  # classifier: frames per clip after resampling (RGB: segments)
    clip_channels: str = "v1"  # skeleton input: v1 (5 channels) | v2 (8, posefeat.skeleton_clip)
    frame_size: int = 64  # RGB: square side in pixels
    fps: float = 25.0  # segmenter: frames per second of the features
    max_len: int = 1500  # segmenter: longest training crop in frames
    augment: bool = True
    estimator_aug: float = 0.0  # share of training samples that get the pipeline-like pose corruption
    swap_labels_aug: float = 0.0  # share of samples whose left/right labels swap (no mirroring)
    swap_frame_aug: float = 0.0  # estimator_aug: per-frame left/right swap chance (0: the default 0.03)
    torso_stretch_aug: float = 1.0  # neck-pelvis length scaled by up to this factor (1.0: off)
    num_workers: int = 0


@dataclass
class ModelConfig:
    name: str = ""  # "" = stgcn_small (classifier) or mstcn_small (segmenter)
    kwargs: dict[str, Any] = field(default_factory=dict)
    pretrained: str = ""  # checkpoint path to start from (heads are re-initialised...)
    pretrained_heads: bool = False  # ...unless true: same-shaped heads load, others keep shared rows


@dataclass
class OptimConfig:
    lr: float = 2e-3
    weight_decay: float = 1e-4
    epochs: int = 30
    batch_size: int = 64
    warmup_epochs: int = 1
    grad_clip: float = 5.0
    label_smoothing: float = 0.05


@dataclass
class LossConfig:
    element: float = 1.0
    set: float = 0.5
    event: float = 0.25
    attributes: float = 0.2
    smooth: float = 0.15  # segmenter: truncated-MSE smoothing weight
    boundary: float = 1.0  # segmenter: boundary BCE weight


@dataclass
class TrainConfig:
    task: str = "classifier"  # classifier | segmenter
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    seed: int = 0
    device: str = "auto"  # auto | cpu | cuda | mps
    amp: bool = True  # mixed precision on CUDA
    out_dir: str = "runs"
    run_name: str = ""  # "" = <task>-<timestamp>
    early_stop_patience: int = 8  # epochs without improvement of the validation metric
    early_stop_metric: str = ""  # "" = val/element_top1 (classifier) or val/f1@50 (segmenter)
    tensorboard: bool = True  # when the tensorboard package is installed
    progress: bool = True
    stop_after_epochs: int = 0  # stop (as if killed) after this many epochs; 0 = off (tests)
    threads: int = 0  # torch CPU threads; 0 = torch's default


def _is_dataclass_type(t: Any) -> bool:
    return isinstance(t, type) and dataclasses.is_dataclass(t)


def _check_type(value: Any, tp: Any, key: str) -> Any:
    origin = typing.get_origin(tp)
    if tp is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            try:
                return _check_type(value, arg, key)
            except ValueError:
                continue
        raise ValueError(f"config {key}: {value!r} does not fit {tp}")
    if tp is type(None):
        if value is None:
            return None
        raise ValueError(f"config {key}: expected nothing, got {value!r}")
    if origin is list:
        if not isinstance(value, list):
            value = [value]
        (arg,) = typing.get_args(tp) or (Any,)
        return [_check_type(v, arg, key) for v in value]
    if origin is dict:
        if not isinstance(value, dict):
            raise ValueError(f"config {key}: expected a mapping, got {value!r}")
        return dict(value)
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"config {key}: expected a number, got {value!r}")
        return float(value)
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"config {key}: expected an integer, got {value!r}")
        return value
    if tp is bool:
        if not isinstance(value, bool):
            raise ValueError(f"config {key}: expected true or false, got {value!r}")
        return value
    if tp is str:
        if value is None:
            return ""
        if isinstance(value, dict | list):
            raise ValueError(f"config {key}: expected text, got {value!r}")
        return str(value)
    return value


def from_dict(cls: type, data: dict[str, Any], prefix: str = "") -> Any:
    """Build dataclass ``cls`` from a nested dict, checking keys and types."""
    if not isinstance(data, dict):
        raise ValueError(f"config {prefix or '(top level)'}: expected a mapping, got {data!r}")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ValueError(f"config: unknown key {prefix}{unknown[0]}; valid keys: {', '.join(sorted(names))}")
    kwargs = {}
    for name, value in data.items():
        tp = hints[name]
        key = f"{prefix}{name}"
        kwargs[name] = (
            from_dict(tp, value, key + ".") if _is_dataclass_type(tp) else _check_type(value, tp, key)
        )
    return cls(**kwargs)


def to_dict(cfg: Any) -> dict[str, Any]:
    return dataclasses.asdict(cfg)


def apply_override(cfg: Any, item: str) -> None:
    """Apply one ``dotted.key=value`` override in place."""
    if "=" not in item:
        raise ValueError(f"override {item!r} must look like key=value (e.g. optim.epochs=5)")
    key, raw = item.split("=", 1)
    parts = key.strip().split(".")
    obj = cfg
    for p in parts[:-1]:
        if not dataclasses.is_dataclass(obj) or not hasattr(obj, p):
            raise ValueError(f"override {item!r}: unknown section {p!r}")
        obj = getattr(obj, p)
    last = parts[-1]
    fields_ = {f.name for f in dataclasses.fields(obj)}
    if last not in fields_:
        raise ValueError(f"override {item!r}: unknown key {last!r}; valid keys: {', '.join(sorted(fields_))}")
    tp = typing.get_type_hints(type(obj))[last]
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError as exc:
        raise ValueError(f"override {item!r}: cannot parse the value: {exc}") from exc
    if _is_dataclass_type(tp):
        raise ValueError(f"override {item!r}: {key} is a section; set one of its keys")
    setattr(obj, last, _check_type(value, tp, key))


def load_config(
    path: str | Path | None, overrides: list[str] | None = None, task: str | None = None
) -> TrainConfig:
    """A :class:`TrainConfig` from a YAML file (or defaults) plus overrides; ``task`` fixes the task."""
    data: dict[str, Any] = {}
    if path:
        p = Path(path)
        try:
            data = yaml.safe_load(p.read_text("utf-8")) or {}
        except OSError as exc:
            raise OSError(f"cannot read config {p}: {exc.strerror or exc}") from exc
        except yaml.YAMLError as exc:
            raise ValueError(f"config {p} is not valid YAML: {exc}") from exc
    try:
        cfg = from_dict(TrainConfig, data)
        if task is not None:
            if path and "task" in data and data["task"] != task:
                raise ValueError(f"the config is for task {data['task']!r}, not {task!r}")
            cfg.task = task
        for item in overrides or []:
            apply_override(cfg, item)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}" if path else str(exc)) from exc
    if cfg.task not in ("classifier", "segmenter"):
        raise ValueError(f"config task {cfg.task!r} must be classifier or segmenter")
    if not cfg.model.name:
        cfg.model.name = "stgcn_small" if cfg.task == "classifier" else "mstcn_small"
    return cfg


def save_config(cfg: TrainConfig, path: str | Path) -> Path:
    """Write the final config as YAML (atomically)."""
    from gymscore.util.atomic import atomic_write_text

    return atomic_write_text(path, yaml.safe_dump(to_dict(cfg), sort_keys=False))
