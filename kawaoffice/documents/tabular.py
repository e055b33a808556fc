"""Spreadsheet exports (XLSX with openpyxl, CSV) that Japanese Excel opens correctly and safely.

- CSV is UTF-8 *with* a byte-order mark and CRLF line ends: without the BOM, Japanese Excel reads UTF-8 as CP932
  and shows mojibake.
- Text cells that start with ``= + - @`` (or a tab / carriage return) are prefixed with ``'`` so a spreadsheet
  never runs them as formulas (CSV/formula injection, OWASP). openpyxl would otherwise even store a string that
  starts with ``=`` as a formula.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

__all__ = ["Sheet", "neutralize", "write_csv", "write_xlsx"]

_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
_MAX_WIDTH = 60
_ILLEGAL = {chr(c) for c in range(32) if chr(c) not in "\t\n\r"}  # control characters XLSX cannot hold


def neutralize(value: object) -> object:
    """``value`` made safe for a spreadsheet cell: text that a spreadsheet would run as a formula gets a ``'``."""
    if isinstance(value, str) and value.startswith(_DANGEROUS_START):
        return "'" + value
    return value


def _csv_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list | tuple):
        return "; ".join(_csv_text(v) for v in value)
    return str(neutralize(str(value)))


def write_csv(dest: Path | BinaryIO, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Write a CSV file: UTF-8 with BOM, CRLF, a header row, every text cell neutralised."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_text(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_text(v) for v in row])
    data = buffer.getvalue().encode("utf-8-sig")
    if isinstance(dest, Path):
        dest.write_bytes(data)
    else:
        dest.write(data)


@dataclass
class Sheet:
    """One worksheet: a title (31 characters at most in Excel), a header row and the rows."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[object]]
    number_formats: Mapping[int, str] = field(default_factory=dict)  # column index -> Excel number format


def _text_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _xlsx_value(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo is not None else value
    if isinstance(value, bool | int | float | date):
        return value
    if isinstance(value, list | tuple):
        value = "\n".join(str(v) for v in value)
    text = "".join(ch for ch in str(value) if ch not in _ILLEGAL)
    return neutralize(text)


def _sheet_title(title: str, used: set[str]) -> str:
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in title).strip() or "Sheet"
    clean = clean[:31]
    candidate, n = clean, 2
    while candidate in used:
        suffix = f" ({n})"
        candidate = clean[: 31 - len(suffix)] + suffix
        n += 1
    used.add(candidate)
    return candidate


def write_xlsx(dest: Path | BinaryIO, sheets: Sequence[Sheet]) -> None:
    """Write an XLSX workbook: bold frozen header row with a filter, widths from the content, real dates."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="E4E9F0")
    for sheet in sheets:
        ws = book.create_sheet(_sheet_title(sheet.title, used))
        ws.append([_xlsx_value(h) for h in sheet.headers])
        for cell in ws[1]:
            cell.font = header_font
            cell.fill = header_fill
            cell.alignment = Alignment(vertical="top")
        widths = [_text_width(str(h)) for h in sheet.headers]
        for row in sheet.rows:
            values = [_xlsx_value(v) for v in row]
            ws.append(values)
            for i, value in enumerate(values):
                if i >= len(widths):
                    widths.append(0)
                if isinstance(value, datetime):
                    shown = 16
                elif isinstance(value, date):
                    shown = 10
                else:
                    shown = max((_text_width(line) for line in str(value or "").split("\n")), default=0)
                widths[i] = max(widths[i], shown)
        for row_cells in ws.iter_rows(min_row=2):
            for i, cell in enumerate(row_cells):
                if i in sheet.number_formats:
                    cell.number_format = sheet.number_formats[i]
                elif isinstance(cell.value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
                if isinstance(cell.value, str) and "\n" in cell.value:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 6), _MAX_WIDTH)
        ws.freeze_panes = "A2"
        if sheet.headers:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.headers))}{max(ws.max_row, 1)}"
    if not sheets:
        book.create_sheet("Sheet")
    target: str | BinaryIO = str(dest) if isinstance(dest, Path) else dest
    book.save(target)
