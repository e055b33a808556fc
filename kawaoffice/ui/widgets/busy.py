"""Run slow work (backups, a shared database over a slow link) off the UI thread behind a busy dialog."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QProgressDialog, QWidget

T = TypeVar("T")

_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kawaoffice-work")


def run_busy(parent: QWidget | None, label: str, work: Callable[[], T]) -> T:
    """Run ``work`` in a worker thread while a busy indicator shows ``label``; return its result or raise its error.

    The UI stays responsive (repaints) while waiting; the work itself must not touch Qt widgets.
    """
    future: Future[T] = _executor.submit(work)
    dialog = QProgressDialog(label, "", 0, 0, parent)
    dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(lambda: loop.quit() if future.done() else None)
    timer.start()
    if not future.done():
        loop.exec()
    timer.stop()
    dialog.reset()
    dialog.deleteLater()
    return future.result()
