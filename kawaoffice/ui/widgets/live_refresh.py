"""Live refresh in the UI: the storage's change watcher turned into Qt signals, and the notice an edit dialog shows
when its record was changed by someone else.

- :class:`LiveRefresh` runs ``Database.watch_changes`` (PostgreSQL LISTEN/NOTIFY, SQLite polling) and emits, on
  the UI thread, ``changed(Change)`` (bursts within 150 ms merged into one) and ``status_changed(online, reason)``.
- :func:`change_hub` is the application-wide ``ChangeHub``; the main window re-emits every change made by someone
  else on it as ``record_changed(table, id)`` and ``tables_changed(frozenset)``.
- Edit dialogs call :func:`watch_record` (or connect to ``MainWindow.record_changed`` / ``change_hub()`` themselves)
  to learn that the record they edit changed: a notice appears at the top of the dialog; the user's entries stay.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QBoxLayout, QLabel, QWidget

from kawaoffice.i18n import _
from kawaoffice.storage import Database
from kawaoffice.storage.notify import Change, ChangeWatcher

log = logging.getLogger(__name__)

MERGE_MS = 150


class ChangeHub(QObject):
    """Where the main window announces what other users changed (one per application)."""

    record_changed = Signal(str, int)  # table name, row id
    tables_changed = Signal(object)  # frozenset[str] of table names (also when the ids are not known)

    def announce(self, change: Change) -> None:
        if change.tables:
            self.tables_changed.emit(frozenset(change.tables))
        for table, row_id in sorted(change.records):
            self.record_changed.emit(table, row_id)


_hub: ChangeHub | None = None


def change_hub() -> ChangeHub:
    global _hub
    if _hub is None:
        _hub = ChangeHub()
    return _hub


class LiveRefresh(QObject):
    """Watches ``database`` for what other instances commit; signals arrive on the UI thread."""

    changed = Signal(object)  # Change, merged over MERGE_MS
    status_changed = Signal(bool, str)  # online, translated reason
    _arrived = Signal(object)
    _status = Signal(bool, str)

    def __init__(self, database: Database, parent: QObject | None = None, *, interval: float = 1.0) -> None:
        super().__init__(parent)
        self.database = database
        self.interval = interval
        self.watcher: ChangeWatcher | None = None
        self._pending: Change | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(MERGE_MS)
        self._timer.timeout.connect(self._flush)
        # queued: emitted on the watcher's thread, delivered on this object's (the UI) thread
        self._arrived.connect(self._on_arrived)
        self._status.connect(self.status_changed)

    def start(self) -> None:
        if self.watcher is None:
            self.watcher = self.database.watch_changes(
                self._emit_change, on_status=self._emit_status, interval=self.interval
            )
            log.info("live refresh started (%s) for %s", self.watcher.mode, self.database.display_name)

    def stop(self) -> None:
        watcher, self.watcher = self.watcher, None
        if watcher is not None:
            watcher.stop()
        self._timer.stop()
        self._pending = None

    def retry_now(self) -> None:
        if self.watcher is not None:
            self.watcher.retry_now()

    @property
    def mode(self) -> str:
        return self.watcher.mode if self.watcher is not None else ""

    # watcher thread -> UI thread
    def _emit_change(self, change: Change) -> None:
        with contextlib.suppress(RuntimeError):  # the receiver is gone
            self._arrived.emit(change)

    def _emit_status(self, online: bool, reason: str) -> None:
        with contextlib.suppress(RuntimeError):
            self._status.emit(online, reason)

    def _on_arrived(self, change: Change) -> None:
        self._pending = change if self._pending is None else self._pending.merged(change)
        if not self._timer.isActive():
            self._timer.start()

    def _flush(self) -> None:
        change, self._pending = self._pending, None
        if change:
            self.changed.emit(change)


class RecordChangedNotice(QLabel):
    """ "This record was changed by someone else" at the top of an edit dialog."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("record_changed_notice")
        self.setWordWrap(True)
        self.setText(
            _(
                "This record was changed by someone else. Your entries are kept; when you save, "
                "KawaOffice shows both versions."
            )
        )
        self.setStyleSheet(
            "QLabel#record_changed_notice { background: #fff4ce; color: #3b2f00; border: 1px solid #e0c36a; "
            "border-radius: 3px; padding: 6px; }"
        )
        self.hide()


class RecordWatch(QObject):
    """Shows ``notice`` (and calls ``on_changed``) when ``table``/``row_id`` is changed by someone else."""

    def __init__(
        self,
        dialog: QWidget,
        table: str,
        row_id: int,
        notice: RecordChangedNotice,
        on_changed: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(dialog)
        self.table = table
        self.row_id = row_id
        self.notice = notice
        self.on_changed = on_changed
        self.changed = False
        change_hub().record_changed.connect(self._on_record_changed)

    def _on_record_changed(self, table: str, row_id: int) -> None:
        if table != self.table or row_id != self.row_id:
            return
        self.changed = True
        self.notice.show()
        if self.on_changed is not None:
            self.on_changed()


def watch_record(
    dialog: QWidget, table: str, row_id: int, on_changed: Callable[[], None] | None = None
) -> RecordWatch:
    """Hook for edit dialogs: put a (hidden) notice at the top of ``dialog``'s layout and show it when the record
    ``table``/``row_id`` is saved by someone else while the dialog is open. Returns the watch (``.changed`` tells
    whether it happened; it lives as long as the dialog)."""
    notice = RecordChangedNotice(dialog)
    layout = dialog.layout()
    if isinstance(layout, QBoxLayout):
        layout.insertWidget(0, notice)
    return RecordWatch(dialog, table, row_id, notice, on_changed)


__all__ = ["ChangeHub", "LiveRefresh", "RecordChangedNotice", "RecordWatch", "change_hub", "watch_record"]
