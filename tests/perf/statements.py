"""The SQL statements a piece of UI work sends, for the query-count tests."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QApplication
from sqlalchemy.engine import Engine

from tests.statements import recorded_statements


def sent_statements(engine: Engine, work: Callable[[], object]) -> list[str]:
    """Run ``work`` and one round of Qt events; the statements ``engine`` sent meanwhile, in order."""
    with recorded_statements(engine) as sent:
        work()
        QApplication.processEvents()
    return sent
