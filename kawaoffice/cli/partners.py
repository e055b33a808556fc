"""Partner directory commands: ``import partners``, ``export partners``, ``print directory``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kawaoffice import i18n
from kawaoffice.cli.core import CliError, Context
from kawaoffice.documents.directory import write_directory
from kawaoffice.documents.partner_export import write_list_csv, write_list_xlsx
from kawaoffice.i18n import _, ngettext
from kawaoffice.services import partner_import as pi
from kawaoffice.services import partner_search as ps
from kawaoffice.services.errors import ServiceError


def register(groups: Any) -> None:
    p = groups.add(groups.import_, "partners", _("import organizations from an XLSX or CSV file"), cmd_import)
    p.add_argument("file", metavar="FILE", help=_("the XLSX or CSV file (CP932, UTF-8 or UTF-8 with BOM)"))
    p.add_argument("--dry-run", action="store_true", help=_("check every row and write nothing"))
    p.add_argument("--mapping", metavar="FILE", help=_('a JSON file of "column header": "field"'))
    p = groups.add(groups.export, "partners", _("export the partner list to XLSX or CSV"), cmd_export)
    p.add_argument("file", metavar="FILE", help=_("the output file, .xlsx or .csv"))
    p = groups.add(groups.print, "directory", _("print the partner directory to PDF"), cmd_print_directory)
    p.add_argument("-o", "--output", metavar="FILE", required=True, help=_("the PDF file to write"))


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CliError(
            _("Cannot read {path}: {error}").format(path=path, error=exc.strerror or str(exc))
        ) from exc


def cmd_import(ctx: Context) -> int:
    args = ctx.args
    try:
        known = pi.load_mapping_file(_read(args.mapping)) if args.mapping else None
        table = pi.read_table(_read(args.file), args.file)
    except ServiceError as exc:
        raise CliError(exc.message) from exc
    mapping = pi.guess_mapping(table.headers, known)
    if "name_ja" not in mapping.values() and "name_en" not in mapping.values():
        raise CliError(_("No column holds the organization's name: use --mapping FILE."))
    db = ctx.open(upgrade=True)
    try:
        with db.session() as session:
            rows = pi.preview(session, table, mapping)
            for row in rows:
                for error in row.errors:
                    ctx.print(_("row {line}: {error}").format(line=row.line, error=error))
                for dup in row.duplicates:
                    ctx.print(_("row {line}: skipped, {reason}").format(line=row.line, reason=dup))
            bad = sum(1 for r in rows if r.errors)
            if bad:
                raise CliError(
                    ngettext(
                        "{count} row has errors: nothing was imported.",
                        "{count} rows have errors: nothing was imported.",
                        bad,
                    ).format(count=bad)
                )
            if args.dry_run:
                ctx.print(
                    _("{count} rows checked, no errors (dry run: nothing written).").format(count=len(rows))
                )
                return 0
            try:
                result = pi.import_rows(session, rows)
                session.commit()
            except ServiceError as exc:
                session.rollback()
                raise CliError(exc.message) from exc
            ctx.print(
                _(
                    "Imported {orgs} organizations and {contacts} contacts; {skipped} duplicates skipped."
                ).format(orgs=result.organizations, contacts=result.contacts, skipped=result.skipped)
            )
    finally:
        db.dispose()
    return 0


def cmd_export(ctx: Context) -> int:
    path = Path(ctx.args.file)
    if path.suffix.lower() not in (".xlsx", ".csv"):
        raise CliError(_("The file name must end in .xlsx or .csv."))
    db = ctx.open(upgrade=True)
    try:
        with db.session() as session:
            records = ps.directory_records(
                session, ps.matching_ids(session, ps.PartnerFilter(), i18n.current_language())
            )
        try:
            (write_list_xlsx if path.suffix.lower() == ".xlsx" else write_list_csv)(path, records)
        except OSError as exc:
            raise CliError(_("Cannot write {path}: {error}").format(path=path, error=exc.strerror)) from exc
    finally:
        db.dispose()
    ctx.print(_("{count} organizations written to {path}").format(count=len(records), path=path))
    return 0


def cmd_print_directory(ctx: Context) -> int:
    path = Path(ctx.args.output)
    db = ctx.open(upgrade=True)
    try:
        with db.session() as session:
            records = ps.directory_records(
                session, ps.matching_ids(session, ps.PartnerFilter(), i18n.current_language())
            )
        try:
            write_directory(path, records)
        except OSError as exc:
            raise CliError(_("Cannot write {path}: {error}").format(path=path, error=exc.strerror)) from exc
    finally:
        db.dispose()
    ctx.print(_("Directory of {count} organizations written to {path}").format(count=len(records), path=path))
    return 0
