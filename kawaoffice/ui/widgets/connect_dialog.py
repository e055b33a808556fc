"""Connect to the office's shared PostgreSQL database: host, port, database, user, password and SSL mode, with
"Test connection" (off the UI thread, at most a few seconds) and the password kept in the OS credential store.

Also used, with another title and button, to name the new database for "Copy local data to a new shared
database...".
"""

from __future__ import annotations

import contextlib
import logging
import threading

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import URL, make_url

from kawaoffice.i18n import N_, _
from kawaoffice.storage import ConnectionCheck, StorageError, check_connection
from kawaoffice.storage.credentials import DEFAULT_PG_PORT, stored_password

log = logging.getLogger(__name__)

TEST_TIMEOUT_S = 5
SSL_MODES: tuple[tuple[str, str], ...] = (
    ("prefer", N_("Prefer (use SSL when the server offers it)")),
    ("require", N_("Require (always encrypted)")),
    ("verify-full", N_("Verify (encrypted, server certificate checked)")),
    ("disable", N_("Disable (local network only)")),
)


class _Result(QObject):
    done = Signal(object)  # ConnectionCheck | StorageError


class ConnectDialog(QDialog):
    """``url()`` (with the password, to connect) and ``url_without_password()`` (to store) after ``exec()``;
    ``remember_password()`` says whether to keep the password in the credential store."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        current_url: str = "",
        title: str | None = None,
        accept_text: str | None = None,
        intro: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("connect_dialog")
        self.setWindowTitle(title or _("Connect to shared database"))
        self.host = QLineEdit(self)
        self.host.setObjectName("host")
        self.host.setPlaceholderText(_("e.g. server or 192.168.1.10"))
        self.port = QSpinBox(self)
        self.port.setObjectName("port")
        self.port.setRange(1, 65535)
        self.port.setValue(DEFAULT_PG_PORT)
        self.database = QLineEdit("kawaoffice", self)
        self.database.setObjectName("database")
        self.user = QLineEdit(self)
        self.user.setObjectName("user")
        self.password = QLineEdit(self)
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.ssl = QComboBox(self)
        self.ssl.setObjectName("sslmode")
        for code, label in SSL_MODES:
            self.ssl.addItem(_(label), code)
        self.remember = QCheckBox(_("Remember the password (in the system's credential store)"), self)
        self.remember.setObjectName("remember")
        self.remember.setChecked(True)
        self.test_button = QPushButton(_("&Test connection"), self)
        self.test_button.setObjectName("test_connection")
        self.test_button.clicked.connect(self.test_connection)
        self.result_label = QLabel(self)
        self.result_label.setObjectName("test_result")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.setMinimumHeight(self.fontMetrics().height() * 3)

        form = QFormLayout()
        form.addRow(_("&Server:"), self.host)
        form.addRow(_("&Port:"), self.port)
        form.addRow(_("&Database:"), self.database)
        form.addRow(_("&User:"), self.user)
        form.addRow(_("Pass&word:"), self.password)
        form.addRow(_("SS&L:"), self.ssl)
        form.addRow("", self.remember)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(accept_text or _("&Connect"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        if intro:
            intro_label = QLabel(intro, self)
            intro_label.setObjectName("intro")
            intro_label.setWordWrap(True)
            layout.addWidget(intro_label)
        layout.addLayout(form)
        layout.addWidget(self.result_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)

        self._result = _Result(self)
        self._result.done.connect(self._on_tested)
        self._thread: threading.Thread | None = None
        self.last_check: ConnectionCheck | StorageError | None = None
        for edit in (self.host, self.database, self.user):
            edit.textChanged.connect(self._update_buttons)
        if current_url:
            self.set_url(current_url)
        self._update_buttons()

    # --- values -----------------------------------------------------------------------------------------------

    def set_url(self, url: str) -> None:
        parsed = make_url(url)
        self.host.setText(parsed.host or "")
        self.port.setValue(parsed.port or DEFAULT_PG_PORT)
        self.database.setText(parsed.database or "")
        self.user.setText(parsed.username or "")
        password = str(parsed.password) if parsed.password else stored_password(parsed)
        self.password.setText(password or "")
        mode = parsed.query.get("sslmode")
        index = self.ssl.findData(mode if isinstance(mode, str) else "prefer")
        self.ssl.setCurrentIndex(max(index, 0))

    def _url(self, with_password: bool) -> URL:
        query = {} if self.ssl.currentData() == "prefer" else {"sslmode": str(self.ssl.currentData())}
        return URL.create(
            "postgresql+psycopg",
            username=self.user.text().strip() or None,
            password=(self.password.text() or None) if with_password else None,
            host=self.host.text().strip() or None,
            port=self.port.value(),
            database=self.database.text().strip() or None,
            query=query,
        )

    def url(self) -> str:
        """The URL to connect with (holds the password: never store or log it)."""
        return self._url(True).render_as_string(hide_password=False)

    def url_without_password(self) -> str:
        return self._url(False).render_as_string(hide_password=False)

    def remember_password(self) -> bool:
        return self.remember.isChecked() and bool(self.password.text())

    def _update_buttons(self) -> None:
        complete = all(e.text().strip() for e in (self.host, self.database, self.user))
        self.ok_button.setEnabled(complete and not self.testing)
        self.test_button.setEnabled(complete and not self.testing)

    # --- test connection --------------------------------------------------------------------------------------

    @property
    def testing(self) -> bool:
        """From "Test connection" until its answer is shown (not only while the worker thread runs)."""
        return self._thread is not None

    def test_connection(self) -> None:
        """Try the connection on a worker thread; the answer appears under the form."""
        if self.testing:
            return
        url = self.url()
        self.result_label.setStyleSheet("")
        self.result_label.setText(_("Testing the connection to {server}...").format(server=self.host.text()))
        result = self._result

        def work() -> None:
            outcome: ConnectionCheck | StorageError
            try:
                outcome = check_connection(url, timeout=TEST_TIMEOUT_S)
            except StorageError as exc:
                outcome = exc
            except Exception as exc:  # e.g. a malformed host name the driver rejects
                log.info("connection test failed: %s", type(exc).__name__)
                outcome = StorageError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            with contextlib.suppress(RuntimeError):  # the receiver is gone
                result.done.emit(outcome)

        self._thread = threading.Thread(target=work, name="kawaoffice-test-connection", daemon=True)
        self._thread.start()
        self._update_buttons()

    def _on_tested(self, outcome: ConnectionCheck | StorageError) -> None:
        self.last_check = outcome
        if self._thread is not None:
            self._thread.join(1)
        self._thread = None
        if isinstance(outcome, ConnectionCheck):
            self.result_label.setStyleSheet("color: #0b5c1e;")
            self.result_label.setText(outcome.summary())
        else:
            self.result_label.setStyleSheet("color: #a4000f;")
            self.result_label.setText(outcome.message)
        self._update_buttons()


__all__ = ["SSL_MODES", "ConnectDialog"]
