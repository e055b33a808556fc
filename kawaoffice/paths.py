"""Where KawaOffice keeps its files: resources shipped with it and the user's data, logs and settings."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs

from kawaoffice import APP_NAME


def _source_root() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:  # PyInstaller one-folder bundle
        return Path(frozen)
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    return _source_root() / "resources"


def translations_dir() -> Path:
    return _source_root() / "translations"


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def user_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def user_log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def user_config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def default_database_path() -> Path:
    return user_data_dir() / "kawaoffice.sqlite3"


def backups_dir() -> Path:
    return user_data_dir() / "backups"
