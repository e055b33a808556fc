"""Keep a shared database's password out of the settings file: it goes to the system keyring instead."""

from __future__ import annotations

import logging

from sqlalchemy.engine import make_url

from kawaoffice import APP_NAME

log = logging.getLogger(__name__)

KEYRING_SERVICE = f"{APP_NAME} database"


def split_password(url: str) -> tuple[str, str | None]:
    """``(url without its password, the password or None)``; a URL without ``://`` is returned unchanged."""
    if "://" not in url:
        return url, None
    parsed = make_url(url)
    if not parsed.password:
        return url, None
    return parsed.set(password=None).render_as_string(hide_password=False), str(parsed.password)


def remember_password(url_without_password: str, password: str) -> bool:
    """Store the password in the system keyring; ``False`` (logged) when there is no usable keyring."""
    try:
        import keyring

        keyring.set_password(KEYRING_SERVICE, url_without_password, password)
    except Exception as exc:  # no backend, locked keyring...: the user types the URL with the password again
        log.warning("could not store the database password in the keyring: %s", exc)
        return False
    return True


def with_remembered_password(url: str) -> str:
    """Put the keyring's password back into a PostgreSQL URL stored without one; other URLs are unchanged."""
    if "://" not in url:
        return url
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql" or parsed.password:
        return url
    try:
        import keyring

        password = keyring.get_password(KEYRING_SERVICE, url)
    except Exception as exc:
        log.info("no keyring available for the database password: %s", exc)
        return url
    if not password:
        return url
    return parsed.set(password=password).render_as_string(hide_password=False)
