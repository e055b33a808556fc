"""What every ``kawaoffice-cli`` command shares: the context (arguments, output, database), one-line errors,
text tables that line up with Japanese (full-width) characters, JSON-friendly values and the common options."""

from __future__ import annotations

import argparse
import enum
import getpass
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, TextIO, TypeVar

from sqlalchemy.orm import Session

from kawaoffice.i18n import _
from kawaoffice.services import users
from kawaoffice.settings import Settings
from kawaoffice.storage import Database, open_database, resolve_database_url

MAX_CELL_WIDTH = 48
T = TypeVar("T")


class CliError(Exception):
    """A problem to report as one line (already translated)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------------------------------------------
# Text tables that line up with Japanese (full-width) characters
# ---------------------------------------------------------------------------------------------------------------


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: 2 for East Asian wide/full-width characters, 0 for combining marks."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def truncate(text: str, limit: int) -> str:
    if display_width(text) <= limit:
        return text
    out, width = [], 0
    for ch in text:
        w = display_width(ch)
        if width + w > limit - 1:
            break
        out.append(ch)
        width += w
    return "".join(out) + "…"


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    cells = [[truncate(" ".join(c.split()), MAX_CELL_WIDTH) for c in row] for row in rows]
    widths = [display_width(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], display_width(cell))
    lines = ["  ".join(pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend("  ".join(pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells)
    return "\n".join(lines)


def plain(value: Any) -> Any:
    """A JSON-friendly value: enum values, ISO dates, lists for tuples."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


class Context:
    def __init__(self, args: argparse.Namespace, out: TextIO, err: TextIO, language: str) -> None:
        self.args = args
        self.out = out
        self.err = err
        self.language = language
        settings = Settings.load()
        self.url = resolve_database_url(getattr(args, "database", None), settings.database_url)
        self.user = settings.user_name or login_name()

    def open(self, *, upgrade: bool) -> Database:
        """Open the database as the acting user; when it is (brought) up to date, register the user like the app
        does (the first user of a new database is its admin), so the services apply that user's role."""
        db = open_database(self.url, self.user, upgrade=upgrade)
        if upgrade and self.user:
            try:
                with db.session() as session:
                    users.ensure_user(session, self.user)
            except BaseException:
                db.dispose()
                raise
        return db

    def in_session(self, work: Callable[[Session], T]) -> T:
        """Open the database (upgrading it), run ``work`` in one committed session, close the database.

        Service errors propagate: ``main`` prints their translated message as one line."""
        db = self.open(upgrade=True)
        try:
            with db.session() as session:
                return work(session)
        finally:
            db.dispose()

    def print(self, text: str = "") -> None:
        print(text, file=self.out)


def login_name() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (some containers / services)
        return ""


def add_common(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """``--database`` and ``--lang``, accepted before the command (``top``) and after it."""
    default: Any = None if top else argparse.SUPPRESS
    parser.add_argument(
        "--database", metavar="URL", default=default,
        help=_("database URL or SQLite file (default: KAWAOFFICE_DATABASE_URL, then the stored setting)"),
    )  # fmt: skip
    parser.add_argument(
        "--lang", choices=("ja", "en"), default=default, help=_("language of messages and output")
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", default=default, help=_("log progress details")
    )


def non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("not a number: {value}").format(value=text)) from None
    if value < 0:
        raise argparse.ArgumentTypeError(_("must not be negative: {value}").format(value=text))
    return value
