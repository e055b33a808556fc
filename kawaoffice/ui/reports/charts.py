"""The reports window's charts (QtCharts), drawn from the same rows and in the same colours as the PDF's."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QHorizontalStackedBarSeries,
    QLineSeries,
    QPieSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from kawaoffice import i18n

ROW_HEIGHT = 22  # px per category in the horizontal bar charts
SLANT_AFTER = 6  # more fiscal years than this along the bottom axis: labels at 45 degrees


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.setBackgroundRoundness(0)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignTop)
    return chart


def _view(chart: QChart, parent: QWidget | None, name: str, min_height: int = 220) -> QChartView:
    view = QChartView(chart, parent)
    view.setObjectName(name)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(min_height)
    view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    return view


def _value_axis(top: float) -> QValueAxis:
    axis = QValueAxis()
    axis.setRange(0, max(top * 1.15, 4))
    axis.setLabelFormat("%d")
    axis.applyNiceNumbers()
    return axis


def _bar_set(label: str, colour: str, values: Sequence[int]) -> QBarSet:
    bars = QBarSet(label)
    bars.setColor(QColor(colour))
    bars.setBorderColor(QColor(colour))
    bars.append([float(v) for v in values])
    bars.setLabelColor(QColor("#222222"))  # the default white labels vanish outside the bars
    return bars


def ranking_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[int],
    colour: str,
    parent: QWidget | None = None,
    name: str = "ranking_chart",
) -> QChartView:
    """Horizontal bars, first row on top, with the value at the end of each bar."""
    chart = _chart(title)
    series = QHorizontalBarSeries()
    # a category axis runs bottom-up: reversed, the first (largest) row is on top
    series.append(_bar_set(title, colour, list(reversed(values))))
    series.setLabelsVisible(True)
    series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
    series.setLabelsFormat("@value")
    series.setBarWidth(0.7)
    chart.addSeries(series)
    categories = QBarCategoryAxis()
    categories.append(list(reversed(labels)))
    chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(categories)
    axis = _value_axis(max(values, default=0))
    chart.addAxis(axis, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(axis)
    chart.legend().setVisible(False)
    return _view(chart, parent, name, min_height=max(ROW_HEIGHT * len(labels) + 80, 160))


def pie_chart(
    title: str, slices: Sequence[tuple[str, int, str]], parent: QWidget | None = None, name: str = "pie_chart"
) -> QChartView:
    """(label, value, colour) slices; the legend (on the right) carries the labels with count and share."""
    chart = _chart(title)
    series = QPieSeries()
    total = sum(v for _l, v, _c in slices) or 1
    for label, value, colour in slices:
        if not value:
            continue
        part = series.append(
            f"{label}: {i18n.format_number(value)} ({i18n.format_percent(value / total)})", float(value)
        )
        part.setColor(QColor(colour))
        part.setBorderColor(QColor("white"))
    chart.addSeries(series)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
    return _view(chart, parent, name)


def grouped_bars(
    title: str,
    labels: Sequence[str],
    series_values: Sequence[tuple[str, str, Sequence[int]]],
    parent: QWidget | None = None,
    name: str = "grouped_bars",
) -> QChartView:
    """Vertical bars, one set per (label, colour, values) series, e.g. visitors and experts by fiscal year."""
    chart = _chart(title)
    series = QBarSeries()
    for label, colour, values in series_values:
        series.append(_bar_set(label, colour, values))
    series.setLabelsVisible(True)
    series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
    series.setLabelsFormat("@value")
    chart.addSeries(series)
    categories = QBarCategoryAxis()
    categories.append(list(labels))
    chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(categories)
    axis = _value_axis(max((max(v, default=0) for _l, _c, v in series_values), default=0))
    chart.addAxis(axis, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(axis)
    return _view(chart, parent, name, min_height=260)


def bars_and_line(
    title: str,
    labels: Sequence[str],
    bars: tuple[str, str, Sequence[int]],
    line: tuple[str, str, Sequence[int]],
    parent: QWidget | None = None,
    name: str = "bars_and_line",
) -> QChartView:
    """Bars on the left axis and a line with points on its own right axis: visitors (thousands) and experts
    (tens) by fiscal year, each readable on its own scale."""
    chart = _chart(title)
    series = QBarSeries()
    bar_label, bar_colour, bar_values_ = bars
    series.append(_bar_set(bar_label, bar_colour, bar_values_))
    series.setLabelsVisible(True)
    series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsCenter)
    series.setLabelsFormat("@value")
    series.barSets()[0].setLabelColor(QColor("white"))
    chart.addSeries(series)
    line_label, line_colour, line_values = line
    trend = QLineSeries()
    trend.setName(line_label)
    trend.setColor(QColor(line_colour))
    trend.setPointsVisible(True)
    trend.setPointLabelsVisible(True)
    trend.setPointLabelsFormat("@yPoint")
    trend.setPointLabelsColor(QColor(line_colour))
    pen = trend.pen()
    pen.setWidth(3)
    trend.setPen(pen)
    for i, value in enumerate(line_values):
        trend.append(float(i), float(value))
    chart.addSeries(trend)
    categories = QBarCategoryAxis()
    categories.append(list(labels))
    if len(labels) > SLANT_AFTER:
        # "since the beginning" spans decades: level labels would be elided to "2018..."
        categories.setLabelsAngle(-45)
    chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(categories)
    trend.attachAxis(categories)
    left = _value_axis(max(bar_values_, default=0))
    left.setTitleText(bar_label)
    chart.addAxis(left, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(left)
    right = _value_axis(max(line_values, default=0))
    right.setTitleText(line_label)
    right.setLinePenColor(QColor(line_colour))
    right.setLabelsColor(QColor(line_colour))
    chart.addAxis(right, Qt.AlignmentFlag.AlignRight)
    trend.attachAxis(right)
    return _view(chart, parent, name, min_height=260)


def line_values(view: QChartView) -> list[tuple[str, list[float]]]:
    """(name, y values) of the line series of a chart: for tests."""
    return [
        (s.name(), [p.y() for p in s.points()]) for s in view.chart().series() if isinstance(s, QLineSeries)
    ]


def stacked_bars(
    title: str,
    labels: Sequence[str],
    series_values: Sequence[tuple[str, str, Sequence[int]]],
    parent: QWidget | None = None,
    name: str = "stacked_bars",
) -> QChartView:
    """Horizontal stacked bars, first category on top (projects by scheme: active / suspended / ended)."""
    chart = _chart(title)
    series = QHorizontalStackedBarSeries()
    for label, colour, values in series_values:
        series.append(_bar_set(label, colour, list(reversed(values))))
    series.setBarWidth(0.7)
    chart.addSeries(series)
    categories = QBarCategoryAxis()
    categories.append(list(reversed(labels)))
    chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(categories)
    totals = (
        [sum(vs) for vs in zip(*(v for _l, _c, v in series_values), strict=True)] if series_values else []
    )
    axis = _value_axis(max(totals, default=0))
    chart.addAxis(axis, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(axis)
    return _view(chart, parent, name, min_height=max(ROW_HEIGHT * len(labels) + 100, 180))


def bar_values(view: QChartView) -> list[tuple[str, list[float]]]:
    """(set label, values top-down or left-right as the user reads them) of a bar chart: for tests and checks."""
    out = []
    for series in view.chart().series():
        if not isinstance(series, QAbstractBarSeries):
            continue
        horizontal = isinstance(series, QHorizontalBarSeries | QHorizontalStackedBarSeries)
        for bars in series.barSets():
            values = [bars.at(i) for i in range(bars.count())]
            out.append((bars.label(), list(reversed(values)) if horizontal else values))
    return out


def bar_categories(view: QChartView) -> list[str]:
    """The category labels as the user reads them (top-down for horizontal charts)."""
    for axis in view.chart().axes():
        if isinstance(axis, QBarCategoryAxis):
            labels = list(axis.categories())
            horizontal = axis.orientation() == Qt.Orientation.Vertical
            return list(reversed(labels)) if horizontal else labels
    return []
