"""Closing what a test's ``kawaoffice.app.Startup.run()`` opened (its background checks, window and database)."""

from __future__ import annotations

from kawaoffice.app import Startup


def close_started(startup: Startup) -> None:
    """Wait for the background checks, then hide and delete the real window and close the database."""
    if startup.background is not None:
        startup.background.join(30)
    assert startup.window is not None and startup.database is not None
    startup.window.hide()
    startup.window.deleteLater()
    startup.database.dispose()
