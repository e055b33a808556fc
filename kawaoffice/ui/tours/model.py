"""The visitor tour bookings table: visiting groups, latest visit first."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import Qt
from sqlalchemy.orm import Session

from kawaoffice.i18n import N_
from kawaoffice.model.tours import BOOKING_STATUS_LABELS, VISITOR_TYPE_LABELS
from kawaoffice.services import overview
from kawaoffice.services.overview import VisitRow
from kawaoffice.ui.widgets.format import (
    country_name,
    format_date,
    join_list,
    label,
    localized,
    localized_list,
)
from kawaoffice.ui.widgets.paged_model import Column, PagedTableModel


def _facilities(row: VisitRow) -> str:
    return join_list(localized_list(row.facilities_ja, row.facilities_en))


class VisitsModel(PagedTableModel):
    columns: ClassVar[tuple[Column, ...]] = (
        Column(N_("Visit date"), lambda r: format_date(r.visit_date), lambda r: r.visit_date),
        Column(N_("Code"), lambda r: r.code, lambda r: r.code),
        Column(N_("Group"), lambda r: localized(r.group_name, r.group_name_en)),
        Column(N_("Visitor type"), lambda r: label(VISITOR_TYPE_LABELS, r.visitor_type)),
        Column(N_("Country"), lambda r: country_name(r.country)),
        Column(N_("Headcount"), lambda r: r.headcount, lambda r: r.headcount, numeric=True),
        Column(N_("Status"), lambda r: label(BOOKING_STATUS_LABELS, r.status)),
        Column(N_("Facilities"), _facilities),
    )
    natural_sort = (0, Qt.SortOrder.DescendingOrder)

    _status: str | None = None
    _text: str = ""

    def set_filter(self, status: str | None, text: str) -> None:
        """Show only bookings with ``status`` and whose code, group or country contains every word of ``text``
        (filtered in SQL: a page still costs a handful of queries)."""
        self._status, self._text = status, text.strip()
        self.reload()

    def fetch_page(self, session: Session, offset: int, limit: int) -> list[VisitRow]:
        return overview.list_visits(session, offset=offset, limit=limit, status=self._status, text=self._text)
