"""The reportlab base every printed document uses: embedded IPAex fonts, A4 pages, styles, tables, page numbers.

Japanese text needs a font with Japanese glyphs embedded in the PDF (a PC without it would show boxes or substitute
another font), so the bundled IPAex TrueType fonts are registered and subset-embedded. Paragraphs use reportlab's
CJK word wrap, which breaks Japanese lines between any two characters and English lines at spaces.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.pagesizes import landscape as landscape_size
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from kawaoffice import APP_NAME, i18n, paths
from kawaoffice.i18n import _

__all__ = [
    "GOTHIC",
    "MARGIN",
    "MINCHO",
    "build_pdf",
    "content_width",
    "key_value_table",
    "mm",
    "para",
    "register_fonts",
    "styles",
    "table",
]

GOTHIC = "IPAexGothic"
MINCHO = "IPAexMincho"
MARGIN = 15 * mm
HEADER_GREY = colors.HexColor("#E4E9F0")
ZEBRA_GREY = colors.HexColor("#F6F7F9")
RULE_GREY = colors.HexColor("#9AA3AE")

# Page streams are only Flate-compressed, not also ASCII85-encoded: reportlab's pure-Python ASCII85 encoder took
# ~0.25 s of CPU on the 400-page annual report, and the binary streams make that file 17 % smaller.
rl_config.useA85 = 0

_FONT_FILES = {GOTHIC: "ipaexg.ttf", MINCHO: "ipaexm.ttf"}
_lock = threading.Lock()


def register_fonts() -> None:
    """Register the bundled IPAex fonts with reportlab (once per process; safe from worker threads)."""
    with _lock:
        registered = set(pdfmetrics.getRegisteredFontNames())
        for name, filename in _FONT_FILES.items():
            if name not in registered:
                pdfmetrics.registerFont(TTFont(name, str(paths.fonts_dir() / filename)))


def styles() -> dict[str, ParagraphStyle]:
    """Paragraph styles by name; every one uses an IPAex font and CJK word wrap. Built once (a table of a thousand
    cells asks for them a thousand times); treat the styles as read-only, derive a new ParagraphStyle to change one."""
    return dict(_styles())


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("body", fontName=GOTHIC, fontSize=9.5, leading=14, wordWrap="CJK")
    cell = ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11.5)
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=17, leading=23, spaceAfter=4 * mm),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=11, leading=15, spaceAfter=3 * mm),
        "heading": ParagraphStyle(
            "heading", parent=base, fontSize=12, leading=16, spaceBefore=4 * mm, spaceAfter=2 * mm
        ),
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11),
        "note": ParagraphStyle(
            "note", parent=base, fontSize=8, leading=11, textColor=colors.HexColor("#555555")
        ),
        "cell": cell,
        "cell_bold": ParagraphStyle("cell_bold", parent=cell, textColor=colors.black, fontName=GOTHIC),
        "cell_right": ParagraphStyle("cell_right", parent=cell, alignment=TA_RIGHT),
        "cell_center": ParagraphStyle("cell_center", parent=cell, alignment=TA_CENTER),
        "mincho": ParagraphStyle("mincho", parent=base, fontName=MINCHO),
    }


def para(text: str, style: str = "body") -> Paragraph:
    """A paragraph of plain text: markup characters are escaped and line breaks kept."""
    return Paragraph(escape(text or "").replace("\n", "<br/>"), styles()[style])


def content_width(landscape: bool = False) -> float:
    """The width between the margins of an A4 page, in points."""
    width = landscape_size(A4)[0] if landscape else A4[0]
    return float(width - 2 * MARGIN)


def table(
    rows: Sequence[Sequence[str | Flowable]],
    col_widths: Sequence[float] | None = None,
    *,
    header_rows: int = 1,
    zebra: bool = True,
    align_right: Sequence[int] = (),
    style: str = "cell",
) -> Table:
    """A ruled table: text cells wrap, header rows are shaded and repeated on every page."""
    right = set(align_right)

    def cell(value: str | Flowable, row: int, column: int) -> Flowable:
        if not isinstance(value, str):
            return value
        name = "cell_bold" if row < header_rows else ("cell_right" if column in right else style)
        return para(value, name)

    data = [[cell(v, r, c) for c, v in enumerate(row)] for r, row in enumerate(rows)]
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), GOTHIC, 8.5),
        ("GRID", (0, 0), (-1, -1), 0.4, RULE_GREY),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if header_rows:
        commands.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), HEADER_GREY))
    if zebra:
        for r in range(header_rows + 1, len(data), 2):
            commands.append(("BACKGROUND", (0, r), (-1, r), ZEBRA_GREY))
    result = Table(data, colWidths=list(col_widths) if col_widths else None, repeatRows=header_rows)
    result.setStyle(TableStyle(commands))
    return result


def key_value_table(
    pairs: Sequence[tuple[str, str | Flowable]], label_width: float = 35 * mm, width: float | None = None
) -> Table:
    """A two-column block of labels and values (document headers: group, date, members...)."""
    sheet = styles()
    data = [
        [para(label, "cell_bold"), value if not isinstance(value, str) else Paragraph(
            escape(value).replace("\n", "<br/>"), sheet["cell"])]
        for label, value in pairs
    ]  # fmt: skip
    total = width if width is not None else content_width()
    result = Table(data, colWidths=[label_width, total - label_width])
    result.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), GOTHIC, 8.5),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (0, -1), HEADER_GREY),
                ("GRID", (0, 0), (-1, -1), 0.4, RULE_GREY),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    return result


def _numbered_canvas(header: str, printed: str) -> type[Canvas]:
    """A canvas class that draws the running header and "page n / N" once the page count is known."""

    class NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab ships no type hints
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            width, height = self._pagesize
            self.saveState()
            self.setFont(GOTHIC, 7.5)
            self.setFillColor(colors.HexColor("#555555"))
            self.drawString(MARGIN, height - MARGIN + 5 * mm, header)
            self.drawRightString(width - MARGIN, height - MARGIN + 5 * mm, APP_NAME)
            self.setStrokeColor(RULE_GREY)
            self.setLineWidth(0.4)
            self.line(MARGIN, height - MARGIN + 3.5 * mm, width - MARGIN, height - MARGIN + 3.5 * mm)
            self.drawString(MARGIN, MARGIN - 8 * mm, printed)
            page = _("page {page} / {pages}").format(page=self._pageNumber, pages=total)
            self.drawRightString(width - MARGIN, MARGIN - 8 * mm, page)
            self.restoreState()

    return NumberedCanvas


def build_pdf(
    dest: Path | BinaryIO,
    story: list[Flowable],
    *,
    title: str,
    subject: str = "",
    header: str = "",
    landscape: bool = False,
    language: str | None = None,
) -> None:
    """Lay ``story`` out on A4 pages and write the PDF to ``dest`` (a path or a binary file object)."""
    register_fonts()
    pagesize = landscape_size(A4) if landscape else A4
    target: str | BinaryIO = str(dest) if isinstance(dest, Path) else dest
    doc = SimpleDocTemplate(
        target,
        pagesize=pagesize,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        subject=subject,
        author=APP_NAME,
        creator=APP_NAME,
        lang=language or i18n.current_language(),
        initialFontName=GOTHIC,  # otherwise an unembedded Helvetica is listed in the PDF's fonts
        initialFontSize=9.5,
        initialLeading=14,
    )
    printed = _("Printed {date}").format(date=i18n.format_date(date.today()))
    doc.build(story, canvasmaker=_numbered_canvas(header or title, printed))
