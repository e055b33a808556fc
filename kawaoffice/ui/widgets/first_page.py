"""The start-up preview (issue 10): the main window's frame with the Partners tab's first page, shown from the light
reader (``kawaoffice.storage.first_page``) before SQLAlchemy, the models and the real window are loaded.

It is usable while the rest loads: the tabs switch, the list scrolls and its rows can be selected, the columns
resized and moved, the menus open (their commands say they are loading). The cursor shows that work goes on.
``hand_over`` gives the real window what the user did meanwhile (window geometry, the tab shown, the selected
organization, the list's scroll position and column layout), and the real window replaces the preview.

Only Qt and the light modules are imported here (no SQLAlchemy, no models): the cell texts are the Partners tab's
(``ui/partners/model.py``), checked by ``tests/ui/test_first_page_preview.py``.
"""

from __future__ import annotations

import logging
import math
import struct
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, Signal
from PySide6.QtGui import QFontMetricsF, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from kawaoffice import APP_NAME, i18n
from kawaoffice.i18n import N_, _
from kawaoffice.storage.first_page import FirstPage, PreviewRow
from kawaoffice.ui.widgets.format import country_name, join_list, localized, localized_list

# (naming a QEvent class makes PySide build QEvent.Type's 179 members: ~5 ms before the window shows)
if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent

log = logging.getLogger(__name__)

# The main window's tabs (kawaoffice.ui.main_window.TAB_SPECS: key and title, checked by a test).
TABS: tuple[tuple[str, str], ...] = (
    ("partners", N_("Partners")),
    ("projects", N_("Projects")),
    ("dispatches", N_("Dispatches")),
    ("visits", N_("Visits")),
)
# The Partners list's columns and labels (kawaoffice.ui.partners.model.PartnersModel.columns and
# kawaoffice.model.partners.*_LABELS, checked by a test).
COLUMNS: tuple[str, ...] = (
    N_("Name"),
    N_("Reading"),
    N_("Kind"),
    N_("Country"),
    N_("Membership"),
    N_("Technologies"),
)
READING_COLUMN = 1
KIND_LABELS: dict[str, str] = {
    "member": N_("Kawa Biz Net member company"),
    "cooperating": N_("Cooperating body"),
    "counterpart": N_("Overseas counterpart"),
    "academic": N_("University/research"),
    "city": N_("City government"),
    "other": N_("Other"),
}
STATUS_LABELS: dict[str, str] = {
    "active": N_("Current member"),
    "suspended": N_("Suspended"),
    "left": N_("Left"),
}
MENUS: tuple[str, ...] = (N_("&File"), N_("&View"), N_("&Tools"), N_("&Help"))
# The Partners tab's toolbar (None: a separator), filter boxes and detail pane tabs, shown disabled so that the list
# sits where the real tab's will (kawaoffice.ui.partners.tab, checked by a test).
TOOLBAR: tuple[str | None, ...] = (
    N_("New organization"),
    N_("Edit"),
    N_("Delete"),
    None,
    N_("New contact"),
    N_("April check"),
    None,
    N_("Import…"),
    N_("Export list…"),
    N_("Copy member mailing list"),
    N_("Print directory…"),
)
FILTERS: tuple[str, ...] = (
    N_("All kinds"),
    N_("All countries"),
    N_("Any membership"),
    N_("All technologies"),
)
DETAIL_TABS: tuple[str, ...] = (N_("Organization"), N_("Contacts"), N_("Timeline"))
# RecordTab's column fitting (kawaoffice.ui.widgets.record_tab: MIN_AUTO_WIDTH, MAX_AUTO_WIDTH, FIT_ROWS; tested)
MIN_WIDTH, MAX_WIDTH, FIT_ROWS = 60, 300, 30


def natural_sort() -> tuple[int, int]:
    """The Partners list's own order as a sort indicator (PartnersModel.natural_sort): by reading in Japanese, by
    name in English, ascending (0)."""
    return (READING_COLUMN if i18n.current_language() == "ja" else 0, 0)


def _label(labels: dict[str, str], value: str | None) -> str:
    if value is None:
        return ""
    msgid = labels.get(value)
    return _(msgid) if msgid else value


def cell_texts(row: PreviewRow) -> tuple[str, ...]:
    """What the Partners list shows for ``row``, column by column, in the current language."""
    return (
        localized(row.name_ja, row.name_en),
        row.name_kana,
        _label(KIND_LABELS, row.kind),
        country_name(row.country),
        _label(STATUS_LABELS, row.member_status),
        join_list(localized_list(row.technologies, row.technologies_en)),
    )


def _model(texts: list[tuple[str, ...]], parent: QWidget) -> QStandardItemModel:
    """The first page's texts in a C++ model: Qt calls no Python for its cells (a Python model makes PySide
    build its whole ``Qt`` namespace of enums when the table is first painted: 50-100 ms before the window shows)."""
    model = QStandardItemModel(0, len(COLUMNS), parent)
    model.setHorizontalHeaderLabels([_(c) for c in COLUMNS])
    for cells in texts:  # (a row at a time; not editable: the view has no edit triggers)
        items = []
        for text in cells:
            item = QStandardItem(text)
            if text:
                item.setToolTip(text)
            items.append(item)
        model.appendRow(items)
    return model


# QHeaderView.saveState(): int32 marker 0xff, int32 version 0, then orientation, sort order, sort section (Qt 5/6)
_STATE_HEAD = struct.Struct(">iiiii")


def sort_indicator_of(state: bytes) -> tuple[int, int] | None:
    """(section, order: 0 ascending, 1 descending) of a header's saved state, ``None`` if not one."""
    if len(state) < _STATE_HEAD.size:
        return None
    marker, version, _orientation, order, section = _STATE_HEAD.unpack_from(state)
    return (section, order) if (marker, version) == (0xFF, 0) else None


def with_sort_indicator(state: bytes, section: int, order: int) -> bytes:
    """``state`` with another sort indicator (``setSortIndicator`` takes a ``Qt.SortOrder``: see ``_model``)."""
    marker, version, orientation, _order, _section = _STATE_HEAD.unpack_from(state)
    return _STATE_HEAD.pack(marker, version, orientation, order, section) + state[_STATE_HEAD.size :]


class PreviewWindow(QMainWindow):
    """The main window as it will look, with the Partners tab's first page, until the real one replaces it."""

    closed = Signal()  # the user closed the window before KawaOffice finished loading

    def __init__(self, page: FirstPage, settings: Any, location: str, *, shared: bool = False) -> None:
        super().__init__()
        self.setObjectName("PreviewWindow")
        self.closed_by_user = False
        self._handed_over = False
        kind = _("Shared database") if shared else _("Local database")
        self.setWindowTitle(
            _("{app} — {kind}: {location}").format(app=APP_NAME, kind=kind, location=location)
        )
        for title in MENUS:
            menu = self.menuBar().addMenu(_(title))
            menu.addAction(_("Loading...")).setEnabled(False)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("tabs")
        self.tabs.setDocumentMode(True)
        for key, title in TABS:
            page_widget = QWidget(self.tabs)
            page_widget.setObjectName(f"page_{key}")
            layout = QVBoxLayout(page_widget)
            layout.setContentsMargins(4, 4, 4, 4)  # as RecordTab in its page
            if key == "partners":
                self._build_partners(page_widget, layout, page, settings)
            else:
                row = QHBoxLayout()
                row.addStretch(1)
                row.addWidget(QLabel(_("Loading..."), page_widget))
                row.addStretch(1)
                layout.addStretch(1)
                layout.addLayout(row)
                layout.addStretch(1)
            self.tabs.addTab(page_widget, _(title))
        self.setCentralWidget(self.tabs)
        self.statusBar().showMessage(_("Loading..."))
        self.resize(1280, 780)
        geometry = getattr(settings, "window_geometry", "")
        if geometry:
            self.restoreGeometry(QByteArray.fromBase64(geometry.encode("ascii")))

    def _build_partners(
        self, page_widget: QWidget, layout: QVBoxLayout, page: FirstPage, settings: Any
    ) -> None:
        self.toolbar = QToolBar(page_widget)
        self.toolbar.setObjectName("preview_toolbar")
        for text in TOOLBAR:
            if text is None:
                self.toolbar.addSeparator()
            else:
                self.toolbar.addAction(_(text)).setEnabled(False)
        layout.addWidget(self.toolbar)
        filters = QHBoxLayout()
        self.search = QLineEdit(page_widget)
        self.search.setObjectName("preview_search")
        self.search.setPlaceholderText(_("Search names, readings, people, e-mail, phone (Ctrl+F)"))
        self.search.setMinimumWidth(120)
        self.search.setEnabled(False)  # the search index comes with the real tab
        filters.addWidget(self.search, 3)
        self.filters: list[QComboBox] = []
        for text in FILTERS:
            combo = QComboBox(page_widget)
            combo.addItem(_(text))
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(6)
            combo.setEnabled(False)
            filters.addWidget(combo, 1)
            self.filters.append(combo)
        self.count_label = QLabel(page_widget)
        self.count_label.setObjectName("preview_count")
        total = i18n.format_number(page.total)
        self.count_label.setText(_("{shown} of {total}").format(shown=total, total=total))
        filters.addWidget(self.count_label)
        layout.addLayout(filters)

        self.rows = page.rows
        self.texts = [cell_texts(r) for r in page.rows]
        self.model = _model(self.texts, page_widget)
        self.view = QTableView(page_widget)
        self.view.setObjectName("preview_table")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(
            self.view.fontMetrics().height() + 10
        )  # as RecordTab
        header = self.view.horizontalHeader()
        # the real tab's indicator, its natural order, set first (restoring a state later sets the layout again)
        initial = bytes(header.saveState().data())
        header.restoreState(QByteArray(with_sort_indicator(initial, *natural_sort())))
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSectionsMovable(True)
        header.setSortIndicatorShown(True)
        saved = getattr(settings, "table_states", {}).get("partners", "")
        restored = bool(saved) and header.restoreState(QByteArray.fromBase64(saved.encode("ascii")))
        # a remembered sort by another column: the real tab sorts every organization, not the first page shown here
        self.shows_natural_order = (
            not restored or sort_indicator_of(bytes(header.saveState().data())) == natural_sort()
        )
        self.header_changed = False  # the user resized or moved a column in the preview
        header.sectionResized.connect(self._on_header_changed)
        header.sectionMoved.connect(self._on_header_changed)
        if not restored:
            self._fit_columns()
        self.view.setColumnHidden(READING_COLUMN, i18n.current_language() != "ja")
        self.header_changed = False  # (sizing the columns above is not the user's doing)
        if page.rows:
            self.view.selectRow(0)

        # (horizontal; no parent given: the constructor overloads with a Qt.Orientation make PySide build its
        # Qt enums; the layout below adopts it)
        self.splitter = QSplitter()
        self.splitter.setObjectName("preview_splitter")
        self.splitter.addWidget(self.view)
        self.detail = QTabWidget(self.splitter)  # the first organization's detail comes with the real tab
        for text in DETAIL_TABS:  # empty until then: a bare scroll area looks (pixel for pixel) like an empty
            # QTextBrowser, whose class PySide would set up first (~6 ms before the window shows)
            self.detail.addTab(QAbstractScrollArea(self.detail), _(text))
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        tab_state = getattr(settings, "tab_states", {}).get("partners")
        splitter = tab_state.get("splitter") if isinstance(tab_state, dict) else None
        if isinstance(splitter, str) and splitter:
            self.splitter.restoreState(QByteArray.fromBase64(splitter.encode("ascii")))
        layout.addWidget(self.splitter, 1)

    def _fit_columns(self) -> None:
        """The widths RecordTab.fit_columns gives the real list: the widest of the first ``FIT_ROWS`` texts by the
        font's metrics (``resizeColumnsToContents`` would lay out every cell: a fifth of the preview's time)."""
        view = self.view
        header = view.horizontalHeader()
        metrics = QFontMetricsF(view.font())
        margin = self.item_margin(metrics) + (1 if view.showGrid() else 0)
        texts = self.texts[:FIT_ROWS]
        for section in range(self.model.columnCount() - 1):  # the last one stretches to the window's edge
            widest = max(
                (math.ceil(metrics.horizontalAdvance(t[section])) for t in texts if t[section]), default=0
            )
            width = max(widest + margin if widest else 0, header.sectionSizeHint(section))
            view.setColumnWidth(section, min(max(width, MIN_WIDTH), MAX_WIDTH))

    def item_margin(self, metrics: QFontMetricsF, cells: int = 8) -> int:
        """The item delegate's margins around a cell's text: RecordTab takes them from the style
        (``2 * (PM_FocusFrameHMargin + 1)``, what Qt's styles add in ``sizeFromContents(CT_ItemViewItem)``); here
        they are measured on a few cells, as the delegate's size hint less the text's width, because naming
        ``QStyle`` (or calling ``style()``) makes PySide build QStyle's 600 enum members: ~15 ms before the window
        shows. The smallest of ``cells`` cells: a text laid out a fraction wider than its advance adds a pixel."""
        found: list[int] = []
        for row, texts in enumerate(self.texts[:FIT_ROWS]):
            for column, text in enumerate(texts):
                if text:
                    hint = self.view.sizeHintForIndex(self.model.index(row, column)).width()
                    found.append(hint - math.ceil(metrics.horizontalAdvance(text)))
                    if len(found) == cells:
                        return min(found)
        return min(found, default=0)  # (no text at all: the columns take their headers' widths)

    def _on_header_changed(self, *_args: object) -> None:
        self.header_changed = True

    # --- what the user did, for the real window -------------------------------------------------------------

    def current_tab_key(self) -> str:
        return TABS[max(0, self.tabs.currentIndex())][0]

    def selected_id(self) -> int | None:
        rows = self.view.selectionModel().selectedRows()
        return self.rows[rows[0].row()].id if rows else None

    def top_id(self) -> int | None:
        """The organization in the list's first visible line."""
        row = self.view.rowAt(0)
        return self.rows[row].id if 0 <= row < len(self.rows) else None

    def header_state(self) -> str:
        return bytes(self.view.horizontalHeader().saveState().toBase64().data()).decode("ascii")

    def hand_over(self, window: Any) -> None:
        """Give the real main window what the user did in the preview, show it in the preview's place and close
        the preview. ``window`` is a ``kawaoffice.ui.main_window.MainWindow`` with its Partners tab loaded."""
        if self.isMaximized() or self.isFullScreen():
            window.restoreGeometry(self.saveGeometry())
        else:
            window.setGeometry(
                self.geometry()
            )  # exactly where the preview is (restoring may clamp to the screen)
        key = self.current_tab_key()
        if key != "partners":
            window.show_tab(key)
        window.show()  # laid out at its size: the scroll position below is then the preview's
        tab = window.tab("partners")
        try:
            if self.header_changed:
                tab.restore_header_state(self.header_state())
            selected, top = self.selected_id(), self.top_id()
            select_id = getattr(tab, "select_id", None)
            if selected is not None and callable(select_id):
                select_id(selected)
            if top is not None:
                row_for_id = getattr(tab.model, "row_for_id", None)
                row = row_for_id(top) if callable(row_for_id) else None
                if row is not None:
                    tab.view.scrollTo(tab.model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtTop)
        except Exception:  # the preview's state is a courtesy: never a reason not to show the window
            log.exception("could not give the Partners tab the preview's state")
        self._handed_over = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._handed_over:
            self.closed_by_user = True
            self.closed.emit()
        super().closeEvent(event)
