"""Names and lists shared by the PyInstaller spec, ``build.py``, the Inno Setup script's defines and the tests.

Keep the literal names here in step with ``kawaoffice.iss`` and ``.github/workflows/windows-installer.yml``:
``tests/installer/test_consistency.py`` fails when they disagree.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

APP_NAME = "KawaOffice"
BUNDLE_NAME = "KawaOffice"  # dist/<BUNDLE_NAME>/ = the folder the installer copies
GUI_NAME = "kawaoffice"  # kawaoffice.exe, windowed
CLI_NAME = "kawaoffice-cli"  # kawaoffice-cli.exe, console
ICON_FILE = "kawaoffice.ico"
SETUP_BASENAME = "KawaOffice-Setup-{version}"  # Inno Setup's OutputBaseFilename (with the version define)
# Inno Setup AppId: never change it, or an upgrade installs beside the old version instead of over it.
APP_ID = "{{6F0C2D3E-8B1A-4F5C-9E27-4B8D1A7C3E55}"
# The named mutex the running app holds (kawaoffice/winmutex.py) and the installer checks (AppMutex).
APP_MUTEX = "KawaOfficeRunningMutex"
LANGUAGES = ("ja", "en")  # the app's UI languages = the installer's languages = Qt catalogs kept
HOLIDAY_COUNTRIES = ("JP",)  # holidays.country_holidays("JP", ...) in services/tour_checks.py
STORAGE_DATA = ("alembic.ini", "migrations/*.py", "migrations/*.mako", "migrations/versions/*.py")

HIDDEN_IMPORTS = [
    "holidays.countries.japan",  # holidays' registry imports the country module by name
    "psycopg_binary",  # psycopg picks its C implementation at run time
    "sqlalchemy.dialects.postgresql.psycopg",
    "sqlalchemy.dialects.sqlite.pysqlite",
]

# Python packages kept out of the bundle: Qt modules the app does not use, and development tools that happen to be
# installed next to the app (tests, linters) or optional back-ends other libraries try to import.
QT_EXCLUDES = [
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets",
    "PySide6.QtWebEngineQuick",
    "PySide6.QtWebChannel",
    "PySide6.QtWebSockets",
    "PySide6.QtWebView",
    "PySide6.Qt3DCore",
    "PySide6.Qt3DRender",
    "PySide6.Qt3DInput",
    "PySide6.Qt3DLogic",
    "PySide6.Qt3DAnimation",
    "PySide6.Qt3DExtras",
    "PySide6.QtMultimedia",
    "PySide6.QtMultimediaWidgets",
    "PySide6.QtSpatialAudio",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuick3D",
    "PySide6.QtQuickWidgets",
    "PySide6.QtQuickControls2",
    "PySide6.QtDataVisualization",
    "PySide6.QtGraphs",
    "PySide6.QtGraphsWidgets",
    "PySide6.QtLocation",
    "PySide6.QtPositioning",
    "PySide6.QtBluetooth",
    "PySide6.QtNfc",
    "PySide6.QtSerialPort",
    "PySide6.QtSerialBus",
    "PySide6.QtSensors",
    "PySide6.QtRemoteObjects",
    "PySide6.QtScxml",
    "PySide6.QtStateMachine",
    "PySide6.QtTextToSpeech",
    "PySide6.QtHttpServer",
    "PySide6.QtDesigner",
    "PySide6.QtUiTools",
    "PySide6.QtHelp",
    "PySide6.QtTest",
    "PySide6.QtSql",
    "PySide6.QtSvgWidgets",
    "PySide6.QtPdfWidgets",
]
EXCLUDES = [
    *QT_EXCLUDES,
    "tkinter",
    "pytest",
    "_pytest",
    "pytestqt",
    "hypothesis",
    "mypy",
    "ruff",
    "importlinter",
    "grimp",
    "pypdf",
    "lxml",
    "numpy",
    "pandas",
    "matplotlib",
    "IPython",
    "PyInstaller",
]

# Shared libraries and Qt plugins left out even though a collected plugin depends on them.
UNWANTED_BINARY_FRAGMENTS = ["virtualkeyboard", "Qt6Qml", "Qt6Quick", "Qt6VirtualKeyboard"]

# Files the smoke test requires in the bundle (relative to the folder holding the Python side: _internal/).
REQUIRED_FILES = [
    "translations/ja/LC_MESSAGES/messages.mo",
    "translations/en/LC_MESSAGES/messages.mo",
    "resources/fonts/ipaexg.ttf",
    "resources/fonts/ipaexm.ttf",
    "resources/fonts/IPA_Font_License_Agreement_v1.0.txt",
    "kawaoffice/storage/migrations/env.py",
    "kawaoffice/storage/migrations/versions/0001_initial.py",
    "tzdata/zoneinfo/Asia/Tokyo",
    "tzdata/zoneinfo/Asia/Manila",
    "holidays/locale/ja/LC_MESSAGES/JP.mo",
    "PySide6/Qt/translations/qtbase_ja.qm",
]
# Name fragments that must not appear anywhere in the bundle (Qt modules the app does not use).
FORBIDDEN_FRAGMENTS = [
    "WebEngine",
    "Qt3D",
    "Multimedia",
    "QtQuick",
    "Qt6Quick",
    "QtQml",
    "Qt6Qml",
    "VirtualKeyboard",
    "QtGraphs",
    "Qt6Graphs",
    "Designer",
]


def unwanted_binary(dest: str) -> bool:
    lowered = dest.lower()
    return any(fragment.lower() in lowered for fragment in UNWANTED_BINARY_FRAGMENTS)


def pyproject() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


def project_version() -> str:
    return str(pyproject()["project"]["version"])


def numeric_version(version: str) -> tuple[int, int, int, int]:
    """``0.1.0`` -> (0, 1, 0, 0); suffixes such as ``rc1`` or ``.dev3`` are dropped (Windows wants four numbers)."""
    numbers = [int(n) for n in re.findall(r"\d+", version.split("+")[0].split("rc")[0].split(".dev")[0])][:4]
    padded = [*numbers, 0, 0, 0, 0][:4]
    return padded[0], padded[1], padded[2], padded[3]


def compile_catalogs(translations: Path, out_dir: Path) -> dict[str, Path]:
    """Compile ``translations/<lang>/LC_MESSAGES/messages.po`` to ``out_dir/<lang>/messages.mo`` with Babel
    (fuzzy entries left out, as at run time); returns ``{language: mo_path}``."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    result: dict[str, Path] = {}
    for language in LANGUAGES:
        po = translations / language / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            raise FileNotFoundError(f"missing catalog {po}")
        with po.open("rb") as f:
            catalog = read_po(f, locale=language)
        mo = out_dir / language / "messages.mo"
        mo.parent.mkdir(parents=True, exist_ok=True)
        with mo.open("wb") as f:
            write_mo(f, catalog, use_fuzzy=False)
        result[language] = mo
    return result


def version_resource(version: str) -> Any:
    """The Windows version resource of both executables (Explorer → Properties → Details)."""
    from PyInstaller.utils.win32 import versioninfo as vi

    numbers = numeric_version(version)
    strings = [
        vi.StringStruct("CompanyName", "KawaOffice developers"),
        vi.StringStruct("FileDescription", APP_NAME),
        vi.StringStruct("FileVersion", version),
        vi.StringStruct("InternalName", APP_NAME),
        vi.StringStruct("OriginalFilename", f"{GUI_NAME}.exe"),
        vi.StringStruct("ProductName", APP_NAME),
        vi.StringStruct("ProductVersion", version),
    ]
    return vi.VSVersionInfo(
        ffi=vi.FixedFileInfo(filevers=numbers, prodvers=numbers),
        kids=[
            vi.StringFileInfo([vi.StringTable("041104B0", strings)]),  # Japanese, Unicode
            vi.VarFileInfo([vi.VarStruct("Translation", [0x0411, 1200, 0x0409, 1200])]),
        ],
    )
