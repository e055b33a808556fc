"""User settings, declared in one place with their types and defaults, kept as JSON in the user's config folder.

Plain Python (no Qt) so the CLI reads the same settings as the GUI. Window geometry is kept as base64 text.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kawaoffice.paths import user_config_dir

log = logging.getLogger(__name__)

SETTINGS_ENV = "KAWAOFFICE_SETTINGS"  # tests point this at a temporary file


@dataclass
class Settings:
    language: str = ""  # "" = follow the system
    database_url: str = ""  # "" = the local SQLite default; never holds a password (see keyring)
    shared_database_url: str = ""  # the office's PostgreSQL server, remembered for switching back
    user_name: str = ""  # "" = the operating system's login name
    window_geometry: str = ""
    window_state: str = ""
    last_tab: str = "partners"
    table_states: dict[str, str] = field(default_factory=dict)  # header state per table, base64
    tab_states: dict[str, dict[str, Any]] = field(
        default_factory=dict
    )  # each tab's own state (RecordTab.save_state)
    last_backup_date: str = ""
    # SQLite safety: a backup of the local database once a day at start, keeping 7 daily + 4 weekly ones
    auto_backup: bool = True
    backup_keep_daily: int = 7
    backup_keep_weekly: int = 4
    ignored_share_warnings: list[str] = field(default_factory=list)  # files the user keeps on a network share

    @staticmethod
    def path() -> Path:
        override = os.environ.get(SETTINGS_ENV)
        return Path(override) if override else user_config_dir() / "settings.json"

    @classmethod
    def load(cls) -> Settings:
        path = cls.path()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            log.warning("settings file %s unreadable (%s); using defaults", path, exc)
            return cls()
        if not isinstance(raw, dict):
            return cls()
        known = {f.name: f for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        defaults = cls()
        for name, value in raw.items():
            if name in known and isinstance(value, type(getattr(defaults, name))):
                values[name] = value
        return cls(**values)

    def save(self) -> None:
        path = self.path()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(dataclasses.asdict(self), ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, path)
