"""The SQL statements a piece of UI work sends, for the query-count tests (a SQLAlchemy event listener)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QApplication
from sqlalchemy import event
from sqlalchemy.engine import Engine


def sent_statements(engine: Engine, work: Callable[[], object]) -> list[str]:
    """Run ``work`` and one round of Qt events; the statements ``engine`` sent meanwhile, in order."""
    sent: list[str] = []

    def listen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        work()
        QApplication.processEvents()
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return sent
