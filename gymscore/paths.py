"""Where gymscore finds its files, frozen (PyInstaller) or not, and where it keeps user data.

Every resource lookup goes through :func:`resource_path` so that the same code works from a source
checkout, an installed package and a PyInstaller bundle.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def app_root() -> Path:
    """The folder that holds ``codebook/`` and ``resources/``: the bundle folder when frozen."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parent.parent


def resource_path(*parts: str) -> Path:
    """Path of a bundled resource, e.g. ``resource_path("codebook", "wag-2017")``."""
    return app_root().joinpath(*parts)


def codebook_dir(edition: str = "wag-2017") -> Path:
    """Folder of a shipped codebook edition."""
    return resource_path("codebook", edition)


def user_data_dir() -> Path:
    """Per-user writable folder (models trained locally, corrections, caches, settings).

    ``GYMSCORE_HOME`` overrides it (tests point it at a temporary folder).
    """
    env = os.environ.get("GYMSCORE_HOME")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "gymscore"


def cache_dir() -> Path:
    """Feature cache folder."""
    env = os.environ.get("GYMSCORE_CACHE")
    if env:
        return Path(env)
    return user_data_dir() / "cache"


def shipped_models_dir() -> Path:
    """Folder of the default weights shipped with the application."""
    return resource_path("resources", "models")


def user_models_dir() -> Path:
    """Folder where ``gymscore train export`` installs weights."""
    return user_data_dir() / "models"


def finegym_default_dir() -> Path | None:
    """The FineGym reference folder beside the checkout (``../shared/finegym``), if it exists.

    ``GYMSCORE_FINEGYM`` overrides it.
    """
    env = os.environ.get("GYMSCORE_FINEGYM")
    candidates = [Path(env)] if env else []
    candidates.append(app_root().parent / "shared" / "finegym")
    for c in candidates:
        if (c / "annotations").is_dir():
            return c
    return None
