"""The annual report (年次報告) of the international programme for managers: A4 PDF with charts (reportlab
graphics) from :func:`kawaoffice.services.reports.annual_report`, in the current language, dates optionally in
the Japanese era.

The texts shared with the statistics window and the workbook (title, period, the Kitakyushu-style headline, the
summary figures, the column headings) are built here, so the three show the same words and the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Paragraph, Spacer

from kawaoffice import i18n
from kawaoffice.documents.pdf import (
    GOTHIC,
    HEADER_GREY,
    RULE_GREY,
    ZEBRA_GREY,
    build_pdf,
    content_width,
    key_value_table,
    para,
    register_fonts,
    styles,
    table,
)
from kawaoffice.i18n import _, ngettext, pgettext
from kawaoffice.model.dispatch import DISPATCH_PURPOSE_LABELS
from kawaoffice.model.projects import PROJECT_STATE_LABELS, ProjectState
from kawaoffice.model.tours import VISITOR_TYPE_LABELS
from kawaoffice.services.overview import VisitRow
from kawaoffice.services.project_report import ReportEvent
from kawaoffice.services.reports import AnnualReport, collections_paused

__all__ = [
    "SERIES_COLORS",
    "build_annual_report_pdf",
    "country_label",
    "headline",
    "move_text",
    "period_label",
    "report_title",
    "summary_figures",
    "visit_country_text",
]

# One colour per series, the same on screen (ui/reports) and on paper.
SERIES_COLORS = {
    "visitors": "#2E6DB4",
    "experts": "#E07B24",
    "active": "#3A9A5B",
    "suspended": "#C9A227",
    "ended": "#8C96A3",
}
PIE_COLORS = ("#2E6DB4", "#E07B24", "#3A9A5B", "#9C5BB5", "#8C96A3", "#C9A227")
WORLD_LIMIT = 20  # countries in the world view chart (the table lists them all)


# ---------------------------------------------------------------------------------------------------------------
# Words shared with the window and the workbook
# ---------------------------------------------------------------------------------------------------------------


def loc(ja: str, en: str) -> str:
    return (ja or en) if i18n.current_language() == "ja" else (en or ja)


# A year's lists print the same dates, numbers and countries thousands of times and Babel parses its locale on
# every call: the texts are kept per language (they depend on nothing else).


@lru_cache(maxsize=8192)
def _day(d: date, era: bool, language: str) -> str:
    if era and language == "ja":
        return i18n.format_japanese_era(d)
    return i18n.format_date(d, language=language)


def day(d: date | None, era: bool = False) -> str:
    if d is None:
        return ""
    return _day(d, era, i18n.current_language())


@lru_cache(maxsize=1024)
def _country_label(code: str, language: str) -> str:
    return i18n.country_name(code, language=language) if code else _("(country not recorded)")


def country_label(code: str) -> str:
    """The country's name in the current language; visitors whose country is not recorded show as such."""
    return _country_label(code, i18n.current_language())


@lru_cache(maxsize=1024)
def _country_list(codes: tuple[str, ...], language: str) -> str:
    return i18n.format_list([_country_label(code, language) for code in codes], language=language)


def visit_country_text(report: AnnualReport, visit: VisitRow) -> str:
    """The visiting group's country, or the countries of a multi-country course's trainees."""
    codes = report.visit_countries.get(visit.id, (visit.country,) if visit.country else ())
    return _country_list(tuple(codes), i18n.current_language())


def period_label(report: AnnualReport, era: bool = False) -> str:
    if report.fiscal_year is not None:
        return i18n.fiscal_year_label(report.fiscal_year, era=era)
    if report.first_fiscal_year is None:
        return _("Since the beginning")
    return _("Since the beginning ({first} onwards)").format(
        first=i18n.fiscal_year_label(report.first_fiscal_year, era=era)
    )


def report_title(report: AnnualReport, era: bool = False) -> str:
    return _("International cooperation report {period}").format(period=period_label(report, era))


def headline(report: AnnualReport) -> str:
    """Kitakyushu's headline: "N experts dispatched to M countries; N visitors received from M countries and
    regions." Experts are person-trips; visitors are those from abroad."""
    trips, sent_to = report.person_trips, report.dispatch_countries
    visitors, came_from = report.visitors_from_abroad, report.visitor_countries
    dispatched = _("{experts} dispatched to {countries}").format(
        experts=ngettext("{n} expert", "{n} experts", trips).format(n=i18n.format_number(trips)),
        countries=ngettext("{n} country", "{n} countries", sent_to).format(n=i18n.format_number(sent_to)),
    )
    received = _("{visitors} received from {countries}").format(
        visitors=ngettext("{n} visitor", "{n} visitors", visitors).format(n=i18n.format_number(visitors)),
        countries=ngettext("{n} country or region", "{n} countries and regions", came_from).format(
            n=i18n.format_number(came_from)
        ),
    )
    return _("{dispatched}; {received}.").format(dispatched=dispatched, received=received)


def summary_figures(report: AnnualReport) -> list[tuple[str, str]]:
    """The summary figures as (label, formatted value) pairs, in the order shown everywhere."""
    n = i18n.format_number
    return [
        (_("Visitors"), n(report.visitors)),
        (_("Visiting groups"), n(report.groups)),
        (_("of them JICA trainees"), n(report.trainees)),
        (_("Countries and regions visitors came from"), n(report.visitor_countries)),
        (pgettext("report", "Dispatches"), n(report.dispatches)),
        (_("Experts dispatched (person-trips)"), n(report.person_trips)),
        (_("Different people dispatched"), n(report.experts)),
        (_("Person-days abroad"), n(report.person_days)),
        (_("Countries experts went to"), n(report.dispatch_countries)),
        (pgettext("report", "Projects"), n(report.projects_count)),
        (_("Stage changes"), n(len(report.stage_changes))),
        (_("Member companies taking part"), n(report.member_companies)),
        (_("Local needs recorded"), n(report.needs.recorded)),
        (_("Local needs passed on to members"), n(report.needs.passed_on)),
    ]


def counting_note(report: AnnualReport) -> str:
    return _(
        "Counted: confirmed and completed visits and dispatches. A visit counts once, in the fiscal year of its "
        "first day, however many facilities it covers; visitors from Japan are not counted in the countries. "
        "Experts are person-trips (one person on one dispatch), in the fiscal year of departure; person-days "
        "are the days abroad within the period. Projects are at their stage at the end of the period."
    )


def country_headers() -> list[str]:
    return [
        _("Country/region"),
        _("Visitors"),
        _("Groups"),
        pgettext("report", "Dispatches"),
        pgettext("report", "Person-trips"),
        _("Different people"),
        _("Person-days"),
    ]


def year_headers() -> list[str]:
    return [_("Fiscal year"), *country_headers()[1:]]


def member_headers() -> list[str]:
    return [
        _("Member company"),
        pgettext("report", "Projects"),
        _("Dispatches joined"),
        _("Presentations to visitors"),
        _("Total"),
    ]


def scheme_state_counts(report: AnnualReport) -> list[tuple[str, int, int, int]]:
    """(scheme name, active, suspended, ended) for the projects chart."""
    return [
        (loc(s.name_ja, s.name_en), s.active, s.projects - s.active - s.ended, s.ended)
        for s in report.schemes
    ]


# ---------------------------------------------------------------------------------------------------------------
# Charts (reportlab graphics)
# ---------------------------------------------------------------------------------------------------------------

LABEL_FONT = 7.5


def _fit(text: str, width: float, size: float = LABEL_FONT) -> str:
    """``text`` shortened with an ellipsis to ``width`` points."""
    if stringWidth(text, GOTHIC, size) <= width:
        return text
    while text and stringWidth(text + "…", GOTHIC, size) > width:
        text = text[:-1]
    return text + "…"


def _number_label(value: float) -> str:
    return i18n.format_number(int(value)) if value else ""


def _axis_label(value: float) -> str:
    return i18n.format_number(int(value)) if value == int(value) else ""


def _legend(drawing: Drawing, x: float, y: float, pairs: Sequence[tuple[str, str]], columns: int = 4) -> None:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontName = GOTHIC
    legend.fontSize = LABEL_FONT
    legend.alignment = "right"
    legend.boxAnchor = "nw"
    legend.columnMaximum = max(1, (len(pairs) + columns - 1) // columns) if columns > 1 else len(pairs)
    legend.dxTextSpace = 4
    legend.deltax = 110
    legend.dx = legend.dy = 7
    legend.colorNamePairs = [(colors.HexColor(c), name) for c, name in pairs]
    drawing.add(legend)


def _drawing(width: float, height: float) -> Drawing:
    # without an initial font the renderer selects Helvetica, which is not embedded
    return Drawing(width, height, initialFontName=GOTHIC, initialFontSize=LABEL_FONT)


def _title(drawing: Drawing, text: str) -> None:
    drawing.add(String(0, drawing.height - 11, text, fontName=GOTHIC, fontSize=10))


def _horizontal_bars(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[int]]],  # (colour, legend text, values)
    *,
    stacked: bool = False,
    label_width: float = 110,
) -> Drawing:
    width = content_width()
    row = 11 * (1 if stacked else len(series)) + 6
    plot_height = max(row * len(labels), 40)
    height = plot_height + 60
    drawing = _drawing(width, height)
    _title(drawing, title)
    chart = HorizontalBarChart()
    chart.x, chart.y = label_width, 20
    chart.width, chart.height = width - label_width - 30, plot_height
    # with the categories top-down, a group's bars are drawn bottom-up: reverse the series so the first is on top
    drawn = list(series) if stacked else list(reversed(series))
    chart.data = [list(values) for _c, _n, values in drawn]
    chart.categoryAxis.categoryNames = [_fit(text, label_width - 8) for text in labels]
    chart.categoryAxis.reverseDirection = 1  # first row on top
    chart.categoryAxis.labels.fontName = GOTHIC
    chart.categoryAxis.labels.fontSize = LABEL_FONT
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.categoryAxis.tickLeft = 0
    chart.valueAxis.valueMin = 0
    top = max(
        (sum(v) for v in zip(*chart.data, strict=True)) if stacked else (max(v) for v in chart.data),
        default=0,
    )
    chart.valueAxis.valueMax = max(top * 1.12, 4)
    chart.valueAxis.labels.fontName = GOTHIC
    chart.valueAxis.labels.fontSize = LABEL_FONT
    chart.valueAxis.labelTextFormat = _axis_label
    chart.valueAxis.visibleGrid = 1
    chart.valueAxis.gridStrokeColor = colors.HexColor("#DDDDDD")
    chart.valueAxis.gridStrokeWidth = 0.3
    chart.barWidth = 9
    chart.barSpacing = 1
    chart.groupSpacing = 6
    if stacked:
        chart.categoryAxis.style = "stacked"
    else:
        chart.barLabelFormat = _number_label
        chart.barLabels.fontName = GOTHIC
        chart.barLabels.fontSize = 6.5
        chart.barLabels.boxAnchor = "w"
        chart.barLabels.dx = 2
    for i, (colour, _name, _v) in enumerate(drawn):
        chart.bars[i].fillColor = colors.HexColor(colour)
        chart.bars[i].strokeColor = None
    drawing.add(chart)
    _legend(drawing, label_width, height - 20, [(c, n) for c, n, _v in series])
    return drawing


def _year_bars(report: AnnualReport, era: bool) -> Drawing:
    width = content_width()
    height = 200.0
    drawing = _drawing(width, height)
    _title(drawing, _("Visitors and experts by fiscal year"))
    chart = VerticalBarChart()
    chart.x, chart.y = 40, 45
    chart.width, chart.height = width - 50, height - 95
    chart.data = [[y.visitors for y in report.years], [y.person_trips for y in report.years]]
    chart.categoryAxis.categoryNames = [i18n.fiscal_year_label(y.fiscal_year, era=era) for y in report.years]
    chart.categoryAxis.labels.fontName = GOTHIC
    chart.categoryAxis.labels.fontSize = 6.5
    if len(report.years) > 8:
        chart.categoryAxis.labels.angle = 35
        chart.categoryAxis.labels.boxAnchor = "ne"
    else:
        chart.categoryAxis.labels.boxAnchor = "n"
    chart.valueAxis.valueMin = 0
    top = max((max(series) for series in chart.data if series), default=0)
    chart.valueAxis.valueMax = max(top * 1.12, 4)
    chart.valueAxis.labels.fontName = GOTHIC
    chart.valueAxis.labels.fontSize = LABEL_FONT
    chart.valueAxis.labelTextFormat = _axis_label
    chart.valueAxis.visibleGrid = 1
    chart.valueAxis.gridStrokeColor = colors.HexColor("#DDDDDD")
    chart.valueAxis.gridStrokeWidth = 0.3
    chart.barLabelFormat = _number_label
    chart.barLabels.fontName = GOTHIC
    chart.barLabels.fontSize = 6
    chart.barLabels.boxAnchor = "s"
    chart.barLabels.dy = 1
    chart.bars[0].fillColor = colors.HexColor(SERIES_COLORS["visitors"])
    chart.bars[1].fillColor = colors.HexColor(SERIES_COLORS["experts"])
    chart.bars[0].strokeColor = chart.bars[1].strokeColor = None
    chart.groupSpacing = 4
    drawing.add(chart)
    _legend(
        drawing,
        40,
        height - 20,
        [(SERIES_COLORS["visitors"], _("Visitors")), (SERIES_COLORS["experts"], _("Experts (person-trips)"))],
    )
    return drawing


def _visitor_type_pie(report: AnnualReport) -> Drawing:
    width = content_width()
    height = 150.0
    drawing = _drawing(width, height)
    _title(drawing, _("Visitors by visitor type"))
    types = [t for t in report.visitor_types if t.visitors]
    total = sum(t.visitors for t in types) or 1
    pie = Pie()
    pie.x, pie.y = 30, 10
    pie.width = pie.height = 110
    pie.data = [t.visitors for t in types]
    pie.labels = None
    pie.slices.strokeColor = colors.white
    pie.slices.strokeWidth = 0.8
    for i in range(len(types)):
        pie.slices[i].fillColor = colors.HexColor(PIE_COLORS[i % len(PIE_COLORS)])
    drawing.add(pie)
    _legend(
        drawing,
        170,
        height - 30,
        [
            (
                PIE_COLORS[i % len(PIE_COLORS)],
                _("{type}: {visitors} ({percent})").format(
                    type=_(VISITOR_TYPE_LABELS[t.visitor_type]),
                    visitors=i18n.format_number(t.visitors),
                    percent=i18n.format_percent(t.visitors / total),
                ),
            )
            for i, t in enumerate(types)
        ],
        columns=1,
    )
    return drawing


def _side_by_side_bars(
    title: str,
    labels: Sequence[str],
    panels: Sequence[tuple[str, str, Sequence[int]]],  # (colour, panel title, values), each on its own scale
    label_width: float = 95,
) -> Drawing:
    """One horizontal bar chart per series, next to each other, with the category labels once on the left: the
    world view, where visitors (thousands) and experts (tens) need their own scales to be readable."""
    width = content_width()
    plot_height = max(13 * len(labels), 40)
    height = plot_height + 55
    drawing = _drawing(width, height)
    _title(drawing, title)
    gap = 14
    panel_width = (width - label_width - gap * len(panels)) / len(panels)
    for i, (colour, panel_title, values) in enumerate(panels):
        chart = HorizontalBarChart()
        chart.x = label_width + i * (panel_width + gap)
        chart.y = 18
        chart.width, chart.height = panel_width, plot_height
        chart.data = [list(values)]
        chart.categoryAxis.categoryNames = [_fit(text, label_width - 8) for text in labels]
        chart.categoryAxis.reverseDirection = 1
        chart.categoryAxis.labels.fontName = GOTHIC
        chart.categoryAxis.labels.fontSize = LABEL_FONT
        chart.categoryAxis.labels.boxAnchor = "e"
        chart.categoryAxis.labels.dx = -4
        chart.categoryAxis.tickLeft = 0
        chart.categoryAxis.visibleLabels = 1 if i == 0 else 0
        chart.valueAxis.valueMin = 0
        chart.valueAxis.valueMax = max(max(values, default=0) * 1.2, 4)
        chart.valueAxis.labels.fontName = GOTHIC
        chart.valueAxis.labels.fontSize = 6.5
        chart.valueAxis.labelTextFormat = _axis_label
        chart.valueAxis.visibleGrid = 1
        chart.valueAxis.gridStrokeColor = colors.HexColor("#DDDDDD")
        chart.valueAxis.gridStrokeWidth = 0.3
        chart.barWidth = 9
        chart.groupSpacing = 4
        chart.barLabelFormat = _number_label
        chart.barLabels.fontName = GOTHIC
        chart.barLabels.fontSize = 6.5
        chart.barLabels.boxAnchor = "w"
        chart.barLabels.dx = 2
        chart.bars[0].fillColor = colors.HexColor(colour)
        chart.bars[0].strokeColor = None
        drawing.add(chart)
        drawing.add(
            String(
                chart.x,
                height - 30,
                panel_title,
                fontName=GOTHIC,
                fontSize=8.5,
                fillColor=colors.HexColor(colour),
            )
        )
    return drawing


def world_chart(report: AnnualReport) -> Drawing | None:
    rows = report.world(WORLD_LIMIT)
    if not rows:
        return None
    return _side_by_side_bars(
        _("Countries and regions: visitors received and experts dispatched"),
        [country_label(c.country) for c in rows],
        [
            (SERIES_COLORS["visitors"], _("Visitors"), [c.visitors for c in rows]),
            (SERIES_COLORS["experts"], _("Experts (person-trips)"), [c.person_trips for c in rows]),
        ],
    )


def projects_chart(report: AnnualReport) -> Drawing | None:
    counts = scheme_state_counts(report)
    if not counts:
        return None
    return _horizontal_bars(
        _("Projects by scheme"),
        [name for name, *_rest in counts],
        [
            (SERIES_COLORS["active"], _(PROJECT_STATE_LABELS[ProjectState.ACTIVE]), [c[1] for c in counts]),
            (
                SERIES_COLORS["suspended"],
                _(PROJECT_STATE_LABELS[ProjectState.SUSPENDED]),
                [c[2] for c in counts],
            ),
            (SERIES_COLORS["ended"], _("Completed or cancelled"), [c[3] for c in counts]),
        ],
        stacked=True,
        label_width=150,
    )


# ---------------------------------------------------------------------------------------------------------------
# The PDF
# ---------------------------------------------------------------------------------------------------------------

CELL_FONT = 8.5


class _Line(Flowable):  # type: ignore[misc]  # reportlab ships no type hints
    """A one-line table cell (dates, codes, numbers): drawn directly, much cheaper than a Paragraph in the long
    lists of a year's visits and dispatches. Too long a text is shortened with an ellipsis."""

    def __init__(self, text: str, right: bool = False) -> None:
        super().__init__()
        self.text = text
        self.right = right
        self.avail = 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.avail = avail_width
        return avail_width, CELL_FONT * 1.35

    def draw(self) -> None:
        text = _fit(self.text, self.avail, CELL_FONT)
        self.canv.setFont(GOTHIC, CELL_FONT)
        if self.right:
            self.canv.drawRightString(self.avail, CELL_FONT * 0.35, text)
        else:
            self.canv.drawString(0, CELL_FONT * 0.35, text)


class _Grid(Flowable):  # type: ignore[misc]  # reportlab ships no type hints
    """A long ruled list (a year's visits, dispatches, stage changes, needs...) drawn straight on the canvas.

    Looks like ``pdf.table`` (shaded header repeated on every page, zebra rows, grey rules, 8.5 pt text that
    wraps) but lays out thousands of rows in linear time: each row's lines are broken once with cached character
    widths, a page takes the rows that fit (a running sum, not a new table per page) and is drawn with one text
    object. A platypus Table of 10,000 Paragraph rows took over 30 s for a scale-100 year.
    """

    PAD_X = 3.0
    PAD_Y = 2.5
    LEADING = 11.5

    def __init__(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        *,
        right: Sequence[int] = (),
        one_line: Sequence[int] = (),
        _shared: tuple[list[list[list[str]]], list[float], list[list[str]], float] | None = None,
        _span: tuple[int, int] | None = None,
    ) -> None:
        super().__init__()
        self.hAlign = "CENTER"  # like a platypus Table: as wide as the page's text, over the frame's padding
        self.widths = list(widths)
        self.right = frozenset(right)
        if _shared is None:
            self.one_line = frozenset(one_line)
            self._char_widths: dict[str, float] = {}
            self._runs: dict[str, list[tuple[int, str]]] = {}  # a line split into the font's subsets
            head = [self._lines(text, i, one_line=False) for i, text in enumerate(header)]
            cells = [[self._lines(text, i) for i, text in enumerate(row)] for row in rows]
            heights = [self._height(row) for row in cells]
            _shared = (cells, heights, head, self._height(head))
        self.cells, self.heights, self.head, self.head_height = _shared
        self.span = _span if _span is not None else (0, len(self.cells))

    # --- layout -------------------------------------------------------------------------------------------------

    def _width(self, text: str) -> float:
        cache = self._char_widths
        total = 0.0
        for ch in text:
            w = cache.get(ch)
            if w is None:
                w = cache[ch] = stringWidth(ch, GOTHIC, CELL_FONT)
            total += w
        return total

    def _lines(self, text: str, column: int, one_line: bool | None = None) -> list[str]:
        avail = self.widths[column] - 2 * self.PAD_X
        if len(text) * CELL_FONT <= avail and "\n" not in text:
            return [text]  # fits even if every character were full-width: no need to measure it
        if one_line if one_line is not None else column in self.one_line:
            text = text.replace("\n", " ")
            if self._width(text) <= avail:
                return [text]
            while text and self._width(text + "…") > avail:
                text = text[:-1]
            return [text + "…"]
        out: list[str] = []
        for paragraph in text.split("\n"):
            out.extend(self._break(paragraph, avail))
        return out or [""]

    def _break(self, text: str, avail: float) -> list[str]:
        """Greedy line breaking: anywhere between Japanese characters, at a space between Latin words."""
        if self._width(text) <= avail:
            return [text]
        cache = self._char_widths
        lines: list[str] = []
        start, width, last_space = 0, 0.0, -1
        i = 0
        while i < len(text):
            ch = text[i]
            w = cache.get(ch)
            if w is None:
                w = cache[ch] = stringWidth(ch, GOTHIC, CELL_FONT)
            if ch == " ":
                last_space = i
            if width + w > avail and i > start:
                cut = last_space + 1 if last_space > start and ch.isascii() and ch != " " else i
                lines.append(text[start:cut].rstrip())
                start, last_space = cut, -1
                width = self._width(text[start : i + 1])
            else:
                width += w
            i += 1
        lines.append(text[start:].rstrip())
        return lines

    def _height(self, row: list[list[str]]) -> float:
        return max(len(lines) for lines in row) * self.LEADING + 2 * self.PAD_Y

    def _part(self, start: int, end: int) -> _Grid:
        part = _Grid((), (), self.widths, right=tuple(self.right), _shared=(self.cells, self.heights, self.head,
                     self.head_height), _span=(start, end))  # fmt: skip
        part.one_line, part._char_widths, part._runs = self.one_line, self._char_widths, self._runs
        return part

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        start, end = self.span
        return sum(self.widths), self.head_height + sum(self.heights[start:end])

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        start, end = self.span
        room = avail_height - self.head_height
        k = start
        while k < end and room >= self.heights[k]:
            room -= self.heights[k]
            k += 1
        if k == start:
            return []  # not even one row fits: the next page
        if k == end:
            return [self]
        return [self._part(start, k), self._part(k, end)]

    # --- drawing ------------------------------------------------------------------------------------------------

    def draw(self) -> None:
        canv = self.canv
        start, end = self.span
        total_width = sum(self.widths)
        tops = [0.0]
        for h in [self.head_height, *self.heights[start:end]]:
            tops.append(tops[-1] - h)
        height = -tops[-1]
        canv.saveState()
        canv.translate(0, height)  # y = 0 at the table's top, rows downwards
        canv.setFillColor(HEADER_GREY)
        canv.rect(0, tops[1], total_width, self.head_height, stroke=0, fill=1)
        # The zebra rows and the rules are written as PDF operators here (what canv.rect and a path object
        # write, without reportlab's per-number formatting: ~40,000 numbers on a scale-100 year's lists).
        canv.setFillColor(ZEBRA_GREY)
        width_text = f"{total_width:.2f}"
        ops = [
            f"0 {tops[n + 2]:.2f} {width_text} {self.heights[index]:.2f} re f"
            for n, index in enumerate(range(start, end))
            if index % 2 == 1  # every other row of the whole list, whatever page it is on
        ]
        if ops:
            canv._code.append("\n".join(ops))
        canv.setStrokeColor(RULE_GREY)
        canv.setLineWidth(0.4)
        x = 0.0
        xs = [0.0]
        for w in self.widths:
            x += w
            xs.append(x)
        bottom = f"{tops[-1]:.2f}"
        ops = [f"0 {y:.2f} m {width_text} {y:.2f} l" for y in tops]
        ops += [f"{x:.2f} 0 m {x:.2f} {bottom} l" for x in xs]
        ops.append("S")
        canv._code.append("\n".join(ops))
        canv.setFillColor(colors.black)
        # The text of every cell in one BT ... ET block, written here rather than through a text object's
        # textOut (which measures every string again and formats each origin): a line's split into the font's
        # subsets is cached, since the same dates, types and countries come back on every page.
        font = pdfmetrics.getFont(GOTHIC)
        doc = canv._doc
        runs_of = self._runs
        fonts: dict[int, str] = {}  # subset -> its "Tf" operator
        code = ["BT"]
        subset_now = None
        baseline = self.PAD_Y + CELL_FONT * 0.95
        for n, row in enumerate([self.head, *self.cells[start:end]]):
            top = tops[n]
            for column, lines in enumerate(row):
                for i, line in enumerate(lines):
                    if not line:
                        continue
                    y = top - baseline - i * self.LEADING
                    if column in self.right and n:
                        x = xs[column + 1] - self.PAD_X - self._width(line)
                    else:
                        x = xs[column] + self.PAD_X
                    code.append(f"1 0 0 1 {x:.2f} {y:.2f} Tm")
                    runs = runs_of.get(line)
                    if runs is None:
                        runs = runs_of[line] = [
                            (subset, canv._escape(t)) for subset, t in font.splitString(line, doc)
                        ]
                    for subset, escaped in runs:
                        if subset != subset_now:
                            select_font = fonts.get(subset)
                            if select_font is None:
                                name = font.getSubsetInternalName(subset, doc)
                                select_font = fonts[subset] = f"{name} {CELL_FONT} Tf"
                            code.append(select_font)
                            subset_now = subset
                        code.append(f"({escaped}) Tj")
        code.append("ET")
        canv._code.append("\n".join(code))
        canv.restoreState()


class _Cells:
    """Table cells for the long lists: Paragraphs of one shared style for wrapping text, ``_Line`` for the rest."""

    def __init__(self) -> None:
        self.style = styles()["cell"]

    def text(self, value: str) -> Flowable:
        return Paragraph(escape(value).replace("\n", "<br/>"), self.style)

    def line(self, value: str, right: bool = False) -> Flowable:
        return _Line(value, right)


def _num(value: int) -> str:
    return _number(value, i18n.current_language())


@lru_cache(maxsize=4096)
def _number(value: int, language: str) -> str:
    return i18n.format_number(value, language=language)


def _section(title: str) -> list[Flowable]:
    return [CondPageBreak(40 * mm), para(title, "heading")]


def _cover(report: AnnualReport, era: bool, printed_on: date) -> list[Flowable]:
    width = content_width()
    story: list[Flowable] = [Spacer(1, 55 * mm), para(_("International cooperation report"), "subtitle")]
    story.append(para(period_label(report, era), "title"))
    if report.first_day is not None and report.last_day is not None:
        story.append(para(f"{day(report.first_day, era)} – {day(report.last_day, era)}", "subtitle"))
    story.append(Spacer(1, 12 * mm))
    story.append(para(headline(report), "title"))
    story.append(Spacer(1, 40 * mm))
    story.append(
        key_value_table(
            [(_("Printed"), day(printed_on, era)), (_("Prepared with"), "KawaOffice")],
            label_width=30 * mm,
            width=min(width, 100 * mm),
        )
    )
    story.append(PageBreak())
    return story


def _summary(report: AnnualReport) -> list[Flowable]:
    width = content_width()
    pairs = summary_figures(report)
    half = (len(pairs) + 1) // 2
    rows: list[list[str | Flowable]] = [[_("Figure"), _("Number"), _("Figure"), _("Number")]]
    for i in range(half):
        left = pairs[i]
        right = pairs[half + i] if half + i < len(pairs) else ("", "")
        rows.append([left[0], left[1], right[0], right[1]])
    return [
        para(_("Summary"), "heading"),
        para(headline(report), "subtitle"),
        table(rows, [0.34 * width, 0.16 * width, 0.34 * width, 0.16 * width], align_right=(1, 3)),
        Spacer(1, 2 * mm),
        para(counting_note(report), "note"),
    ]


def _country_table(report: AnnualReport) -> list[Flowable]:
    width = content_width()
    story = _section(_("Countries and regions"))
    if not report.countries:
        return [*story, para(_("No visits or dispatches in this period."))]
    rows: list[list[str | Flowable]] = [list(country_headers())]
    for c in report.countries:
        rows.append(
            [
                country_label(c.country),
                _num(c.visitors),
                _num(c.groups),
                _num(c.dispatches),
                _num(c.person_trips),
                _num(c.experts),
                _num(c.person_days),
            ]
        )
    rows.append(
        [
            _("Total"),
            _num(report.visitors),
            _num(report.groups),
            _num(report.dispatches),
            _num(report.person_trips),
            _num(report.experts),
            _num(report.person_days),
        ]
    )
    widths = [0.22 * width] + [0.13 * width] * 6
    story.append(table(rows, widths, align_right=range(1, 7)))
    story.append(
        para(
            _(
                "A group with trainees from several countries counts as a group in each of them, so the groups of "
                "the countries add up to more than the total. Different people are counted once per country and "
                "once in the total."
            ),
            "note",
        )
    )
    return story


def _charts(report: AnnualReport, era: bool) -> list[Flowable]:
    story: list[Flowable] = [PageBreak(), para(_("Charts"), "heading")]
    world = world_chart(report)
    if world is not None:
        story.append(world)
        story.append(Spacer(1, 5 * mm))
    if any(t.visitors for t in report.visitor_types):
        story.append(KeepTogether([_visitor_type_pie(report), Spacer(1, 5 * mm)]))
    if report.years:
        story.append(KeepTogether([_year_bars(report, era), Spacer(1, 5 * mm)]))
    projects = projects_chart(report)
    if projects is not None:
        story.append(KeepTogether([projects]))
    if len(story) == 2:
        story.append(para(_("No figures to chart in this period.")))
    return story


def _types_and_years(report: AnnualReport, era: bool) -> list[Flowable]:
    width = content_width()
    story = _section(_("Visitors by visitor type"))
    rows: list[list[str | Flowable]] = [[_("Visitor type"), _("Visitors"), _("Groups")]]
    for t in report.visitor_types:
        rows.append([_(VISITOR_TYPE_LABELS[t.visitor_type]), _num(t.visitors), _num(t.groups)])
    story.append(table(rows, [0.5 * width, 0.25 * width, 0.25 * width], align_right=(1, 2)))
    story += _section(_("By fiscal year"))
    rows = [year_headers()]
    for y in report.years:
        rows.append(
            [
                i18n.fiscal_year_label(y.fiscal_year, era=era),
                _num(y.visitors),
                _num(y.groups),
                _num(y.dispatches),
                _num(y.person_trips),
                _num(y.experts),
                _num(y.person_days),
            ]
        )
    story.append(table(rows, [0.22 * width] + [0.13 * width] * 6, align_right=range(1, 7)))
    return story


def move_text(e: ReportEvent) -> str:
    """A stage change as "from → to", or "stage → completed" for an end state."""
    to = loc(e.to_stage_ja, e.to_stage_en)
    if e.state != ProjectState.ACTIVE:
        label = _(PROJECT_STATE_LABELS[e.state])
        return f"{to} → {label}" if to else label
    frm = loc(e.from_stage_ja, e.from_stage_en)
    return f"{frm} → {to}" if frm else to


def _projects(report: AnnualReport, era: bool) -> list[Flowable]:
    width = content_width()
    story = _section(_("Project progress"))
    if not report.schemes:
        return [*story, para(_("No projects in this period."))]
    rows: list[list[str | Flowable]] = [
        [
            _("Scheme"),
            _("Stage at the end of the period"),
            pgettext("report", "Projects"),
            _("of them active"),
        ]
    ]
    for s in report.schemes:
        for i, st in enumerate(s.stages):
            rows.append(
                [
                    loc(s.name_ja, s.name_en) if i == 0 else "",
                    loc(st.name_ja, st.name_en) or _("(no stage)"),
                    _num(st.projects),
                    _num(st.active),
                ]
            )
    story.append(table(rows, [0.36 * width, 0.4 * width, 0.12 * width, 0.12 * width], align_right=(2, 3)))
    story += _section(_("Stage changes"))
    if not report.stage_changes:
        story.append(para(_("No stage changes.")))
        return story
    story.append(
        _Grid(
            [_("Date"), _("Project"), _("Move")],
            [
                [
                    day(e.occurred_on, era),
                    f"{loc(e.project_title_ja, e.project_title_en)}\n{e.project_code}",
                    move_text(e),
                ]
                for e in report.stage_changes
            ],
            [0.16 * width, 0.46 * width, 0.38 * width],
            one_line=(0,),
        )
    )
    return story


def _members_and_needs(report: AnnualReport, era: bool) -> list[Flowable]:
    width = content_width()
    story = _section(_("Member companies' participation"))
    if report.members:
        story.append(
            _Grid(
                list(member_headers()),
                [
                    [
                        loc(m.name_ja, m.name_en),
                        _num(m.projects),
                        _num(m.missions),
                        _num(m.presentations),
                        _num(m.total),
                    ]
                    for m in report.members
                ],
                [0.44 * width, 0.14 * width, 0.14 * width, 0.14 * width, 0.14 * width],
                right=(1, 2, 3, 4),
                one_line=(1, 2, 3, 4),
            )
        )
    else:
        story.append(para(_("No member company took part in this period.")))
    story += _section(_("Local needs"))
    needs = report.needs
    story.append(
        para(
            _(
                "Needs recorded: {recorded} (passed on to the members so far: {passed}). "
                "Passed on during the period: {passed_in_period}."
            ).format(
                recorded=_num(needs.recorded),
                passed=_num(needs.recorded_passed_on),
                passed_in_period=_num(needs.passed_on),
            )
        )
    )
    if needs.needs:
        story.append(
            _Grid(
                [_("Learnt on"), _("Country"), _("Need"), _("Passed on")],
                [
                    [day(n.learned_on, era), country_label(n.country), n.topic, day(n.passed_on, era) or "—"]
                    for n in needs.needs
                ],
                [0.17 * width, 0.17 * width, 0.49 * width, 0.17 * width],
                one_line=(0, 3),
            )
        )
    return story


def _lists(report: AnnualReport, era: bool) -> list[Flowable]:
    if report.fiscal_year is None:
        return []
    width = content_width()
    story = _section(_("Visits of the year"))
    if report.visits:
        story.append(
            _Grid(
                [_("Date"), _("Code"), _("Group"), _("Country"), _("Visitor type"), _("People")],
                [
                    [
                        day(v.visit_date, era),
                        v.code,
                        loc(v.group_name, v.group_name_en),
                        visit_country_text(report, v),
                        _(VISITOR_TYPE_LABELS[v.visitor_type]),
                        _num(v.headcount),
                    ]
                    for v in report.visits
                ],
                [0.15 * width, 0.17 * width, 0.29 * width, 0.16 * width, 0.15 * width, 0.08 * width],
                right=(5,),
                one_line=(0, 1, 4, 5),
            )
        )
    else:
        story.append(para(_("No visits in this period.")))
    story += _section(_("Dispatches of the year"))
    if report.dispatch_list:
        english = i18n.current_language() != "ja"
        story.append(
            _Grid(
                [
                    _("Dates"),
                    _("Code"),
                    pgettext("report", "Dispatch"),
                    _("Country"),
                    _("Purpose"),
                    _("Members"),
                ],
                [
                    [
                        f"{day(d.departure_on, era)}\n– {day(d.return_on, era)}",
                        d.code,
                        loc(d.title, d.title_en),
                        country_label(d.country),
                        _(DISPATCH_PURPOSE_LABELS[d.purpose]),
                        "\n".join(d.members_en if english else d.members),
                    ]
                    for d in report.dispatch_list
                ],
                [0.16 * width, 0.17 * width, 0.22 * width, 0.15 * width, 0.13 * width, 0.17 * width],
                one_line=(1, 3, 4),
            )
        )
        story.append(
            para(_("Dispatches abroad during the year, including those that left the year before."), "note")
        )
    else:
        story.append(para(_("No dispatches in this period.")))
    return story


def build_annual_report_pdf(
    dest: Path | BinaryIO,
    report: AnnualReport,
    *,
    era: bool = False,
    printed_on: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> None:
    """A4 portrait: cover with the headline, summary figures, countries and regions, charts, visitor types and
    fiscal years, project progress, member companies and local needs, and (for a fiscal year) the lists of the
    year's visits and dispatches."""
    with collections_paused():  # tens of thousands of cells, strings and PDF operators
        _build_pdf(dest, report, era=era, printed_on=printed_on, progress=progress)


def _build_pdf(
    dest: Path | BinaryIO,
    report: AnnualReport,
    *,
    era: bool,
    printed_on: date | None,
    progress: Callable[[str], None] | None,
) -> None:
    register_fonts()
    title = report_title(report, era)
    story: list[Flowable] = []
    story += _cover(report, era, printed_on or date.today())
    story += _summary(report)
    story += _country_table(report)
    story += _charts(report, era)
    story += _types_and_years(report, era)
    story += _projects(report, era)
    story += _members_and_needs(report, era)
    story += _lists(report, era)
    if progress is not None:
        progress(_("Laying out the pages..."))
    build_pdf(dest, story, title=title, subject=headline(report), language=i18n.current_language())
