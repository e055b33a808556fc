"""Recording the SQL statements a piece of work sends (a SQLAlchemy ``before_cursor_execute`` listener), for the
tests that keep a screen's or a reader's statement count from growing with the data."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session


@contextmanager
def recorded_statements(bind: Engine | Session) -> Iterator[list[str]]:
    """The statements sent through ``bind`` (an engine, or a session's engine) inside the block, in order."""
    engine = bind.get_bind() if isinstance(bind, Session) else bind
    sent: list[str] = []

    def listen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def statements_of(bind: Engine | Session, work: Callable[[], object]) -> list[str]:
    """The statements ``work()`` sends through ``bind``."""
    with recorded_statements(bind) as sent:
        work()
    return sent
