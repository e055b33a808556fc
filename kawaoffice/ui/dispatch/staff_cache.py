"""The dispatch dialog's staff chooser as it opens (no filter, no typed text): the first active staff by reading
and how many there are, kept for the process (each statement is a round trip to a shared server).

Read once per database; dropped when this process commits a change to the staff (``storage.notify.on_own_commit``)
and when the main window announces that someone else changed it (``change_hub().tables_changed``). A filtered or
typed search is always read from the database.
"""

from __future__ import annotations

import contextlib
import weakref
from typing import Any

from sqlalchemy.orm import Session

from kawaoffice.services import dispatch as svc
from kawaoffice.storage import notify
from kawaoffice.ui.widgets.paged_model import SessionProvider

WATCHED_TABLES = frozenset({"staff"})

Picks = tuple[list[svc.StaffPick], int]

_cache: weakref.WeakKeyDictionary[Any, tuple[int, Picks]] = weakref.WeakKeyDictionary()
_watching = False


def invalidate() -> None:
    """Read the first staff again the next time a dispatch dialog opens."""
    _cache.clear()


def _on_tables(tables: object) -> None:
    if isinstance(tables, frozenset) and tables & WATCHED_TABLES:
        invalidate()


def _watch() -> None:
    global _watching
    if _watching:
        return
    _watching = True
    notify.on_own_commit(_on_tables)
    from kawaoffice.ui.widgets.live_refresh import change_hub

    change_hub().tables_changed.connect(_on_tables)


def first_staff(sessions: SessionProvider, limit: int, session: Session | None = None) -> Picks:
    """The unfiltered chooser's rows (``svc.staff_picks`` with ``limit``) for the database of ``sessions``, read
    (with ``session`` when given) when not kept."""
    _watch()
    key = getattr(sessions, "__self__", sessions)  # Database.session is a new bound method at each access
    try:
        cached = _cache.get(key)
    except TypeError:  # a provider that cannot be weakly referenced: no caching
        cached = None
    if cached is not None and cached[0] == limit:
        return cached[1]
    if session is None:
        with sessions() as s:
            picks = svc.staff_picks(s, limit=limit)
    else:
        picks = svc.staff_picks(session, limit=limit)
    with contextlib.suppress(TypeError):
        _cache[key] = (limit, picks)
    return picks
