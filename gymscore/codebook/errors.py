"""Errors of the codebook package."""

from __future__ import annotations


class CodebookError(ValueError):
    """A codebook file or query is invalid; the message names the file (or element) and the problem."""


class UnknownElementError(CodebookError, LookupError):
    """An element id, label or name is not in the codebook."""
