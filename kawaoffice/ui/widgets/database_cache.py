"""Values read once per database and kept for the process (each statement is a round trip to a shared server),
dropped when one of their tables changes: a commit of this process (``storage.notify.on_own_commit``) or a change
by someone else that the main window announces (``change_hub().tables_changed``).

    STAFF = DatabaseCache(frozenset({"staff"}))
    picks = STAFF.get(self.sessions, lambda s: svc.staff_picks(s, limit=100))

The database is the owner of the session provider (``Database.session`` is a new bound method at each access),
held weakly: a closed database's values go with it.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session

from kawaoffice.storage import notify
from kawaoffice.ui.widgets.paged_model import SessionProvider

T = TypeVar("T")


class DatabaseCache(Generic[T]):
    def __init__(self, tables: frozenset[str]) -> None:
        self.tables = tables
        self._values: weakref.WeakKeyDictionary[Any, T] = weakref.WeakKeyDictionary()
        self._watching = False

    def get(
        self,
        sessions: SessionProvider,
        read: Callable[[Session], T],
        session: Session | None = None,
        *,
        fresh: Callable[[T], bool] = lambda _value: True,
    ) -> T:
        """The value kept for the database of ``sessions`` when ``fresh(value)``, else ``read`` (with ``session``
        when given, else a session of its own) and kept."""
        self._watch()
        owner = getattr(sessions, "__self__", sessions)
        try:
            kept = self._values.get(owner)
        except TypeError:  # a provider that cannot be weakly referenced: nothing is kept
            kept = None
        if kept is not None and fresh(kept):
            return kept
        if session is None:
            with sessions() as s:
                value = read(s)
        else:
            value = read(session)
        with contextlib.suppress(TypeError):
            self._values[owner] = value
        return value

    def clear(self) -> None:
        """Read again at the next ``get``."""
        self._values.clear()

    def _changed(self, tables: object) -> None:
        if isinstance(tables, frozenset) and tables & self.tables:
            self.clear()

    def _watch(self) -> None:
        if self._watching:
            return
        self._watching = True
        notify.on_own_commit(self._changed)
        from kawaoffice.ui.widgets.live_refresh import change_hub

        change_hub().tables_changed.connect(self._changed)
