"""The booking dialog's choice lists, kept for the process: the active facilities with their courses, and the
active staff as guides (a list model shared by every guide picker, so opening a dialog adds no rows to widgets).

Read once per database (one statement); dropped when this process commits a change to a facility, course
or staff member (``storage.notify.on_own_commit``), when the main window announces that someone else changed one
of those tables (``change_hub().tables_changed``), and when the Visits tab is reloaded (F5).

The member companies' technologies that the dialog suggests presenters from (``presenter_catalog``) are kept the
same way, read the first time a booking with interests is shown, and dropped on a change of an organization or
a technology (not with the lists above, which stay).
"""

from __future__ import annotations

import contextlib
import weakref
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from sqlalchemy.orm import Session

from kawaoffice.i18n import _, current_language
from kawaoffice.services import tours
from kawaoffice.storage import notify
from kawaoffice.ui.widgets.paged_model import SessionProvider

NO_STAFF = 0
WATCHED_TABLES = frozenset({"facilities", "facility_weekdays", "closed_dates", "courses", "staff"})
PRESENTER_TABLES = frozenset({"organizations", "organization_technologies", "technologies"})


@dataclass(frozen=True)
class FacilityChoice:
    id: int
    name: str
    zone: str
    courses: tuple[tuple[int, str, int], ...]  # (id, name, minutes)


@dataclass
class BookingChoices:
    facilities: list[FacilityChoice]
    guides: QStandardItemModel  # "(no guide)" then the active staff; data: staff id
    guide_ids: frozenset[int]
    language: str


_cache: weakref.WeakKeyDictionary[Any, BookingChoices] = weakref.WeakKeyDictionary()
_presenters: weakref.WeakKeyDictionary[Any, list[tours.PresenterRow]] = weakref.WeakKeyDictionary()
_watching = False


def invalidate() -> None:
    """Read the choice lists (and the presenters' technologies) again the next time a dialog opens."""
    _cache.clear()
    _presenters.clear()


def _owner(sessions: SessionProvider) -> Any:
    """The database behind a session provider (``Database.session`` is a new bound method at each access)."""
    return getattr(sessions, "__self__", sessions)


def _on_tables(tables: object) -> None:
    if isinstance(tables, frozenset) and tables & WATCHED_TABLES:
        _cache.clear()
    if isinstance(tables, frozenset) and tables & PRESENTER_TABLES:
        _presenters.clear()


def _watch() -> None:
    global _watching
    if _watching:
        return
    _watching = True
    notify.on_own_commit(_on_tables)
    from kawaoffice.ui.widgets.live_refresh import change_hub

    change_hub().tables_changed.connect(_on_tables)


def guide_item(staff_id: int, name: str) -> QStandardItem:
    item = QStandardItem(name)
    item.setData(staff_id, Qt.ItemDataRole.UserRole)
    item.setEditable(False)
    return item


def booking_choices(sessions: SessionProvider, session: Session | None = None) -> BookingChoices:
    """The cached lists for the database of ``sessions`` (read with ``session`` when given and not cached)."""
    _watch()
    key = _owner(sessions)
    try:
        cached = _cache.get(key)
    except TypeError:  # a provider that cannot be weakly referenced: no caching
        cached = None
    if cached is not None and cached.language == current_language():
        return cached
    if session is None:
        with sessions() as s:
            choices = _read(s)
    else:
        choices = _read(session)
    with contextlib.suppress(TypeError):
        _cache[key] = choices
    return choices


def _read(session: Session) -> BookingChoices:
    picks, staff = tours.booking_choice_rows(session)  # one statement
    facilities = [FacilityChoice(f.id, f.name_ja, f.timezone, f.courses) for f in picks]
    model = QStandardItemModel()
    model.appendRow(guide_item(NO_STAFF, _("(no guide)")))
    for sid, name in staff:
        model.appendRow(guide_item(sid, name))
    return BookingChoices(facilities, model, frozenset(sid for sid, _n in staff), current_language())


def presenter_catalog(sessions: SessionProvider, session: Session | None = None) -> list[tours.PresenterRow]:
    """The member companies' technologies for ``tours.rank_presenters``, kept for the database of ``sessions``
    (read with ``session`` when given and not kept)."""
    _watch()
    key = _owner(sessions)
    try:
        cached = _presenters.get(key)
    except TypeError:
        cached = None
    if cached is not None:
        return cached
    if session is None:
        with sessions() as s:
            rows = tours.presenter_catalog(s)
    else:
        rows = tours.presenter_catalog(session)
    with contextlib.suppress(TypeError):
        _presenters[key] = rows
    return rows
