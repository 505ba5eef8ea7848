"""``gymscore train classifier|segmenter|export|ensemble`` and ``gymscore eval PRED_DIR TRUTH_DIR``.

Distributed training: ``torchrun --nproc_per_node=N -m gymscore train classifier --config FILE``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    train = subparsers.add_parser("train", help="train and export models", description=__doc__)
    tsub = train.add_subparsers(dest="train_command", metavar="TASK")
    for task in ("classifier", "segmenter"):
        p = tsub.add_parser(task, help=f"train the {task}")
        p.add_argument("--config", help="YAML config (see configs/)")
        p.add_argument("--resume", metavar="RUN_DIR", help="continue an interrupted run exactly")
        p.add_argument("--run-dir", help="run folder (default: <out_dir>/<run_name>)")
        p.add_argument(
            "overrides", nargs="*", metavar="KEY=VALUE", help="config overrides, e.g. optim.epochs=5"
        )
        p.set_defaults(func=_train, task=task)
    ex = tsub.add_parser("export", help="install a run's weights + manifest where the app finds them")
    ex.add_argument("run", help="run folder")
    ex.add_argument("--name", required=True, help="model name")
    ex.add_argument("--dest", help="models folder (default: the user models folder)")
    ex.add_argument("--select", action="store_true", help="use this model by default from now on")
    ex.add_argument("--default", action="store_true", help="mark as the shipped default (with --dest)")
    ex.add_argument("--licence", default="MIT")
    ex.set_defaults(func=_export)
    en = tsub.add_parser("ensemble", help="install the average of installed models as one model")
    en.add_argument("task", choices=("classifier", "segmenter"))
    en.add_argument("members", nargs="+", metavar="MEMBER", help="installed models (gymscore models list)")
    en.add_argument("--name", required=True, help="model name")
    en.add_argument("--dest", help="models folder (default: the user models folder)")
    en.add_argument("--select", action="store_true", help="use this model by default from now on")
    en.add_argument("--default", action="store_true", help="mark as the folder's default (with --dest)")
    en.set_defaults(func=_ensemble)
    train.set_defaults(func=lambda args: (train.print_help(), 2)[1])

    ev = subparsers.add_parser("eval", help="compare two folders of timelines (matched by file name)")
    ev.add_argument("pred_dir")
    ev.add_argument("truth_dir")
    ev.add_argument("--json", action="store_true", help="print JSON")
    ev.set_defaults(func=_eval)


def _train(args: argparse.Namespace) -> int:
    from gymscore.train.config import load_config
    from gymscore.train.tasks import build_task
    from gymscore.train.trainer import Trainer

    if args.resume:
        run_dir = Path(args.resume)
        cfg_path = run_dir / "config.yaml"
        if not cfg_path.is_file():
            raise FileNotFoundError(f"cannot resume: {cfg_path} does not exist")
        cfg = load_config(cfg_path, args.overrides, task=args.task)
        cfg.stop_after_epochs = (
            0
            if not any(o.startswith("stop_after_epochs=") for o in args.overrides)
            else cfg.stop_after_epochs
        )
    else:
        cfg = load_config(args.config, args.overrides, task=args.task)
        name = cfg.run_name or f"{args.task}-{_dt.datetime.now().strftime('%Y%m%d-%H%M%S')}"
        run_dir = Path(args.run_dir) if args.run_dir else Path(cfg.out_dir) / name
        if (run_dir / "last.pt").exists():
            raise FileExistsError(
                f"{run_dir} already holds a run: use --resume {run_dir} or another run name"
            )
    _stop_on_sigterm()
    summary = Trainer(build_task(cfg), run_dir, resume=bool(args.resume)).run()
    if os.environ.get("RANK", "0") == "0":  # torchrun: only rank 0 reports
        print(json.dumps({k: v for k, v in summary.items() if k != "best_metrics"}, indent=2))
    return 0 if summary["status"] != "interrupted" else 3


def _stop_on_sigterm() -> None:
    """``kill PID`` (e.g. from the GUI) ends training like Ctrl-C: the best checkpoint and run.json stay."""
    import signal

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        pass


def _export(args: argparse.Namespace) -> int:
    from gymscore.train.export import export_run

    m = export_run(
        args.run, args.name, dest=args.dest, select=args.select, default=args.default, licence=args.licence
    )
    print(
        f"installed {m.task} model {m.name!r} ({m.architecture}) in {m.folder}"
        + (" and selected it" if args.select else "; select it with --select to use it by default")
    )
    return 0


def _ensemble(args: argparse.Namespace) -> int:
    from gymscore.models.manifest import ManifestError
    from gymscore.train.export import export_ensemble

    try:
        m = export_ensemble(args.task, args.members, args.name, dest=args.dest, select=args.select,
                            default=args.default)
    except ManifestError as exc:
        print(f"gymscore train ensemble: {exc}", file=sys.stderr)
        return 2
    print(f"installed {m.task} model {m.name!r}, the average of {', '.join(args.members)}, in {m.folder}"
          + (" and selected it" if args.select else "; select it with --select to use it by default"))
    return 0


def _eval(args: argparse.Namespace) -> int:
    from gymscore.train.evaluate import evaluate_timeline_dirs

    res = evaluate_timeline_dirs(args.pred_dir, args.truth_dir)
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    for k, v in res.items():
        print(f"{k:24} {v:.4f}" if isinstance(v, float) else f"{k:24} {v}")
    return 0
