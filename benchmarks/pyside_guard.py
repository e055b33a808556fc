"""The benchmarks' name for the app's PySide6 ``None`` reference guard (kept so older scripts still import it)."""

from __future__ import annotations

from kawaoffice.qtfix import guard_none_refcount, leaks_none

__all__ = ["guard_none_refcount", "leaks_none"]
