"""Model manifests: what every weights file is, how to feed it, what it predicts and how well (torch-free).

A models folder (the shipped ``resources/models/`` or the user's ``user_models_dir()``) holds weights
files and one ``manifest.json``::

    {"schema": 1, "models": [ {ModelManifest fields...}, ... ]}

Which model is used: a model named explicitly (``name=``) is looked up in the user folder first, then
in the shipped folder. Without a name, the model the user selected for that task
(``user_models_dir()/selected.json``, written by ``gymscore train export --select`` or
:func:`select_model`) is used; otherwise the shipped default (``"default": true``) for the task.
Installing a model therefore never silently replaces the shipped default: the user selects it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from gymscore.paths import shipped_models_dir, user_models_dir
from gymscore.util.atomic import atomic_write_json

MANIFEST_FILE = "manifest.json"
SELECTED_FILE = "selected.json"
MANIFEST_SCHEMA = 1
TASKS = ("segmenter", "classifier")


class ManifestError(ValueError):
    """A manifest is missing, malformed or does not match its weights file."""


@dataclass
class ModelManifest:
    """One weights file and everything needed to use it."""

    name: str
    task: str  # "segmenter" | "classifier"
    architecture: str  # registry name, e.g. "stgcn_small"
    weights: str  # file name inside the models folder
    sha256: str = ""
    model_kwargs: dict[str, Any] = field(default_factory=dict)
    # preprocessing: modality ("skeleton" | "rgb"), fps, clip_len, joint_layout, normalisation, ...
    input: dict[str, Any] = field(default_factory=dict)
    # classifier: LabelSpace.to_dict(); segmenter: {"labels": ["background", 1, 21, ...], "edition": ...}
    label_space: dict[str, Any] = field(default_factory=dict)
    training_data: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    licence: str = "MIT"
    default: bool = False
    created: str = ""
    gymscore_version: str = ""
    notes: str = ""
    # set when loaded: the folder the manifest came from (not saved)
    folder: str = field(default="", repr=False, compare=False)

    @property
    def weights_path(self) -> Path:
        return Path(self.folder) / self.weights

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("folder")
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any], folder: str | Path = "", source: str = "manifest") -> ModelManifest:
        if not isinstance(d, dict):
            raise ManifestError(f"{source}: a model entry must be an object, got {type(d).__name__}")
        known = {f.name for f in fields(cls)} - {"folder"}
        missing = [k for k in ("name", "task", "architecture", "weights") if k not in d]
        if missing:
            raise ManifestError(f"{source}: model entry {d.get('name', '?')!r} lacks {', '.join(missing)}")
        if d["task"] not in TASKS:
            raise ManifestError(f"{source}: model {d['name']!r} has task {d['task']!r}, not one of {TASKS}")
        return cls(**{k: v for k, v in d.items() if k in known}, folder=str(folder))


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def verify_weights(m: ModelManifest) -> None:
    """Raise :class:`ManifestError` when the weights file is missing or its SHA-256 differs."""
    p = m.weights_path
    if not p.is_file():
        raise ManifestError(f"model {m.name!r}: weights file {p} is missing")
    if m.sha256 and sha256_file(p) != m.sha256:
        raise ManifestError(
            f"model {m.name!r}: weights file {p} does not match the manifest's sha256 (corrupt or replaced)"
        )


def load_manifest(folder: str | Path) -> list[ModelManifest]:
    """Every model entry of ``folder/manifest.json`` ([] when there is no manifest)."""
    folder = Path(folder)
    path = folder / MANIFEST_FILE
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path}: cannot read the model manifest: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("models"), list):
        raise ManifestError(f"{path}: expected an object with a 'models' list")
    return [ModelManifest.from_dict(d, folder, source=str(path)) for d in data["models"]]


def save_manifest(folder: str | Path, models: list[ModelManifest]) -> Path:
    """Write ``folder/manifest.json`` atomically."""
    folder = Path(folder)
    data = {"schema": MANIFEST_SCHEMA, "models": [m.to_dict() for m in models]}
    return atomic_write_json(folder / MANIFEST_FILE, data)


def upsert_manifest(folder: str | Path, entry: ModelManifest) -> Path:
    """Add ``entry`` to the folder's manifest, replacing an entry of the same name."""
    models = [m for m in load_manifest(folder) if m.name != entry.name]
    models.append(entry)
    return save_manifest(folder, models)


def model_folders() -> list[tuple[str, Path]]:
    """(origin, folder) pairs in lookup order: the user's folder, then the shipped one."""
    return [("user", user_models_dir()), ("shipped", shipped_models_dir())]


def list_installed(task: str | None = None) -> list[tuple[str, ModelManifest]]:
    """Every installed model as (origin, manifest), user-installed first."""
    out = []
    for origin, folder in model_folders():
        for m in load_manifest(folder):
            if task is None or m.task == task:
                out.append((origin, m))
    return out


def selected_models() -> dict[str, str]:
    """The user's model choice per task ({} when none)."""
    p = user_models_dir() / SELECTED_FILE
    if not p.is_file():
        return {}
    try:
        data = json.loads(p.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{p}: cannot read the model selection: {exc}") from exc
    return {k: v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}


def select_model(task: str, name: str | None) -> None:
    """Make ``name`` the model used for ``task`` when none is named (None: back to the shipped default)."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; use one of {', '.join(TASKS)}")
    names = {m.name for _, m in list_installed(task)}
    for part in (name.split("+") if name is not None else []):  # "a+b": the average of a and b
        if part.strip() not in names:
            raise ManifestError(f"no installed {task} model is called {part.strip()!r}")
    sel = selected_models()
    if name is None:
        sel.pop(task, None)
    else:
        sel[task] = name
    atomic_write_json(user_models_dir() / SELECTED_FILE, sel)


def find_model(task: str, name: str | None = None) -> ModelManifest:
    """The manifest to use for ``task`` (see the module doc for the lookup order)."""
    installed = list_installed(task)
    if name is None:
        name = selected_models().get(task)
    if name is not None:
        for _, m in installed:
            if m.name == name:
                return m
        have = ", ".join(m.name for _, m in installed) or "none"
        raise ManifestError(f"no {task} model called {name!r} is installed (installed: {have})")
    for origin, m in installed:
        if origin == "shipped" and m.default:
            return m
    if installed:
        return installed[0][1]
    raise ManifestError(
        f"no {task} model is installed: expected a manifest in {shipped_models_dir()} or {user_models_dir()}"
    )
