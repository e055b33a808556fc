"""The desktop app's entry point (``kawaoffice``, ``python -m kawaoffice``, the frozen kawaoffice.exe).

Issue 10: when the window will open on the office's shared database, the start-up preview's reader process
(``kawaoffice.storage.first_page_reader``) is started first, before ``kawaoffice.app`` and its modules are imported
(~50 ms of a start): it loads libpq and the credential store on the other core meanwhile, and its page is then
there when Qt is. Only what the app imports anyway is imported for it (the settings and the light first-page
module); anything unusual is left to ``Startup.read_first_page``, which hands the reader its request or stops it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import subprocess

# kawaoffice.storage.database.ENV_VAR and kawaoffice.settings.SETTINGS_ENV (tested equal): read here without
# importing SQLAlchemy or the settings' dataclasses (~25 ms before the reader could start)
ENV_VAR = "KAWAOFFICE_DATABASE_URL"
SETTINGS_ENV = "KAWAOFFICE_SETTINGS"
FIRST_TAB = "partners"  # kawaoffice.app.TAB_KEYS[0]: the tab the preview shows
# the URL schemes of the shared database (storage.first_page.server_address_of decides on the rest later)
SERVER_SCHEMES = ("postgresql", "postgresql+psycopg", "postgres")


def _option(argv: Sequence[str], name: str) -> str | None:
    """The value of ``--name VALUE`` or ``--name=VALUE`` in ``argv`` (the last one, as argparse takes it)."""
    value: str | None = None
    for i, arg in enumerate(argv):
        if arg == name and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith(name + "="):
            value = arg[len(name) + 1 :]
    return value


def _stored() -> dict[str, object]:
    """The settings file's values as stored (``kawaoffice.settings.Settings.load`` reads the same file); {} when
    there is none or it cannot be read (the app's own steps say what is wrong with it)."""
    import json

    override = os.environ.get(SETTINGS_ENV)
    if override:
        path = override
    else:
        from kawaoffice.paths import user_config_dir

        path = str(user_config_dir() / "settings.json")
    try:
        with open(path, encoding="utf-8") as file:
            raw = json.load(file)
    except (OSError, ValueError):
        return {}
    return raw if isinstance(raw, dict) else {}


def early_reader(argv: Sequence[str]) -> subprocess.Popen[bytes] | None:
    """The preview's reader process for the shared database the app is about to open, started now; ``None`` for a
    local file (read in a few ms later), a screenshot, a window opening on another tab, or anything that fails.
    The app decides on the preview itself (``Startup.read_first_page``) and stops a reader it does not need."""
    if any(arg == "--screenshot" or arg.startswith("--screenshot=") for arg in argv) or "--version" in argv:
        return None
    url = _option(argv, "--database") or os.environ.get(ENV_VAR)
    tab = _option(argv, "--tab")
    if not url:  # the office's usual case: the shared database is in the settings
        stored = _stored()
        stored_url, last_tab = stored.get("database_url"), stored.get("last_tab")
        url = stored_url if isinstance(stored_url, str) else None
        tab = tab or (last_tab if isinstance(last_tab, str) else None)
    if not url or url.split("://", 1)[0] not in SERVER_SCHEMES or (tab and tab != FIRST_TAB):
        return None
    from urllib.parse import urlsplit

    from kawaoffice.storage.first_page_reader import spawn

    try:
        has_password = bool(urlsplit(str(url)).password)
        return spawn(prepare_store=not has_password)
    except Exception:  # (ValueError of a strange URL, OSError: the normal path without a preview)
        return None


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    reader = early_reader(args)
    from kawaoffice.app import main as app_main

    return app_main(args, reader=reader)
