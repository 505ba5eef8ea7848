"""What the torch pose backend costs before its first frame, and where: each setting measured in a
fresh process (nothing warm), phase by phase, then the cost of a call once warm.

    .venv/bin/python bench/bench_pose_startup.py [--device cuda|cpu] [--batch 2] [--calls 20]
        [--out pose_startup]

Settings: ``cudnn``: cuDNN on (``$GYMSCORE_POSE_CUDNN=1``); ``no-cudnn``: cuDNN off (the default); and
``before``: how the networks were made until session 15 (the graph for batches of 4 captured and
checked on a batch of 3, then the one for the server's batch size), cuDNN on. Phases: import torch,
start CUDA (one tiny kernel), build both modules on the device, make each network's fast way (CUDA
graphs on a GPU, TorchScript on the CPU, with their checks), make ready for ``--batch`` rows, the
first call of each network, and the median of ``--calls`` warm calls (uint8 batch on the host in,
numpy out, as :meth:`TorchNets.run`). Writes bench/results/OUT_DEVICE.md / .json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO)]
RESULTS = REPO / "bench" / "results"
SETTINGS = {"cudnn": {"GYMSCORE_POSE_CUDNN": "1"}, "no-cudnn": {"GYMSCORE_POSE_CUDNN": "0"},
            "before": {"GYMSCORE_POSE_CUDNN": "1"}}


def child(device: str, batch: int, calls: int, before: bool) -> dict:
    """One fresh process' phases (seconds) and warm calls (ms)."""
    t = time.perf_counter()
    phases: dict[str, float] = {}

    def mark(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        phases[name] = round(now - t, 3)
        t = now

    import numpy as np
    import torch

    mark("import torch")
    dev = torch.device(device)
    torch.zeros(1, device=dev).add_(1).cpu()
    mark("start the device")
    from gymscore.features import blazepose_torch, torch_runtime

    nets = blazepose_torch.TorchNets(device, fast=False)
    if dev.type == "cuda":
        torch.cuda.synchronize()
    mark("build both modules")
    for kind, module in nets.modules.items():
        shape = blazepose_torch._SHAPES[kind]
        if dev.type == "cuda":
            fast, ok = torch_runtime.graphed(module, shape, dev, 4 if before else batch)
            if before:  # the old check ran on a batch of three (padded to the graph of 4)
                torch_runtime.difference(module, fast, shape, dev, 3)
        else:
            fast, ok = torch_runtime.traced(module, shape, dev)
        nets.runners[kind], nets.mode[kind] = (fast, "fast") if ok else (module, "eager")
        mark(f"fast way: {kind}")
    nets.prepare(batch)
    mark(f"ready for batches of {batch}")
    images = {k: np.random.default_rng(0).integers(0, 255, (batch, *s), dtype=np.uint8)
              for k, s in blazepose_torch._SHAPES.items()}
    for kind in ("det", "lm"):
        nets.run(kind, images[kind])
        mark(f"first call: {kind}")
    warm = {}
    for kind in ("det", "lm"):
        times = []
        for _ in range(calls):
            s = time.perf_counter()
            nets.run(kind, images[kind])
            times.append(1000 * (time.perf_counter() - s))
        warm[kind] = round(statistics.median(times), 3)
    total = round(sum(phases.values()), 3)
    return {"phases": phases, "total_s": total, "warm_ms": warm, "mode": nets.mode}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--calls", type=int, default=20)
    ap.add_argument("--settings", default=",".join(SETTINGS))
    ap.add_argument("--out", default="pose_startup")
    ap.add_argument("--child", default="")
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.device, args.batch, args.calls, args.child == "before")))
        return
    rows = []
    for name in args.settings.split(","):
        env = {**os.environ, **SETTINGS[name]}
        t = time.perf_counter()
        out = subprocess.run([sys.executable, __file__, "--child", name, "--device", args.device,
                              "--batch", str(args.batch), "--calls", str(args.calls)],
                             env=env, capture_output=True, text=True, timeout=300)
        wall = time.perf_counter() - t
        line = next((x for x in reversed(out.stdout.splitlines()) if x.startswith("{")), None)
        if line is None:
            print(f"{name}: failed (rc {out.returncode}): {out.stderr[-800:]}", flush=True)
            continue
        row = {"setting": name, "process_wall_s": round(wall, 2), **json.loads(line)}
        rows.append(row)
        print(json.dumps(row), flush=True)
    import torch

    gpu = torch.cuda.get_device_name(0) if args.device.startswith("cuda") else "none"
    head = (f"Machine: {platform.machine()}, {os.cpu_count()} cores, GPU {gpu}, torch {torch.__version__}; "
            f"device {args.device}, batches of {args.batch}, one fresh process per setting.")
    lines = ["# The torch pose backend before its first frame", "", f"`bench/bench_pose_startup.py "
             f"--device {args.device}` (see its docstring). {head}", ""]
    phases = list(dict.fromkeys(p for r in rows for p in r["phases"]))
    lines += ["| phase (s) | " + " | ".join(r["setting"] for r in rows) + " |",
              "| --- |" + " --- |" * len(rows)]
    for p in phases:
        lines.append(f"| {p} | " + " | ".join(str(r["phases"].get(p, "")) for r in rows) + " |")
    lines.append("| **all phases** | " + " | ".join(f"**{r['total_s']}**" for r in rows) + " |")
    lines.append("| process, start to end | " + " | ".join(str(r["process_wall_s"]) for r in rows) + " |")
    for kind in ("det", "lm"):
        lines.append(f"| warm call, {kind} (ms, median of {args.calls}) | "
                     + " | ".join(str(r["warm_ms"][kind]) for r in rows) + " |")
    lines.append("| ran as | " + " | ".join(", ".join(f"{k} {v}" for k, v in r["mode"].items()) for r in rows)
                 + " |")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"{args.out}_{args.device.split(':')[0]}"
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n")
    stem.with_suffix(".json").write_text(json.dumps({"head": head, "rows": rows}, indent=1) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
