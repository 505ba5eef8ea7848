"""Shared fixtures: the FineGym reference folder (skips when absent) and a private GYMSCORE_HOME."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _finegym_dir() -> Path | None:
    env = os.environ.get("GYMSCORE_FINEGYM")
    for c in ([Path(env)] if env else []) + [REPO.parent / "shared" / "finegym"]:
        if (c / "annotations").is_dir():
            return c
    return None


@pytest.fixture(scope="session")
def finegym_dir() -> Path:
    """The real FineGym annotation folder (../shared/finegym); skips the test when it is absent."""
    d = _finegym_dir()
    if d is None:
        pytest.skip("FineGym reference files not found (../shared/finegym or $GYMSCORE_FINEGYM)")
    return d


@pytest.fixture(scope="session")
def realclips_dir() -> Path:
    """The real competition clips folder (../shared/realclips); skips when absent."""
    d = REPO.parent / "shared" / "realclips"
    if not d.is_dir() or not any(d.glob("*.gif")):
        pytest.skip("real clips not found (../shared/realclips)")
    return d


@pytest.fixture(autouse=True)
def _private_home(tmp_path_factory, monkeypatch):
    """Every test gets its own user-data folder so nothing leaks between tests or into ~."""
    home = tmp_path_factory.mktemp("gymscore-home")
    monkeypatch.setenv("GYMSCORE_HOME", str(home))
    monkeypatch.setenv("GYMSCORE_CACHE", str(home / "cache"))
