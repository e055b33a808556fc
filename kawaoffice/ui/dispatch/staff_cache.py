"""The dispatch dialog's staff chooser as it opens (no filter, no typed text): the first active staff by reading
and how many there are, kept for the process (each statement is a round trip to a shared server).

Read once per database; dropped when this process commits a change to the staff (``storage.notify.on_own_commit``)
and when the main window announces that someone else changed it (``change_hub().tables_changed``). A filtered or
typed search is always read from the database.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from kawaoffice.services import dispatch as svc
from kawaoffice.ui.widgets.database_cache import DatabaseCache
from kawaoffice.ui.widgets.paged_model import SessionProvider

WATCHED_TABLES = frozenset({"staff"})

Picks = tuple[list[svc.StaffPick], int]

_cache: DatabaseCache[tuple[int, Picks]] = DatabaseCache(WATCHED_TABLES)


def invalidate() -> None:
    """Read the first staff again the next time a dispatch dialog opens."""
    _cache.clear()


def first_staff(sessions: SessionProvider, limit: int, session: Session | None = None) -> Picks:
    """The unfiltered chooser's rows (``svc.staff_picks`` with ``limit``) for the database of ``sessions``, read
    (with ``session`` when given) when not kept."""
    kept = _cache.get(
        sessions, lambda s: (limit, svc.staff_picks(s, limit=limit)), session, fresh=lambda v: v[0] == limit
    )
    return kept[1]
