"""Day and week calendars: segments as blocks in columns (facilities of a day, or days of a week at one facility),
coloured by status, conflicts marked with a red frame and a ⚠ mark."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from kawaoffice.i18n import _, format_date, format_weekday
from kawaoffice.model.tours import BookingStatus
from kawaoffice.services.tours import CalendarBlock

ZONE = ZoneInfo("Asia/Tokyo")
FIRST_HOUR, LAST_HOUR = 8, 18
STATUS_COLOURS: dict[BookingStatus, str] = {
    BookingStatus.REQUESTED: "#fff3c4",
    BookingStatus.TENTATIVE: "#ffe0b2",
    BookingStatus.CONFIRMED: "#c8e6c9",
    BookingStatus.COMPLETED: "#cfd8dc",
    BookingStatus.CANCELLED: "#eeeeee",
}


class CalendarView(QWidget):
    """Columns with titles; each column's blocks are laid out by time between 8:00 and 18:00."""

    block_activated = Signal(int)  # booking id (double click)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tours_calendar")
        self.columns: list[tuple[str, list[CalendarBlock]]] = []
        self._rects: list[tuple[QRectF, CalendarBlock]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:
        return QSize(800, 520)

    def set_day(self, day: date, facilities: list[tuple[int, str]], blocks: list[CalendarBlock]) -> None:
        self.columns = [(name, [b for b in blocks if b.facility_id == fid]) for fid, name in facilities]
        self.update()

    def set_week(self, monday: date, blocks: list[CalendarBlock]) -> None:
        self.columns = []
        for n in range(7):
            day = monday + timedelta(days=n)
            title = f"{format_weekday(day)} {format_date(day)}"
            self.columns.append((title, [b for b in blocks if b.starts_at.astimezone(ZONE).date() == day]))
        self.update()

    def block_texts(self) -> list[str]:
        """What each block shows (for tests and accessibility)."""
        return [self._text(b) for _t, blocks in self.columns for b in blocks]

    def _text(self, b: CalendarBlock) -> str:
        start, end = b.starts_at.astimezone(ZONE), b.ends_at.astimezone(ZONE)
        mark = "⚠ " if b.issues else ""
        return (
            f"{mark}{start:%H:%M}–{end:%H:%M} {b.booking_code}\n{b.group_name}\n"
            + _("{count} visitors").format(count=b.headcount)
            + (f"\n{', '.join(b.staff_names)}" if b.staff_names else "")
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        left, top = 48.0, 24.0
        width = max(1.0, (self.width() - left - 4) / max(1, len(self.columns)))
        height = self.height() - top - 4
        per_hour = height / (LAST_HOUR - FIRST_HOUR)
        painter.setPen(QPen(QColor("#bbbbbb")))
        for h in range(FIRST_HOUR, LAST_HOUR + 1):
            y = top + (h - FIRST_HOUR) * per_hour
            painter.drawLine(int(left), int(y), self.width(), int(y))
            painter.drawText(QRectF(0, y - 8, left - 4, 16), Qt.AlignmentFlag.AlignRight, f"{h}:00")
        self._rects = []
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, small.pointSizeF() - 1))
        for n, (title, blocks) in enumerate(self.columns):
            x = left + n * width
            painter.setPen(QPen(QColor("#888888")))
            painter.drawLine(int(x), 0, int(x), self.height())
            painter.setPen(QPen(QColor("black")))
            painter.drawText(QRectF(x + 2, 2, width - 4, top - 4), Qt.AlignmentFlag.AlignCenter, title)
            painter.setFont(small)
            for b in blocks:
                start, end = b.starts_at.astimezone(ZONE), b.ends_at.astimezone(ZONE)
                y0 = top + ((start.hour + start.minute / 60) - FIRST_HOUR) * per_hour
                y1 = top + ((end.hour + end.minute / 60) - FIRST_HOUR) * per_hour
                rect = QRectF(x + 3, max(top, y0), width - 6, max(14.0, y1 - y0))
                painter.fillRect(rect, QColor(STATUS_COLOURS.get(b.status, "#e0e0e0")))
                painter.setPen(QPen(QColor("#c62828"), 3) if b.issues else QPen(QColor("#607d8b"), 1))
                painter.drawRect(rect)
                painter.setPen(QPen(QColor("black")))
                painter.drawText(rect.adjusted(4, 2, -2, -2), int(Qt.TextFlag.TextWordWrap), self._text(b))
                self._rects.append((rect, b))
            painter.setFont(self.font())
        painter.end()

    def block_at(self, x: float, y: float) -> CalendarBlock | None:
        for rect, b in self._rects:
            if rect.contains(x, y):
                return b
        return None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        b = self.block_at(event.position().x(), event.position().y())
        self.setToolTip("\n".join([self._text(b), *b.issues]) if b else "")

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        b = self.block_at(event.position().x(), event.position().y())
        if b is not None:
            self.block_activated.emit(b.booking_id)


def day_range(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), ZONE)
    return start, start + timedelta(days=1)
