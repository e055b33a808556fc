"""Table models of the dispatch tab: dispatches (filtered, latest departure first), staff, statistics."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from sqlalchemy.orm import Session

from kawaoffice import i18n
from kawaoffice.i18n import N_, _
from kawaoffice.model.dispatch import (
    DISPATCH_PURPOSE_LABELS,
    DISPATCH_STATUS_LABELS,
    LANGUAGE_LEVEL_LABELS,
    SKILL_LABELS,
    DispatchPurpose,
    DispatchStatus,
)
from kawaoffice.services import dispatch as svc
from kawaoffice.services.dispatch import DispatchListRow, StaffRow
from kawaoffice.services.dispatch_stats import CountryYear
from kawaoffice.ui.widgets.format import (
    country_name,
    format_date,
    join_list,
    label,
    localized,
    localized_list,
)
from kawaoffice.ui.widgets.paged_model import ID_ROLE, AnyIndex, Column, PagedTableModel


@dataclass
class DispatchFilter:
    fiscal_year: int | None = None
    country: str | None = None
    purpose: DispatchPurpose | None = None
    status: DispatchStatus | None = None
    text: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "fiscal_year": self.fiscal_year,
            "country": self.country,
            "purpose": self.purpose.value if self.purpose else None,
            "status": self.status.value if self.status else None,
            "text": self.text,
        }


class DispatchesModel(PagedTableModel):
    columns: ClassVar[tuple[Column, ...]] = (
        Column(N_("Departure"), lambda r: format_date(r.departure_on), lambda r: r.departure_on),
        Column(N_("Return"), lambda r: format_date(r.return_on), lambda r: r.return_on),
        Column(N_("Code"), lambda r: r.code, lambda r: r.code),
        Column(N_("Title"), lambda r: localized(r.title, r.title_en)),
        Column(N_("Purpose"), lambda r: label(DISPATCH_PURPOSE_LABELS, r.purpose)),
        Column(N_("Status"), lambda r: label(DISPATCH_STATUS_LABELS, r.status)),
        Column(N_("Country"), lambda r: country_name(r.country)),
        Column(N_("City"), lambda r: r.city),
        Column(N_("Members"), lambda r: join_list(localized_list(r.members, r.members_en))),
        Column(N_("Days"), lambda r: r.days, lambda r: r.days, numeric=True),
        Column(N_("Project"), lambda r: r.project_code),
    )
    natural_sort = (0, Qt.SortOrder.DescendingOrder)

    def __init__(self, sessions: Any, parent: QObject | None = None) -> None:
        super().__init__(sessions, parent)
        self.filter = DispatchFilter()
        # set by the tab before its first load: the filter choices come with the first page, in its statement
        self.want_choices = False
        self.choices: tuple[list[int], list[str]] | None = None

    def fetch_page(self, session: Session, offset: int, limit: int) -> list[DispatchListRow]:
        f = self.filter
        rows, choices = svc.dispatches_page(
            session,
            fiscal_year=f.fiscal_year,
            country=f.country,
            purpose=f.purpose,
            status=f.status,
            text=f.text,
            offset=offset,
            limit=limit,
            with_choices=self.want_choices and offset == 0,
        )
        if choices is not None:
            self.choices, self.want_choices = choices, False
        return rows


@dataclass
class StaffFilter:
    language: str | None = None
    min_level: Any = None
    skill: Any = None
    active_only: bool = True
    text: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _display_name(row: StaffRow) -> str:
    return row.name if i18n.current_language() == "ja" else (row.name_en or row.name)


def _languages(row: StaffRow) -> str:
    return join_list(
        [
            _("{language} ({level})").format(
                language=i18n.language_name(code), level=label(LANGUAGE_LEVEL_LABELS, level)
            )
            for code, level in row.languages
        ]
    )


class StaffModel(PagedTableModel):
    columns: ClassVar[tuple[Column, ...]] = (
        Column(N_("Staff no."), lambda r: r.staff_no, lambda r: r.staff_no),
        Column(
            N_("Name"),
            lambda r: r.name if i18n.current_language() == "ja" else (r.name_en or r.name),
            lambda r: i18n.kana_sort_key(r.kana or r.name),
        ),
        Column(N_("Department"), lambda r: r.department),
        Column(N_("Position"), lambda r: r.position),
        Column(N_("Languages"), _languages),
        Column(N_("Skills"), lambda r: join_list([label(SKILL_LABELS, s) for s in r.skills])),
        Column(N_("Trainings"), lambda r: len(r.trainings), lambda r: len(r.trainings), numeric=True),
        Column(N_("Passport expiry"), lambda r: format_date(r.passport_expiry), lambda r: r.passport_expiry),
        Column(N_("Active"), lambda r: _("Yes") if r.active else _("No")),
    )
    natural_sort = (1, Qt.SortOrder.AscendingOrder)

    def __init__(self, sessions: Any, parent: QObject | None = None) -> None:
        super().__init__(sessions, parent)
        self.filter = StaffFilter()

    def fetch_page(self, session: Session, offset: int, limit: int) -> list[StaffRow]:
        f = self.filter
        return svc.list_staff(
            session,
            language=f.language,
            min_level=f.min_level,
            skill=f.skill,
            active_only=f.active_only,
            text=f.text,
            offset=offset,
            limit=limit,
        )


class StatsModel(QAbstractTableModel):
    """Statistics rows: fiscal year, country, dispatches, person-trips, experts, person-days."""

    HEADERS = (N_("Fiscal year"), N_("Country"), N_("Dispatches"), N_("Person-trips"), N_("Experts"),
               N_("Person-days"))  # fmt: skip

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[CountryYear] = []

    def set_rows(self, rows: list[CountryYear]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        r = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            values = (
                i18n.fiscal_year_label(r.fiscal_year),
                country_name(r.country),
                i18n.format_number(r.dispatches),
                i18n.format_number(r.person_trips),
                i18n.format_number(r.experts),
                i18n.format_number(r.person_days),
            )
            return values[index.column()] if 0 <= index.column() < len(values) else None
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ID_ROLE:
            return index.row()
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
        if horizontal and 0 <= section < len(self.HEADERS):
            return _(self.HEADERS[section])
        return None
