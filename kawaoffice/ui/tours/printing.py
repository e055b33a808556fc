"""Print a reportlab PDF (the same document as "save as PDF") through Qt: preview, printer, or a PDF printer."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter


def paint_pdf(data: bytes, printer: QPrinter) -> int:
    """Render every page of the PDF ``data`` onto ``printer`` (at its resolution); returns the page count."""
    array = QByteArray(data)
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    pages = document.pageCount()
    painter = QPainter()
    if not painter.begin(printer):
        document.close()
        return 0
    try:
        dpi = printer.resolution()
        for index in range(pages):
            if index:
                printer.newPage()
            points = document.pagePointSize(index)
            size = QSize(int(points.width() / 72 * dpi), int(points.height() / 72 * dpi))
            image = document.render(index, size)
            target = painter.viewport()
            scaled = size.scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(0, 0, image.scaled(scaled, mode=Qt.TransformationMode.SmoothTransformation))
    finally:
        painter.end()
        document.close()
        buffer.close()
    return pages
