"""Choosers that do not read every row when a dialog opens.

- ``LookupCombo``: choose one record among thousands (projects, partners' people). It holds the current choice;
  typing searches the database (after a short pause) and shows the matches in a popup; opening its list shows
  the first matches (e.g. active projects first). Leaving the field with text that is not a choice picks the
  only match, or puts the current choice's text back: what the field shows is what is saved.
- ``LazyCombo``: a short choice list read from the database only when the user first opens or focuses it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer
from PySide6.QtGui import QFocusEvent, QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QCompleter, QWidget

from kawaoffice.i18n import _

Choice = tuple[Any, str]  # (data, text)
Search = Callable[[str], Sequence[Choice]]

ID_ROLE = Qt.ItemDataRole.UserRole


class LookupCombo(QComboBox):
    """An editable combo box over a database search: ``search(text)`` returns (id, label) pairs, best first."""

    SEARCH_DELAY_MS = 200

    def __init__(self, search: Search, parent: QWidget | None = None, *, none_text: str | None = "") -> None:
        super().__init__(parent)
        self._search = search
        self._none = none_text is not None
        self._browsed = False
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(20)
        self.setCompleter(None)  # type: ignore[arg-type]  # the combo's own completer would only know the items already listed
        if none_text is not None:
            self.addItem(none_text, None)
        line = self.lineEdit()
        assert line is not None
        self.line = line
        line.setPlaceholderText(_("Type to search…"))
        self.results = QStandardItemModel(self)
        self.completer_ = QCompleter(self.results, self)
        self.completer_.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer_.setMaxVisibleItems(15)
        self.completer_.setWidget(line)
        self.completer_.activated[QModelIndex].connect(self._picked)  # type: ignore[index]
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search_now)
        line.textEdited.connect(lambda _t: self._timer.start())
        line.editingFinished.connect(self._finish_editing)
        line.installEventFilter(self)

    # --- the current choice -------------------------------------------------------------------------------------

    def set_choice(self, data: Any, text: str = "") -> None:
        """Make (data, text) the current choice (``data`` None: no choice)."""
        if data is None:
            if self._none:
                self.setCurrentIndex(0)
            else:
                self.setCurrentIndex(-1)
                self.setEditText("")
            return
        self.add_choice(data, text)
        self.setCurrentIndex(self.findData(data))
        self.line.setCursorPosition(0)  # the start of a long label (its code) shows

    def add_choice(self, data: Any, text: str) -> None:
        """List (data, text) without choosing it (e.g. a value shown in a comparison)."""
        if data is not None and self.findData(data) < 0:
            self.addItem(text, data)

    def current_text_is_choice(self) -> bool:
        index = self.currentIndex()
        return index >= 0 and self.itemText(index) == self.currentText()

    # --- searching ----------------------------------------------------------------------------------------------

    def search_now(self, popup: bool = True) -> list[Choice]:
        """Search for the typed text at once and show the matches under the field."""
        self._timer.stop()
        text = self.currentText().strip()
        found = list(self._search(text))
        self.results.clear()
        for data, label in found:
            item = QStandardItem(label)
            item.setData(data, ID_ROLE)
            item.setEditable(False)
            self.results.appendRow(item)
        if found and popup and self.isVisible():
            rect = self.line.rect()  # as wide as the longest match (up to 700 px), not only the field
            rect.setWidth(min(max(rect.width(), self._popup().sizeHintForColumn(0) + 40), 700))
            self.completer_.complete(rect)
        else:
            self._popup().hide()
        return found

    def _popup(self) -> QAbstractItemView:
        popup = self.completer_.popup()
        assert popup is not None
        return popup

    def result_texts(self) -> list[str]:
        return [self.results.item(row).text() for row in range(self.results.rowCount())]

    def pick_result(self, row: int) -> None:
        """Choose the ``row``-th match of the last search (what clicking it in the popup does)."""
        self._picked(self.results.index(row, 0))

    def _picked(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        self._timer.stop()
        self._popup().hide()
        self.set_choice(index.data(ID_ROLE), str(index.data(Qt.ItemDataRole.DisplayRole)))

    def _finish_editing(self) -> None:
        """Enter or leaving the field: the typed text becomes a choice (empty: none; one match: that one) or
        the current choice's text comes back."""
        if self._popup().isVisible():
            return
        self._timer.stop()
        if self.current_text_is_choice():
            return
        text = self.currentText().strip()
        if not text:
            self.set_choice(None)
            return
        if len(self.search_now(popup=False)) == 1:
            self.pick_result(0)
            return
        index = self.currentIndex()
        self.setEditText(self.itemText(index) if index >= 0 else "")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter on typed text makes it the choice and does not press the dialog's default button; Enter on a
        choice does what it does elsewhere in the dialog."""
        if (
            watched is self.line
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not self._popup().isVisible()
            and not self.current_text_is_choice()
        ):
            self._finish_editing()
            return True
        return super().eventFilter(watched, event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        if not self._popup().isVisible():
            self._timer.stop()
            self._finish_editing()

    def showPopup(self) -> None:
        """The list: the current choice and the first matches of an empty search (read once)."""
        if not self._browsed:
            self._browsed = True
            current = self.currentData()
            for data, label in self._search(""):
                self.add_choice(data, label)
            if current is not None:
                self.setCurrentIndex(self.findData(current))
        super().showPopup()


class LazyCombo(QComboBox):
    """A combo box whose choices after the fixed first ones are read by ``load()`` when first needed (opening
    the list, focusing it, or a program looking an item up)."""

    def __init__(self, load: Callable[[], Sequence[Choice]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._load = load
        self.loaded = False

    def ensure_loaded(self) -> None:
        if self.loaded:
            return
        self.loaded = True
        current = self.currentIndex()
        self.blockSignals(True)
        for data, text in self._load():
            self.addItem(text, data)
        self.setCurrentIndex(current)
        self.blockSignals(False)

    def findData(self, data: Any, role: int = ID_ROLE, flags: Any = None) -> int:
        self.ensure_loaded()
        if flags is None:
            return super().findData(data, role)
        return super().findData(data, role, flags)

    def showPopup(self) -> None:
        self.ensure_loaded()
        super().showPopup()

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.ensure_loaded()
        super().focusInEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        self.ensure_loaded()
        super().keyPressEvent(event)
