"""The kanban board: a column per stage of the chosen scheme (then completed, suspended, cancelled), a card per
project. Cards move by drag and drop or with Ctrl+Right / Ctrl+Left; Left / Right go to the next column."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QDropEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kawaoffice.i18n import _, ngettext
from kawaoffice.services.projects import BoardColumn, ProjectListRow
from kawaoffice.ui.widgets.format import country_name, format_date, localized

OVERDUE = QColor("#c62828")
PROJECT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMN_WIDTH = 230


def column_title(column: BoardColumn) -> str:
    if column.stage_id is None:
        return _(column.name_en)  # an end state: the label msgid
    return localized(column.name_ja, column.name_en)


def card_text(card: ProjectListRow, today: date) -> str:
    lines = [localized(card.title_ja, card.title_en)]
    who = " · ".join(x for x in (country_name(card.country), localized(card.lead_ja, card.lead_en)) if x)
    if who:
        lines.append(who)
    days = card.days_in_stage(today)
    if days is not None:
        lines.append(ngettext("{n} day in stage", "{n} days in stage", days).format(n=days))
    if card.next_action_on is not None:
        lines.append(_("Next: {date}").format(date=format_date(card.next_action_on)))
    return "\n".join(lines)


class BoardList(QListWidget):
    """One column's cards."""

    move_requested = Signal(int, int)  # project id, target column
    focus_column = Signal(int)

    def __init__(self, index: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.index = index
        self.setObjectName(f"board_column_{index}")
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(True)
        self.setSpacing(3)
        self.setUniformItemSizes(False)

    def current_project_id(self) -> int | None:
        item = self.currentItem()
        return int(item.data(PROJECT_ID_ROLE)) if item is not None else None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if key in (Qt.Key.Key_Right, Qt.Key.Key_Left):
            step = 1 if key == Qt.Key.Key_Right else -1
            if ctrl:
                project_id = self.current_project_id()
                if project_id is not None:
                    self.move_requested.emit(project_id, self.index + step)
            else:
                self.focus_column.emit(self.index + step)
            event.accept()
            return
        super().keyPressEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        source = event.source()
        if isinstance(source, BoardList) and source is not self:
            project_id = source.current_project_id()
            event.ignore()  # the board reloads after the move is recorded
            if project_id is not None:
                self.move_requested.emit(project_id, self.index)
            return
        event.ignore()


class BoardView(QWidget):
    move_requested = Signal(int, int)  # project id, target column index
    current_changed = Signal(object)  # project id or None
    activated = Signal(int)
    scheme_changed = Signal(object)  # scheme id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("board")
        self.scheme = QComboBox(self)
        self.scheme.setObjectName("board_scheme")
        self.scheme.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.scheme.setMinimumContentsLength(12)
        self.scheme.currentIndexChanged.connect(
            lambda _i: self.scheme_changed.emit(self.scheme.currentData())
        )
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Scheme")))
        top.addWidget(self.scheme, 1)
        self.hint = QLabel(_("Ctrl+Right / Ctrl+Left or drag a card to move it to another stage."))
        self.hint.setStyleSheet("color: #666;")
        self.hint.setWordWrap(True)
        top.addWidget(self.hint)
        self._inner = QWidget()
        self._columns_layout = QHBoxLayout(self._inner)
        self._columns_layout.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._inner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        self.columns: list[BoardColumn] = []
        self.lists: list[BoardList] = []

    def set_schemes(self, schemes: list[tuple[int, str]], current: int | None) -> None:
        self.scheme.blockSignals(True)
        self.scheme.clear()
        for scheme_id, name in schemes:
            self.scheme.addItem(name, scheme_id)
        index = self.scheme.findData(current)
        self.scheme.setCurrentIndex(max(index, 0))
        self.scheme.blockSignals(False)

    def scheme_id(self) -> int | None:
        data = self.scheme.currentData()
        return int(data) if data is not None else None

    def set_columns(self, columns: list[BoardColumn], today: date, select: int | None = None) -> None:
        while self._columns_layout.count():
            item = self._columns_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()
        self.columns = columns
        self.lists = []
        focus: BoardList | None = None
        for i, column in enumerate(columns):
            frame = QFrame()
            frame.setFrameShape(QFrame.Shape.StyledPanel)
            frame.setFixedWidth(COLUMN_WIDTH)
            box = QVBoxLayout(frame)
            box.setContentsMargins(4, 4, 4, 4)
            header = QLabel(f"<b>{column_title(column)}</b> ({len(column.cards)})")
            header.setObjectName(f"board_header_{i}")
            box.addWidget(header)
            view = BoardList(i, frame)
            for card in column.cards:
                card_item = QListWidgetItem(card_text(card, today))
                card_item.setData(PROJECT_ID_ROLE, card.id)
                card_item.setToolTip(f"{card.code}\n{card.next_action}".strip())
                metrics = view.fontMetrics()
                bounds = metrics.boundingRect(
                    QRect(0, 0, COLUMN_WIDTH - 40, 10_000), int(Qt.TextFlag.TextWordWrap), card_item.text()
                )
                card_item.setSizeHint(QSize(COLUMN_WIDTH - 30, bounds.height() + metrics.height() + 10))
                if card.overdue(today):
                    card_item.setForeground(QBrush(OVERDUE))
                view.addItem(card_item)
                if card.id == select:
                    view.setCurrentItem(card_item)
                    focus = view
            view.move_requested.connect(self.move_requested)
            view.focus_column.connect(self.focus_column)
            view.currentItemChanged.connect(self._current_changed)
            view.itemActivated.connect(lambda item: self.activated.emit(int(item.data(PROJECT_ID_ROLE))))
            box.addWidget(view, 1)
            self.lists.append(view)
            self._columns_layout.addWidget(frame)
        self._columns_layout.addStretch(1)
        if focus is not None:
            focus.setFocus()

    def _current_changed(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if current is not None:
            self.current_changed.emit(int(current.data(PROJECT_ID_ROLE)))

    def focus_column(self, index: int) -> None:
        if not (0 <= index < len(self.lists)):
            return
        view = self.lists[index]
        view.setFocus()
        if view.currentItem() is None and view.count():
            view.setCurrentRow(0)

    def current_project_id(self) -> int | None:
        for view in self.lists:
            if view.hasFocus() and view.current_project_id() is not None:
                return view.current_project_id()
        for view in self.lists:
            if view.currentItem() is not None and view.currentItem().isSelected():
                return view.current_project_id()
        return None

    def column_of(self, project_id: int) -> int | None:
        for i, column in enumerate(self.columns):
            if any(card.id == project_id for card in column.cards):
                return i
        return None

    def card_texts(self, index: int) -> list[str]:
        view = self.lists[index]
        return [view.item(r).text() for r in range(view.count())]
