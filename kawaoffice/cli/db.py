"""``kawaoffice-cli db copy-to-server URL`` and ``db backups``: the shared-database commands of the ``db`` group.

The password of the server comes from (in this order) the URL, the credential store (keyring, saved by the app's
connect dialog or ``--remember``), the ``PGPASSWORD`` environment variable (read by libpq), or a prompt when
the terminal is interactive. It is never printed or logged.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from sqlalchemy.engine import make_url

from kawaoffice.cli.core import Context, add_common, format_table
from kawaoffice.i18n import _, format_datetime, format_number
from kawaoffice.storage import normalize_url
from kawaoffice.storage.backup import list_backups
from kawaoffice.storage.credentials import (
    is_server_url,
    password_of,
    store_password,
    stored_password,
    without_password,
)
from kawaoffice.storage.database import display_name_of
from kawaoffice.storage.transfer import copy_to_new_database


def _server_url_with_password(ctx: Context, url: str) -> tuple[str, str | None]:
    """The URL to connect with, and the password when it was typed in (to remember)."""
    url = normalize_url(url)
    if not is_server_url(url):
        return url, None
    if password_of(url) is not None or stored_password(url) or os.environ.get("PGPASSWORD"):
        return url, None
    if ctx.args.no_password or not sys.stdin.isatty():
        return url, None  # trust/peer authentication, or the server will say a password is needed
    typed = getpass.getpass(_("Password for {location}: ").format(location=display_name_of(url)))
    if not typed:
        return url, None
    return make_url(url).set(password=typed).render_as_string(hide_password=False), typed


def cmd_db_copy_to_server(ctx: Context) -> int:
    target, typed = _server_url_with_password(ctx, ctx.args.url)
    source = ctx.open(upgrade=True)
    tty = ctx.err.isatty()

    def progress(done: int, total: int, table: str) -> None:
        if not ctx.args.verbose and not tty:
            return
        line = _("Copying {table} ({done}/{total})").format(table=table, done=done + 1, total=total)
        if done >= total:
            line = _("Checking the row counts...")
        ctx.err.write(("\r" if tty else "") + line.ljust(60) + ("" if tty else "\n"))
        ctx.err.flush()

    try:
        report = copy_to_new_database(source, target, progress)
    finally:
        source.dispose()
        if tty:
            ctx.err.write("\n")
    if typed and ctx.args.remember:
        store_password(target, typed)
    ctx.print(
        _("Copied {count} records from {source} to {target}; the row counts of every table match.").format(
            count=format_number(report.total), source=report.source, target=report.target
        )
    )
    ctx.print()
    ctx.print(
        format_table(
            [_("Table"), _("Local"), _("Shared")],
            [[name, str(a), str(b)] for name, (a, b) in report.counts.items()],
        )
    )
    ctx.print()
    ctx.print(
        _(
            "To use it: kawaoffice-cli --database {url} ... or File > Connect to shared database in the app."
        ).format(url=without_password(target))
    )
    return 0


def cmd_db_backups(ctx: Context) -> int:
    """The backups in the user's backup folder, newest first (restore one with ``db restore FILE``)."""
    backups = list_backups()
    if not backups:
        ctx.print(_("No backups yet."))
        return 0
    kinds = {
        "daily": _("daily"),
        "before-upgrade": _("before an upgrade"),
        "before-restore": _("before a restore"),
        "manual": _("by hand"),
    }
    ctx.print(_("Backups in {folder}:").format(folder=str(backups[0].path.parent)))
    ctx.print(
        format_table(
            [_("Taken"), _("Kind"), _("Size"), _("File")],
            [
                [
                    format_datetime(b.taken),
                    kinds.get(b.kind, b.kind),
                    _("{size} KB").format(size=format_number(b.size_bytes // 1024)),
                    b.path.name,
                ]
                for b in backups
            ],
        )
    )
    return 0


def register(db_commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``copy-to-server`` and ``backups`` to the ``db`` command group."""
    copy = db_commands.add_parser(
        "copy-to-server",
        help=_("copy the local data into a new, empty shared PostgreSQL database (counts are checked)"),
    )
    copy.add_argument(
        "url", metavar="URL", help=_("the new database, e.g. postgresql://user@server/kawaoffice")
    )
    copy.add_argument(
        "--remember", action="store_true", help=_("keep a typed password in the system's credential store")
    )
    copy.add_argument(
        "--no-password",
        action="store_true",
        help=_("never ask for a password (use PGPASSWORD or the keyring)"),
    )
    copy.set_defaults(func=cmd_db_copy_to_server)
    add_common(copy, top=False)
    backups = db_commands.add_parser("backups", help=_("list the backups that db restore can use"))
    backups.set_defaults(func=cmd_db_backups)
    add_common(backups, top=False)


__all__ = ["cmd_db_backups", "cmd_db_copy_to_server", "register"]
