"""Passwords of the shared database live in the credential store (an in-memory keyring here), never in URLs that
are stored or logged; every log line has its passwords masked."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.engine import make_url

from kawaoffice.storage import open_database
from kawaoffice.storage.credentials import (
    KEYRING_SERVICE,
    PasswordMaskingFilter,
    credential_key,
    forget_password,
    mask_passwords,
    store_password,
    stored_password,
    with_stored_password,
    without_password,
)
from kawaoffice.storage.database import Database
from tests.pgserver import PostgresServer
from tests.storage.keyring_memory import MemoryKeyring

URL = "postgresql+psycopg://kenji@db.office.local:5433/kawaoffice"


def test_key_is_user_at_host_port_database() -> None:
    assert credential_key(URL) == "kenji@db.office.local:5433/kawaoffice"
    assert credential_key("postgresql://kenji@server/kawa") == "kenji@server:5432/kawa"


def test_store_and_fill_in_the_password(memory_keyring: MemoryKeyring) -> None:
    assert with_stored_password(URL) == URL  # nothing stored yet
    assert store_password(URL, "p@ss:w/rd")
    assert memory_keyring.entries == {(KEYRING_SERVICE, "kenji@db.office.local:5433/kawaoffice"): "p@ss:w/rd"}
    filled = make_url(with_stored_password(URL))
    assert filled.password == "p@ss:w/rd"
    assert filled.host == "db.office.local" and filled.port == 5433
    # a URL that has a password, and SQLite paths, are left alone
    other = URL.replace("kenji@", "kenji:typed@")
    assert with_stored_password(other) == other
    assert with_stored_password("sqlite:////tmp/x.sqlite3") == "sqlite:////tmp/x.sqlite3"
    forget_password(URL)
    assert stored_password(URL) is None
    forget_password(URL)  # twice: no error


def test_no_credential_store_is_not_an_error(caplog: pytest.LogCaptureFixture) -> None:
    import keyring
    from keyring.backends.fail import Keyring as FailKeyring

    before = keyring.get_keyring()
    keyring.set_keyring(FailKeyring())
    try:
        with caplog.at_level(logging.INFO):
            assert not store_password(URL, "secret-1")
            assert stored_password(URL) is None
        assert "secret-1" not in caplog.text
    finally:
        keyring.set_keyring(before)


def test_without_password() -> None:
    assert without_password("postgresql+psycopg://u:pw@h:1/d?sslmode=require") == (
        "postgresql+psycopg://u@h:1/d?sslmode=require"
    )
    assert without_password(URL) == URL
    assert without_password("/tmp/file.sqlite3") == "/tmp/file.sqlite3"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("connecting to postgresql+psycopg://kenji:hunter2@db:5432/kawa", "hunter2"),
        ("url=postgresql://kenji:p%40ss@db/kawa failed", "p%40ss"),
        ("host=db user=kenji password=hunter2 dbname=kawa", "hunter2"),
        ("host=db password='two words' dbname=kawa", "two words"),
        ("env PGPASSWORD=hunter2 pg_dump", "hunter2"),
    ],
)
def test_mask_passwords(text: str, secret: str) -> None:
    masked = mask_passwords(text)
    assert secret not in masked
    assert "***" in masked


def test_mask_keeps_text_without_passwords() -> None:
    text = "postgresql+psycopg://kenji@db:5432/kawa and sqlite:////tmp/a.sqlite3 user@host"
    assert mask_passwords(text) == text


def test_log_filter_masks_messages_arguments_and_tracebacks() -> None:
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Collect()
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.addFilter(PasswordMaskingFilter())
    logger = logging.getLogger("kawaoffice.test_masking")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("opening %s", "postgresql://u:topsecret@h/d")
        try:
            raise RuntimeError("bad url postgresql://u:topsecret@h/d")
        except RuntimeError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    text = "\n".join(records)
    assert "topsecret" not in text
    assert text.count("***") >= 2


def test_database_object_never_shows_the_password() -> None:
    db = Database.open("postgresql://kenji:hunter2@127.0.0.1:1/kawa")
    try:
        assert "hunter2" not in db.url
        assert "hunter2" not in repr(db)
        assert "hunter2" not in str(db.engine.url)
        assert db.engine.url.password == "hunter2"  # the engine still connects with it
    finally:
        db.dispose()


@pytest.mark.postgres
def test_open_database_uses_the_stored_password(
    pg_server: PostgresServer, memory_keyring: MemoryKeyring
) -> None:
    url = pg_server.create_database("kawa_keyring")
    store_password(url, "from-the-keyring")
    db = open_database(url, "tester")
    try:
        assert db.engine.url.password == "from-the-keyring"
        assert "from-the-keyring" not in db.url
    finally:
        db.dispose()


def test_the_platforms_credential_store_is_chosen_without_discovery(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows/macOS: the platform's store directly (no entry-point discovery at start); the user's own choice
    (PYTHON_KEYRING_BACKEND) first; an unusable store or another platform: keyring discovers one as before."""
    import keyring
    import keyring.core

    from kawaoffice.storage import credentials

    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    monkeypatch.setattr(
        credentials, "PLATFORM_BACKENDS", {"testos": ("tests.storage.keyring_memory", "MemoryKeyring")}
    )
    monkeypatch.setattr(credentials.sys, "platform", "testos")
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setattr(keyring.core, "load_config", lambda: None)
    discovered: list[bool] = []
    monkeypatch.setattr(keyring.core, "init_backend", lambda *a, **k: discovered.append(True))
    assert type(credentials._keyring().get_keyring()).__name__ == "MemoryKeyring"
    assert not discovered

    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    assert type(credentials._keyring().get_keyring()).__module__ == "keyring.backends.null"

    assert credentials.platform_backend("plan9") is None
    monkeypatch.setattr(credentials, "PLATFORM_BACKENDS", {"testos": ("keyring.backends.fail", "Keyring")})
    assert credentials.platform_backend("testos") is None  # priority 0: not usable, discovery decides


def test_the_named_platform_stores_exist_in_keyring() -> None:
    import importlib

    from kawaoffice.storage.credentials import PLATFORM_BACKENDS

    for module, name in PLATFORM_BACKENDS.values():
        assert hasattr(importlib.import_module(module), name), (module, name)


# --- the start-up preview's look-up: the same store, never a dialog ---------------------------------------------


class _WalletThatAsks(MemoryKeyring):
    """Stands for KWallet: reading it may open a dialog to unlock the wallet."""


_WalletThatAsks.__module__ = "keyring.backends.kwallet"


class _Chain(MemoryKeyring):
    """Stands for keyring's chainer: it asks each of ``backends`` in turn."""

    def __init__(self, *backends: object) -> None:
        super().__init__()
        self.backends = list(backends)


def test_the_quiet_look_up_reads_the_same_store(memory_keyring: MemoryKeyring) -> None:
    from kawaoffice.storage.credentials import key_of, stored_password_for, stored_password_quietly

    key = key_of("kenji", "db.office.local", 5433, "kawaoffice")
    assert key == credential_key(URL)
    assert stored_password_quietly(key) is None
    store_password(URL, "p@ss:w/rd")
    assert stored_password_quietly(key) == stored_password_for(key) == stored_password(URL) == "p@ss:w/rd"


@pytest.mark.parametrize("chained", [False, True])
def test_a_store_that_may_ask_to_be_unlocked_is_not_read_at_start(
    chained: bool, caplog: pytest.LogCaptureFixture
) -> None:
    import keyring

    from kawaoffice.storage.credentials import stored_password_for, stored_password_quietly

    wallet = _WalletThatAsks()
    before = keyring.get_keyring()
    keyring.set_keyring(_Chain(MemoryKeyring(), wallet) if chained else wallet)
    try:
        wallet.set_password(KEYRING_SERVICE, credential_key(URL), "secret-2")
        with caplog.at_level(logging.INFO):
            assert stored_password_quietly(credential_key(URL)) is None
        assert "may ask to be unlocked" in caplog.text and "secret-2" not in caplog.text
        if not chained:
            assert stored_password_for(credential_key(URL)) == "secret-2"  # the normal path still reads it
    finally:
        keyring.set_keyring(before)
