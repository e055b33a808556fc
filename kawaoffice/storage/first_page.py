"""The partner directory's first page read with the plain driver (stdlib ``sqlite3``, or libpq through
``storage.libpq``), for the start-up preview (issue 10): the main window is shown with these rows before
SQLAlchemy, the models and the real Partners tab are imported, which then replace the preview with the same rows.

It reads exactly what ``services.partner_search.open_list`` reads for the unfiltered list (the count, the first
``limit`` organizations in the order of the stored, indexed sort key ``sort_ja`` / ``sort_en`` with ties broken by
id, each with its latest membership status and its technologies by code), in one statement, and the database's
``alembic_version``: the preview is used only on a database at the scripts' head (anything to upgrade takes the
normal path). ``tests/storage/test_first_page.py`` compares it with the service on SQLite and PostgreSQL.

Nothing here imports SQLAlchemy; a database this cannot read (not a file, not KawaOffice's, locked, damaged) gives
``None`` or raises, and the caller takes the normal path.

The office's shared PostgreSQL database is read by a reader process started before Qt (``begin_preview``,
``storage.first_page_reader``): importing keyring (and its store's discovery), loading libpq (not psycopg: ~0.18 s
less), the login and the round trips run on another core while this process imports PySide6 and starts Qt (in a
thread, that Python work would share the interpreter lock with the UI thread: ~0.3 s more before the window on the
Linux benchmark machine). The entry point (``kawaoffice.launch``) starts it earlier still, before the app has
imported its modules and read its settings; it is given its request (libpq's keywords, the statement) by
``begin_preview``.
``PendingPreview.result()`` waits for it at most ``SERVER_WAIT_S`` and then stops it: a server that does not answer
delays the normal path (which shows the offline banner or asks for the password, as before) by about a second. The
password comes from the URL or the credential store only, as the normal path finds it (``storage.credentials``); the
preview never asks for one, and it stays in the reader process (a URL's own reaches it through a pipe).
"""

from __future__ import annotations

import logging
import os
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import unquote

from kawaoffice.storage.revisions import MIGRATIONS_DIR, light_revision_graph

if TYPE_CHECKING:
    import subprocess

log = logging.getLogger(__name__)

ENV_VAR = "KAWAOFFICE_DATABASE_URL"  # the same as kawaoffice.storage.database.ENV_VAR (tested)
SUPPORTED_LANGUAGES = ("ja", "en")


# (named tuples, not dataclasses: setting up these four classes as frozen dataclasses took ~3 ms of every start,
# before the window; a named tuple ~0.15 ms)
class PreviewRow(NamedTuple):
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


class FirstPage(NamedTuple):
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
    for r, techs in sorted(found.values(), key=lambda f: (f[0][6], int(f[0][0]))):
        techs.sort()
        rows.append(
            PreviewRow(
                id=int(r[0]),
                kind=str(r[1]),  # (the reader process sends every value as the server's text)
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


SERVER_SCHEMES = ("postgresql", "postgresql+psycopg", "postgres")

# SQLAlchemy's URL pattern (sqlalchemy.engine.url._parse_url) without the query part: the same user, password,
# host, port and database as the normal path connects with (tests/storage/test_first_page.py compares them).
# Compiled when first used (through re's cache): a local file's start does not need them.
_SERVER_URL = r"""(?P<scheme>[\w+]+)://
        (?:(?P<user>[^:/]*)(?::(?P<password>[^@]*))?@)?
        (?:(?:\[(?P<ipv6host>[^/?]+)\]|(?P<ipv4host>[^/:?]+))?(?::(?P<port>[^/?]*))?)?
        (?:/(?P<database>[^?]*))?$"""
_HOST_NAME = r"[A-Za-z0-9._-]+"


class ServerAddress(NamedTuple):
    """Where a PostgreSQL URL connects to (``password`` only when the URL has one)."""

    user: str | None
    password: str | None
    host: str | None
    port: int | None
    database: str | None

    @property
    def display_name(self) -> str:
        """As ``storage.database.display_name_of`` shows it (the real window's title): never the password."""
        user = f"{self.user}@" if self.user else ""
        port = f":{self.port}" if self.port else ""
        return f"{user}{self.host or 'localhost'}{port}/{self.database or ''}"

    @property
    def credential_key(self) -> str:
        from kawaoffice.storage.credentials import key_of

        return key_of(self.user, self.host, self.port, self.database)


def server_address_of(url: str) -> ServerAddress | None:
    """The server of a plain PostgreSQL URL (the psycopg driver), or ``None`` for anything else or anything the
    light reader does not understand: query options (``sslmode``, ``host`` of a socket...), several hosts, a
    fragment, a second ``@``, another driver, a port that is not a number."""
    if not url.startswith(tuple(f"{s}://" for s in SERVER_SCHEMES)) or "?" in url or "#" in url:
        return None
    if url.count("@") > 1:
        return None
    m = re.match(_SERVER_URL, url, re.X)
    if m is None or m["scheme"] not in SERVER_SCHEMES:
        return None
    if m["ipv4host"] and not re.fullmatch(_HOST_NAME, m["ipv4host"]):
        return None  # several hosts, spaces, escapes...
    port: int | None = None
    if m["port"]:
        if not m["port"].isascii() or not m["port"].isdigit():
            return None
        port = int(m["port"])
    user, password, database = (
        unquote(v) if v is not None else None for v in m.group("user", "password", "database")
    )
    return ServerAddress(user, password, m["ipv4host"] or m["ipv6host"], port, database)


def read_postgresql(url: str, language: str, limit: int, *, password: str | None = None) -> FirstPage:
    """The first page of the PostgreSQL database at ``url`` (``postgresql[+psycopg]://user:password@host:port/db``;
    the password from the URL, else ``password``, else libpq's own: ``PGPASSWORD``, ``.pgpass``), read as the
    reader process reads it (``first_page_reader.fetch``: libpq directly). Raises on any failure."""
    from kawaoffice.storage.first_page_reader import fetch

    address = server_address_of(url)
    if address is None:
        raise ValueError("not a PostgreSQL URL the light reader understands")
    request = server_request(address, language, limit)
    connect = dict(request["connect"])
    connect["password"] = address.password or password
    return _rows(fetch(connect, request["sql"], request["params"]))


def server_request(address: ServerAddress, language: str, limit: int) -> dict[str, Any]:
    """The reader process's request for the first page of the server at ``address`` (see
    ``storage.first_page_reader``): libpq's keywords, the credential store's key when the URL has no password, the
    statement and its parameter."""
    connect = {
        "host": address.host,
        "port": address.port,
        "user": address.user,
        "dbname": address.database,
        "password": address.password,
    }
    return {
        "connect": {k: v for k, v in connect.items() if v is not None and v != ""},
        "credential_key": None if address.password else address.credential_key,
        "location": address.display_name,
        "sql": _sql(language, "$1"),
        "params": [limit],
    }


def read_first_page(url: str, language: str, limit: int) -> FirstPage:
    """The first page of the database at ``url`` (a SQLite URL or file path, or a PostgreSQL URL)."""
    path = sqlite_file_of(url)
    if path is not None:
        return read_sqlite(path, language, limit)
    if url.startswith(tuple(f"{scheme}://" for scheme in SERVER_SCHEMES)):
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


class PreviewSource(NamedTuple):
    """A database the start-up preview can read: its URL, the place shown in the window title, and whether it is the
    office's shared database (PostgreSQL) or a local file."""

    url: str
    location: str
    shared: bool = False


def preview_source(url: str) -> PreviewSource | None:
    """The database at ``url`` as the start-up preview reads it, or ``None`` when it takes the normal path."""
    path = sqlite_file_of(url)
    if path is not None:
        return PreviewSource(url, str(path))
    address = server_address_of(url)
    if address is not None:
        return PreviewSource(url, address.display_name, shared=True)
    return None


# How long result() waits for the shared database's first page (from when it is asked: Qt has started meanwhile).
SERVER_WAIT_S = 1.0


def stop_reader(process: subprocess.Popen[bytes]) -> None:
    """End a reader started early (``kawaoffice.launch``) that is not needed after all (no request: it ends at
    once)."""
    try:
        if process.stdin is not None:
            process.stdin.close()
    except OSError:
        pass
    process.kill()
    process.wait()
    for stream in (process.stdout, process.stdin):
        if stream is not None:
            stream.close()


class PendingPreview:
    """The first page being read (``begin_preview``); ``result()`` gives it, or ``None`` for the normal path.

    A local file is read at once (a few milliseconds); the shared database by a reader process
    (``storage.first_page_reader``: another core, while Qt starts here), which ``result()`` waits for at most
    ``wait_s`` seconds and then stops."""

    def __init__(
        self,
        source: PreviewSource,
        language: str,
        limit: int,
        *,
        wait_s: float = SERVER_WAIT_S,
        reader: subprocess.Popen[bytes] | None = None,
    ) -> None:
        self.source = source
        self.wait_s = wait_s
        self._page: FirstPage | None = None
        self._process: subprocess.Popen[bytes] | None = None
        address = server_address_of(source.url) if source.shared else None
        if address is None:
            if reader is not None:
                stop_reader(reader)
            if not source.shared:
                self._page = read_preview(source.url, language, limit)
            return
        import json  # (here: not needed by a local file's preview)

        self._started = time.perf_counter()
        request = json.dumps(server_request(address, language, limit)).encode()
        try:  # (the password of a URL goes through the pipe: never on a command line)
            if reader is None:
                from kawaoffice.storage.first_page_reader import spawn

                reader = spawn()
            self._process = reader
            assert self._process.stdin is not None
            self._process.stdin.write(request)
            self._process.stdin.close()
            self._process.stdin = None  # (written: communicate() in result() only reads)
        except OSError as exc:  # (not started, or it ended before it read the request: the normal path)
            log.info("no start-up preview of %s: the reader did not start (%s)", source.location, exc)
            if self._process is not None:
                self._process.kill()
                self._process.wait()
                self._process = None

    def result(self) -> FirstPage | None:
        process = self._process
        if process is None:
            return self._page
        import json
        import subprocess

        self._process = None
        asked = time.perf_counter()
        head = head_revision()  # (while the reader works: the scripts' files read here, not on its way)
        try:
            out, _err = process.communicate(timeout=max(0.0, self.wait_s - (time.perf_counter() - asked)))
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            log.info(
                "no start-up preview: %s did not answer within %.1f s", self.source.location, self.wait_s
            )
            return None
        try:
            page = _page_of_reply(json.loads(out))
        except (ValueError, KeyError, TypeError) as exc:
            log.info(
                "no start-up preview of %s: the reader answered %s", self.source.location, type(exc).__name__
            )
            return None
        if page is None:
            return None
        log.info(
            "start-up preview of %s read in %.0f ms (by the reader process; %.0f ms after it was asked for)",
            self.source.location,
            (time.perf_counter() - self._started) * 1000,
            (time.perf_counter() - asked) * 1000,
        )
        return _at_head(page, head)


def _page_of_reply(reply: dict[str, Any]) -> FirstPage | None:
    """The page of the reader's reply (``first_page_reader.answer``), what it logged logged here."""
    for level, message in reply["log"]:
        log.log(int(level), "%s", message)
    rows = reply["rows"]
    return None if rows is None else _rows([tuple(row) for row in rows])


def begin_preview(
    source: PreviewSource, language: str, limit: int, *, reader: subprocess.Popen[bytes] | None = None
) -> PendingPreview:
    """Start reading the first page of ``source`` (called before Qt starts; ``result()`` is asked for once the
    Qt application is up), with ``reader`` when one was started early for it (``kawaoffice.launch``: it is stopped
    when ``source`` is not a server it can read)."""
    return PendingPreview(source, language, limit, reader=reader)


def read_preview(url: str, language: str, limit: int) -> FirstPage | None:
    """The first page of a local SQLite database at the scripts' head, or ``None`` (anything else, or any error:
    logged) so that the caller opens the database the normal way (a shared database: ``read_server_preview``)."""
    path = sqlite_file_of(url)
    if path is None or not path.is_file():
        return None
    try:
        head = head_revision()
        page = read_sqlite(path, language, limit)
    except Exception as exc:  # a locked, damaged or foreign file: the normal path says what is wrong
        log.info("no start-up preview of %s: %s", path, exc)
        return None
    return _at_head(page, head)


def _at_head(page: FirstPage, head: str | None) -> FirstPage | None:
    if head is None or page.revision != head:
        log.info("no start-up preview: the database is at %s, the scripts at %s", page.revision, head)
        return None
    return page


def read_server_preview(url: str, language: str, limit: int) -> FirstPage | None:
    """The first page of the shared PostgreSQL database at ``url`` at the scripts' head, or ``None``: a URL the
    light reader does not understand, a server that refuses or cannot be reached, a login that needs a password
    the URL and the credential store do not have (never asked for here), another schema revision, not KawaOffice's
    database. What the reader process does, in this process (``first_page_reader.answer``)."""
    from kawaoffice.storage.first_page_reader import answer

    address = server_address_of(url)
    if address is None:
        return None
    page = _page_of_reply(answer(server_request(address, language, limit)))
    return None if page is None else _at_head(page, head_revision())
