"""Classifier training throughput (clips/s): CPU, and CUDA with AMP on and off when a GPU exists.

    python bench/bench_train.py [--device cpu|cuda|all] [--batch 64] [--steps 10] [--repeats 3]

Times forward + backward + optimizer steps of the shipped skeleton classifier (its architecture,
keyword arguments, input channels and clip length read from resources/models/manifest.json; Gym99
label space) on pre-made batches, so the figure is the model's, not the data loader's; a second
figure includes on-the-fly augmentation and feature extraction (data clips/s).
Prints medians and writes bench/results/bench_train.md and .json.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

import torch

from gymscore.codebook import default_codebook
from gymscore.data.augment import AugmentConfig
from gymscore.data.torchsets import ClipDataset
from gymscore.data.toy import toy_dataset
from gymscore.models import create_model
from gymscore.models.labels import build_label_space

RESULTS = Path(__file__).resolve().parent / "results"
MANIFEST = Path(__file__).resolve().parent.parent / "resources" / "models" / "manifest.json"


def shipped_classifier() -> dict:
    """The shipped classifier's manifest entry (architecture, model_kwargs, input)."""
    models = json.loads(MANIFEST.read_text(encoding="utf-8"))["models"]
    return next(m for m in models if m["task"] == "classifier")


def bench_model(device: str, amp: bool, batch: int, steps: int, repeats: int, clip_len: int) -> float:
    ls = build_label_space(default_codebook(), "gym99")
    spec = shipped_classifier()
    n_in = len(spec["input"]["channels"])
    model = create_model(spec["architecture"], label_space=ls, in_channels=n_in,
                         **spec["model_kwargs"]).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    scaler = torch.amp.GradScaler("cuda", enabled=amp)
    x = torch.randn(batch, n_in, clip_len, 17, device=device)
    y = torch.randint(0, ls.num_elements, (batch,), device=device)
    rates = []
    for r in range(repeats + 1):  # the first round warms up
        if device == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        for _ in range(steps):
            with torch.autocast("cuda", dtype=torch.float16, enabled=amp):
                loss = torch.nn.functional.cross_entropy(model(x)["element"].float(), y)
            opt.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
        if device == "cuda":
            torch.cuda.synchronize()
        if r:
            rates.append(batch * steps / (time.perf_counter() - t0))
    return statistics.median(rates)


def bench_data(n: int, repeats: int, clip_len: int) -> float:
    cb = default_codebook()
    routines, ids = toy_dataset(cb, num_elements=10, routines=10, per_routine=6, seed=0)
    ds = ClipDataset(routines, build_label_space(cb, ids), clip_len, AugmentConfig(), codebook=cb)
    rates = []
    for r in range(repeats):
        ds.set_epoch(r)
        t0 = time.perf_counter()
        for i in range(n):
            ds[i % len(ds)]
        rates.append(n / (time.perf_counter() - t0))
    return statistics.median(rates)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", choices=("cpu", "cuda", "all"), default="all")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--clip-len", type=int, default=0, help="frames per clip (0: the shipped model's)")
    ap.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = default)")
    ap.add_argument("--out", type=Path, default=RESULTS / "bench_train.md",
                    help="results file (.md; the .json goes beside it)")
    args = ap.parse_args()
    spec = shipped_classifier()
    args.clip_len = args.clip_len or int(spec["input"]["clip_len"])
    if args.threads:
        torch.set_num_threads(args.threads)
    rows = []
    if args.device in ("cpu", "all"):
        rows.append(
            {
                "device": "cpu",
                "amp": False,
                "clips_per_s": bench_model("cpu", False, args.batch, args.steps, args.repeats, args.clip_len),
            }
        )
    if args.device in ("cuda", "all"):
        if torch.cuda.is_available():
            for amp in (False, True):
                rows.append(
                    {
                        "device": "cuda",
                        "amp": amp,
                        "clips_per_s": bench_model(
                            "cuda", amp, args.batch, args.steps, args.repeats, args.clip_len
                        ),
                    }
                )
        else:
            print("no CUDA GPU: CUDA rows skipped")
    data_rate = bench_data(200, args.repeats, args.clip_len)
    info = {
        "torch": torch.__version__,
        "cpu": platform.processor() or platform.machine(),
        "threads": torch.get_num_threads(),
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "batch": args.batch,
        "clip_len": args.clip_len,
        "steps": args.steps,
        "repeats": args.repeats,
    }
    lines = [
        "# Classifier training throughput (bench/bench_train.py)",
        "",
        f"Model {spec['architecture']} {spec['model_kwargs']} (the shipped classifier, Gym99 heads), "
        f"batch {args.batch}, clip length {args.clip_len}; "
        f"median of {args.repeats} rounds of {args.steps} steps. torch {info['torch']}, "
        f"{info['threads']} CPU threads, GPU: {info['gpu'] or 'none'}.",
        "",
        "| device | AMP | training clips/s (model only) |",
        "| --- | --- | --- |",
    ]
    for r in rows:
        lines.append(f"| {r['device']} | {'on' if r['amp'] else 'off'} | {r['clips_per_s']:.1f} |")
        print(f"{r['device']:5} amp={'on ' if r['amp'] else 'off'} {r['clips_per_s']:8.1f} clips/s")
    lines += ["", f"Data pipeline (augmentation + features, one process): {data_rate:.0f} clips/s.", ""]
    print(f"data  {data_rate:8.1f} clips/s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    args.out.with_suffix(".json").write_text(
        json.dumps({"info": info, "model": rows, "data_clips_per_s": data_rate}, indent=2) + "\n"
    )


if __name__ == "__main__":
    main()
