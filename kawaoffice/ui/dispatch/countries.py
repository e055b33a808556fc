"""The country list of the dispatch and booking dialogs and the time zones of the dispatch dialog, built once per
language (and day, for the zones' UTC offsets) instead of at each opening: sorting some 250 countries by reading
and adding them to a combo box was a tenth of the time to open a dialog. The country model is shared by the combo
boxes (each keeps its own current item)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel

from kawaoffice import i18n

_models: dict[tuple[str, bool], QStandardItemModel] = {}


def country_model(*, blank: bool = False) -> QStandardItemModel:
    """Every country as ``(name, code)`` items (data: the code) in the current language's order; ``blank``: an
    empty first item (data ``""``). Kept for the process; never edited by its users (combo boxes with
    ``NoInsert``)."""
    key = (i18n.current_language(), blank)
    model = _models.get(key)
    if model is None:
        model = QStandardItemModel()
        pairs = ([("", "")] if blank else []) + list(i18n.country_choices())
        for code, name in pairs:
            item = QStandardItem(name)
            item.setData(code, Qt.ItemDataRole.UserRole)
            item.setEditable(False)
            model.appendRow(item)
        _models[key] = model
    return model


@lru_cache(maxsize=8)
def _zones(language: str, day: date, zones: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple(i18n.timezone_choices(zones))


def timezone_choices(zones: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """``i18n.timezone_choices(zones)`` kept per language and day."""
    return _zones(i18n.current_language(), date.today(), zones)
