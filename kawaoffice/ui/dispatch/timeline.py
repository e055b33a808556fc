"""The dispatch timeline: a Gantt chart of dispatches by person (rows) over months (columns).

Confirmed and completed dispatches are solid bars; planned and tentative ones are hatched with a dashed outline;
a bar with a conflict (overlap, passport, guide duty) has a red outline and a warning mark, and its tooltip lists
the conflicts. Zoom with Ctrl++ / Ctrl+- (or the toolbar), "Today" scrolls to today; double-click opens a dispatch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QScrollArea, QToolTip, QWidget

from kawaoffice import i18n
from kawaoffice.i18n import _
from kawaoffice.model.dispatch import DISPATCH_STATUS_LABELS, DispatchStatus
from kawaoffice.services.dispatch import TimelineBar, TimelineLane
from kawaoffice.ui.widgets.format import label, localized

NAME_WIDTH = 150
HEADER_HEIGHT = 36
LANE_HEIGHT = 26
ZOOM_LEVELS = (1.0, 2.0, 4.0, 8.0, 16.0)  # pixels per day

PURPOSE_COLORS = {
    "long_term_expert": QColor("#3B6EA8"),
    "short_term_expert": QColor("#4C9A6A"),
    "mission": QColor("#C0822F"),
    "survey": QColor("#7D5BA6"),
    "conference": QColor("#5E7C8A"),
}
CONFLICT_COLOR = QColor("#C62828")


@dataclass(frozen=True)
class HitBar:
    rect: QRect
    bar: TimelineBar


class TimelineCanvas(QWidget):
    """The painted chart; lives in a QScrollArea."""

    dispatchActivated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dispatch_timeline_canvas")
        self.setMouseTracking(True)
        self.lanes: list[TimelineLane] = []
        self.start = date.today().replace(day=1)
        self.end = self.start + timedelta(days=365)
        self.zoom_index = 2
        self.today = date.today()
        self._hits: list[HitBar] = []
        self.name_offset = 0  # the horizontal scroll position: names stay in view

    def set_name_offset(self, value: int) -> None:
        self.name_offset = value
        self.update()

    @property
    def px_per_day(self) -> float:
        return ZOOM_LEVELS[self.zoom_index]

    def set_data(self, lanes: list[TimelineLane], start: date, end: date) -> None:
        self.lanes, self.start, self.end = lanes, start, end
        self._relayout()

    def set_zoom(self, index: int) -> None:
        self.zoom_index = max(0, min(len(ZOOM_LEVELS) - 1, index))
        self._relayout()

    def x_of(self, day: date) -> int:
        return NAME_WIDTH + round((day - self.start).days * self.px_per_day)

    def _relayout(self) -> None:
        width = self.x_of(self.end + timedelta(days=1)) + 10
        height = HEADER_HEIGHT + max(1, len(self.lanes)) * LANE_HEIGHT + 4
        self.setFixedSize(QSize(width, height))
        self._hits = []
        for i, lane in enumerate(self.lanes):
            y = HEADER_HEIGHT + i * LANE_HEIGHT + 4
            for bar in lane.bars:
                x0 = self.x_of(max(bar.start, self.start))
                x1 = self.x_of(min(bar.end, self.end) + timedelta(days=1))
                self._hits.append(HitBar(QRect(x0, y, max(3, x1 - x0), LANE_HEIGHT - 8), bar))
        self.update()

    def bars_drawn(self) -> list[HitBar]:
        return list(self._hits)

    def bar_at(self, pos: QPoint) -> TimelineBar | None:
        if pos.x() < self.name_offset + NAME_WIDTH:
            return None
        for hit in self._hits:
            if hit.rect.adjusted(-2, -2, 2, 2).contains(pos):
                return hit.bar
        return None

    # --- painting -----------------------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), self.palette().base())
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, small.pointSizeF() - 1))
        p.setFont(small)
        grid = QPen(QColor("#D5DAE0"))
        text_pen = QPen(self.palette().text().color())
        # months
        month = self.start.replace(day=1)
        while month <= self.end:
            x = self.x_of(max(month, self.start))
            p.setPen(grid)
            p.drawLine(x, 0, x, self.height())
            p.setPen(text_pen)
            if month.month == 1 or month == self.start.replace(day=1) or self.px_per_day >= 2:
                text = i18n.format_date(month, "medium")[:7] if self.px_per_day < 2 else _month(month)
                p.drawText(QRect(x + 3, 2, 120, HEADER_HEIGHT // 2), Qt.AlignmentFlag.AlignLeft, text)
            month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
        # fiscal years (April) as a second header line
        for year in range(self.start.year - 1, self.end.year + 1):
            april = date(year, 4, 1)
            if self.start <= april <= self.end:
                x = self.x_of(april)
                p.setPen(QPen(QColor("#8892A0"), 2))
                p.drawLine(x, HEADER_HEIGHT // 2, x, self.height())
                p.setPen(text_pen)
                p.drawText(
                    QRect(x + 3, HEADER_HEIGHT // 2, 120, HEADER_HEIGHT // 2), 0, i18n.fiscal_year_label(year)
                )
        # lane stripes
        for i in range(len(self.lanes)):
            if i % 2:
                y = HEADER_HEIGHT + i * LANE_HEIGHT
                p.fillRect(QRect(0, y, self.width(), LANE_HEIGHT), QColor(0, 0, 0, 10))
        # today
        if self.start <= self.today <= self.end:
            x = self.x_of(self.today)
            p.setPen(QPen(QColor("#E53935"), 1, Qt.PenStyle.DashLine))
            p.drawLine(x, 0, x, self.height())
        # bars
        for hit in self._hits:
            self._paint_bar(p, hit)
        # names, pinned to the left edge of the visible area
        x0 = self.name_offset
        p.fillRect(QRect(x0, 0, NAME_WIDTH, self.height()), self.palette().window())
        p.setPen(QPen(QColor("#8892A0")))
        p.drawLine(x0 + NAME_WIDTH - 1, 0, x0 + NAME_WIDTH - 1, self.height())
        p.setPen(text_pen)
        for i, lane in enumerate(self.lanes):
            y = HEADER_HEIGHT + i * LANE_HEIGHT
            name = localized(lane.name, lane.name_en)
            if not lane.is_staff:
                name = _("{name} (partner)").format(name=name)
            p.drawText(QRect(x0 + 4, y, NAME_WIDTH - 8, LANE_HEIGHT), Qt.AlignmentFlag.AlignVCenter, name)
        p.end()

    def _paint_bar(self, p: QPainter, hit: HitBar) -> None:
        bar, rect = hit.bar, hit.rect
        color = PURPOSE_COLORS.get(bar.purpose.value, QColor("#607D8B"))
        if bar.status == DispatchStatus.CANCELLED:
            color = QColor("#B0B0B0")
        if bar.tentative:
            p.fillRect(rect, QColor(color.red(), color.green(), color.blue(), 60))
            p.fillRect(rect, QBrush(color, Qt.BrushStyle.BDiagPattern))
            pen = QPen(color, 1.5, Qt.PenStyle.DashLine)
        else:
            p.fillRect(rect, color)
            pen = QPen(color.darker(130), 1)
        if bar.conflicts:
            pen = QPen(CONFLICT_COLOR, 2.5)
        p.setPen(pen)
        p.drawRect(rect.adjusted(0, 0, -1, -1))
        text = bar.code
        if bar.conflicts:
            text = "⚠ " + text
        p.setPen(QPen(QColor("white") if not bar.tentative else self.palette().text().color()))
        if bar.conflicts:
            p.setPen(QPen(CONFLICT_COLOR if bar.tentative else QColor("white")))
        p.drawText(rect.adjusted(3, 0, -2, 0), Qt.AlignmentFlag.AlignVCenter, text)

    # --- interaction ----------------------------------------------------------------------------------------------

    def tooltip_text(self, bar: TimelineBar) -> str:
        lines = [
            f"{bar.code} {localized(bar.title, bar.title_en)}",
            f"{i18n.format_date_range(bar.start, bar.end)} · {i18n.country_name(bar.country)}",
            label(DISPATCH_STATUS_LABELS, bar.status),
        ]
        lines += [f"⚠ {m}" for m in bar.conflicts]
        return "\n".join(lines)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        bar = self.bar_at(event.position().toPoint())
        if bar is None:
            QToolTip.hideText()
        else:
            QToolTip.showText(event.globalPosition().toPoint(), self.tooltip_text(bar), self)
        super().mouseMoveEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        bar = self.bar_at(event.position().toPoint())
        if bar is not None:
            self.dispatchActivated.emit(bar.dispatch_id)
        super().mouseDoubleClickEvent(event)


def _month(day: date) -> str:
    return i18n.format_month_day(day).rstrip("0123456789日 ").rstrip() or str(day.month)


class TimelineView(QScrollArea):
    """The scrollable chart with zoom and scroll-to-today."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dispatch_timeline")
        self.canvas = TimelineCanvas(self)
        self.setWidget(self.canvas)
        self.setWidgetResizable(False)
        self.horizontalScrollBar().valueChanged.connect(self.canvas.set_name_offset)

    def zoom_in(self) -> None:
        self._zoom(self.canvas.zoom_index + 1)

    def zoom_out(self) -> None:
        self._zoom(self.canvas.zoom_index - 1)

    def _zoom(self, index: int) -> None:
        center = self.horizontalScrollBar().value() + self.viewport().width() // 2
        day = self.canvas.start + timedelta(days=max(0, (center - NAME_WIDTH)) / self.canvas.px_per_day)
        self.canvas.set_zoom(index)
        self.scroll_to(day)

    def scroll_to(self, day: date) -> None:
        x = self.canvas.x_of(day) - NAME_WIDTH - (self.viewport().width() - NAME_WIDTH) // 3
        self.horizontalScrollBar().setValue(max(0, x))

    def scroll_to_today(self) -> None:
        self.scroll_to(self.canvas.today)
