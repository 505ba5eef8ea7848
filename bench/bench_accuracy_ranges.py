"""Held-out video accuracy with every long video split into N ranges, whatever this machine's core count
(how the seams between parallel ranges change the figures; docs/models.md, "Pose on a GPU").

    .venv/bin/python bench/bench_accuracy_ranges.py N [bench_accuracy.py options]

Runs ``bench_accuracy.py`` with ``ExtractConfig.workers = N`` and the core count seen as N (the worker
setting is otherwise capped at the core count), into ``accuracy_<size>_<backend>_k<N>``. Slow on few
cores: N pose processes (or threads) share them.
"""

from __future__ import annotations

import os
import runpy
import sys
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    if len(sys.argv) < 2 or not sys.argv[1].isdigit() or int(sys.argv[1]) < 1:
        sys.exit(__doc__)
    ranges, rest = int(sys.argv[1]), sys.argv[2:]
    os.cpu_count = lambda: ranges  # noqa: E731 - read by ExtractConfig.worker_count in this process
    sys.path[:0] = [str(HERE), str(HERE.parent)]
    import bench_model_selection

    make = bench_model_selection.extract_config
    bench_model_selection.extract_config = lambda *a, **k: replace(make(*a, **k), workers=ranges)
    backend = rest[rest.index("--pose-backend") + 1] if "--pose-backend" in rest else "default"
    if "--tag" not in rest:
        rest += ["--tag", f"_{backend}_k{ranges}"]
    sys.argv = [str(HERE / "bench_accuracy.py"), *rest]
    runpy.run_path(str(HERE / "bench_accuracy.py"), run_name="__main__")


if __name__ == "__main__":
    main()
