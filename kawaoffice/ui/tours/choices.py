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

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from sqlalchemy.orm import Session

from kawaoffice.i18n import _, current_language
from kawaoffice.services import tours
from kawaoffice.ui.widgets.database_cache import DatabaseCache
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


_cache: DatabaseCache[BookingChoices] = DatabaseCache(WATCHED_TABLES)
_presenters: DatabaseCache[list[tours.PresenterRow]] = DatabaseCache(PRESENTER_TABLES)


def invalidate() -> None:
    """Read the choice lists (and the presenters' technologies) again the next time a dialog opens."""
    _cache.clear()
    _presenters.clear()


def guide_item(staff_id: int, name: str) -> QStandardItem:
    item = QStandardItem(name)
    item.setData(staff_id, Qt.ItemDataRole.UserRole)
    item.setEditable(False)
    return item


def booking_choices(sessions: SessionProvider, session: Session | None = None) -> BookingChoices:
    """The cached lists for the database of ``sessions`` (read with ``session`` when given and not cached)."""
    return _cache.get(sessions, _read, session, fresh=lambda kept: kept.language == current_language())


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
    return _presenters.get(sessions, tours.presenter_catalog, session)
