"""What one call of BlazePose's two networks costs in the torch pose backend, run each way it can run:
the plain replayed module (``eager``: Python between its ~140 operators), TorchScript, and CUDA graphs
(on a GPU), for batches of 1, 8 and 32, against LiteRT on one CPU core (one frame a call).

    .venv/bin/python bench/bench_pose_networks.py [--device cuda|cpu] [--batches 1,8,32] [--calls 20]
        [--out pose_networks]

Each figure is the median wall time of ``--calls`` calls after three warm-up calls of
:meth:`TorchNets.run` with that way swapped in: a uint8 batch on the host to numpy outputs on the host.
Also prints how each fast way compares with the plain module (largest difference relative to the
output's scale) and, where one failed, why. Writes bench/results/OUT_DEVICE.md / .json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO)]
RESULTS = REPO / "bench" / "results"


def timed(fn, calls: int) -> float:
    """Median milliseconds of ``calls`` calls of ``fn`` after three warm-ups."""
    for _ in range(3):
        fn()
    times = []
    for _ in range(calls):
        t = time.perf_counter()
        fn()
        times.append(1000 * (time.perf_counter() - t))
    return statistics.median(times)


def runners(nets) -> tuple[dict, list[str]]:
    """{(kind, way): runner} for every way the networks of ``nets`` (a plain ``TorchNets``) run here,
    and notes on those that did not."""
    from gymscore.features import torch_runtime
    from gymscore.features.blazepose_torch import _SHAPES

    out, notes = {}, []
    for kind, module in nets.modules.items():
        out[(kind, "eager")] = module
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fast, ok = torch_runtime.traced(module, _SHAPES[kind], nets.device)
            if ok:
                out[(kind, "torchscript")] = fast
            else:
                notes.append(f"{kind}: TorchScript not used")
            if nets.device.type == "cuda":
                fast, ok = torch_runtime.graphed(module, _SHAPES[kind], nets.device)
                if ok:
                    out[(kind, "cuda graphs")] = fast
                    diff = torch_runtime.difference(module, fast, _SHAPES[kind], nets.device, 3)
                    notes.append(f"{kind}: CUDA graphs differ from the module by {diff:.2g}")
        notes += [f"{kind}: {w.message}" for w in caught]
    return out, notes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--device", default="cuda" if _cuda() else "cpu")
    ap.add_argument("--batches", default="1,8,32")
    ap.add_argument("--calls", type=int, default=20)
    ap.add_argument("--out", default="pose_networks")
    args = ap.parse_args(argv)
    import torch

    from gymscore.features.blazepose_torch import _SHAPES, TorchNets

    device = torch.device(args.device)
    t = time.perf_counter()
    nets = TorchNets(args.device, fast=False)  # the plain modules; each way is swapped in below
    build_s = time.perf_counter() - t
    t = time.perf_counter()
    ways, notes = runners(nets)
    prepare_s = time.perf_counter() - t
    for n in notes:
        print(n, flush=True)
    rng = np.random.default_rng(0)
    rows = []
    for (kind, way), runner in ways.items():
        nets.runners[kind] = runner  # TorchNets.run: uint8 to the device, scaled, outputs to numpy
        for b in (int(x) for x in args.batches.split(",")):
            batch = rng.integers(0, 256, (b, *_SHAPES[kind]), dtype=np.uint8)
            ms = timed(lambda kind=kind, batch=batch: nets.run(kind, batch), args.calls)
            row = {"network": kind, "way": way, "batch": b, "ms_per_call": round(ms, 3),
                   "ms_per_image": round(ms / b, 3)}
            rows.append(row)
            print(json.dumps(row), flush=True)
    rows += litert_rows(args.calls)
    gpu = torch.cuda.get_device_name(device) if device.type == "cuda" else None
    out = {"machine": f"{platform.machine()}, {os.cpu_count()} cores", "gpu": gpu, "torch": torch.__version__,
           "device": str(device), "build_s": round(build_s, 2), "prepare_s": round(prepare_s, 2),
           "notes": notes, "rows": rows}
    name = f"{args.out}_{device.type}"
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(out, indent=2) + "\n")
    lines = [
        "# BlazePose's networks, one call each way they run", "",
        f"`bench/bench_pose_networks.py --device {device.type}` (see its docstring). "
        f"Machine: {out['machine']}"
        + (f", GPU {gpu}" if gpu else "") + f", torch {torch.__version__}. Median of {args.calls} calls, "
        f"host uint8 in, host float32 out. Building the modules: {out['build_s']} s; making the fast ways "
        f"(trace, capture, check): {out['prepare_s']} s.", "",
        *(f"- {n}" for n in notes), "",
        "| network | way | batch | ms per call | ms per image |", "| --- | --- | --- | --- | --- |",
        *(f"| {r['network']} | {r['way']} | {r['batch']} | {r['ms_per_call']} | {r['ms_per_image']} |"
          for r in rows),
    ]
    (RESULTS / f"{name}.md").write_text("\n".join(lines) + "\n")
    return 0


def litert_rows(calls: int) -> list[dict]:
    """LiteRT's own call of each network on the CPU (one image a call), for comparison."""
    try:
        from gymscore.features.blazepose import LiteRunner
        runner = LiteRunner()
    except Exception as exc:  # noqa: BLE001 - reported, the torch figures stand alone
        print(f"LiteRT not measured: {exc}", flush=True)
        return []
    rng = np.random.default_rng(1)
    det = rng.integers(0, 256, (224, 224, 3), dtype=np.uint8)
    lm = rng.integers(0, 256, (256, 256, 3), dtype=np.uint8)
    rows = []
    calls_of = (("det", lambda: runner.detector_outputs(det)), ("lm", lambda: runner.landmark_outputs(lm)))
    for kind, fn in calls_of:
        ms = timed(fn, calls)
        rows.append({"network": kind, "way": "LiteRT, CPU", "batch": 1, "ms_per_call": round(ms, 3),
                     "ms_per_image": round(ms, 3)})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def _cuda() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


if __name__ == "__main__":
    raise SystemExit(main())
