"""The start-up splash screen (shown while KawaOffice starts when there is no first-page preview) and the signal
the start-up's background checks report through (``kawaoffice.app``, which imports no Qt at module level)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QWidget

from kawaoffice import APP_NAME, __version__, paths

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent, QPixmap


class BackgroundResult(QObject):
    damaged = Signal(str, str)  # the deferred integrity check found damage: the translated message, the file


SPLASH_SIZE = (420, 240)


class SplashScreen(QWidget):
    """A small frameless window (icon, name, version, what is happening) shown while KawaOffice starts.

    Not ``QSplashScreen``: Qt 6's waits up to a second for the window system to expose it on every show and
    message, which is longer than the rest of what it covers on some platforms."""

    message_changed = Signal(str)

    def __init__(self, message: str) -> None:
        from PySide6.QtCore import Qt

        super().__init__(
            None,
            Qt.WindowType.SplashScreen
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint,
        )
        self.setObjectName("splash")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.setWindowTitle(APP_NAME)
        self._pixmap = _splash_pixmap()
        self.setFixedSize(self._pixmap.size())
        self._message = message

    def message(self) -> str:
        return self._message

    def show_message(self, message: str) -> None:
        self._message = message
        self.message_changed.emit(message)
        if self.isVisible():
            self.repaint()  # painted now: the next step keeps the event loop busy

    def paintEvent(self, event: QPaintEvent) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QColor, QPainter

        painter = QPainter(self)
        try:
            painter.drawPixmap(0, 0, self._pixmap)
            painter.setPen(QColor("#333333"))
            painter.drawText(
                self.rect().adjusted(8, 0, -8, -10),
                Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignHCenter,
                self._message,
            )
        finally:
            painter.end()


def _splash_pixmap() -> QPixmap:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor, QFont, QPainter, QPixmap

    width, height = SPLASH_SIZE
    pixmap = QPixmap(width, height)
    pixmap.fill(QColor("#ffffff"))
    painter = QPainter(pixmap)
    try:
        painter.setPen(QColor("#c8d3dc"))
        painter.drawRect(0, 0, width - 1, height - 1)
        icon = QPixmap(str(paths.resources_dir() / "icons" / "kawaoffice.png"))
        if not icon.isNull():
            painter.drawPixmap(
                (width - 72) // 2, 34, icon.scaled(72, 72, mode=Qt.TransformationMode.SmoothTransformation)
            )
        font = QFont(QApplication.font())
        font.setPointSize(18)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("#1f3a52"))
        painter.drawText(0, 118, width, 36, Qt.AlignmentFlag.AlignCenter, APP_NAME)
        font.setPointSize(9)
        font.setBold(False)
        painter.setFont(font)
        painter.setPen(QColor("#6b7b88"))
        painter.drawText(0, 152, width, 20, Qt.AlignmentFlag.AlignCenter, __version__)
    finally:
        painter.end()
    return pixmap
