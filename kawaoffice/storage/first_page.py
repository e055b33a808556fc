"""The partner directory's first page read with the plain DB-API driver (stdlib ``sqlite3``, or ``psycopg``), for
the start-up preview (issue 10): the main window is shown with these rows before SQLAlchemy, the models and the
real Partners tab are imported, which then replace the preview with the same rows.

It reads exactly what ``services.partner_search.open_list`` reads for the unfiltered list (the count, the first
``limit`` organizations in the order of the stored, indexed sort key ``sort_ja`` / ``sort_en`` with ties broken by
id, each with its latest membership status and its technologies by code), in one statement, and the database's
``alembic_version``: the preview is used only on a database at the scripts' head (anything to upgrade takes the
normal path). ``tests/storage/test_first_page.py`` compares it with the service on SQLite and PostgreSQL.

Nothing here imports SQLAlchemy; a database this cannot read (not a file, not KawaOffice's, locked, damaged) gives
``None`` or raises, and the caller takes the normal path.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from kawaoffice.storage.revisions import MIGRATIONS_DIR, light_revision_graph

log = logging.getLogger(__name__)

ENV_VAR = "KAWAOFFICE_DATABASE_URL"  # the same as kawaoffice.storage.database.ENV_VAR (tested)
SUPPORTED_LANGUAGES = ("ja", "en")


@dataclass(frozen=True)
class PreviewRow:
    """One organization of the list, with the fields of ``services.overview.PartnerRow`` (plain strings)."""

    id: int
    kind: str
    name_ja: str
    name_kana: str
    name_en: str
    country: str
    member_status: str | None
    technologies: tuple[str, ...]
    technologies_en: tuple[str, ...]


@dataclass(frozen=True)
class FirstPage:
    total: int  # organizations in the directory
    rows: list[PreviewRow]
    revision: str | None  # the database's alembic_version (None: not stamped)


# {sort} is sort_ja or sort_en (chosen from two literals, never from input); {p} the driver's placeholder
_SQL = """
WITH page AS (
    SELECT id, kind, name_ja, name_kana, name_en, country, {sort} AS sort
    FROM organizations ORDER BY {sort}, id LIMIT {p}
)
SELECT page.id, page.kind, page.name_ja, page.name_kana, page.name_en, page.country, page.sort,
       (SELECT m.status FROM memberships m WHERE m.organization_id = page.id
        ORDER BY m.joined_on DESC, m.id DESC LIMIT 1) AS status,
       t.code, t.name_ja AS tech_ja, t.name_en AS tech_en,
       (SELECT count(*) FROM organizations) AS total,
       (SELECT max(version_num) FROM alembic_version) AS revision
FROM page
LEFT JOIN organization_technologies ot ON ot.organization_id = page.id
LEFT JOIN technologies t ON t.id = ot.technology_id
UNION ALL
SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       (SELECT count(*) FROM organizations), (SELECT max(version_num) FROM alembic_version)
"""


def _rows(result: list[tuple[Any, ...]]) -> FirstPage:
    total = 0
    revision: str | None = None
    found: dict[int, tuple[tuple[Any, ...], list[tuple[str, str, str]]]] = {}
    for r in result:
        oid, _kind, _ja, _kana, _en, _country, _sort, _status, code, tech_ja, tech_en, count, rev = r
        total, revision = int(count or 0), rev
        if oid is None:  # the line that is there even when the directory is empty
            continue
        entry = found.setdefault(int(oid), (r, []))
        if tech_ja is not None:
            entry[1].append((code, tech_ja, tech_en or tech_ja))
    rows: list[PreviewRow] = []
    for r, techs in sorted(found.values(), key=lambda f: (f[0][6], f[0][0])):
        techs.sort()
        rows.append(
            PreviewRow(
                id=int(r[0]),
                kind=str(r[1]),
                name_ja=r[2],
                name_kana=r[3],
                name_en=r[4],
                country=r[5],
                member_status=str(r[7]) if r[7] is not None else None,
                technologies=tuple(t[1] for t in techs),
                technologies_en=tuple(t[2] for t in techs),
            )
        )
    return FirstPage(total, rows, revision)


def _sql(language: str, placeholder: str) -> str:
    if language not in SUPPORTED_LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    return _SQL.format(sort="sort_ja" if language == "ja" else "sort_en", p=placeholder)


def read_sqlite(path: Path, language: str, limit: int) -> FirstPage:
    """The first page of the SQLite file at ``path``, opened read-only (nothing is written, no file created)."""
    import sqlite3

    if not path.is_file():
        raise FileNotFoundError(path)
    uri = path.resolve().as_uri().replace("file://", "file:", 1) + "?mode=ro"
    connection = sqlite3.connect(uri, uri=True, timeout=2.0)
    try:
        return _rows(connection.execute(_sql(language, "?"), (limit,)).fetchall())
    finally:
        connection.close()


def read_postgresql(url: str, language: str, limit: int) -> FirstPage:
    """The first page of the PostgreSQL database at ``url`` (``postgresql[+psycopg]://user:password@host:port/db``;
    the password must be in the URL)."""
    import psycopg

    parts = urlsplit(url)
    connection = psycopg.connect(
        host=parts.hostname or None,
        port=parts.port or None,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        dbname=unquote(parts.path.lstrip("/")) or None,
        autocommit=True,
        connect_timeout=5,
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(_sql(language, "%s").encode(), (limit,))
            return _rows(cursor.fetchall())
    finally:
        connection.close()


def read_first_page(url: str, language: str, limit: int) -> FirstPage:
    """The first page of the database at ``url`` (a SQLite URL or file path, or a PostgreSQL URL)."""
    path = sqlite_file_of(url)
    if path is not None:
        return read_sqlite(path, language, limit)
    if url.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
        return read_postgresql(url, language, limit)
    raise ValueError("not a SQLite file or PostgreSQL URL")


def sqlite_file_of(url: str) -> Path | None:
    """The file of a plain SQLite URL or path, as ``storage.database`` resolves it; ``None`` for anything else or
    anything unusual (query arguments, escapes, in-memory): the caller then takes the normal path."""
    if "://" not in url:
        return Path(os.path.abspath(os.path.expanduser(url))) if url else None
    if not url.startswith("sqlite:///") or "?" in url or "%" in url:
        return None
    database = url[len("sqlite:///") :]
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def light_database_url(cli_url: str | None, stored_url: str | None, default_path: Path) -> str:
    """``storage.database.resolve_database_url`` without SQLAlchemy: ``--database``, else the environment, else the
    stored setting, else the local default (the candidate is returned as given; ``sqlite_file_of`` reads it)."""
    for candidate in (cli_url, os.environ.get(ENV_VAR), stored_url):
        if candidate:
            return candidate
    return f"sqlite:///{default_path}"


def head_revision() -> str | None:
    """The migration scripts' head (``None`` when only Alembic could tell)."""
    graph = light_revision_graph(MIGRATIONS_DIR)
    return graph[0] if graph is not None else None


@dataclass(frozen=True)
class PreviewSource:
    """A database the start-up preview can read: its URL, the place shown in the window title, and whether it is the
    office's shared database (PostgreSQL) or a local file."""

    url: str
    location: str
    shared: bool = False


def preview_source(url: str) -> PreviewSource | None:
    """The database at ``url`` as the start-up preview reads it, or ``None`` when it takes the normal path."""
    path = sqlite_file_of(url)
    if path is None:
        return None
    return PreviewSource(url, str(path))


class PendingPreview:
    """The first page being read (``begin_preview``); ``result()`` gives it, or ``None`` for the normal path."""

    def __init__(self, source: PreviewSource, language: str, limit: int) -> None:
        self.source = source
        self._page = read_preview(source.url, language, limit)

    def result(self) -> FirstPage | None:
        return self._page


def begin_preview(source: PreviewSource, language: str, limit: int) -> PendingPreview:
    """Start reading the first page of ``source`` (called before Qt starts; ``result()`` is asked for once the
    Qt application is up)."""
    return PendingPreview(source, language, limit)


def read_preview(url: str, language: str, limit: int) -> FirstPage | None:
    """The first page of a local SQLite database at the scripts' head, or ``None`` (anything else, or any error:
    logged) so that the caller opens the database the normal way. PostgreSQL is not previewed at start-up yet: its
    password comes from the credential store, whose look-up costs as much as the preview saves."""
    path = sqlite_file_of(url)
    if path is None or not path.is_file():
        return None
    try:
        head = head_revision()
        page = read_sqlite(path, language, limit)
    except Exception as exc:  # a locked, damaged or foreign file: the normal path says what is wrong
        log.info("no start-up preview of %s: %s", path, exc)
        return None
    if head is None or page.revision != head:
        log.info("no start-up preview: the database is at %s, the scripts at %s", page.revision, head)
        return None
    return page
