"""A read-only table model that holds record ids plus a row cache and loads rows from a service in pages.

Qt asks for more rows with ``canFetchMore``/``fetchMore`` as the user scrolls, so opening a tab with thousands of
records loads only the first page. Sorting by a column other than the service's own order loads the remaining
pages once and sorts the cache in memory (the service order is restored without loading everything).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, ClassVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from sqlalchemy.orm import Session

from kawaoffice.i18n import _
from kawaoffice.ui.widgets.format import sort_text

SessionProvider = Callable[[], AbstractContextManager[Session]]
AnyIndex = QModelIndex | QPersistentModelIndex

ID_ROLE = Qt.ItemDataRole.UserRole + 1  # the record id of a row, for opening and actions
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole.value)
_ANSWERED = frozenset({_DISPLAY, _TOOLTIP, _ALIGNMENT, int(ID_ROLE)})  # the roles data() answers
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
# (computed once: an enum "|" per call was a tenth of the painting's Python time)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


@dataclass(frozen=True)
class Column:
    """One column: an English msgid for the header, how to show a row, and optionally how to sort it."""

    header: str
    display: Callable[[Any], str | int]
    sort_key: Callable[[Any], Any] | None = None
    numeric: bool = False


def _none_last(value: Any) -> tuple[bool, Any]:
    return (value is None or value == "", value if value is not None else "")


class PagedTableModel(QAbstractTableModel):
    """Subclasses set ``columns``, ``natural_sort`` (the column and order the service returns) and ``fetch_page``."""

    PAGE_SIZE: ClassVar[int] = 200
    # The first page only needs to fill the window (and Qt sizes the columns from every loaded row, calling
    # ``data`` several times per cell): later pages come in ``PAGE_SIZE`` as the user scrolls.
    FIRST_PAGE_SIZE: ClassVar[int] = 60
    columns: ClassVar[tuple[Column, ...]] = ()
    natural_sort: ClassVar[tuple[int, Qt.SortOrder]] = (0, Qt.SortOrder.AscendingOrder)

    def __init__(self, sessions: SessionProvider, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sessions = sessions
        self._ids: list[int] = []
        self._cache: dict[int, Any] = {}
        self._shown: dict[tuple[int, int], str | int] = {}  # (id, column) -> display value, formatted once
        self._offset = 0  # rows consumed from the service (its order)
        self._exhausted = False
        self._sort: tuple[int, Qt.SortOrder] | None = None  # None = the service's order
        self._started = False  # nothing is read before the first reload(): a hidden tab costs no query

    # --- loading ------------------------------------------------------------------------------------------------

    def fetch_page(self, session: Session, offset: int, limit: int) -> list[Any]:
        raise NotImplementedError

    def _load_page(self) -> list[Any]:
        size = min(self.FIRST_PAGE_SIZE, self.PAGE_SIZE) if self._offset == 0 else self.PAGE_SIZE
        with self._sessions() as session:
            rows = self.fetch_page(session, self._offset, size)
        self._offset += len(rows)
        if len(rows) < size:
            self._exhausted = True
        fresh = [r for r in rows if r.id not in self._cache]  # a row inserted meanwhile can shift a page
        for r in fresh:
            self._cache[r.id] = r
        return fresh

    def _load_all(self) -> None:
        while not self._exhausted:
            self._ids.extend(r.id for r in self._load_page())

    def reload(self) -> None:
        """Drop the cache and load the first page again (or everything, when sorted by another column)."""
        self.beginResetModel()
        self._started = True
        self._ids, self._cache, self._offset, self._exhausted = [], {}, 0, False
        self._shown = {}
        if self._sort is None:
            self._ids.extend(r.id for r in self._load_page())
        else:
            self._load_all()
            self._apply_sort(*self._sort)
        self.endResetModel()

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return self._started and not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted or not self._started:
            return
        fresh = self._load_page()
        if not fresh:
            return
        first = len(self._ids)
        self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
        self._ids.extend(r.id for r in fresh)
        self.endInsertRows()

    def display_texts(self, column: int, rows: int) -> list[str | int]:
        """What the first ``rows`` rows show in ``column``, formatted once per reload (painting reuses them): the
        table sizes its columns from these instead of asking Qt to lay every cell out."""
        display = self.columns[column].display
        shown = self._shown
        out: list[str | int] = []
        for row_id in self._ids[:rows]:
            value = shown.get((row_id, column))
            if value is None:
                value = shown[(row_id, column)] = display(self._cache[row_id])
            out.append(value)
        return out

    def row_at(self, row: int) -> Any:
        return self._cache[self._ids[row]]

    def id_at(self, row: int) -> int:
        return self._ids[row]

    # --- sorting ------------------------------------------------------------------------------------------------

    def _apply_sort(self, column: int, order: Qt.SortOrder) -> None:
        col = self.columns[column]
        key = col.sort_key or (lambda r: _sort_display(col.display(r)))
        rows = sorted(
            (self._cache[i] for i in self._ids),
            key=lambda r: _none_last(key(r)),
            reverse=order == Qt.SortOrder.DescendingOrder,
        )
        if order == Qt.SortOrder.DescendingOrder:  # keep empty cells last either way
            rows = [r for r in rows if not _none_last(key(r))[0]] + [r for r in rows if _none_last(key(r))[0]]
        self._ids = [r.id for r in rows]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        wanted: tuple[int, Qt.SortOrder] | None = (column, order)
        if column < 0 or column >= len(self.columns) or (column, order) == self.natural_sort:
            wanted = None
        if wanted == self._sort and self._started:
            return
        self._sort = wanted
        if self._started:
            self.reload()

    # --- Qt model interface -------------------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Qt asks each painted cell for about seven roles: the ones a table does not use are answered first
        if role not in _ANSWERED:
            return None
        row, column = index.row(), index.column()
        if not (0 <= row < len(self._ids)) or not (0 <= column < len(self.columns)) or not index.isValid():
            return None
        if role in (_DISPLAY, _TOOLTIP):
            # Qt asks for each cell many times (painting, size hints, tooltips): format it once per reload
            key = (self._ids[row], column)
            value = self._shown.get(key)
            if value is None:
                value = self._shown[key] = self.columns[column].display(self._cache[key[0]])
            return value if isinstance(value, int) and role == _DISPLAY else str(value)
        if role == _ALIGNMENT:
            return _RIGHT if self.columns[column].numeric else None
        return self._ids[row]  # ID_ROLE

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not (0 <= section < len(self.columns)):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _(self.columns[section].header)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags


def _sort_display(value: str | int) -> Any:
    if isinstance(value, int):
        return value
    return sort_text(value) if value else ""
