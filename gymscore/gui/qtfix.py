"""Work around a reference-count bug of PySide6 6.12 on Python 3.11.

Measured here: with PySide6 6.12.0 on CPython 3.11, every call of a Qt method that returns ``void``
(``QGraphicsItem.update()``, ``setVisible()``, ``QGraphicsScene.removeItem()`` ...) releases one
reference to ``None`` that it never took, and methods returning ``bool`` do the same to ``True`` /
``False``. ``None`` starts with about 4,500 references and ``True`` with about 150, so after a few
thousand such calls (seconds of video playback) CPython deallocates a singleton and aborts with
"Fatal Python error: none_dealloc". Python 3.12+ makes these objects immortal, so the bug is harmless
there. On 3.11 we give the singletons a huge reference count once, which they can never lose.
"""

from __future__ import annotations

import sys

_DONE = False
MARGIN = 1 << 40  # references added to each singleton; void calls would need 10^12 calls to use them up


def protect_singletons() -> bool:
    """Raise the reference counts of None, True, False (CPython < 3.12, release builds). True if done."""
    global _DONE
    if _DONE:
        return True
    if (
        sys.implementation.name != "cpython"
        or sys.version_info >= (3, 12)
        or hasattr(sys, "gettotalrefcount")
    ):
        return False
    import ctypes

    for obj in (None, True, False, NotImplemented, Ellipsis):
        ctypes.c_ssize_t.from_address(id(obj)).value += MARGIN
    _DONE = True
    return True
