"""The light first-page reader (start-up preview, issue 10) returns what the Partners tab's first page shows:
the same count, rows, order, membership status and technologies as ``services.partner_search.open_list``, in
Japanese and English, on SQLite and PostgreSQL; it is used only on a database at the head revision: a local file
read at once, or the shared PostgreSQL database read in a worker thread with the password of the URL or the
credential store, given up quickly when the server refuses or does not answer."""

from __future__ import annotations

import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from kawaoffice import launch
from kawaoffice.model.partners import MembershipStatus, OrganizationKind
from kawaoffice.services import partner_search as ps
from kawaoffice.services import partners
from kawaoffice.storage import credentials, database, first_page_reader, migrate
from kawaoffice.storage import first_page as fp
from tests.pgserver import PostgresServer, free_port
from tests.storage.keyring_file import FileKeyring, installed_file_keyring

_NAMES = ["川崎", "水道", "技研", "Aqua", "テクノ", "工業", "株式会社", "ラオ", "Zeta", "協会"]
_READINGS = ["カワサキ", "かわさき", "ｶﾞｽ", "ガス", "アクア", "あくあ", "", "ナムパパ", "ﾃｸﾉ", "テクノ"]


def _directory(session: Session, n: int = 40) -> None:
    rng = random.Random(11)
    techs = [
        partners.create_technology(session, code="UF", name_ja="膜ろ過", name_en=""),
        partners.create_technology(session, code="LEAK", name_ja="漏水探知", name_en="Leak detection"),
        partners.create_technology(session, code="AB", name_ja="曝気", name_en="Aeration"),
    ]
    for i in range(n):
        org = partners.create_organization(
            session,
            kind=rng.choice(list(OrganizationKind)),
            name_ja=rng.choice(_NAMES) + rng.choice(_NAMES),  # duplicates: ties broken by id
            name_kana=rng.choice(_READINGS),
            name_en=rng.choice(["", "Kawasaki Water", "aqua", "Zeta Gas"]),
            country=rng.choice(["JP", "LA", "VN"]),
        )
        if i % 3 == 0:
            partners.create_membership(session, organization_id=org.id, joined_on=date(2015, 4, 1))
        if i % 4 == 0:
            partners.create_membership(
                session,
                organization_id=org.id,
                joined_on=date(2010, 4, 1),
                left_on=date(2012, 3, 31),
                status=MembershipStatus.LEFT,
            )
        for tech in rng.sample(techs, i % 4):
            partners.add_organization_technology(session, organization_id=org.id, technology_id=tech.id)
    session.commit()


def _as_preview(row: object) -> fp.PreviewRow:
    from kawaoffice.services.overview import PartnerRow

    assert isinstance(row, PartnerRow)
    return fp.PreviewRow(
        id=row.id,
        kind=row.kind.value,
        name_ja=row.name_ja,
        name_kana=row.name_kana,
        name_en=row.name_en,
        country=row.country,
        member_status=row.member_status.value if row.member_status is not None else None,
        technologies=row.technologies,
        technologies_en=row.technologies_en,
    )


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("limit", [1, 15, 100])
def test_the_light_reader_shows_the_services_first_page(
    session: Session, db_url: str, language: str, limit: int
) -> None:
    _directory(session)
    opening = ps.open_list(session, language, limit, choices=False)
    page = fp.read_first_page(db_url, language, limit)
    assert page.total == opening.total == 40
    assert page.rows == [_as_preview(r) for r in opening.rows]
    assert len(page.rows) == min(limit, 40)
    assert page.revision == migrate.head_revision()


def test_an_empty_directory(db_url: str) -> None:
    page = fp.read_first_page(db_url, "ja", 60)
    assert (page.total, page.rows, page.revision) == (0, [], migrate.head_revision())


def test_the_light_head_is_alembics(tmp_path: Path) -> None:
    assert fp.head_revision() == migrate.head_revision() == migrate.script_directory().get_current_head()
    assert fp.ENV_VAR == database.ENV_VAR


@pytest.mark.parametrize(
    "url",
    ["sqlite:////tmp/a b/x.sqlite3", "sqlite:///relative/x.sqlite3", "~/kawa.sqlite3", "/abs/x.sqlite3"],
)
def test_the_file_is_the_one_sqlalchemy_opens(url: str) -> None:
    assert fp.sqlite_file_of(url) == database.sqlite_path_of(database.normalize_url(url))


@pytest.mark.parametrize(
    "url", ["sqlite://", "sqlite:///:memory:", "postgresql+psycopg://u@h/db", "sqlite:///x.db?mode=ro", ""]
)
def test_anything_unusual_is_not_previewed(url: str) -> None:
    assert fp.sqlite_file_of(url) is None


def test_the_database_url_is_chosen_as_the_app_chooses_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(fp.ENV_VAR, raising=False)
    default = Path("/home/x/kawaoffice.sqlite3")
    assert fp.light_database_url("/a.sqlite3", "/b.sqlite3", default) == "/a.sqlite3"
    assert fp.light_database_url(None, "/b.sqlite3", default) == "/b.sqlite3"
    assert fp.light_database_url(None, "", default) == f"sqlite:///{default}"
    monkeypatch.setenv(fp.ENV_VAR, "/env.sqlite3")
    assert fp.light_database_url(None, "/b.sqlite3", default) == "/env.sqlite3"


def test_the_preview_only_on_a_local_file_at_head(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    assert fp.read_preview(url, "ja", 60) is None  # no file: nothing created either
    assert not (tmp_path / "p.sqlite3").exists()
    engine = database.create_db_engine(url)
    from kawaoffice import model

    model.Base.metadata.create_all(engine)
    migrate.stamp_head(engine)
    engine.dispose()
    page = fp.read_preview(url, "en", 60)
    assert page is not None and page.total == 0
    with sqlite3.connect(tmp_path / "p.sqlite3") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0001_old'")
    assert fp.read_preview(url, "ja", 60) is None  # to be upgraded: the normal path
    (tmp_path / "foreign.sqlite3").write_bytes(b"not a database at all" * 100)
    assert fp.read_preview(str(tmp_path / "foreign.sqlite3"), "ja", 60) is None
    assert fp.read_preview("postgresql+psycopg://u:p@localhost/db", "ja", 60) is None


def test_the_reader_imports_no_sqlalchemy(tmp_path: Path) -> None:
    code = (
        "import sys; from kawaoffice.storage import first_page as fp; "
        f"fp.read_preview({str(tmp_path / 'none.sqlite3')!r}, 'ja', 60); "
        "print(sorted(m for m in sys.modules if m.startswith(('sqlalchemy', 'alembic', 'kawaoffice.model'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- the shared database (PostgreSQL) ------------------------------------------------------------------------------

_SERVER_URLS = [
    "postgresql+psycopg://kawa@127.0.0.1:5433/kawaoffice",
    "postgresql://office:s%40cret@Server.example.jp/kawa",
    "postgres://u@localhost/db",
    "postgresql+psycopg://u:p@[::1]:6432/db",
    "postgresql://u@host/%E5%B7%9D%E5%B4%8E",
    "postgresql://host",
    "postgresql:///db",
]


@pytest.mark.parametrize("url", _SERVER_URLS)
def test_a_server_url_is_read_as_sqlalchemy_reads_it(url: str) -> None:
    address = fp.server_address_of(url)
    parsed = database.make_url(database.normalize_url(url))
    assert address is not None
    assert (address.user, address.password, address.host, address.port, address.database) == (
        parsed.username,
        parsed.password,
        parsed.host,
        parsed.port,
        parsed.database,
    )
    assert address.display_name == database.display_name_of(parsed)
    assert address.credential_key == credentials.credential_key(parsed)
    source = fp.preview_source(url)
    assert source is not None and source.shared and source.url == url
    assert source.location == database.display_name_of(parsed)  # the real window's title, never the password
    assert "s@cret" not in source.location and "cret" not in source.location


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u@h/db?sslmode=require",  # options the light reader does not pass on: the normal path
        "postgresql://u@/db?host=/var/run/postgresql",
        "postgresql+psycopg://u@h1,h2/db",
        "postgresql+psycopg2://u@h/db",
        "postgresql+asyncpg://u@h/db",
        "postgresql://u@h:port/db",
        "postgresql://u:p@ss@h/db",
        "postgresql://u@h/db#x",
        "mysql://u@h/db",
    ],
)
def test_an_unusual_server_url_is_not_previewed(url: str) -> None:
    assert fp.preview_source(url) is None


def test_a_local_file_is_not_shared(tmp_path: Path) -> None:
    source = fp.preview_source(str(tmp_path / "x.sqlite3"))
    assert source is not None and not source.shared and source.location == str(tmp_path / "x.sqlite3")


def test_begin_preview_gives_the_services_first_page(session: Session, db_url: str, backend: str) -> None:
    _directory(session)
    opening = ps.open_list(session, "ja", 30, choices=False)
    source = fp.preview_source(db_url)
    assert source is not None and source.shared == (backend == "postgresql")
    page = fp.begin_preview(source, "ja", 30).result()
    assert page is not None
    assert (page.total, page.rows) == (40, [_as_preview(r) for r in opening.rows])


@pytest.mark.postgres
def test_no_preview_of_a_server_schema_not_at_head(_pg_schema_url: str) -> None:
    db_url = _pg_schema_url
    engine = database.create_db_engine(db_url)
    head = migrate.head_revision()
    try:
        for other in ("0001_old", "9999_newer"):
            with engine.begin() as conn:
                conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": other})
            assert fp.begin_preview(fp.PreviewSource(db_url, "x", shared=True), "ja", 30).result() is None
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
        engine.dispose()
    assert fp.begin_preview(fp.PreviewSource(db_url, "x", shared=True), "ja", 30).result() is not None


def _pending(url: str) -> fp.PendingPreview:
    source = fp.preview_source(url)
    assert source is not None and source.shared
    return fp.begin_preview(source, "ja", 30)


def test_nothing_listening_is_given_up_at_once(file_keyring: FileKeyring) -> None:
    started = time.perf_counter()
    assert _pending(f"postgresql+psycopg://kawa@127.0.0.1:{free_port()}/db").result() is None
    assert time.perf_counter() - started < fp.SERVER_WAIT_S  # refused: no need to wait


@pytest.fixture
def file_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FileKeyring]:
    """A credential store the reader process (a child) reads too, never the OS's."""
    with installed_file_keyring(tmp_path / "keyring.json", monkeypatch) as backend:
        yield backend


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never answers (a server that hangs, or a link that drops packets)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(listener.getsockname()[1])
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    listener.close()


def test_a_server_that_does_not_answer_delays_the_normal_path_by_a_second_at_most(
    silent_server: int, file_keyring: FileKeyring
) -> None:
    pending = _pending(f"postgresql+psycopg://kawa@127.0.0.1:{silent_server}/db")
    process = pending._process
    assert process is not None
    started = time.perf_counter()
    assert pending.result() is None
    assert time.perf_counter() - started < fp.SERVER_WAIT_S + 0.5
    assert process.poll() is not None  # the reader was stopped, not left behind


_ROLE = "kawa_pw"
_PASSWORD = "pä ss@word"


@pytest.fixture
def password_login(pg_server: PostgresServer, _pg_schema_url: str) -> Iterator[str]:
    """The test database's URL for a role that must log in with a password (scram), without the password."""
    admin = database.create_db_engine(_pg_schema_url)
    with admin.begin() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": _ROLE}).first()
        if exists is None:
            conn.execute(text(f"CREATE ROLE {_ROLE} LOGIN PASSWORD '{_PASSWORD}'"))
        conn.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {_ROLE}"))
        hba = pg_server.datadir / "pg_hba.conf"
        rule = f"host all {_ROLE} 127.0.0.1/32 scram-sha-256\n"
        if rule not in hba.read_text():
            hba.write_text(rule + hba.read_text())  # only this role: every other test's login stays as it was
            conn.execute(text("SELECT pg_reload_conf()"))
    admin.dispose()
    yield f"postgresql+psycopg://{_ROLE}@127.0.0.1:{pg_server.port}/kawaoffice_test"


@pytest.mark.postgres
def test_the_password_comes_from_the_credential_store(
    password_login: str, file_keyring: FileKeyring, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    assert _pending(password_login).result() is None  # none stored: not asked for, the normal path asks
    credentials.store_password(password_login, "wrong")
    assert _pending(password_login).result() is None  # refused
    credentials.store_password(password_login, _PASSWORD)
    page = _pending(password_login).result()
    assert page is not None and page.total == 0 and page.revision == migrate.head_revision()
    assert "wrong" not in caplog.text and _PASSWORD not in caplog.text


@pytest.mark.postgres
def test_the_password_of_the_url_is_used_as_given(password_login: str, file_keyring: FileKeyring) -> None:
    from urllib.parse import quote

    with_password = password_login.replace(f"{_ROLE}@", f"{_ROLE}:{quote(_PASSWORD, safe='')}@")
    assert _pending(with_password).result() is not None
    credentials.store_password(password_login, _PASSWORD)
    wrong = password_login.replace(f"{_ROLE}@", f"{_ROLE}:wrong@")
    assert _pending(wrong).result() is None  # the URL's own password, as the normal path uses it


def test_the_server_reader_imports_no_sqlalchemy() -> None:
    code = (
        "import sys; from kawaoffice.storage import first_page as fp; "
        f"print(fp.read_server_preview('postgresql://u@127.0.0.1:{free_port()}/db', 'ja', 60)); "
        "print(sorted(m for m in sys.modules if m.startswith(('sqlalchemy', 'alembic', 'kawaoffice.model'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["None", "[]"]


def test_the_frozen_app_starts_the_reader_with_the_same_flag() -> None:
    entry = (Path(__file__).resolve().parents[2] / "installer" / "entry_gui.py").read_text()
    assert f'sys.argv[1:2] == ["{first_page_reader.READER_FLAG}"]' in entry
    assert first_page_reader.command()[1:] == ["-m", "kawaoffice.storage.first_page_reader"]
    assert first_page_reader.command(prepare_store=True)[-1] == first_page_reader.PREPARE_STORE_FLAG


def _request(url: str, language: str = "ja", limit: int = 5) -> dict[str, Any]:
    address = fp.server_address_of(url)
    assert address is not None
    return fp.server_request(address, language, limit)


def test_the_reader_process_answers_what_it_could_not_do() -> None:
    request = json.dumps(_request(f"postgresql://u@127.0.0.1:{free_port()}/db"))
    out = subprocess.run(
        first_page_reader.command(), input=request, capture_output=True, text=True, check=True
    )
    reply = json.loads(out.stdout)
    assert reply["rows"] is None
    assert any("cannot connect" in message for _level, message in reply["log"])


def test_the_reader_is_given_no_sql_text_of_the_url_and_only_a_key_for_the_store() -> None:
    request = _request("postgresql+psycopg://office:s%40cret@db.example.jp:5433/kawa", "en", 60)
    assert request["connect"] == {
        "host": "db.example.jp",
        "port": 5433,
        "user": "office",
        "dbname": "kawa",
        "password": "s@cret",
    }
    assert request["credential_key"] is None  # the URL's password: the store is not asked
    assert request["params"] == [60] and "sort_en" in str(request["sql"])
    bare = _request("postgresql://office@db.example.jp/kawa")
    assert "password" not in bare["connect"] and "port" not in bare["connect"]
    assert bare["credential_key"] == credentials.credential_key("postgresql://office@db.example.jp/kawa")


@pytest.mark.postgres
def test_a_server_database_that_is_not_kawaoffices_cannot_be_read(
    pg_server: PostgresServer, file_keyring: FileKeyring
) -> None:
    from kawaoffice.storage import first_page_reader

    reply = first_page_reader.answer(_request(pg_server.url("postgres")))  # (no password needed: trust)
    assert reply["rows"] is None
    assert [m for _level, m in reply["log"]] == [
        f"no start-up preview of kawa@127.0.0.1:{pg_server.port}/postgres: cannot read (StatementFailed)"
    ]


def test_the_reader_finds_the_libpq_psycopg_uses() -> None:
    import psycopg

    from kawaoffice.storage import libpq

    path = libpq.library_path()
    assert psycopg.pq.__impl__ == "binary" and path is not None
    loaded = Path(f"/proc/{os.getpid()}/maps").read_text() if sys.platform == "linux" else ""
    if loaded:  # the same file as psycopg's C module loaded
        assert str(Path(path).resolve()) in loaded
    assert libpq.library_path(["/nonexistent"]) is None


@pytest.mark.postgres
def test_without_psycopgs_libpq_the_reader_uses_psycopg(
    session: Session, pg_server: PostgresServer, _pg_schema_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kawaoffice.storage import libpq

    expected = fp.read_first_page(_pg_schema_url, "ja", 30)  # (libpq directly)
    monkeypatch.setattr(libpq, "_lib", None)
    monkeypatch.setattr(libpq, "library_path", lambda search_path=None: None)
    assert fp.read_first_page(_pg_schema_url, "ja", 30) == expected
    refused = fp.read_server_preview(f"postgresql://u@127.0.0.1:{free_port()}/db", "ja", 5)
    assert refused is None


def test_the_reader_process_imports_neither_psycopg_nor_the_page_code() -> None:
    code = (
        "import json, sys; from kawaoffice.storage import first_page_reader as r; "
        f"reply = r.answer({_request(f'postgresql://u@127.0.0.1:{free_port()}/db')!r}); "
        "print(json.dumps([reply['rows'], sorted(m for m in sys.modules if m.startswith("
        "('psycopg', 'sqlalchemy', 'pytest', 'kawaoffice.storage.first_page.')) "
        "or m == 'kawaoffice.storage.first_page')]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [None, []]


@pytest.mark.postgres
def test_a_reader_started_early_reads_the_page_once_asked(
    password_login: str, file_keyring: FileKeyring
) -> None:
    credentials.store_password(password_login, _PASSWORD)
    expected = _pending(password_login).result()
    assert expected is not None and expected.revision == migrate.head_revision()
    reader = launch.early_reader(["--database", password_login])
    assert (
        reader is not None and "--prepare-store" in reader.args
    )  # (keyring prepared: no password in the URL)
    time.sleep(0.3)  # (prepared meanwhile; it waits for its request)
    assert reader.poll() is None
    source = fp.preview_source(password_login)
    assert source is not None
    assert fp.begin_preview(source, "ja", 30, reader=reader).result() == expected
    assert reader.wait(5) == 0


def test_a_reader_started_early_and_not_needed_is_stopped(tmp_path: Path) -> None:
    url = f"postgresql://u:pw@127.0.0.1:{free_port()}/db"
    reader = launch.early_reader(["--database", url])
    assert reader is not None and "--prepare-store" not in reader.args  # (the URL has the password)
    assert launch.early_reader(["--database", str(tmp_path / "x.sqlite3")]) is None
    pending = fp.begin_preview(fp.PreviewSource(str(tmp_path / "x.sqlite3"), "x"), "ja", 30, reader=reader)
    assert pending.result() is None  # (no such file: the normal path)
    assert reader.poll() is not None  # stopped, not left behind


def test_the_reader_defers_modules_the_credential_store_does_not_use() -> None:
    code = (
        "import json, sys; from kawaoffice.storage import first_page_reader as r; "
        "deferred = r.defer_imports(('urllib.request', 'email.message', 'no_such_module_kawa')); "
        "import urllib.request; from email import message; "
        "before = ['http.client' in sys.modules, 'email.feedparser' in sys.modules]; "
        "request = urllib.request.Request('http://example.invalid/x'); "
        "after = ['http.client' in sys.modules, sys.modules['urllib.request'] is urllib.request]; "
        "parser = message.Message(); "
        "missing = None\n"
        "try:\n    import no_such_module_kawa\nexcept ImportError:\n    missing = 'ImportError'\n"
        "print(json.dumps([deferred, before, after, request.host, type(parser).__name__, missing]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [
        ["urllib.request", "email.message"],  # (a module not found is not deferred: importing it still fails)
        [False, False],  # not run by the import statements
        [True, True],  # run when used, the package's attribute the real module
        "example.invalid",
        "Message",
        "ImportError",
    ]


def test_the_reader_process_defers_what_keyring_imports_but_does_not_use() -> None:
    code = (
        "import json, sys; from kawaoffice.storage import first_page_reader as r; "
        "deferred = r.defer_imports(); "
        "from kawaoffice.storage import credentials; credentials.prepare_store(); "
        "print(json.dumps([deferred, 'http.client' in sys.modules, 'keyring' in sys.modules]))"
    )
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "tests.storage.keyring_file.FileKeyring"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    deferred, http_client, keyring_imported = json.loads(out.stdout)
    assert "urllib.request" in deferred and keyring_imported
    assert not http_client  # keyring's jaraco.context imported urllib.request without running it
