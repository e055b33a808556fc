"""The banner at the top of the main window while the shared database cannot be reached, and its retry schedule.

The banner says what happened and that unsaved edits are kept, counts down to the next try and has "Retry now".
The retries back off exponentially (1, 2, 4, 8 s, then every 10 s); the main window does the actual check.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kawaoffice.i18n import _

FIRST_DELAY_S = 1
MAX_DELAY_S = 10


def retry_delays() -> list[int]:
    """The waits before each retry, in seconds: 1, 2, 4, 8, 10, 10, ..."""
    delays, delay = [], FIRST_DELAY_S
    while delay < MAX_DELAY_S:
        delays.append(delay)
        delay *= 2
    return [*delays, MAX_DELAY_S]


class OfflineBanner(QFrame):
    """Hidden while online. ``retry`` is emitted when a retry is due or the user presses "Retry now"."""

    retry = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("offline_banner")
        self.setStyleSheet(
            "QFrame#offline_banner { background: #fde7e9; border-bottom: 1px solid #e8a0a8; }"
            "QFrame#offline_banner QLabel { color: #5c0b14; }"
        )
        self.headline = QLabel(self)
        self.headline.setObjectName("offline_headline")
        self.headline.setWordWrap(True)
        font = self.headline.font()
        font.setBold(True)
        self.headline.setFont(font)
        self.detail = QLabel(self)
        self.detail.setObjectName("offline_detail")
        self.detail.setWordWrap(True)
        self.retry_button = QPushButton(_("Retry now"), self)
        self.retry_button.setObjectName("offline_retry")
        self.retry_button.clicked.connect(self.retry_now)
        texts = QVBoxLayout()
        texts.setSpacing(2)
        texts.addWidget(self.headline)
        texts.addWidget(self.detail)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addLayout(texts, 1)
        layout.addWidget(self.retry_button)
        self._attempt = 0
        self._remaining = 0
        self._reason = ""
        self._checking = False
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._on_tick)
        self.hide()

    @property
    def offline(self) -> bool:
        return not self.isHidden()

    @property
    def attempt(self) -> int:
        return self._attempt

    def show_offline(self, reason: str = "") -> None:
        """Show the banner (or update its reason) and schedule the first retry."""
        self._reason = reason
        self.headline.setText(
            _("Connection to the shared database lost. Your unsaved changes are kept. Retrying...")
        )
        if not self.offline:
            self._attempt = 0
            self.show()
            self._schedule()
        self._render()

    def checking(self) -> None:
        """A retry is under way (shown until ``retry_failed`` or ``hide_online``)."""
        self._checking = True
        self._tick.stop()
        self.retry_button.setEnabled(False)
        self._render()

    def retry_failed(self, reason: str = "") -> None:
        if reason:
            self._reason = reason
        self._checking = False
        self.retry_button.setEnabled(True)
        self._attempt += 1
        self._schedule()
        self._render()

    def hide_online(self) -> None:
        self._tick.stop()
        self._checking = False
        self._attempt = 0
        self.retry_button.setEnabled(True)
        self.hide()

    def retry_now(self) -> None:
        if self._checking:
            return
        self._tick.stop()
        self.retry.emit()

    def next_delay(self) -> int:
        delays = retry_delays()
        return delays[min(self._attempt, len(delays) - 1)]

    def _schedule(self) -> None:
        self._remaining = self.next_delay()
        self._tick.start()

    def _on_tick(self) -> None:
        self._remaining -= 1
        if self._remaining <= 0:
            self._tick.stop()
            self.retry.emit()
        else:
            self._render()

    def _render(self) -> None:
        if self._checking:
            when = _("Trying to reach the server...")
        else:
            when = _("Next try in {seconds} s.").format(seconds=max(self._remaining, 0))
        self.detail.setText(f"{self._reason}  {when}" if self._reason else when)


__all__ = ["OfflineBanner", "retry_delays"]
