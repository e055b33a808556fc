"""A credential store in a JSON file for tests whose passwords must also reach a child process (the start-up
preview's reader): ``installed_file_keyring(path, monkeypatch)`` installs it here and names it for children through
keyring's own ``PYTHON_KEYRING_BACKEND`` (the file through ``KAWAOFFICE_TEST_KEYRING``).

The PostgreSQL start-up benchmark uses it too (``child_environment``): an office PC's password comes from its
credential store, chosen directly on Windows; on this Linux machine, without a desktop session bus, keyring's
discovery would look for a store for ~0.2 s and find none.

This module imports no more than an office PC's store does (keyring's backend base): pytest and the in-memory store
are imported only by the fixture that needs them (until session 7 the reader process imported pytest with this
store: ~0.1-0.2 s of the PostgreSQL start-up benchmark that an office PC never spends)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

if TYPE_CHECKING:
    import pytest

FILE_VAR = "KAWAOFFICE_TEST_KEYRING"


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    @property
    def path(self) -> Path:
        return Path(os.environ[FILE_VAR])

    def _entries(self) -> dict[str, str]:
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._entries().get(f"{service}\n{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        self.path.write_text(json.dumps({**self._entries(), f"{service}\n{username}": password}))

    def delete_password(self, service: str, username: str) -> None:
        entries = self._entries()
        if entries.pop(f"{service}\n{username}", None) is None:
            raise PasswordDeleteError(username)
        self.path.write_text(json.dumps(entries))


def child_environment(path: Path, service: str, username: str, password: str) -> dict[str, str]:
    """Keep one password in the file at ``path``; the environment that makes a child process use that store."""
    path.write_text(json.dumps({f"{service}\n{username}": password}))
    return {"PYTHON_KEYRING_BACKEND": f"{__name__}.{FileKeyring.__name__}", FILE_VAR: str(path)}


@contextmanager
def installed_file_keyring(path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FileKeyring]:
    from tests.storage.keyring_memory import installed_keyring

    monkeypatch.setenv(FILE_VAR, str(path))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", f"{__name__}.{FileKeyring.__name__}")
    with installed_keyring(FileKeyring()) as backend:
        yield backend
