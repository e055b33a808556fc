"""Passwords of the shared database: kept in the OS credential store (``keyring``; Windows Credential Manager),
never in the settings file, a URL written to the settings, or a log line.

The keyring entry is service ``"KawaOffice"``, user name ``user@host:port/dbname``. Tests install an in-memory
backend with ``keyring.set_keyring`` so they never touch the real store.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import URL


def make_url(url: str | URL) -> URL:
    """SQLAlchemy's ``make_url``, imported when first needed: the app installs the log masking of this module
    before anything else, and SQLAlchemy is not needed for that (start-up time)."""
    from sqlalchemy.engine import make_url as sqlalchemy_make_url

    return sqlalchemy_make_url(url)


log = logging.getLogger(__name__)

KEYRING_SERVICE = "KawaOffice"
DEFAULT_PG_PORT = 5432
MASK = "***"

# scheme://user:password@host  ->  scheme://user:***@host   (also inside longer text, e.g. an error message)
_URL_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.\-]*://[^:/@\s]*:)(?P<pw>[^@\s]*)(?P<tail>@)")
# libpq keyword strings: password=secret / password='se cret'
_KW_PASSWORD = re.compile(r"(?P<head>\bpassword\s*=\s*)(?P<pw>'(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)
# PGPASSWORD=... in a logged environment or command line
_ENV_PASSWORD = re.compile(r"(?P<head>\bPGPASSWORD\s*[=:]\s*)(?P<pw>\S+)")


def mask_passwords(text: str) -> str:
    """``text`` with every password of a URL, libpq keyword string or PGPASSWORD replaced by ``***``."""
    if not text:
        return text
    text = _URL_PASSWORD.sub(lambda m: f"{m['head']}{MASK}{m['tail']}" if m["pw"] else m[0], text)
    text = _KW_PASSWORD.sub(lambda m: f"{m['head']}{MASK}", text)
    return _ENV_PASSWORD.sub(lambda m: f"{m['head']}{MASK}", text)


class PasswordMaskingFilter(logging.Filter):
    """Masks passwords in the final text of every record (message, arguments and exception text)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler to report
            return True
        masked = mask_passwords(message)
        if masked != message:
            record.msg = masked
            record.args = None
        if record.exc_info and not record.exc_text:
            formatter = logging.Formatter()
            record.exc_text = mask_passwords(formatter.formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = mask_passwords(record.exc_text)
        return True


_FILTER = PasswordMaskingFilter()
_install_lock = threading.Lock()


def install_log_masking(logger: logging.Logger | None = None) -> None:
    """Add the masking filter to every handler of ``logger`` (default: the root logger); idempotent.

    Handler filters (not logger filters) see the records of every child logger too."""
    target = logger or logging.getLogger()
    with _install_lock:
        for handler in target.handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)


# --- URLs -----------------------------------------------------------------------------------------------------


def credential_key(url: str | URL) -> str:
    """The keyring user name of a server URL: ``user@host:port/dbname`` (port 5432 when not given)."""
    parsed = make_url(url) if isinstance(url, str) else url
    return key_of(parsed.username, parsed.host, parsed.port, parsed.database)


def key_of(user: str | None, host: str | None, port: int | None, database: str | None) -> str:
    """``credential_key`` of a server's parts (the start-up preview has them without SQLAlchemy)."""
    return f"{user or ''}@{host or 'localhost'}:{port or DEFAULT_PG_PORT}/{database or ''}"


def without_password(url: str) -> str:
    """``url`` with its password removed (what may be written to the settings); bare paths are unchanged."""
    if "://" not in url:
        return url
    parsed = make_url(url)
    if parsed.password is None:
        return url
    from sqlalchemy.engine import URL

    bare = URL.create(
        parsed.drivername, parsed.username, None, parsed.host, parsed.port, parsed.database, parsed.query
    )
    return bare.render_as_string(hide_password=False)


def password_of(url: str) -> str | None:
    if "://" not in url:
        return None
    password = make_url(url).password
    return str(password) if password is not None else None


def is_server_url(url: str) -> bool:
    return "://" in url and make_url(url).get_backend_name() == "postgresql"


# --- the keyring ------------------------------------------------------------------------------------------------


# The credential store of the platforms KawaOffice is installed on, chosen without keyring's discovery (which reads
# every installed package's entry points and imports every backend: about a quarter of a second at start with a
# shared database). Elsewhere, or when that store is not usable, keyring discovers one as before.
PLATFORM_BACKENDS: dict[str, tuple[str, str]] = {
    "win32": ("keyring.backends.Windows", "WinVaultKeyring"),
    "darwin": ("keyring.backends.macOS", "Keyring"),
}


# (the start-up's loading thread may open the database while the UI thread asks)
_keyring_lock = threading.Lock()


def _keyring() -> Any:
    import keyring

    with _keyring_lock:
        core = getattr(keyring, "core", None)
        if core is not None and getattr(core, "_keyring_backend", "unknown") is None:
            # none chosen yet: the user's own choice first (environment, keyringrc.cfg), as keyring's discovery does
            chosen = core.load_env() or core.load_config() or platform_backend()
            if chosen is not None:
                keyring.set_keyring(chosen)
            else:
                keyring.get_keyring()  # keyring's discovery, once, under the lock
    return keyring


def prepare_store() -> None:
    """Import keyring and choose the credential store (as ``stored_password`` would first), without reading it:
    the start-up preview's reader does this while it waits for its request."""
    _keyring()


def platform_backend(platform: str | None = None) -> Any:
    """The usable credential store of ``platform`` (default: this one) named in ``PLATFORM_BACKENDS``, or
    ``None`` (keyring then discovers one)."""
    import importlib

    spec = PLATFORM_BACKENDS.get(platform or sys.platform)
    if spec is None:
        return None
    try:
        cls = getattr(importlib.import_module(spec[0]), spec[1])
        if cls.priority <= 0:  # (raises when the store cannot be used here)
            return None
        return cls()
    except Exception as exc:
        log.info("credential store %s.%s not usable: %s", spec[0], spec[1], type(exc).__name__)
        return None


def store_password(url: str | URL, password: str) -> bool:
    """Keep ``password`` for the server of ``url``; ``False`` (logged, without the password) when the OS has no
    usable credential store: the user is then asked for the password at each start."""
    key = credential_key(url)
    try:
        _keyring().set_password(KEYRING_SERVICE, key, password)
    except Exception as exc:
        log.warning("could not store the password of %s in the credential store: %s", key, type(exc).__name__)
        return False
    log.info("password of %s stored in the credential store", key)
    return True


def stored_password(url: str | URL) -> str | None:
    """The remembered password of the server of ``url`` (``None`` when there is none or no credential store)."""
    return stored_password_for(credential_key(url))


def stored_password_for(key: str) -> str | None:
    """``stored_password`` by the keyring user name ``key`` (see ``key_of``); nothing here imports SQLAlchemy."""
    try:
        password = _keyring().get_password(KEYRING_SERVICE, key)
    except Exception as exc:
        log.info("no credential store available for %s: %s", key, type(exc).__name__)
        return None
    return str(password) if password else None


# Credential stores that may show a dialog of their own when a password is read (to unlock the wallet, or the
# collection with the login password): the start-up preview does not read them, the normal path does, as before.
_MAY_ASK = ("keyring.backends.kwallet", "keyring.backends.libsecret")


def stored_password_quietly(key: str) -> str | None:
    """``stored_password_for`` for the start-up preview: never a dialog. ``None`` when the credential store would
    first ask the user to unlock it (a locked Secret Service collection, KWallet, libsecret) or cannot be asked;
    the normal path then reads it (and may ask) as before. The Windows and macOS stores answer without a dialog
    once the user is logged in."""
    try:
        chosen = _keyring().get_keyring()
        stores = list(getattr(chosen, "backends", None) or [chosen])  # (the chainer: each store it asks)
        asks = next((b for b in stores if not _answers_quietly(b)), None)
    except Exception as exc:
        log.info("credential store not asked at start: %s", type(exc).__name__)
        return None
    if asks is not None:
        log.info("credential store %s not read at start: it may ask to be unlocked", type(asks).__module__)
        return None
    return stored_password_for(key)


def _answers_quietly(store: Any) -> bool:
    module = type(store).__module__
    if module in _MAY_ASK:
        return False
    if module == "keyring.backends.SecretService":  # reading a locked collection unlocks it: a dialog
        import secretstorage

        bus = secretstorage.dbus_init()
        try:
            if hasattr(store, "preferred_collection"):
                collection = secretstorage.Collection(bus, store.preferred_collection)
            else:
                collection = secretstorage.get_default_collection(bus)
            return not collection.is_locked()
        finally:
            bus.close()
    return True


def forget_password(url: str | URL) -> None:
    key = credential_key(url)
    try:
        _keyring().delete_password(KEYRING_SERVICE, key)
    except Exception as exc:  # nothing stored, or no credential store
        log.info("no stored password of %s removed: %s", key, type(exc).__name__)


def with_stored_password(url: str) -> str:
    """A server URL without a password gets the remembered one; every other URL is returned unchanged."""
    if not is_server_url(url):
        return url
    parsed = make_url(url)
    if parsed.password:
        return url
    password = stored_password(parsed)
    if not password:
        return url
    return parsed.set(password=password).render_as_string(hide_password=False)


__all__ = [
    "KEYRING_SERVICE",
    "PasswordMaskingFilter",
    "credential_key",
    "forget_password",
    "install_log_masking",
    "is_server_url",
    "key_of",
    "mask_passwords",
    "password_of",
    "store_password",
    "stored_password",
    "stored_password_for",
    "stored_password_quietly",
    "with_stored_password",
    "without_password",
]
