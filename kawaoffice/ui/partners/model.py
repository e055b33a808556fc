"""The partner directory's table: organizations in Japanese dictionary order of their reading (English: by English
name), filtered and searched as the user types through ``services.partner_search.PartnerIndex``."""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import QObject, Qt
from sqlalchemy.orm import Session

from kawaoffice.i18n import N_, current_language
from kawaoffice.model.partners import MEMBERSHIP_STATUS_LABELS, ORGANIZATION_KIND_LABELS
from kawaoffice.services import partner_search as ps
from kawaoffice.services.overview import PartnerRow
from kawaoffice.ui.widgets.format import country_name, join_list, label, localized, localized_list, sort_text
from kawaoffice.ui.widgets.paged_model import Column, PagedTableModel, SessionProvider

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

    def __init__(self, sessions: SessionProvider, parent: QObject | None = None) -> None:
        super().__init__(sessions, parent)
        self._filter = ps.PartnerFilter()
        self._index: ps.PartnerIndex | None = None
        self._matched: list[int] = []
        self._rows: dict[
            int, PartnerRow
        ] = {}  # rows read since the last reload: typing re-reads none of them

    # --- what is shown ------------------------------------------------------------------------------------------

    @property
    def filter(self) -> ps.PartnerFilter:
        return self._filter

    def matched_ids(self) -> list[int]:
        """Every organization that passes the filter, in the list's order (also the rows not loaded yet)."""
        return list(self._matched)

    def total(self) -> int:
        return len(self._index) if self._index is not None else 0

    def set_filter(self, flt: ps.PartnerFilter) -> None:
        """Search/filter without re-reading the index: one in-memory search and the first page of rows."""
        self._filter = flt
        if self._index is None:
            self.reload()
            return
        self._matched = self._index.search(flt)
        super().reload()

    def reload(self) -> None:
        """Re-read the index from the database (after a change or F5) and show the first page."""
        with self._sessions() as session:
            self._index = ps.PartnerIndex.build(session, current_language())
        self._rows = {}
        self._matched = self._index.search(self._filter)
        super().reload()

    def fetch_page(self, session: Session, offset: int, limit: int) -> list[PartnerRow]:
        ids = self._matched[offset : offset + limit]
        missing = [i for i in ids if i not in self._rows]
        if missing:
            for row in ps.partner_rows(session, missing):
                self._rows[row.id] = row
        return [self._rows[i] for i in ids if i in self._rows]

    def row_for_id(self, organization_id: int) -> int | None:
        try:
            return self._ids.index(organization_id)
        except ValueError:
            return None
