"""GUI entry point (``kawaoffice``): start-up as a list of named steps, each logged.

Steps: logging -> settings -> language -> first page (light read) -> Qt application (fonts, Qt's own
translations) -> first page preview -> loading in the background -> database and migrations -> main window (then
the warning about a database file on a network share) -> background checks. ``--screenshot PATH`` saves a PNG of
the main window after start-up and exits.

Start-up time (issue 10): a local SQLite file that is already at the schema head is opened without its
``PRAGMA quick_check`` (it reads the whole file); the check runs in a worker thread once the window is shown,
followed by the daily backup, and damage is reported then (restore from a backup, open the local database, or
quit). A file to be upgraded is checked before the upgrade, as always; ``--screenshot`` checks before it opens.

This module imports only Qt and the light modules at first (not even the ``Qt`` namespace: PySide builds its enums
on first use, 50-100 ms). When the window opens on the Partners tab of a local database at the head revision, the
tab's first page is read with the plain sqlite3 driver (``kawaoffice.storage.first_page``) and shown at once in
the main window's frame (``kawaoffice.ui.widgets.first_page``); SQLAlchemy, the models and the real window's
modules are imported in a worker thread while the preview stays usable, and the real window then takes its place
with what the user did meanwhile. Otherwise (another tab, a shared database, a file to upgrade, a screenshot) a
splash screen is shown as soon as Qt runs, and the rest is imported after it, while it says what is happening.
"""

from __future__ import annotations

# first: the cyclic collector paused while start-up imports (resumed below, after the imports)
from kawaoffice import _startup_gc

# isort: split
import argparse
import gc
import getpass
import logging
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

# KawaOffice's modules without Qt before PySide6: PySide's import hook reads the source of every module imported
# after it to look for its ``__feature__`` imports (about 1 ms a module at start).
from kawaoffice import APP_NAME, __version__, paths, qtfix, winmutex
from kawaoffice.i18n import _, load_babel, set_language
from kawaoffice.settings import Settings
from kawaoffice.storage import first_page as _first_page  # noqa: F401  (the start-up preview's reader)
from kawaoffice.storage.credentials import install_log_masking
from kawaoffice.ui.widgets import format as _format  # noqa: F401  (the preview's cell texts)

# No Qt at module level: PySide6 is imported when the Qt application starts (``Startup.start_qt``), after the
# start-up preview's reader process has been started (``Startup.read_first_page``: it reads a shared database on
# another core meanwhile); and PySide builds a class's enums when the class is first named (QLocale's languages and
# countries, QEvent's types, QMessageBox's buttons...: ~30 ms before the window showed), so each Qt class is
# imported where it is used.
if TYPE_CHECKING:
    import subprocess

    from PySide6.QtCore import QTranslator
    from PySide6.QtWidgets import QApplication, QWidget
    from sqlalchemy.exc import DBAPIError

    from kawaoffice.storage import DamagedDatabaseError, Database, StorageError
    from kawaoffice.storage.first_page import PendingPreview, PreviewSource
    from kawaoffice.ui.main_window import MainWindow
    from kawaoffice.ui.widgets.first_page import PreviewWindow
    from kawaoffice.ui.widgets.splash import BackgroundResult, SplashScreen

_startup_gc.resume()  # (what the imports loaded frozen: no collection scans it again)

log = logging.getLogger("kawaoffice.app")

# The main window's tabs (kawaoffice.ui.main_window.TAB_KEYS, checked by a test), named here so that parsing the
# command line imports no window code.
TAB_KEYS: tuple[str, ...] = ("partners", "projects", "dispatches", "visits")

LOG_FILE_NAME = "kawaoffice.log"
LOG_MAX_BYTES = 2_000_000
LOG_BACKUPS = 5
UI_FALLBACK_FAMILY = "IPAexGothic"  # bundled: Japanese text never depends on the PC's fonts

_registered_font_families: list[str] = []
_qt_translators: list[QTranslator] = []


# Rows of the start-up preview: the Partners tab's first page (PartnersModel: min(FIRST_PAGE_SIZE, PAGE_SIZE),
# checked by a test).
PREVIEW_ROWS = 60
# The modules the real window needs, imported in a worker thread while the preview is shown (the mappers are
# configured there too: the first query would otherwise do it on the UI thread).
BACKGROUND_MODULES: tuple[str, ...] = (
    "sqlalchemy.orm",
    "kawaoffice.model",
    "kawaoffice.storage.database",
    "kawaoffice.storage.opening",
    "kawaoffice.services.partner_search",
    "kawaoffice.ui.main_window",
    "kawaoffice.ui.partners.tab",
)


class StartupAborted(Exception):
    """A start-up step could not continue; the user has been told why."""


class StartupClosed(StartupAborted):
    """The user closed the start-up preview before KawaOffice finished loading: not an error."""


class Startup:
    """The state the start-up steps build, one after the other.

    (A plain class: set up as a dataclass it took ~1.5 ms of every start, before the window.)"""

    log_file: Path | None = None
    language: str = ""
    app: QApplication | None = None
    database: Database | None = None
    window: MainWindow | None = None
    user_name: str = ""
    url: str = ""  # the database asked for (--database, the environment, the settings or the local default)
    integrity_deferred: bool = False  # the open SQLite file's quick_check is still to run (background checks)
    background: threading.Thread | None = None
    _background_result: BackgroundResult | None = None
    splash: SplashScreen | None = None
    preview: PreviewWindow | None = None  # the light first page shown until the real window replaces it
    _first_page: PendingPreview | None = None  # started before Qt starts: the page being read
    _qt_translations_installed: bool = False
    _window_icon_set: bool = False

    def __init__(self, args: argparse.Namespace, *, reader: subprocess.Popen[bytes] | None = None) -> None:
        self.args = args
        self.settings = Settings()
        # the preview's reader process for a shared database, started by the entry point before this module was
        # imported (kawaoffice.launch): given its request by read_first_page, or stopped there when not needed
        self.reader: subprocess.Popen[bytes] | None = reader

    # --- steps --------------------------------------------------------------------------------------------------

    def setup_logging(self) -> None:
        self.log_file = configure_logging()

    def load_settings(self) -> None:
        self.settings = Settings.load()
        self.user_name = self.settings.user_name or getpass.getuser()
        log.info("settings from %s", Settings.path())

    def choose_language(self) -> None:
        self.language = set_language(self.args.lang or self.settings.language or None)
        log.info("language: %s", self.language)

    def start_qt(self) -> None:
        from PySide6.QtCore import QCoreApplication
        from PySide6.QtWidgets import QApplication

        existing = QApplication.instance()
        self.app = (
            existing
            if isinstance(existing, QApplication)
            else QApplication([sys.argv[0] if sys.argv else APP_NAME])
        )
        QCoreApplication.setApplicationName(APP_NAME)
        QCoreApplication.setOrganizationName(APP_NAME)
        QCoreApplication.setApplicationVersion(__version__)
        register_fonts(self.app)
        # (with a preview to show: the icon and Qt's catalog once it is painted, see show_first_page: setting up
        # PySide's QIcon class and loading Qt's catalog and locale took ~20 ms, and the first paint needs neither)
        if self._first_page is None:
            self.start_without_preview()

    def start_without_preview(self) -> None:
        """No preview (or none after all): the window icon and Qt's catalog now, and the splash screen while the
        rest loads (not for a screenshot)."""
        self.set_window_icon()
        self.install_qt_translations()
        if self.splash is None and not self.args.screenshot:
            self.splash = show_splash(_("Starting KawaOffice..."))

    def set_window_icon(self) -> None:
        """KawaOffice's icon for its windows (once)."""
        if self._window_icon_set or self.app is None:
            return
        self._window_icon_set = True
        icon = paths.resources_dir() / "icons" / "kawaoffice.png"
        if icon.exists():
            from PySide6.QtGui import QIcon

            self.app.setWindowIcon(QIcon(str(icon)))

    def install_qt_translations(self) -> None:
        """Qt's own catalog and default locale for the UI language (once; before any dialog or the real window)."""
        if self._qt_translations_installed or self.app is None:
            return
        self._qt_translations_installed = True
        install_qt_translations(self.app, self.language)

    def say(self, message: str) -> None:
        """What the splash screen says while the next step runs."""
        if self.splash is not None:
            self.splash.show_message(message)

    def close_splash(self) -> None:
        if self.splash is not None:
            self.splash.close()
            self.splash.deleteLater()
            self.splash = None

    def preview_source(self) -> PreviewSource | None:
        """The database to preview at start, or ``None``: the window opens on another tab, a screenshot is taken,
        or the database is not one the light reader previews (``storage.first_page.preview_source``)."""
        if self.args.screenshot:
            return None
        first = self.args.tab if self.args.tab in TAB_KEYS else self.settings.last_tab
        if first in TAB_KEYS and first != TAB_KEYS[0]:
            return None  # the real window opens on another tab: no preview of it (yet)
        from kawaoffice.storage.first_page import light_database_url, preview_source

        url = light_database_url(
            self.args.database, self.settings.database_url, paths.default_database_path()
        )
        return preview_source(url)

    def read_first_page(self) -> None:
        """Issue 10: on a database at the head revision, the Partners tab's first page read with the plain DB-API
        driver (no Qt needed yet: the preview then replaces the splash screen)."""
        source = self.preview_source()
        reader, self.reader = self.reader, None
        if source is None:
            if reader is not None:
                from kawaoffice.storage.first_page import stop_reader

                stop_reader(reader)
            return
        from kawaoffice.storage.first_page import begin_preview

        self._first_page = begin_preview(source, self.language, PREVIEW_ROWS, reader=reader)

    def show_first_page(self) -> None:
        """The main window's frame with the first page read before, shown before SQLAlchemy and the real window
        are loaded (see ``kawaoffice.ui.widgets.first_page``)."""
        if self._first_page is None:
            return
        pending = self._first_page
        self._first_page = None
        page = pending.result()
        if page is None:
            self.start_without_preview()
            return
        from kawaoffice.ui.widgets.first_page import PreviewWindow

        preview = PreviewWindow(page, self.settings, pending.source.location, shared=pending.source.shared)
        if not preview.shows_natural_order:
            log.info("no start-up preview: the list was last sorted by another column")
            preview.deleteLater()
            self.start_without_preview()
            return
        self.preview = preview
        show_preview(preview)
        self.set_window_icon()  # (at once: the window shows the default icon for a moment at most)
        log.info("start-up preview: %d of %d organizations", len(page.rows), page.total)

    def load_in_background(self) -> None:
        """While the preview is shown: import SQLAlchemy, the models (mappers configured) and the real window's
        modules in a worker thread, the event loop running meanwhile (the preview stays usable); then open the
        database there too (engine, dialect, schema check) and send the Partners tab's opening statement once, so
        that its first compile (~20 ms) is not done on the UI thread when the real window loads the tab (Babel's
        data too: ``i18n.load_babel``, for the detail pane's dates). Anything
        that fails there is done again by the usual steps on the UI thread, which say what is wrong. The log file
        rotates by size from here on (``rotate_log_by_size``)."""
        if self.preview is None:
            rotate_log_by_size()
            return
        from PySide6.QtCore import Qt  # (PySide builds its enums now: after the preview is shown, ~50 ms)

        self.preview.setCursor(Qt.CursorShape.BusyCursor)  # usable, but work goes on
        failed: list[BaseException] = []
        opened: list[tuple[str, Database]] = []
        cli_url, stored_url, language = self.args.database, self.settings.database_url, self.language

        def work() -> None:
            import importlib

            try:
                for name in BACKGROUND_MODULES:
                    importlib.import_module(name)
                rotate_log_by_size()
                from sqlalchemy.orm import configure_mappers

                configure_mappers()
                load_babel(language)  # (the real window's first dates and amounts would load it: ~25 ms)
            except BaseException as exc:  # imported again on the UI thread, which reports it as usual
                failed.append(exc)
                return
            try:
                opened.append(self._open_in_background(cli_url, stored_url, language))
            except Exception as exc:  # (opened again by the next step, which says what is wrong)
                log.info("the database was not opened in the background: %r", exc)

        thread = threading.Thread(target=work, name="kawaoffice-load", daemon=True)
        # (the cyclic collector is paused by run(): it would scan the modules' objects again and again while they
        # load)
        thread.start()
        self.install_qt_translations()  # (on this thread, the preview shown: before any dialog or window)
        wait_for_thread(thread)
        if failed:
            log.warning("loading in the background failed: %r", failed[0])
        if opened:
            self.url, self.database = opened[0]
            self.integrity_deferred = self.database.sqlite_path is not None  # (no preview with --screenshot)
        self._check_preview_open()

    def _open_in_background(
        self, cli_url: str | None, stored_url: str, language: str
    ) -> tuple[str, Database]:
        """(In the loading thread) the database ``open_database`` would open, and the Partners tab's opening
        statement sent once (for no rows): SQLAlchemy keeps its compiled form for the tab's first load."""
        from kawaoffice.services import partner_search
        from kawaoffice.storage import open_database, resolve_database_url

        url = resolve_database_url(cli_url, stored_url)
        database = open_database(url, self.user_name, defer_integrity_check=True)
        try:
            with database.session() as session:
                partner_search.warm_up(session, language)
        except BaseException:
            database.dispose()
            raise
        return url, database

    def _check_preview_open(self) -> None:
        if self.preview is not None and self.preview.closed_by_user:
            log.info("the window was closed while KawaOffice was loading")
            self.preview.deleteLater()
            self.preview = None
            raise StartupClosed

    def close_preview(self) -> None:
        if self.preview is not None:
            self.preview.close()
            self.preview.deleteLater()
            self.preview = None

    def open_database(self) -> None:
        from kawaoffice.storage import StorageError, resolve_database_url

        self.set_window_icon()  # (both done already unless the preview was not shown after all)
        self.install_qt_translations()
        if self.database is not None:  # opened while the preview was shown
            log.info("database: %s (%s)", self.database.display_name, self.database.backend)
            return
        self.say(_("Opening the database..."))
        # a shared database's password comes from the credential store (open_database fills it in)
        url = resolve_database_url(self.args.database, self.settings.database_url)
        self.url = url
        try:
            self.database = self._open(url)
        except StorageError as exc:
            self._open_local_instead(url, exc)
        assert self.database is not None
        log.info("database: %s (%s)", self.database.display_name, self.database.backend)

    def _open(self, url: str) -> Database:
        from kawaoffice.storage import open_database

        defer = not self.args.screenshot  # a screenshot is taken at once: check first, as before
        database = open_database(url, self.user_name, defer_integrity_check=defer)
        self.integrity_deferred = defer and database.sqlite_path is not None
        return database

    def _open_local_instead(self, url: str, exc: StorageError) -> None:
        """``url`` cannot be used: offer the local database (``StartupAborted`` when the user quits)."""
        from kawaoffice.storage import StorageError, default_sqlite_url

        self.close_splash()  # the question must not sit behind it
        self.close_preview()  # (of the database that cannot be used)
        log.error("cannot open the database: %s", exc.message)
        local = default_sqlite_url()
        if url == local or not ask_open_local_instead(exc.message):
            raise StartupAborted from exc
        try:
            self.database = self._open(local)
            self.url = local
        except StorageError as exc2:
            log.error("cannot open the local database either: %s", exc2.message)
            show_error(_("Cannot open the database"), exc2.message)
            raise StartupAborted from exc2

    def open_main_window(self) -> None:
        from sqlalchemy.exc import DBAPIError

        assert self.database is not None
        gc.freeze()  # SQLAlchemy and the models are loaded for good: collections need not scan them (~0.1 s)
        self.say(_("Loading..."))
        try:
            self.window = self._new_window()
        except DBAPIError as exc:
            # reading the first tab failed: on a SQLite file whose check was deferred, damage says so in words
            damage = self._damage_of(exc)
            if damage is None:
                raise
            self.database.dispose()
            self._open_local_instead(self.url, damage)
            self.window = self._new_window()
        if self.args.tab:
            self.window.show_tab(self.args.tab)
        self._check_preview_open()
        if self.preview is not None:
            self.preview.hand_over(self.window)  # shown in the preview's place, with what the user did there
            self.preview.deleteLater()
            self.preview = None
        else:
            self.window.show()
        self.close_splash()
        if not self.args.screenshot:
            self.window.check_network_share()

    def _new_window(self) -> MainWindow:
        from kawaoffice.ui.main_window import MainWindow

        assert self.database is not None
        return MainWindow(
            self.database,
            self.settings,
            user_name=self.user_name,
            live_refresh=not self.args.screenshot,
            initial_tab=self.args.tab,
        )

    def _damage_of(self, exc: DBAPIError) -> DamagedDatabaseError | None:
        from kawaoffice.storage import DamagedDatabaseError, StorageError
        from kawaoffice.storage.sqlite_file import check_integrity

        path = self.database.sqlite_path if self.database is not None else None
        if not self.integrity_deferred or path is None:
            return None
        log.warning("reading the database failed (%s); checking its integrity now", exc.orig)
        try:
            check_integrity(path)
        except DamagedDatabaseError as damage:
            return damage
        except StorageError:
            return None
        self.integrity_deferred = False
        return None

    def start_background_checks(self) -> None:
        """After the window is shown, in a worker thread: the local file's deferred integrity check, then the
        daily backup (once a day, rotated: 7 daily + 4 weekly). Damage is reported in the window
        (:meth:`report_damage`); a failed backup is logged only: the office's work must not stop for it."""
        from kawaoffice.storage import DamagedDatabaseError, StorageError
        from kawaoffice.storage.backup import daily_backup
        from kawaoffice.storage.sqlite_file import check_integrity

        database = self.database
        assert database is not None
        path = database.sqlite_path
        check = self.integrity_deferred
        back_up = self.settings.auto_backup and database.is_local and not self.args.screenshot
        if path is None or not (check or back_up):
            return
        from kawaoffice.ui.widgets.splash import BackgroundResult

        result = BackgroundResult()
        result.damaged.connect(self.report_damage)
        self._background_result = result
        keep_daily, keep_weekly = self.settings.backup_keep_daily, self.settings.backup_keep_weekly

        def work() -> None:
            if check:
                started = time.perf_counter()
                try:
                    check_integrity(path)
                except DamagedDatabaseError as exc:
                    log.error("integrity check: %s", exc.message)
                    message = _("The check of the database file {location} found damage. Details: {detail}")
                    result.damaged.emit(
                        message.format(location=exc.location, detail=exc.detail or "-"), str(path)
                    )
                    return  # no backup of a damaged file over the good ones
                except StorageError as exc:
                    log.warning("integrity check not done: %s", exc.message)
                else:
                    log.info(
                        "integrity check of %s: ok (%.0f ms)", path, (time.perf_counter() - started) * 1000
                    )
            if back_up:
                try:
                    written = daily_backup(database, keep_daily=keep_daily, keep_weekly=keep_weekly)
                except (StorageError, OSError) as exc:
                    log.warning("daily backup failed: %s", exc)
                else:
                    if written is not None:
                        log.info("daily backup written to %s", written)

        self.background = threading.Thread(target=work, name="kawaoffice-checks", daemon=True)
        self.background.start()

    def report_damage(self, message: str, path: str = "") -> None:
        """The open database failed its integrity check: restore it from a backup, open the local database
        instead, or quit. Nothing more is written to a damaged file meanwhile (the dialog is modal)."""
        window = self.window
        if window is None:
            return
        if path and window.database.sqlite_path != Path(path):
            log.warning("%s (the user has switched to another database meanwhile)", message)
            return
        from kawaoffice.storage import default_sqlite_url

        self.integrity_deferred = False
        can_open_local = self.url != default_sqlite_url()
        choice = ask_about_damage(message, window, can_open_local=can_open_local)
        if choice == "restore" and window.restore_from_backup():
            return
        if choice == "local" and window.open_other_database(""):
            return
        log.info("closing the damaged database %s", window.database.display_name)
        window.close()

    def steps(self) -> list[tuple[str, Callable[[], None]]]:
        return [
            ("logging", self.setup_logging),
            ("settings", self.load_settings),
            ("language", self.choose_language),
            ("first page (light read)", self.read_first_page),
            ("Qt application and fonts", self.start_qt),
            ("first page preview", self.show_first_page),
            ("loading (in the background)", self.load_in_background),
            ("database and migrations", self.open_database),
            ("main window", self.open_main_window),
            ("integrity check and daily backup (in the background)", self.start_background_checks),
        ]

    def run(self) -> None:
        """The steps, one after the other, with the cyclic collector paused: start-up allocates a great deal and
        frees almost nothing (it ran ~40 times before the preview showed, and again and again while the modules
        loaded behind it); what start-up loaded is then frozen (``gc.freeze``: it lives as long as the process,
        so no collection scans it again) and the collector runs again."""
        steps = self.steps()
        collecting = gc.isenabled()
        gc.disable()
        try:
            for number, (name, step) in enumerate(steps, start=1):
                started = time.perf_counter()
                log.info("start-up step %d/%d: %s", number, len(steps), name)
                step()
                log.info("start-up step %s done in %.0f ms", name, (time.perf_counter() - started) * 1000)
        finally:
            gc.freeze()
            if collecting:
                gc.enable()


# --- helpers used by the steps -------------------------------------------------------------------------------------


def configure_logging() -> Path | None:
    """The log file in the user's log folder (once per process); returns its path, or None if unwritable. A plain
    file handler until ``rotate_log_by_size`` (once the window shows) puts the standard rotating one in its place:
    ``logging.handlers`` imports ``socket``, ``pickle``, ``queue``... (~10 ms of every start)."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    log_file = paths.user_log_dir() / LOG_FILE_NAME
    for handler in root.handlers:
        if isinstance(handler, logging.FileHandler) and Path(handler.baseFilename) == log_file:
            return log_file
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(log_file, encoding="utf-8")
    except OSError as exc:
        if sys.stderr is not None:
            print(f"KawaOffice: cannot write the log file {log_file}: {exc}", file=sys.stderr)
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    install_log_masking()  # no password of a database URL ever reaches the log file
    log.info("KawaOffice %s, Python %s, log file %s", __version__, sys.version.split()[0], log_file)
    return log_file


def rotate_log_by_size(
    logger: logging.Logger | None = None, max_bytes: int = LOG_MAX_BYTES, backups: int = LOG_BACKUPS
) -> None:
    """Put ``logging.handlers.RotatingFileHandler`` (``max_bytes``, ``backups``) in the place of each plain file
    handler of ``logger`` (default: the root logger), with its format and filters (the password masking); the file
    rotates at its next record when it is already too large."""
    import logging.handlers

    target = logger or logging.getLogger()
    for handler in list(target.handlers):
        if type(handler) is not logging.FileHandler:
            continue
        rotating = logging.handlers.RotatingFileHandler(
            handler.baseFilename, maxBytes=max_bytes, backupCount=backups, encoding=handler.encoding
        )
        rotating.setFormatter(handler.formatter)
        for record_filter in handler.filters:
            rotating.addFilter(record_filter)
        target.addHandler(rotating)
        target.removeHandler(handler)
        handler.close()


def register_fonts(app: QApplication) -> list[str]:
    """Register the bundled fonts (once) and add IPAex Gothic as the UI font's fallback for Japanese."""
    from PySide6.QtGui import QFont, QFontDatabase

    if not _registered_font_families:
        for ttf in sorted(paths.fonts_dir().glob("*.ttf")):
            font_id = QFontDatabase.addApplicationFont(str(ttf))
            if font_id < 0:
                log.warning("could not load the font %s", ttf)
                continue
            _registered_font_families.extend(QFontDatabase.applicationFontFamilies(font_id))
        log.info("bundled fonts: %s", ", ".join(_registered_font_families) or "none")
    if UI_FALLBACK_FAMILY in _registered_font_families:
        font = QFont(app.font())
        families = [f for f in font.families() if f != UI_FALLBACK_FAMILY] or [font.family()]
        font.setFamilies([*families, UI_FALLBACK_FAMILY])
        app.setFont(font)
    return list(_registered_font_families)


def install_qt_translations(app: QApplication, language: str) -> None:
    """Qt's own catalog (qtbase_ja) so standard buttons and dialogs speak the UI language."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    for translator in _qt_translators:
        app.removeTranslator(translator)
    _qt_translators.clear()
    QLocale.setDefault(QLocale(language))
    if language == "en":
        return
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    translator = QTranslator(app)
    if translator.load(f"qtbase_{language}", folder):
        app.installTranslator(translator)
        _qt_translators.append(translator)
    else:
        log.warning("Qt translations qtbase_%s not found in %s", language, folder)


def ask_open_local_instead(message: str) -> bool:
    """Tell the user why the database cannot be opened; ``True`` if they choose the local database instead."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Critical, _("Cannot open the database"), message)
    box.setInformativeText(_("You can open the local database on this PC instead, or quit KawaOffice."))
    open_local = box.addButton(_("Open local database"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(_("Quit"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(open_local)
    box.exec()
    return box.clickedButton() is open_local


def ask_about_damage(message: str, parent: QWidget, *, can_open_local: bool) -> str:
    """``"restore"``, ``"local"`` or ``""`` (quit): what to do with the open database found damaged."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Critical, _("The database is damaged"), message, parent=parent)
    box.setInformativeText(
        _(
            "KawaOffice stops using this database so that nothing more is written to it. Restore it from a "
            "backup, open the local database instead, or quit."
        )
        if can_open_local
        else _(
            "KawaOffice stops using this database so that nothing more is written to it. Restore it from a "
            "backup, or quit."
        )
    )
    restore = box.addButton(_("Restore from backup..."), QMessageBox.ButtonRole.AcceptRole)
    local = (
        box.addButton(_("Open local database"), QMessageBox.ButtonRole.AcceptRole) if can_open_local else None
    )
    box.addButton(_("Quit"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(restore)
    box.exec()
    clicked = box.clickedButton()
    if clicked is restore:
        return "restore"
    if local is not None and clicked is local:
        return "local"
    return ""


def show_splash(message: str) -> SplashScreen:
    """Show the splash screen in the middle of the screen and paint it at once: the user sees KawaOffice start
    while the database and the main window are prepared."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from kawaoffice.ui.widgets.splash import SplashScreen

    splash = SplashScreen(message)
    screen = QApplication.primaryScreen()
    if screen is not None:
        splash.move(screen.availableGeometry().center() - splash.rect().center())
    splash.show()
    splash.repaint()
    QCoreApplication.processEvents()
    return splash


def show_preview(preview: PreviewWindow) -> None:
    """Show the start-up preview and paint it at once (the benchmark's "window shown" moment)."""
    from PySide6.QtCore import QCoreApplication

    preview.show()
    preview.repaint()
    QCoreApplication.processEvents()


def wait_for_thread(thread: threading.Thread, poll_ms: int = 10) -> None:
    """Run the event loop until ``thread`` has finished (the windows stay usable meanwhile)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(poll_ms)
    timer.timeout.connect(lambda: None if thread.is_alive() else loop.quit())
    timer.start()
    if thread.is_alive():
        loop.exec()
    timer.stop()


def show_error(title: str, message: str) -> None:
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Critical, title, message)
    box.exec()


def make_excepthook(
    log_file: Path | None,
    window: MainWindow | None = None,
) -> Callable[[type[BaseException], BaseException, TracebackType | None], None]:
    """Log an uncaught exception with its traceback and show the user a dialog with the log file's path.

    A lost database connection is not a crash: the main window shows its offline banner and the user is told
    that nothing was saved and that open windows keep their entries (an edit dialog stays open)."""

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        from PySide6.QtWidgets import QApplication, QMessageBox

        from kawaoffice.storage import DatabaseUnavailableError, is_connection_error

        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        if isinstance(exc, DatabaseUnavailableError) or is_connection_error(exc):
            log.warning("database unreachable during an action: %s", exc)
            if window is not None and QApplication.instance() is not None:
                window.handle_error(exc)
                # the banner explains it; an open dialog (a save that failed) is also told in words
                if QApplication.activeModalWidget() is not None:
                    show_connection_lost(QApplication.activeModalWidget() or window)
            return
        log.critical("uncaught exception", exc_info=(exc_type, exc, tb))
        if QApplication.instance() is None:
            return
        where = str(log_file) if log_file else _("(no log file could be written)")
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            _("Unexpected error"),
            _("KawaOffice ran into an unexpected error: {error}").format(error=exc),
        )
        box.setInformativeText(
            _(
                "The details were written to the log file:\n{path}\nPlease send it to the person who looks after KawaOffice."
            ).format(path=where)
        )
        box.exec()

    return hook


def show_connection_lost(parent: QWidget) -> None:
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.warning(
        parent,
        _("Connection lost"),
        _(
            "The database cannot be reached right now, so this could not be done and nothing was saved. Your "
            "entries are still in the open window: save again when the connection is back (see the banner at the "
            "top of the main window)."
        ),
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="kawaoffice", description="KawaOffice desktop app")
    parser.add_argument("--database", metavar="URL", help="SQLite file or PostgreSQL URL to open")
    parser.add_argument("--lang", choices=("ja", "en"), help="user interface language")
    parser.add_argument(
        "--screenshot", metavar="PATH", type=Path, help="save a PNG of the main window and exit"
    )
    parser.add_argument("--tab", choices=TAB_KEYS, help="tab to show (with --screenshot or at start)")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    return parser.parse_args(list(argv) if argv is not None else None)


def save_screenshot(startup: Startup, path: Path) -> bool:
    assert startup.app is not None and startup.window is not None
    for _round in range(3):
        startup.app.processEvents()
    path.parent.mkdir(parents=True, exist_ok=True)
    ok = startup.window.grab().save(str(path), "PNG")
    log.info("screenshot %s: %s", path, "saved" if ok else "FAILED")
    return bool(ok)


def main(argv: Sequence[str] | None = None, *, reader: subprocess.Popen[bytes] | None = None) -> int:
    """The desktop app; ``reader``: the start-up preview's reader process already started by the entry point
    (``kawaoffice.launch``, which calls this)."""
    args = parse_args(argv)
    if args.version:
        if sys.stdout is not None:
            print(f"{APP_NAME} {__version__}")
        return 0
    qtfix.guard_none_refcount()  # PySide6 6.12 on Python 3.11 would abort after many Qt calls
    winmutex.hold_app_mutex()  # the installer and uninstaller refuse while it exists (kawaoffice.iss AppMutex)
    startup = Startup(args, reader=reader)
    previous_hook = sys.excepthook
    try:
        try:
            startup.run()
        except StartupClosed:
            return 0
        except StartupAborted:
            return 1
        finally:
            startup.close_splash()
            startup.close_preview()
        sys.excepthook = make_excepthook(startup.log_file, startup.window)
        assert startup.app is not None and startup.window is not None
        if args.screenshot:
            ok = save_screenshot(startup, args.screenshot)
            startup.window.hide()  # not close(): a screenshot must not change the remembered window state
            startup.window.deleteLater()
            return 0 if ok else 1
        return int(startup.app.exec())
    finally:
        sys.excepthook = previous_hook
        if startup.database is not None:
            startup.database.dispose()
        log.info("KawaOffice ends")


if __name__ == "__main__":
    raise SystemExit(main())
