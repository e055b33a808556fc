"""The edit-conflict dialog: a save hit ``StaleEditError`` because someone else saved the record meanwhile.

It shows, field by field, the value when the user opened the record, the user's value ("yours") and the value saved
now ("current"), highlights the differences and lets the user choose per field; "Keep all mine", "Take all
theirs" or "Merge" (the per-field choices) close it and the edit dialog saves the merged values against the
current version. Nothing is overwritten before the user has chosen.

A field that only one side changed defaults to that side (a three-way merge); a field both changed differently is
a real conflict (red) and defaults to the user's value.

Edit dialogs use it through ``StaleEditResolver``-like code of their own: build ``FieldConflict`` rows from the
values they hold and the record freshly loaded, ``open()`` the dialog and, on ``accepted``, put
``merged_values()`` in their widgets, take the current version and save again. ``ask_merge`` does the opening;
``resolve_stale`` does the whole round (load the current record, say so in the edit dialog, ask, hand over the
merge with the current record so the caller can save against its version).

``report_storage_error`` is the other way a save fails: the database could not be reached (a ``StorageError`` such
as ``ConnectionLostError``). The edit dialog shows the translated message where it shows a service error and stays
open with the user's entries; the main window is told, so its offline banner appears and retries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kawaoffice import i18n
from kawaoffice.i18n import _
from kawaoffice.services.errors import NotFoundError
from kawaoffice.storage.errors import ConnectionLostError, StorageError

CONFLICT_COLOR = QColor("#ffd6d6")  # both changed the field differently
CHANGED_COLOR = QColor("#fff3c4")  # one side changed it
CHOSEN_COLOR = QColor("#d7f0d2")  # the value that will be saved

FIELD, ORIGINAL, MINE, THEIRS, USE = range(5)


class Side(StrEnum):
    MINE = "mine"
    THEIRS = "theirs"


class Outcome(StrEnum):
    KEEP_MINE = "keep_mine"
    TAKE_THEIRS = "take_theirs"
    MERGE = "merge"


@dataclass(frozen=True)
class FieldConflict:
    """One field of the record: its key (as the edit dialog's values use it), its label, the value when the user
    opened the record (``original``), the user's value and the current one. ``show`` turns a value into text."""

    key: str
    label: str
    original: Any
    mine: Any
    theirs: Any
    show: Callable[[Any], str] | None = None

    def text(self, value: Any) -> str:
        if self.show is not None:
            return self.show(value)
        if value is None:
            return ""
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        return str(value)

    @property
    def differs(self) -> bool:
        return bool(self.mine != self.theirs)

    @property
    def both_changed(self) -> bool:
        return self.differs and self.mine != self.original and self.theirs != self.original

    @property
    def default(self) -> Side:
        """Mine if I changed it (or nobody did), theirs if only they changed it."""
        if self.differs and self.mine == self.original:
            return Side.THEIRS
        return Side.MINE


def conflicts_from(
    labels: Mapping[str, str],
    original: Mapping[str, Any],
    mine: Mapping[str, Any],
    theirs: Mapping[str, Any],
    show: Mapping[str, Callable[[Any], str]] | None = None,
) -> list[FieldConflict]:
    """``FieldConflict`` rows for every key of ``labels`` (in that order)."""
    show = show or {}
    return [
        FieldConflict(key, label, original.get(key), mine.get(key), theirs.get(key), show.get(key))
        for key, label in labels.items()
    ]


class ConflictDialog(QDialog):
    """Yours vs current, field by field; ``merged_values()`` after it was accepted, ``outcome`` says how."""

    def __init__(
        self,
        fields: Sequence[FieldConflict],
        *,
        record: str = "",
        changed_by: str = "",
        changed_at: datetime | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("conflict_dialog")
        self.setWindowTitle(_("Someone else changed this record"))
        self.fields = list(fields)
        self.outcome: Outcome | None = None
        self._groups: dict[str, QButtonGroup] = {}
        self._buttons: dict[tuple[str, Side], QRadioButton] = {}

        who = changed_by or _("another user")
        when = i18n.format_datetime(changed_at) if changed_at is not None else ""
        intro_text = _(
            "{who} saved {record} after you opened it ({when}). Nothing has been saved yet: choose, field by "
            "field, which value to keep."
        ).format(who=who, record=record or _("this record"), when=when)
        intro = QLabel(intro_text, self)
        intro.setObjectName("conflict_intro")
        intro.setWordWrap(True)

        self.table = QTableWidget(len(self.fields), 5, self)
        self.table.setObjectName("conflict_table")
        self.table.setHorizontalHeaderLabels(
            [_("Field"), _("When you opened it"), _("Your value"), _("Current value"), _("Keep")]
        )
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(FIELD, QHeaderView.ResizeMode.ResizeToContents)
        for col in (ORIGINAL, MINE, THEIRS):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(USE, QHeaderView.ResizeMode.ResizeToContents)
        for row, field in enumerate(self.fields):
            self._fill_row(row, field)
        self.table.resizeRowsToContents()

        legend = QLabel(
            _(
                "Red: both of you changed the field. Yellow: one of you changed it. Green: the value that is kept."
            ),
            self,
        )
        legend.setObjectName("conflict_legend")
        legend.setWordWrap(True)

        self.buttons = QDialogButtonBox(self)
        self.keep_mine_button = self.buttons.addButton(
            _("Keep all mine"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.keep_mine_button.setObjectName("keep_all_mine")
        self.take_theirs_button = self.buttons.addButton(
            _("Take all theirs"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.take_theirs_button.setObjectName("take_all_theirs")
        self.merge_button = self.buttons.addButton(_("Merge"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.merge_button.setObjectName("merge")
        self.merge_button.setDefault(True)
        self.merge_button.setToolTip(_("Save the values chosen in the Keep column"))
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(_("Back to editing"))
        self.keep_mine_button.clicked.connect(lambda: self._finish(Outcome.KEEP_MINE))
        self.take_theirs_button.clicked.connect(lambda: self._finish(Outcome.TAKE_THEIRS))
        self.merge_button.clicked.connect(lambda: self._finish(Outcome.MERGE))
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(legend)
        layout.addWidget(self.buttons)
        self.resize(820, min(160 + 34 * len(self.fields), 620))

    # --- building ---------------------------------------------------------------------------------------------

    def _fill_row(self, row: int, field: FieldConflict) -> None:
        label = QTableWidgetItem(field.label)
        if field.differs:
            font = QFont(label.font())
            font.setBold(True)
            label.setFont(font)
        self.table.setItem(row, FIELD, label)
        for col, value in ((ORIGINAL, field.original), (MINE, field.mine), (THEIRS, field.theirs)):
            item = QTableWidgetItem(field.text(value))
            item.setToolTip(field.text(value))
            self.table.setItem(row, col, item)
        if not field.differs:
            same = QTableWidgetItem(_("Same"))
            same.setForeground(QBrush(QColor("#777777")))
            self.table.setItem(row, USE, same)
            return
        holder = QWidget(self.table)
        box = QHBoxLayout(holder)
        box.setContentsMargins(4, 0, 4, 0)
        group = QButtonGroup(holder)
        for side, text in ((Side.MINE, _("Mine")), (Side.THEIRS, _("Theirs"))):
            button = QRadioButton(text, holder)
            button.setObjectName(f"{field.key}_{side.value}")
            group.addButton(button)
            box.addWidget(button)
            self._buttons[(field.key, side)] = button
        self._groups[field.key] = group
        self.table.setCellWidget(row, USE, holder)
        self._buttons[(field.key, field.default)].setChecked(True)
        group.buttonToggled.connect(lambda _b, _c, r=row: self._paint(r))
        self._paint(row)

    def _paint(self, row: int) -> None:
        field = self.fields[row]
        base = CONFLICT_COLOR if field.both_changed else CHANGED_COLOR
        chosen = self.choice(field.key)
        for col in (FIELD, ORIGINAL, MINE, THEIRS):
            item = self.table.item(row, col)
            if item is None:
                continue
            picked = (col == MINE and chosen is Side.MINE) or (col == THEIRS and chosen is Side.THEIRS)
            item.setBackground(QBrush(CHOSEN_COLOR if picked else base))

    # --- choosing ---------------------------------------------------------------------------------------------

    def differing_keys(self) -> list[str]:
        return [f.key for f in self.fields if f.differs]

    def choice(self, key: str) -> Side:
        button = self._buttons.get((key, Side.THEIRS))
        return Side.THEIRS if button is not None and button.isChecked() else Side.MINE

    def choose(self, key: str, side: Side) -> None:
        """Pick a side for one field, as a click on its radio button does."""
        self._buttons[(key, side)].setChecked(True)

    def choose_all(self, side: Side) -> None:
        for key in self.differing_keys():
            self.choose(key, side)

    def row_texts(self, key: str) -> tuple[str, str, str]:
        """What the table shows for ``key``: (when opened, yours, current)."""
        row = next(i for i, f in enumerate(self.fields) if f.key == key)
        cells = [self.table.item(row, col) for col in (ORIGINAL, MINE, THEIRS)]
        first, second, third = (c.text() if c is not None else "" for c in cells)
        return first, second, third

    def row_color(self, key: str, side: Side) -> QColor:
        row = next(i for i, f in enumerate(self.fields) if f.key == key)
        item = self.table.item(row, MINE if side is Side.MINE else THEIRS)
        assert item is not None
        return item.background().color()

    def merged_values(self) -> dict[str, Any]:
        """Every field with the chosen value (the current one where both are the same)."""
        return {f.key: (f.mine if self.choice(f.key) is Side.MINE else f.theirs) for f in self.fields}

    def _finish(self, outcome: Outcome) -> None:
        if outcome is Outcome.KEEP_MINE:
            self.choose_all(Side.MINE)
        elif outcome is Outcome.TAKE_THEIRS:
            self.choose_all(Side.THEIRS)
        self.outcome = outcome
        self.accept()


def ask_merge(
    parent: QWidget,
    labels: Mapping[str, str],
    original: Mapping[str, Any],
    mine: Mapping[str, Any],
    theirs: Mapping[str, Any],
    on_merge: Callable[[dict[str, Any]], None],
    *,
    show: Mapping[str, Callable[[Any], str]] | None = None,
    record: str = "",
    changed_by: str = "",
    changed_at: datetime | None = None,
) -> ConflictDialog:
    """Open (window-modal, not blocking) the conflict dialog for the fields of ``labels``; once the user has
    chosen, ``on_merge`` gets the merged values (the caller puts them in its widgets and saves again)."""
    dialog = ConflictDialog(
        conflicts_from(labels, original, mine, theirs, show),
        record=record,
        changed_by=changed_by,
        changed_at=changed_at,
        parent=parent,
    )
    dialog.accepted.connect(lambda: on_merge(dialog.merged_values()))
    dialog.open()
    return dialog


@dataclass(frozen=True)
class CurrentRecord:
    """The record as saved now: its values (shaped like the edit dialog's), version, who saved it and when."""

    values: Mapping[str, Any]
    version: int
    changed_by: str = ""
    changed_at: datetime | None = None

    @classmethod
    def of(cls, entity: Any, values: Mapping[str, Any]) -> CurrentRecord:
        """From a freshly loaded row with the usual audit columns (version, updated_by, updated_at)."""
        return cls(values, int(entity.version), str(entity.updated_by or ""), entity.updated_at)


def resolve_stale(
    parent: QWidget,
    labels: Mapping[str, str],
    original: Mapping[str, Any],
    mine: Mapping[str, Any],
    load_current: Callable[[], CurrentRecord],
    on_merge: Callable[[dict[str, Any], CurrentRecord], None],
    *,
    show_message: Callable[[str], None],
    show: Mapping[str, Callable[[Any], str]] | None = None,
    record: str = "",
) -> ConflictDialog | None:
    """A save hit ``StaleEditError``: load the record as saved now and open the conflict dialog (the edit dialog
    stays open with the user's values; ``show_message`` tells it why). Once the user has chosen, ``on_merge``
    gets the merged values and the current record (whose version the merge is saved against). If the record was
    deleted meanwhile, ``show_message`` says so and nothing opens (None)."""
    try:
        current = load_current()
    except NotFoundError:
        show_message(_("Someone else deleted this record meanwhile; your changes were not saved."))
        return None
    except StorageError as exc:
        report_storage_error(parent, exc, show_message)
        return None
    show_message(_("Someone else changed this record: choose which values to keep."))
    return ask_merge(
        parent,
        labels,
        original,
        mine,
        current.values,
        lambda merged: on_merge(merged, current),
        show=show,
        record=record,
        changed_by=current.changed_by,
        changed_at=current.changed_at,
    )


def storage_error_message(exc: StorageError) -> str:
    """What an edit dialog says when its save failed because of the database itself (translated)."""
    if isinstance(exc, ConnectionLostError) and exc.during_commit:
        # the commit was on its way: the server may have written it, so "nothing was saved" would not be true
        return _(
            "The connection to the database was lost while saving, so KawaOffice cannot tell whether your "
            "changes were saved. Your entries are kept: save again when the connection is back (if they were "
            "saved, KawaOffice shows both versions)."
        )
    return exc.message


def report_storage_error(dialog: QWidget, exc: StorageError, show_message: Callable[[str], None]) -> None:
    """A save (or the reload of a record) failed because the database could not be used: show the message in
    ``dialog`` with ``show_message`` (the dialog stays open with the user's entries) and tell the main window,
    which shows its offline banner and retries (``handle_error`` of the first ancestor that has one)."""
    show_message(storage_error_message(exc))
    widget = dialog.parentWidget()
    while widget is not None:
        handle_error = getattr(widget, "handle_error", None)
        if callable(handle_error):
            handle_error(exc)
            return
        widget = widget.parentWidget()
