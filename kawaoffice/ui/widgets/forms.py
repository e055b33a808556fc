"""Pieces every edit dialog shares: the red message label that says why a save was refused."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

ERROR_COLOR = "#c62828"
ERROR_STYLE = f"color: {ERROR_COLOR};"


def error_label(parent: QWidget) -> QLabel:
    """A word-wrapped red label (object name ``error``) for a dialog's validation message."""
    label = QLabel(parent)
    label.setObjectName("error")
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    return label


def ask_yes_no(parent: QWidget, title: str, question: str) -> bool:
    """A Yes/No question (used before deleting); tabs keep it in a ``confirm`` attribute that tests replace."""
    return QMessageBox.question(parent, title, question) == QMessageBox.StandardButton.Yes
