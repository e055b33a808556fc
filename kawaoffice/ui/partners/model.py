"""The partner directory's table: organizations in Japanese dictionary order of their reading (English: by English
name), filtered and searched as the user types through ``services.partner_search.PartnerIndex``.

Opening the tab must not wait for the search index (the folded texts of every organization and all its people:
a second or more with 100,000 people). ``reload`` reads only the order of the list and the first page, and builds
the index in a worker thread with its own session; a search typed before the index is ready waits for it (or
the search typed right after F5 waits for the new index: the answer is never stale).
"""

from __future__ import annotations

import logging
import threading
from typing import Any, ClassVar

from PySide6.QtCore import QAbstractEventDispatcher, QObject, Qt, QTimer
from sqlalchemy.orm import Session

from kawaoffice.i18n import N_, current_language
from kawaoffice.model.partners import MEMBERSHIP_STATUS_LABELS, ORGANIZATION_KIND_LABELS
from kawaoffice.services import partner_search as ps
from kawaoffice.services.overview import PartnerRow
from kawaoffice.ui.widgets.format import country_name, join_list, label, localized, localized_list, sort_text
from kawaoffice.ui.widgets.paged_model import Column, PagedTableModel, SessionProvider

log = logging.getLogger(__name__)

READING_COLUMN = 1


def _name_key(row: PartnerRow) -> Any:
    if current_language() == "ja":
        return sort_text(row.name_kana or row.name_ja)
    return sort_text(row.name_en or row.name_ja)


class _NaturalSort:
    """The service's own order: by reading (column 1) in Japanese, by English name (column 0) in English."""

    def __get__(self, obj: object, owner: type | None = None) -> tuple[int, Qt.SortOrder]:
        column = READING_COLUMN if current_language() == "ja" else 0
        return (column, Qt.SortOrder.AscendingOrder)


class _IndexBuild:
    """One background build of the search index (a plain thread: it only runs services with its own session)."""

    def __init__(self, sessions: SessionProvider, language: str) -> None:
        self.index: ps.PartnerIndex | None = None
        self.error: BaseException | None = None
        self._sessions = sessions
        self._language = language
        self.thread = threading.Thread(target=self._run, name="partner-index", daemon=True)

    def start(self) -> None:
        if self.thread.ident is None:
            self.thread.start()

    def _run(self) -> None:
        try:
            with self._sessions() as session:
                self.index = ps.PartnerIndex.build(session, self._language)
        except BaseException as exc:  # reported on the UI thread by wait()
            log.exception("building the partner search index failed")
            self.error = exc

    def running(self) -> bool:
        return self.thread.ident is None or self.thread.is_alive()

    def wait(self) -> ps.PartnerIndex:
        self.start()
        self.thread.join()
        if self.index is None:
            raise self.error or RuntimeError("the partner search index was not built")
        return self.index


class PartnersModel(PagedTableModel):
    PAGE_SIZE: ClassVar[int] = 100
    columns: ClassVar[tuple[Column, ...]] = (
        Column(N_("Name"), lambda r: localized(r.name_ja, r.name_en), _name_key),
        Column(N_("Reading"), lambda r: r.name_kana, lambda r: sort_text(r.name_kana or r.name_ja)),
        Column(N_("Kind"), lambda r: label(ORGANIZATION_KIND_LABELS, r.kind)),
        Column(N_("Country"), lambda r: country_name(r.country)),
        Column(N_("Membership"), lambda r: label(MEMBERSHIP_STATUS_LABELS, r.member_status)),
        Column(N_("Technologies"), lambda r: join_list(localized_list(r.technologies, r.technologies_en))),
    )
    natural_sort = _NaturalSort()

    # How often the UI thread looks whether the worker is done (the worker touches no Qt object).
    POLL_MS: ClassVar[int] = 25
    # The worker starts this long after the list is shown: in Python it shares one interpreter lock with the UI
    # thread, so starting at once would slow the painting and the first row's detail down.
    START_DELAY_MS: ClassVar[int] = 300

    def __init__(self, sessions: SessionProvider, parent: QObject | None = None) -> None:
        super().__init__(sessions, parent)
        self._filter = ps.PartnerFilter()
        self._index: ps.PartnerIndex | None = None
        self._build: _IndexBuild | None = None
        self._language = current_language()
        self._total = 0  # organizations in the directory, as of the last reload
        self.choices = ps.FilterChoices([], [])  # what the filter boxes offer, as of the last reload
        self._first_detail: ps.OrganizationDetail | None = None  # read with the list (see take_first_detail)
        # every organization in the list's order: None until needed (opening the tab reads only the first page)
        self._all: list[int] | None = None
        self._first: list[int] = []  # the first page of the unfiltered list, read with the count
        self._matched: list[int] | None = None  # None: no filter, every organization
        self._rows: dict[
            int, PartnerRow
        ] = {}  # rows read since the last reload: typing re-reads none of them
        self._poll = QTimer(self)
        self._poll.setInterval(self.POLL_MS)
        self._poll.timeout.connect(self._check_build)
        self._starter = QTimer(self)
        self._starter.setSingleShot(True)
        self._starter.timeout.connect(self._start_build)

    # --- what is shown ------------------------------------------------------------------------------------------

    @property
    def filter(self) -> ps.PartnerFilter:
        return self._filter

    def matched_ids(self) -> list[int]:
        """Every organization that passes the filter, in the list's order (also the rows not loaded yet)."""
        if self._matched is not None:
            return list(self._matched)
        with self._sessions() as session:
            return list(self._order(session))

    def matched_count(self) -> int:
        """How many organizations pass the filter (without reading the whole order when there is no filter)."""
        return self._total if self._matched is None else len(self._matched)

    def total(self) -> int:
        return self._total

    def _is_empty(self, flt: ps.PartnerFilter) -> bool:
        return not (flt.words or flt.kinds or flt.countries or flt.statuses or flt.technology_ids)

    def set_filter(self, flt: ps.PartnerFilter) -> None:
        """Search/filter without re-reading the database: one in-memory search and the first page of rows."""
        self._filter = flt
        if not self._started:
            self.reload()
            return
        self._matched = self._search(flt)
        super().reload()

    def _search(self, flt: ps.PartnerFilter) -> list[int] | None:
        if self._is_empty(flt):
            return None
        if self._build is not None:  # typed right after opening or F5: wait for the rest of the build
            self._take_index()
        assert self._index is not None
        return self._index.search(flt)

    def _order(self, session: Session) -> list[int]:
        """Every organization in the list's order: from the search index when it is built, else one query on the
        stored sort key (kept until the next reload)."""
        if self._all is None:
            if self._index is not None and self._build is None and self._index.language == self._language:
                self._all = self._index.ids()
            else:
                self._all = ps.matching_ids(session, ps.PartnerFilter(), self._language)
        return self._all

    def reload(self) -> None:
        """Re-read the count and the first page (after a change or F5) and rebuild the search index meanwhile."""
        self._language = language = current_language()
        self._rows, self._all, self._first = {}, None, []
        self._started = True
        first_size = min(self.FIRST_PAGE_SIZE, self.PAGE_SIZE)
        with self._sessions() as session:
            # the count, the first page, the filter choices and the first organization's detail pane in one
            # statement: an ORDER BY on the stored sort key with LIMIT (over a slow link each statement is a round
            # trip)
            opening = ps.open_list(session, language, first_size, first_detail=True)
        self._total, rows, self.choices = opening.total, opening.rows, opening.choices
        self._first_detail = opening.first_detail
        self._first = [row.id for row in rows]
        self._rows = {row.id: row for row in rows}
        self._index = None
        self._build = _IndexBuild(self._sessions, language)
        if QAbstractEventDispatcher.instance() is not None:
            self._starter.start(self.START_DELAY_MS)
        else:  # no event loop to run the timers (scripts): build now, taken when first needed
            self._build.start()
        self._matched = self._search(self._filter)
        super().reload()

    def take_first_detail(self, organization_id: int) -> ps.OrganizationDetail | None:
        """The detail pane of the list's first organization, read with the list by the last reload, if
        ``organization_id`` is that organization; given once (later selections read a fresh detail)."""
        detail, self._first_detail = self._first_detail, None
        return detail if detail is not None and detail.id == organization_id else None

    def wait_for_index(self) -> None:
        """Block until the search index is built (benchmarks, tests and the import wizard's duplicate check)."""
        if self._build is not None:
            self._take_index()

    def index_ready(self) -> bool:
        return self._build is None and self._index is not None

    def _start_build(self) -> None:
        if self._build is not None:
            self._build.start()
            if QAbstractEventDispatcher.instance() is not None:
                self._poll.start()

    def _check_build(self) -> None:
        if self._build is None or not self._build.running():
            self._take_index()

    def _take_index(self) -> None:
        build = self._build
        if build is None:
            self._poll.stop()
            return
        index = build.wait()
        if build is not self._build:  # a newer reload started another build meanwhile
            return
        self._index, self._build = index, None
        self._poll.stop()

    def fetch_page(self, session: Session, offset: int, limit: int) -> list[PartnerRow]:
        if self._matched is not None:
            ids = self._matched[offset : offset + limit]
        elif self._all is None and offset + limit <= len(self._first):
            ids = self._first[offset : offset + limit]  # the page read with the count
        elif self._all is None and offset == 0 and len(self._first) == self._total:
            ids = self._first[:limit]  # the whole directory fits in the first page
        else:
            ids = self._order(session)[offset : offset + limit]
        missing = [i for i in ids if i not in self._rows]
        if missing:  # (a session that sends no query opens no connection)
            for row in ps.partner_rows(session, missing):
                self._rows[row.id] = row
        return [self._rows[i] for i in ids if i in self._rows]

    def row_for_id(self, organization_id: int) -> int | None:
        try:
            return self._ids.index(organization_id)
        except ValueError:
            return None
