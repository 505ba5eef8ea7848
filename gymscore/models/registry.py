"""A model registry in the manner of timm: ``@register_model`` on a factory, ``create_model(name, **kw)``.

Model families live one per file (``mstcn``, ``stgcn``, ``tsm``); their modules are imported on first
use so that importing the registry stays torch-free. Every registered model exposes the same methods:
``forward_features(x)``, ``forward_head(features)``, ``forward(x)`` and ``reset_head(label_space)``;
``mean_ensemble`` (``ensemble``), which averages trained models, has ``forward`` only: its members are
what is trained.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

_REGISTRY: dict[str, Callable[..., Any]] = {}
_FAMILY_MODULES = (
    "gymscore.models.mstcn", "gymscore.models.stgcn", "gymscore.models.tsm", "gymscore.models.ensemble",
)
_loaded = False


def register_model(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: register a model factory under its function name."""
    name = fn.__name__
    if name in _REGISTRY and _REGISTRY[name] is not fn:
        raise ValueError(f"model {name!r} is already registered")
    _REGISTRY[name] = fn
    return fn


def _load_families() -> None:
    global _loaded
    if not _loaded:
        for mod in _FAMILY_MODULES:
            importlib.import_module(mod)
        _loaded = True


def list_models() -> list[str]:
    """Names of every registered model, sorted."""
    _load_families()
    return sorted(_REGISTRY)


def create_model(name: str, **kwargs: Any) -> Any:
    """Build a registered model by name; keyword arguments go to its factory."""
    _load_families()
    if name not in _REGISTRY:
        raise ValueError(f"unknown model {name!r}; registered models: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name](**kwargs)
