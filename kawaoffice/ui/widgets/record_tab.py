"""A tab that lists one area's records in a sortable table backed by a paged model."""

from __future__ import annotations

import math
from typing import Any, ClassVar

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QAction, QFontMetricsF
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyle, QTableView, QVBoxLayout, QWidget

from kawaoffice.model.users import Role
from kawaoffice.ui.widgets.paged_model import PagedTableModel, SessionProvider

MAX_AUTO_WIDTH = 300  # px; longer titles are elided (the tooltip shows them whole)
MIN_AUTO_WIDTH = 60  # px
# Rows whose contents size the columns on the first load: about a window's height (Qt would read up to 1,000
# rows, every cell with several roles: a fifth of a tab's first load).
FIT_ROWS = 30
# Property of a QAction naming the least role that may use it ("editor" or "admin"); see RecordTab.apply_role.
REQUIRES = "kawa_requires"
_HELD = "kawa_role_held"  # the action is disabled because of the role (re-enabled when the role allows it)
_HOOKED = "kawa_role_hooked"


def require_role(action: QAction, role: str | Role) -> QAction:
    """Tag ``action`` as needing ``role`` (e.g. New/Edit/Import: editor; Delete, facilities: admin)."""
    action.setProperty(REQUIRES, Role(role).value)
    return action


class RecordTab(QWidget):
    """Subclasses set ``key`` (settings and ``--tab`` name), ``title`` (English msgid) and ``model_class``."""

    key: ClassVar[str] = ""
    title: ClassVar[str] = ""
    model_class: ClassVar[type[PagedTableModel]] = PagedTableModel

    def __init__(self, sessions: SessionProvider, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"tab_{self.key}")
        self.sessions = sessions
        self.model = self.model_class(sessions, self)
        self.view = QTableView(self)
        self.view.setObjectName(f"table_{self.key}")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 10)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSectionsMovable(True)
        header.setResizeContentsPrecision(FIT_ROWS)
        # Show the service's own order as the current sort without loading every page.
        column, order = self.model.natural_sort
        header.setSortIndicator(column, order)
        self._header_restored = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.view)

    def load(self) -> None:
        """Load (or reload) the first page and size the columns to their contents."""
        first_load = not self.view.isSortingEnabled()
        self.model.reload()
        if first_load:
            self.view.setSortingEnabled(True)  # sorts by the indicator (the natural order: no second reload)
        if first_load and not self._header_restored:
            self.fit_columns()

    def fit_columns(self) -> None:
        """Each column as wide as its header or the widest of the first ``FIT_ROWS`` rows' texts (at least
        ``MIN_AUTO_WIDTH``, at most ``MAX_AUTO_WIDTH``; longer texts are elided).

        The widths come from the font's metrics of the texts the model formats once per reload, as Qt's item
        delegate measures them (text, its margins, the grid line): ``resizeColumnsToContents`` lays out every cell
        of those rows, asking each for a dozen roles, which took a fifth of a tab's first load."""
        view, model = self.view, self.model
        header = view.horizontalHeader()
        metrics = QFontMetricsF(view.font())  # fractional advances, rounded up as the delegate does
        locale = view.locale()
        style = view.style()
        margin = 2 * (style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1)
        margin += 1 if view.showGrid() else 0
        for section in range(model.columnCount()):
            widest = 0
            for value in model.display_texts(section, FIT_ROWS):
                text = locale.toString(value) if isinstance(value, int) else value
                if text:
                    widest = max(widest, math.ceil(metrics.horizontalAdvance(text)))
            width = max(widest + margin if widest else 0, header.sectionSizeHint(section))
            view.setColumnWidth(section, min(max(width, MIN_AUTO_WIDTH), MAX_AUTO_WIDTH))

    def reload(self) -> None:
        """Re-read the records (F5); tabs with more views than the table override this to refresh them too."""
        self.model.reload()

    def restore_state(self, state: dict[str, Any]) -> None:
        """Apply what ``save_state`` returned last time (splitters, filters, zoom...); called once at start."""

    def save_state(self) -> dict[str, Any]:
        """The tab's own JSON-serialisable state, kept in the settings under the tab's key."""
        return {}

    def header_state(self) -> str:
        return bytes(self.view.horizontalHeader().saveState().toBase64().data()).decode("ascii")

    def restore_header_state(self, state: str) -> None:
        if state:
            restored = self.view.horizontalHeader().restoreState(QByteArray.fromBase64(state.encode("ascii")))
            self._header_restored = bool(restored)

    # --- roles ----------------------------------------------------------------------------------------------------

    role: Role = Role.ADMIN  # until apply_role is called every action is available (the services still check)

    def apply_role(self, role: str | Role) -> None:
        """Grey out the actions tagged with ``REQUIRES`` that ``role`` may not use (the services refuse such
        changes anyway: this only spares the user a refusal). An action the tab enables later (e.g. when a row is
        selected) is greyed again at once."""
        self.role = Role(role)
        for action in self.role_actions():
            if not action.property(_HOOKED):
                action.setProperty(_HOOKED, True)
                action.changed.connect(lambda a=action: self._hold(a))
            if self.role.allows(Role(str(action.property(REQUIRES)))) and action.property(_HELD):
                action.setProperty(_HELD, False)
                action.setEnabled(True)
            self._hold(action)

    def role_actions(self) -> list[QAction]:
        """The tab's actions tagged with the role they need."""
        found = {id(a): a for a in (*self.actions(), *self.findChildren(QAction))}
        return [a for a in found.values() if a.property(REQUIRES)]

    def _hold(self, action: QAction) -> None:
        required = action.property(REQUIRES)
        if not required or self.role.allows(Role(str(required))) or not action.isEnabled():
            return
        action.setProperty(_HELD, True)
        action.setEnabled(False)

    def current_id(self) -> int | None:
        index = self.view.currentIndex()
        return self.model.id_at(index.row()) if index.isValid() else None

    def sort_by(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.view.sortByColumn(column, order)
