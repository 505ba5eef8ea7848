"""The training loop shared by the classifier and the segmenter.

Run folder ``<out_dir>/<run_name>/``: ``config.yaml`` (the final config), ``log.csv`` (one row per
epoch), ``last.pt`` and ``best.pt`` (atomic checkpoints), ``run.json`` (manifest draft + best metrics
for ``gymscore train export``) and ``tb/`` (TensorBoard, when installed).

Exact resume: a checkpoint is written at the end of every epoch with the model, optimizer, scheduler,
AMP scaler, early-stopping state and RNG states. The sampler order and the augmentation of epoch ``e``
are derived from (seed, e) and torch is reseeded from (seed, e) at the start of every epoch, so a run
killed in epoch ``e`` and resumed from ``last.pt`` repeats epoch ``e`` exactly as an uninterrupted run
would. On the CPU the final weights are bit-identical; on CUDA, non-deterministic kernels (atomics in
convolution backward) may leave differences of float rounding size.

Distributed: under ``torchrun`` (``WORLD_SIZE`` > 1) the process group is initialised from the
environment (NCCL on CUDA, Gloo on CPU), each rank reads its share through a ``DistributedSampler``,
the model is wrapped in ``DistributedDataParallel``, and only rank 0 writes logs and checkpoints.
"""

from __future__ import annotations

import csv
import math
import os
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, Sampler

from gymscore.train.config import TrainConfig, save_config, to_dict
from gymscore.util.atomic import atomic_write_json, atomic_write_with
from gymscore.util.progress import Cancelled, CancelToken, check_cancel


class Task(Protocol):
    """What the trainer needs from a task (classifier or segmenter)."""

    cfg: TrainConfig
    default_metric: str

    def build_model(self) -> nn.Module: ...
    def datasets(self) -> tuple[Dataset, Dataset]: ...
    def collate(self, batch: list[Any]) -> Any: ...
    def loss(self, model: nn.Module, batch: Any, device: torch.device) -> torch.Tensor: ...
    def evaluate(self, model: nn.Module, dataset: Dataset, device: torch.device) -> dict[str, float]: ...
    def manifest_fields(self) -> dict[str, Any]: ...


class EpochSampler(Sampler[int]):
    """A shuffled order that depends only on (seed, epoch)."""

    def __init__(self, n: int, seed: int) -> None:
        self.n, self.seed, self.epoch = n, seed, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __iter__(self) -> Iterator[int]:
        return iter(np.random.default_rng([self.seed, self.epoch, 17]).permutation(self.n).tolist())

    def __len__(self) -> int:
        return self.n


@dataclass
class DistInfo:
    world_size: int = 1
    rank: int = 0
    local_rank: int = 0

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def main(self) -> bool:
        return self.rank == 0


def init_distributed(device_pref: str) -> tuple[DistInfo, torch.device]:
    """Initialise torch.distributed from torchrun's environment; returns (info, device of this rank)."""
    from gymscore.models.inference import pick_device

    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return DistInfo(), pick_device(device_pref)
    import torch.distributed as dist

    info = DistInfo(world, int(os.environ.get("RANK", "0")), int(os.environ.get("LOCAL_RANK", "0")))
    use_cuda = torch.cuda.is_available() and device_pref in ("auto", "cuda")
    if use_cuda:
        torch.cuda.set_device(info.local_rank)
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if use_cuda else "gloo")
    return info, torch.device(f"cuda:{info.local_rank}") if use_cuda else torch.device("cpu")


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)


def _rng_state() -> dict[str, Any]:
    state = {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _set_rng_state(state: dict[str, Any]) -> None:
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """torch.save to a temporary file, then os.replace (never a half-written checkpoint)."""
    atomic_write_with(path, lambda fh: torch.save(state, fh))


def warmup_cosine(total_steps: int, warmup_steps: int) -> Any:
    def f(step: int) -> float:
        if warmup_steps and step < warmup_steps:
            return (step + 1) / warmup_steps
        prog = (step - warmup_steps) / max(1, total_steps - warmup_steps)
        return 0.5 * (1 + math.cos(math.pi * min(1.0, prog)))

    return f


class Trainer:
    """Runs a task; ``run()`` returns a summary dict (run folder, best metric, status)."""

    def __init__(
        self, task: Task, run_dir: str | Path, resume: bool = False, cancel: CancelToken | None = None
    ) -> None:
        self.task, self.cfg = task, task.cfg
        self.run_dir, self.resume, self.cancel = Path(run_dir), resume, cancel
        self.metric = self.cfg.early_stop_metric or task.default_metric

    def _loader(self, ds: Dataset, dist: DistInfo) -> tuple[DataLoader, Any]:
        if dist.enabled:
            from torch.utils.data.distributed import DistributedSampler

            sampler: Any = DistributedSampler(
                ds,
                num_replicas=dist.world_size,
                rank=dist.rank,
                shuffle=True,
                seed=self.cfg.seed,
                drop_last=False,
            )
        else:
            sampler = EpochSampler(len(ds), self.cfg.seed)
        loader = DataLoader(
            ds,
            batch_size=self.cfg.optim.batch_size,
            sampler=sampler,
            num_workers=self.cfg.data.num_workers,
            collate_fn=self.task.collate,
            drop_last=len(ds) > self.cfg.optim.batch_size,
        )
        return loader, sampler

    def run(self) -> dict[str, Any]:
        cfg = self.cfg
        if cfg.threads:
            torch.set_num_threads(cfg.threads)
        dist, device = init_distributed(cfg.device)
        seed_everything(cfg.seed)
        train_ds, val_ds = self.task.datasets()
        if len(train_ds) == 0:
            raise ValueError("the training set is empty: check the data section of the config")
        model = self.task.build_model().to(device)
        if dist.enabled and device.type == "cuda":
            model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
        core = model
        if dist.enabled:
            from torch.nn.parallel import DistributedDataParallel as DDP

            model = DDP(model, device_ids=[device.index] if device.type == "cuda" else None)
        loader, sampler = self._loader(train_ds, dist)
        steps = max(1, len(loader)) * cfg.optim.epochs
        opt = torch.optim.AdamW(core.parameters(), lr=cfg.optim.lr, weight_decay=cfg.optim.weight_decay)
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, warmup_cosine(steps, cfg.optim.warmup_epochs * max(1, len(loader)))
        )
        use_amp = cfg.amp and device.type == "cuda"
        scaler = torch.amp.GradScaler("cuda", enabled=use_amp)
        state = {"epoch": 0, "best": -math.inf, "best_epoch": -1, "bad_epochs": 0, "history": []}
        last = self.run_dir / "last.pt"
        if self.resume:
            if not last.is_file():
                raise FileNotFoundError(f"cannot resume: {last} does not exist")
            ck = torch.load(last, map_location="cpu", weights_only=False)
            core.load_state_dict(ck["model"])
            opt.load_state_dict(ck["optimizer"])
            sched.load_state_dict(ck["scheduler"])
            scaler.load_state_dict(ck["scaler"])
            state = ck["state"]
            _set_rng_state(ck["rng"])
        elif dist.main:
            self.run_dir.mkdir(parents=True, exist_ok=True)
            save_config(cfg, self.run_dir / "config.yaml")
        writer = self._tensorboard() if dist.main else None
        status = "finished"
        epochs_here = 0
        try:
            while state["epoch"] < cfg.optim.epochs:
                epoch = state["epoch"]
                check_cancel(self.cancel)
                torch.manual_seed(cfg.seed * 100_003 + epoch)
                sampler.set_epoch(epoch)
                if hasattr(train_ds, "set_epoch"):
                    train_ds.set_epoch(epoch)
                model.train()
                t0 = time.monotonic()
                total, count = 0.0, 0
                bar = self._bar(len(loader), f"epoch {epoch + 1}/{cfg.optim.epochs}", dist)
                for batch in loader:
                    check_cancel(self.cancel)
                    with torch.autocast("cuda", dtype=torch.float16, enabled=use_amp):
                        loss = self.task.loss(model, batch, device)
                    opt.zero_grad(set_to_none=True)
                    scaler.scale(loss).backward()
                    if cfg.optim.grad_clip:
                        scaler.unscale_(opt)
                        nn.utils.clip_grad_norm_(core.parameters(), cfg.optim.grad_clip)
                    scaler.step(opt)
                    scaler.update()
                    sched.step()
                    total += float(loss.detach())
                    count += 1
                    if bar is not None:
                        bar.update(1)
                        bar.set_postfix(loss=f"{total / count:.3f}")
                if bar is not None:
                    bar.close()
                row: dict[str, Any] = {
                    "epoch": epoch + 1,
                    "train_loss": total / max(1, count),
                    "lr": opt.param_groups[0]["lr"],
                    "seconds": time.monotonic() - t0,
                }
                metrics = self.task.evaluate(core, val_ds, device) if len(val_ds) else {}
                row.update(metrics)
                value = metrics.get(self.metric, -row["train_loss"])
                state["epoch"] = epoch + 1
                state["history"].append(row)
                improved = value > state["best"]
                if improved:
                    state.update(best=value, best_epoch=epoch + 1, bad_epochs=0)
                else:
                    state["bad_epochs"] += 1
                if dist.main:
                    self._log(row, writer)
                    if improved:
                        save_checkpoint(
                            self.run_dir / "best.pt", {"model": core.state_dict(), "metrics": row}
                        )
                    save_checkpoint(
                        last,
                        {
                            "model": core.state_dict(),
                            "optimizer": opt.state_dict(),
                            "scheduler": sched.state_dict(),
                            "scaler": scaler.state_dict(),
                            "state": state,
                            "rng": _rng_state(),
                            "config": to_dict(cfg),
                        },
                    )
                    print(self._summary(row), file=sys.stderr)
                if dist.enabled:
                    import torch.distributed as tdist

                    tdist.barrier()
                epochs_here += 1
                if len(val_ds) and cfg.early_stop_patience and state["bad_epochs"] >= cfg.early_stop_patience:
                    status = "early-stopped"
                    break
                if (
                    cfg.stop_after_epochs
                    and epochs_here >= cfg.stop_after_epochs
                    and state["epoch"] < cfg.optim.epochs
                ):
                    status = "interrupted"
                    break
        except (Cancelled, KeyboardInterrupt):
            status = "cancelled"  # the best checkpoint so far stays usable (run.json is written)
        if writer is not None:
            writer.close()
        best_row = next((r for r in state["history"] if r["epoch"] == state["best_epoch"]), {})
        if (
            dist.main
            and hasattr(self.task, "report")
            and len(val_ds)
            and (self.run_dir / "best.pt").is_file()
        ):
            # per-class report and confusion matrices of the best checkpoint on the validation split
            core.load_state_dict(torch.load(self.run_dir / "best.pt", map_location=device)["model"])
            atomic_write_json(self.run_dir / "eval_report.json", self.task.report(core, val_ds, device))
        summary = {
            "run_dir": str(self.run_dir),
            "status": status,
            "epochs": state["epoch"],
            "best_epoch": state["best_epoch"],
            "metric": self.metric,
            "best": state["best"],
            "best_metrics": best_row,
        }
        if dist.main and status != "interrupted" and state["best_epoch"] > 0:
            atomic_write_json(self.run_dir / "run.json", {**summary, "manifest": self.task.manifest_fields()})
        if dist.enabled:
            import torch.distributed as tdist

            tdist.destroy_process_group()
        return summary

    def _bar(self, total: int, desc: str, dist: DistInfo) -> Any:
        if not (self.cfg.progress and dist.main):
            return None
        from tqdm import tqdm

        return tqdm(total=total, desc=desc, leave=False, file=sys.stderr, dynamic_ncols=True)

    def _tensorboard(self) -> Any:
        if not self.cfg.tensorboard:
            return None
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:  # tensorboard is optional
            return None
        return SummaryWriter(str(self.run_dir / "tb"))

    def _log(self, row: dict[str, Any], writer: Any) -> None:
        path = self.run_dir / "log.csv"
        new = not path.is_file()
        keys = list(row) if new else next(csv.reader(path.open(encoding="utf-8")))
        with path.open("a", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=keys, extrasaction="ignore")
            if new:
                w.writeheader()
            w.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in row.items()})
        if writer is not None:
            for k, v in row.items():
                if isinstance(v, int | float) and k != "epoch":
                    writer.add_scalar(k, v, row["epoch"])

    def _summary(self, row: dict[str, Any]) -> str:
        parts = [f"epoch {row['epoch']}", f"loss {row['train_loss']:.4f}"]
        parts += [f"{k} {v:.4f}" for k, v in row.items() if k.startswith("val/") and isinstance(v, float)]
        return "  ".join(parts)
