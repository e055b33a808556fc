"""Guard against a PySide6 6.12.0 bug on Python 3.11: every call of a C++ method returning ``void`` releases one
reference to ``None`` that it never took, so after enough calls ``None``'s reference count reaches zero and the
interpreter aborts ("Fatal Python error: none_dealloc") — a day of office use would crash the app.

Python 3.12 makes ``None`` immortal; on 3.11 the guard gives ``None`` a huge reference count once (it is never
freed anyway). Check: ``sys.getrefcount(None)`` drops by 100 after 100 ``QObject.setObjectName`` calls on 6.12.0.
"""

from __future__ import annotations

import ctypes
import sys

_BOOST = 1 << 40


def guard_none_refcount() -> None:
    """Make ``None`` practically immortal on CPython < 3.12 (safe to call more than once)."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    refcnt = ctypes.c_ssize_t.from_address(id(None))
    if refcnt.value < _BOOST // 2:
        refcnt.value += _BOOST


def leaks_none() -> bool:
    """True when this PySide6 drops a reference to ``None`` on a void call (the bug the guard works around)."""
    from PySide6.QtCore import QObject

    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(50):
        obj.setObjectName("x")
    return sys.getrefcount(None) < before - 25
