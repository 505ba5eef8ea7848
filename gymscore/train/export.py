"""``gymscore train export RUN --name NAME``: install a run's best weights and manifest entry.

The weights go to ``user_models_dir()`` (or ``--dest``), next to a ``manifest.json`` entry with the
architecture, input spec, label space, training data, held-out metrics (``heldout.json`` in the run
folder when it exists, else the best validation row), sha256 and licence. The app keeps using the
shipped default until the user selects the new model (``--select`` or ``select_model``).
``gymscore train ensemble TASK MEMBER MEMBER... --name NAME`` installs the average of installed models
the same way (:func:`export_ensemble`).
"""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path
from typing import Any

import torch

from gymscore import __version__
from gymscore.models.manifest import ModelManifest, select_model, sha256_file, upsert_manifest
from gymscore.paths import user_models_dir
from gymscore.util.atomic import atomic_write_with


def read_run(run_dir: str | Path) -> dict[str, Any]:
    """The ``run.json`` of a finished training run."""
    p = Path(run_dir) / "run.json"
    if not p.is_file():
        raise FileNotFoundError(f"{p} is missing: is {run_dir} a finished training run?")
    return json.loads(p.read_text("utf-8"))


def export_run(
    run_dir: str | Path,
    name: str,
    dest: str | Path | None = None,
    select: bool = False,
    default: bool = False,
    licence: str = "MIT",
    notes: str = "",
    metrics: dict[str, Any] | None = None,
) -> ModelManifest:
    """Install the best checkpoint of ``run_dir`` as model ``name``; returns its manifest entry."""
    run_dir = Path(run_dir)
    info = read_run(run_dir)
    ck_path = run_dir / "best.pt" if (run_dir / "best.pt").is_file() else run_dir / "last.pt"
    if not ck_path.is_file():
        raise FileNotFoundError(f"{run_dir} has no checkpoint (best.pt or last.pt)")
    ck = torch.load(ck_path, map_location="cpu", weights_only=False)
    state = {k: v.detach().clone() for k, v in ck["model"].items()}
    folder = Path(dest) if dest else user_models_dir()
    weights = f"{name}.pt"
    atomic_write_with(folder / weights, lambda fh: torch.save(state, fh))
    if metrics is None:
        held = run_dir / "heldout.json"
        metrics = (
            json.loads(held.read_text("utf-8"))
            if held.is_file()
            else {
                "validation": {k: v for k, v in info.get("best_metrics", {}).items() if k.startswith("val/")}
            }
        )
    m = info["manifest"]
    entry = ModelManifest(
        name=name,
        task=m["task"],
        architecture=m["architecture"],
        weights=weights,
        sha256=sha256_file(folder / weights),
        model_kwargs=m.get("model_kwargs", {}),
        input=m["input"],
        label_space=m["label_space"],
        training_data={
            **m.get("training_data", {}),
            "run": run_dir.name,
            "epochs": info.get("epochs"),
            "best_epoch": info.get("best_epoch"),
        },
        metrics=metrics,
        licence=licence,
        default=default,
        created=_dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        gymscore_version=__version__,
        notes=notes,
        folder=str(folder),
    )
    upsert_manifest(folder, entry)
    if select:
        select_model(entry.task, name)
    return entry


def run_from_model(name: str, task: str, out_dir: str | Path) -> Path:
    """Unpack the installed model ``name`` (``task``: classifier or segmenter) into a run folder
    (``best.pt`` + ``run.json``) that :func:`export_run`, the held-out evaluation and
    ``model.pretrained`` accept, so a shipped model can be re-evaluated and re-shipped without the run
    that made it. Returns the folder."""
    from gymscore.models.manifest import find_model

    m = find_model(task, name)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    state = torch.load(m.weights_path, map_location="cpu", weights_only=True)
    atomic_write_with(out / "best.pt", lambda fh: torch.save({"model": state}, fh))
    training = dict(m.training_data)
    info = {
        "run_dir": str(out),
        "status": f"unpacked from installed model {m.name}",
        "epochs": training.get("epochs"),
        "best_epoch": training.get("best_epoch"),
        "best_metrics": dict((m.metrics or {}).get("validation", {})),
        "manifest": {"task": m.task, "architecture": m.architecture, "model_kwargs": m.model_kwargs,
                     "input": m.input, "label_space": m.label_space, "training_data": training},
    }
    (out / "run.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return out


def export_ensemble(
    task: str,
    members: list[str],
    name: str,
    dest: str | Path | None = None,
    select: bool = False,
    default: bool = False,
    notes: str = "",
    metrics: dict[str, Any] | None = None,
) -> ModelManifest:
    """Install the average of the installed ``members`` (:mod:`gymscore.models.ensemble`) as one model
    ``name``: one weights file holding every member, one manifest entry. With ``default`` it becomes
    the folder's default for ``task`` (the others of that task lose the mark)."""
    from gymscore.models.ensemble import ensemble_manifest, ensemble_state
    from gymscore.models.manifest import find_model, load_manifest, save_manifest, verify_weights

    ms = [find_model(task, n) for n in members]
    entry = ensemble_manifest(ms, name)
    for m in ms:
        verify_weights(m)
    state = ensemble_state([torch.load(m.weights_path, map_location="cpu", weights_only=True) for m in ms])
    folder = Path(dest) if dest else user_models_dir()
    folder.mkdir(parents=True, exist_ok=True)
    weights = f"{name}.pt"
    atomic_write_with(folder / weights, lambda fh: torch.save(state, fh))
    entry.weights, entry.sha256, entry.folder = weights, sha256_file(folder / weights), str(folder)
    entry.default, entry.notes, entry.metrics = default, notes, metrics or {}
    entry.created = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    entry.gymscore_version = __version__
    if default:
        others = [m for m in load_manifest(folder) if m.name != name]
        for m in others:
            if m.task == task:
                m.default = False
        save_manifest(folder, [*others, entry])
    else:
        upsert_manifest(folder, entry)
    if select:
        select_model(task, name)
    return entry
