"""Import of partner lists kept in Excel: XLSX or CSV saved by Japanese Excel (CP932/Shift_JIS, UTF-8, UTF-8 with
BOM; CRLF; full-width spaces).

Three steps, the same in the GUI wizard and the CLI:
1. ``read_table(data, filename)``: the header row and the data rows as stripped strings (never raises anything but
   ``ImportFileError``, whatever the bytes);
2. ``guess_mapping(headers)`` (Japanese or English headers) and ``preview(session, table, mapping)``: every row
   validated with the services' own rules, with its errors and duplicates (in the file or in the database);
3. ``import_rows(session, rows, progress)``: all or nothing. Any row with an error rejects the whole file
   (``ImportRejected`` lists the rows and why); otherwise every row is written in the caller's transaction.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import queue
import sys
import threading
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache, lru_cache
from types import SimpleNamespace
from typing import Any, cast

from babel import Locale
from sqlalchemy import ColumnDefault, func, insert, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kawaoffice.i18n import N_, _
from kawaoffice.model.audit import AuditAction, AuditEntry
from kawaoffice.model.base import Entity, utcnow
from kawaoffice.model.partners import (
    ORGANIZATION_KIND_LABELS,
    Contact,
    Employment,
    Membership,
    MembershipStatus,
    Organization,
    OrganizationKind,
    OrganizationTechnology,
    Technology,
)
from kawaoffice.services import audit, partners, permissions
from kawaoffice.services import common as c
from kawaoffice.services.errors import ServiceError, ValidationError
from kawaoffice.services.text import duplicate_key, fold, name_keys_of
from kawaoffice.storage import notify

__all__ = [
    "FIELDS",
    "ImportFileError",
    "ImportRejected",
    "PreviewRow",
    "Table",
    "field_label",
    "guess_mapping",
    "import_rows",
    "load_mapping_file",
    "preview",
    "read_table",
]

MAX_ROWS = 20000
MAX_BYTES = 50 * 1024 * 1024


class ImportFileError(ServiceError):
    """The file cannot be read as a table (not XLSX/CSV, unknown encoding, damaged, empty)."""


class ImportRejected(ServiceError):
    """At least one row has an error: nothing was written. ``rows`` are the rejected rows."""

    def __init__(self, message: str, rows: Sequence[PreviewRow]) -> None:
        super().__init__(message)
        self.rows = list(rows)


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]  # data rows (header excluded), every cell a stripped string
    encoding: str = ""  # "cp932", "utf-8", "utf-8-sig" for CSV; "xlsx"


# field -> English msgid of its label, and the header texts that name it (compared folded)
FIELDS: dict[str, str] = {
    "name_ja": N_("Name"),
    "name_kana": N_("Reading"),
    "name_en": N_("English name"),
    "name_local": N_("Name in local script"),
    "abbreviation": N_("Abbreviation"),
    "kind": N_("Kind"),
    "country": N_("Country"),
    "city": N_("City"),
    "address": N_("Address"),
    "phone": N_("Phone"),
    "email": N_("E-mail"),
    "website": N_("Website"),
    "contact": N_("Contact"),
    "contact_kana": N_("Contact reading"),
    "contact_email": N_("Contact e-mail"),
    "contact_title": N_("Contact title"),
    "technologies": N_("Technologies"),
    "joined_on": N_("Joined"),
    "notes": N_("Notes"),
}

_ALIASES: dict[str, tuple[str, ...]] = {
    "name_ja": (
        "会社名",
        "団体名",
        "組織名",
        "名称",
        "企業名",
        "name",
        "organization",
        "company",
        "company name",
    ),
    "name_kana": ("フリガナ", "ふりがな", "読み", "よみ", "カナ", "reading", "kana"),
    "name_en": ("英語名", "英文名", "英名", "english name", "name (english)", "name_en"),
    "name_local": ("現地語名", "local name", "name in local script"),
    "abbreviation": ("略称", "abbreviation", "short name"),
    "kind": ("区分", "種別", "分類", "kind", "type", "category"),
    "country": ("国", "国名", "国・地域", "country"),
    "city": ("市町村", "都市", "city"),
    "address": ("住所", "所在地", "address"),
    "phone": ("電話", "電話番号", "tel", "phone", "telephone"),
    "email": ("メール", "メールアドレス", "e-mail", "email", "mail"),
    "website": ("ウェブサイト", "ホームページ", "url", "website", "web"),
    "contact": ("担当者", "担当者名", "氏名", "contact", "contact person"),
    "contact_kana": ("担当者フリガナ", "担当者よみ", "contact reading"),
    "contact_email": ("担当者メール", "担当者メールアドレス", "contact e-mail", "contact email"),
    "contact_title": ("役職", "担当者役職", "title", "contact title", "position"),
    "technologies": ("技術", "技術・製品", "技術分野", "technologies", "technology"),
    "joined_on": ("入会日", "加入日", "joined", "joined on"),
    "notes": ("備考", "メモ", "notes", "remarks", "note"),
}


def field_label(name: str) -> str:
    return _(FIELDS[name])


# --- step 1: reading the file -----------------------------------------------------------------------------------


def _clean(value: object) -> str:
    """A cell as text: dates ISO, numbers without a spurious .0, white space (also U+3000) trimmed."""
    if type(value) is str and "\r" not in value and "\x00" not in value:  # most cells (every CSV cell)
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return text.strip()


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    for encoding in ("utf-8", "cp932"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("The file is neither UTF-8 nor Shift_JIS (CP932) text, nor an Excel workbook."))


def _read_csv(data: bytes) -> Table:
    try:
        text, encoding = _decode(data)
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("The file is not valid UTF-8 text.")) from exc
    if "\x00" in text:
        raise ImportFileError(
            _("The file is neither UTF-8 nor Shift_JIS (CP932) text, nor an Excel workbook.")
        )
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        raw = [row for _i, row in zip(range(MAX_ROWS + 2), reader, strict=False)]
    except csv.Error as exc:
        raise ImportFileError(_("The CSV file cannot be read: {error}").format(error=str(exc))) from exc
    return _table(raw, encoding)


def _read_xlsx(data: bytes) -> Table:
    import openpyxl  # only here: a CSV import does not pay for it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            raw = []
            for row in sheet.iter_rows(values_only=True):
                raw.append([_clean(v) for v in row])
                if len(raw) > MAX_ROWS + 1:
                    break
        finally:
            book.close()
    except Exception as exc:  # openpyxl raises many kinds of errors on damaged files
        raise ImportFileError(_("The Excel workbook cannot be read: it may be damaged.")) from exc
    return _table(raw, "xlsx")


def _table(raw: list[list[Any]], encoding: str) -> Table:
    rows = [[_clean(v) for v in row] for row in raw]
    rows = [row for row in rows if any(row)]
    if not rows:
        raise ImportFileError(_("The file holds no rows."))
    if len(rows) > MAX_ROWS + 1:
        raise ImportFileError(_("The file has more than {limit} rows.").format(limit=MAX_ROWS))
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    return Table(headers=rows[0], rows=rows[1:], encoding=encoding)


def read_table(data: bytes, filename: str = "") -> Table:
    """The header row and data rows of an XLSX or CSV file (the format is recognised from the content)."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("The file is too large to import."))
    # hundreds of thousands of cells: no collection walking them as they are made
    with c.collections_paused():
        return _read_any(data, filename)


def _read_any(data: bytes, filename: str) -> Table:
    if data.startswith(b"PK\x03\x04") or filename.lower().endswith((".xlsx", ".xlsm")):
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise ImportFileError(_("The Excel workbook cannot be read: it may be damaged."))
        return _read_xlsx(data)
    return _read_csv(data)


def forget_remembered_values() -> None:
    """Forget the values worked out for earlier imports (checked phone numbers and e-mail domains, folded names):
    the import benchmark measures a new file's import, as a user's first import of it is."""
    c.forget_checked_values()
    _key.cache_clear()
    duplicate_key.cache_clear()


# --- step 2: mapping and preview ----------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _key(text: str) -> str:
    return fold(text).replace(" ", "").replace("_", "").replace("・", "")


@cache
def _alias_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for name, aliases in _ALIASES.items():
        for alias in (*aliases, FIELDS[name]):
            index.setdefault(_key(alias), name)
    return index


def guess_mapping(headers: Sequence[str], known: Mapping[str, str] | None = None) -> dict[int, str]:
    """Column index -> field, from Japanese or English header texts; ``known`` (header text -> field, e.g. a
    remembered or ``--mapping`` file) wins. Each field is mapped at most once (the first column)."""
    mapping: dict[int, str] = {}
    remembered = {_key(k): v for k, v in (known or {}).items() if v in FIELDS}
    index = _alias_index()
    for i, header in enumerate(headers):
        key = _key(header)
        name = remembered.get(key) or index.get(key)
        if name and name not in mapping.values():
            mapping[i] = name
    return mapping


def load_mapping_file(data: bytes) -> dict[str, str]:
    """A mapping file: JSON ``{"header text": "field"}`` (fields as in ``FIELDS``)."""
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFileError(_("The mapping file is not valid JSON.")) from exc
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ImportFileError(_('The mapping file must be a JSON object of "header": "field".'))
    unknown = sorted(v for v in value.values() if v not in FIELDS)
    if unknown:
        raise ImportFileError(
            _("Unknown fields in the mapping file: {fields}").format(fields=", ".join(unknown))
        )
    return dict(value)


@dataclass
class PreviewRow:
    """One data row: its number in the file (the header is row 1), the values, errors and duplicates."""

    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # what it duplicates (skipped on import)
    organization: dict[str, Any] = field(default_factory=dict)
    contact: dict[str, Any] = field(default_factory=dict)
    technology_ids: list[int] = field(default_factory=list)
    joined_on: date | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


@cache
def _kind_index() -> dict[str, OrganizationKind]:
    index: dict[str, OrganizationKind] = {}
    extra = {
        OrganizationKind.MEMBER: (
            "会員",
            "会員企業",
            "かわbizネット会員",
            "member",
            "member company",
            "企業",
        ),
        OrganizationKind.COOPERATING: ("協力団体", "協力機関", "cooperating", "cooperating body"),
        OrganizationKind.COUNTERPART: ("カウンターパート", "海外カウンターパート", "counterpart"),
        OrganizationKind.ACADEMIC: ("大学", "研究機関", "大学・研究機関", "academic", "university"),
        OrganizationKind.CITY: ("自治体", "市", "city"),
        OrganizationKind.OTHER: ("その他", "other"),
    }
    for kind, msgid in ORGANIZATION_KIND_LABELS.items():
        for word in (kind.value, msgid, *extra[kind]):
            index[_key(word)] = kind
    return index


def _kind_of(text: str) -> OrganizationKind:
    if not text:
        return OrganizationKind.OTHER
    try:
        key = _key(text)
    except Exception:  # pragma: no cover - fold of odd text
        key = text
    kind = _kind_index().get(key) or _kind_index().get(_key(_(text)))
    if kind is None:
        for label_msgid, k in ((m, k) for k, m in ORGANIZATION_KIND_LABELS.items()):
            if _key(_(label_msgid)) == key:
                return k
        raise ValidationError("kind", _("Unknown kind: {value}").format(value=text))
    return kind


@cache
def _country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    codes = c.country_codes()
    for lang in ("en", "ja"):
        for code, name in Locale(lang).territories.items():
            if code in codes:
                index[_key(str(name))] = str(code)
    for code in codes:
        index[_key(code)] = code
    index[_key("日本国")] = "JP"
    index[_key("ラオス人民民主共和国")] = "LA"
    return index


def _country_of(text: str) -> str:
    if not text:
        return "JP"
    code = _country_index().get(_key(text))
    if code is None:
        raise ValidationError("country", _("Unknown country: {value}").format(value=text))
    return code


def _date_of(fieldname: str, text: str) -> date | None:
    if not text:
        return None
    normal = unicodedata.normalize("NFKC", text).replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(
            "-".join(p.zfill(2) for p in normal.split("-")) if "-" in normal else normal
        )
    except ValueError as exc:
        raise ValidationError(
            fieldname, _("Not a date (write YYYY-MM-DD): {value}").format(value=text)
        ) from exc


def _split_list(text: str) -> list[str]:
    for sep in ("、", "，", ";", "；", "/", "／", "\n"):
        text = text.replace(sep, ",")
    return [p.strip() for p in text.split(",") if p.strip()]


def _split_name(text: str) -> tuple[str, str]:
    parts = unicodedata.normalize("NFKC", text).split()
    if not parts:
        return "", ""
    return text.strip().replace("\u3000", " ").split()[0], " ".join(parts[1:])


def _message(exc: ValidationError) -> str:
    label = FIELDS.get(exc.field)
    if label is None:
        label = {"family_name": "Contact", "given_name": "Contact"}.get(exc.field, exc.field)
    return _("{field}: {message}").format(
        field=_(label) if label in FIELDS.values() else label, message=exc.message
    )


def preview(session: Session, table: Table, mapping: Mapping[int, str]) -> list[PreviewRow]:
    """Every data row checked with the same rules as the edit dialogs; nothing is written."""
    with c.collections_paused():
        return _preview(session, table, mapping)


def _preview(session: Session, table: Table, mapping: Mapping[int, str]) -> list[PreviewRow]:
    technologies = list(session.scalars(select(Technology)))
    tech_index: dict[str, int] = {}
    for t in technologies:
        for word in (t.code, t.name_ja, t.name_en):
            if word:
                tech_index[_key(word)] = t.id
    existing: dict[str, str] = {}
    existing_mail: dict[str, str] = {}
    # the directory read as plain rows (Core: no ORM processing of 10,000 + 100,000 rows; the session's pending
    # changes were flushed by the query above), with the names' stored duplicate keys
    conn = session.connection()
    for name_ja, name_en, email, stored in conn.execute(
        select(Organization.name_ja, Organization.name_en, Organization.email, Organization.name_keys)
    ).all():  # all(): one fetchall, not a fetchone per row
        for norm in name_keys_of(stored, name_ja, name_en):
            if norm:
                existing.setdefault(norm, name_ja)
        if email:
            existing_mail[email.casefold()] = name_ja
    contact_mail = set(
        map(str.casefold, conn.execute(select(Contact.email).where(Contact.email != "")).scalars().all())
    )
    seen_in_file: dict[str, int] = {}
    result: list[PreviewRow] = []
    for n, cells in enumerate(table.rows, start=2):
        values = {name: (cells[i] if i < len(cells) else "") for i, name in mapping.items()}
        row = PreviewRow(line=n, values=values)
        _check_row(session, row, tech_index)
        if not row.errors:
            key = duplicate_key(row.organization.get("name_ja", ""))
            en_key = duplicate_key(row.organization.get("name_en", ""))
            for k in (key, en_key):
                if k and k in existing:
                    row.duplicates.append(_("Already in the directory: {name}").format(name=existing[k]))
                    break
            mail = str(row.organization.get("email", "")).casefold()
            if mail and mail in existing_mail and not row.duplicates:
                row.duplicates.append(_("Same e-mail as {name}").format(name=existing_mail[mail]))
            if key in seen_in_file:
                row.duplicates.append(_("Same name as row {line}").format(line=seen_in_file[key]))
            elif key:
                seen_in_file[key] = n
            cmail = str(row.contact.get("email", "")).casefold()
            if cmail and cmail in contact_mail and not row.duplicates:
                row.duplicates.append(_("A contact with this e-mail exists: {email}").format(email=cmail))
        result.append(row)
    return result


def _check_row(session: Session, row: PreviewRow, tech_index: Mapping[str, int]) -> None:
    v = row.values
    org: dict[str, Any] = {}
    try:
        org["kind"] = _kind_of(v.get("kind", ""))
    except ValidationError as exc:
        row.errors.append(_message(exc))
    try:
        org["country"] = _country_of(v.get("country", ""))
    except ValidationError as exc:
        row.errors.append(_message(exc))
        org["country"] = "JP"
    for name in ("name_ja", "name_kana", "name_en", "name_local", "abbreviation", "city", "address"):
        if name in v:
            org[name] = v[name]
    for name in ("phone", "email", "website", "notes"):
        if name in v:
            org[name] = v[name]
    if not org.get("name_ja") and org.get("name_en"):
        org["name_ja"] = org["name_en"]
    org.setdefault("name_ja", "")
    checked = dict(org)
    checked.setdefault("kind", OrganizationKind.OTHER)
    try:  # a good row passes as a whole, with the same values as field by field (each field is checked alone)
        whole = partners._validate_organization(session, dict(checked), None) if checked["name_ja"] else None
    except ValidationError:
        whole = None
    for name in list(checked) if whole is None else ():
        try:
            single = {name: checked[name], "kind": checked["kind"], "name_ja": checked["name_ja"] or "-"}
            if name == "phone":
                single["country"] = checked["country"]
            partners._validate_organization(session, single, None)
            checked[name] = single[name]
        except ValidationError as exc:
            if exc.field == name or name in ("kind", "name_ja"):
                row.errors.append(_message(exc))
    if whole is not None:
        checked = whole
    if not str(org.get("name_ja", "")).strip():
        row.errors.append(_message(ValidationError("name_ja", _("This field is required."))))
    row.organization = checked
    if v.get("contact"):
        family, given = _split_name(v["contact"])
        kana_family, kana_given = _split_name(v.get("contact_kana", ""))
        contact: dict[str, Any] = {
            "family_name": family,
            "given_name": given,
            "family_kana": kana_family,
            "given_kana": kana_given,
            "email": v.get("contact_email", ""),
        }
        try:
            contact["email"] = c.email("contact_email", contact["email"])
            c.texts(
                Contact,
                contact,
                required=("family_name",),
                optional=("given_name", "family_kana", "given_kana"),
            )
        except ValidationError as exc:
            row.errors.append(
                _("{field}: {message}").format(
                    field=field_label("contact_email" if exc.field == "contact_email" else "contact"),
                    message=exc.message,
                )
            )
        contact["title"] = v.get("contact_title", "")[:200]
        row.contact = contact
    elif v.get("contact_email"):
        row.errors.append(
            _("{field}: {message}").format(field=field_label("contact"), message=_("This field is required."))
        )
    for word in _split_list(v.get("technologies", "")):
        tech_id = tech_index.get(_key(word))
        if tech_id is None:
            row.errors.append(
                _("{field}: {message}").format(
                    field=field_label("technologies"),
                    message=_("Unknown technology: {value}").format(value=word),
                )
            )
        elif tech_id not in row.technology_ids:
            row.technology_ids.append(tech_id)
    try:
        row.joined_on = _date_of("joined_on", v.get("joined_on", ""))
    except ValidationError as exc:
        row.errors.append(_message(exc))


# --- step 3: writing -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    organizations: int
    contacts: int
    skipped: int


def import_rows(
    session: Session,
    rows: Sequence[PreviewRow],
    progress: Callable[[int, int], None] | None = None,
    *,
    today: date | None = None,
) -> ImportResult:
    """Write the previewed rows in the caller's transaction (the caller commits, or rolls back on an error).

    Rows with errors reject the whole import (``ImportRejected``, nothing written); duplicates are skipped.

    The records are written in bulk: one bulk statement per table (organizations, memberships, technology links,
    contacts, posts) and one for their audit entries (SQLite: an ``executemany``; PostgreSQL: a ``COPY``), instead
    of a flush per record (10,000 rows in seconds instead of a minute and a half). What is written is what the
    services would write one by one: the same values (as ``preview`` checked and normalized them with the services'
    rules: not checked a second time here), the same derived and bookkeeping columns and one audit entry per new
    record with all its fields. The role check that a flush would make is made first, for every kind of row."""
    bad = [r for r in rows if r.errors]
    if bad:
        lines = "; ".join(
            _("row {line}: {errors}").format(line=r.line, errors=" / ".join(r.errors)) for r in bad[:20]
        )
        raise ImportRejected(
            _("Nothing was imported. Fix these rows and import the file again: {rows}").format(rows=lines),
            bad,
        )
    with c.collections_paused():
        return _write(session, rows, progress, today or date.today())


def _write(
    session: Session, rows: Sequence[PreviewRow], progress: Callable[[int, int], None] | None, today: date
) -> ImportResult:
    total = len(rows)
    wanted = [r for r in rows if not r.duplicates]
    # the check the flush hook would make for these rows (a bulk INSERT does not flush): a viewer is refused here
    permissions.check_changes(
        session, [Organization(), Membership(), OrganizationTechnology(), Contact(), Employment()], [], []
    )
    writer = _BulkWriter(session)
    organizations: list[dict[str, Any]] = []  # the derived columns are added block by block, below
    for done, row in enumerate(rows, start=1):
        # the values were checked by preview() with the services' rules, field by field, as the services store them
        if not row.duplicates:
            organizations.append(writer.new(Organization, row.organization))
        if progress is not None and done < total:
            progress(done, total)
    people = sum(1 for row in wanted if row.contact)
    try:
        writer.reserve(
            {
                Organization: len(organizations),
                Membership: sum(1 for org in organizations if org["kind"] == OrganizationKind.MEMBER),
                OrganizationTechnology: sum(len(row.technology_ids) for row in wanted),
                Contact: people,
                Employment: people,
            }
        )
        # PostgreSQL: COPYs sent by a worker thread while this one prepares the next block (the server's work on
        # the rows, their indexes, foreign keys and the audit JSON overlaps the preparing); SQLite: one block
        block = _BLOCK_ROWS if writer.pipelined else max(len(wanted), 1)
        with writer.pipeline() if wanted else contextlib.nullcontext():
            for start in range(0, len(wanted), block):
                _write_block(
                    writer, wanted[start : start + block], organizations[start : start + block], today
                )
        writer.announce()
    except IntegrityError as exc:
        raise ServiceError(
            _(
                "The change breaks a rule of the database: the record is still used elsewhere, or a value is missing."
            )
        ) from exc
    if progress is not None and total:
        progress(total, total)
    return ImportResult(len(organizations), people, total - len(wanted))


# rows of the file written per round of COPYs on PostgreSQL
_BLOCK_ROWS = 1000


def _write_block(
    writer: _BulkWriter, rows: Sequence[PreviewRow], organizations: list[dict[str, Any]], today: date
) -> None:
    """The records of ``rows`` (``organizations`` are their organizations as ``_BulkWriter.new`` made them) and
    their audit entries, one table after the other."""
    people: list[tuple[int, dict[str, Any], str]] = []  # (index of the organization, contact, title)
    for i, (org, row) in enumerate(zip(organizations, rows, strict=True)):
        org.update(partners.organization_derived(SimpleNamespace(**org)))
        if row.contact:
            data = dict(row.contact)
            title = data.pop("title", "")
            person = writer.new(Contact, {**data, "confirmed_on": today})
            person["search_text"] = partners.contact_search_text(SimpleNamespace(**person))
            people.append((i, person, title))
    writer.insert(Organization, organizations)
    memberships = [
        writer.new(
            Membership,
            {
                "organization_id": org["id"],
                "status": MembershipStatus.ACTIVE,
                "joined_on": row.joined_on or today,
            },
        )
        for org, row in zip(organizations, rows, strict=True)
        if org["kind"] == OrganizationKind.MEMBER
    ]
    links = [
        writer.new(OrganizationTechnology, {"organization_id": org["id"], "technology_id": tech_id})
        for org, row in zip(organizations, rows, strict=True)
        for tech_id in row.technology_ids
    ]
    writer.insert(Membership, memberships)
    writer.insert(OrganizationTechnology, links)
    writer.insert(Contact, [person for _i, person, _t in people])
    posts = [
        writer.new(
            Employment,
            {
                "contact_id": person["id"],
                "organization_id": organizations[i]["id"],
                "title": title,
                "started_on": None,
            },
        )
        for i, person, title in people
    ]
    writer.insert(Employment, posts)
    writer.write_audit()


class _BulkWriter:
    """New records as the ORM would write them (every column: its value, else its default; version 1, who and
    when), inserted one table at a time, and their audit entries: the same rows as ``services.audit``'s flush hook
    writes for records added one by one (every field, old value None).

    Records are plain dicts (an ORM object per record would cost more than the whole insert); the audit entries
    are tuples in the order of ``_AUDIT_KEYS`` with their changes already as JSON text (``_changes_json``)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.user = audit.current_user(session)
        self.now = utcnow()
        self.audit: list[tuple[Any, ...]] = []
        self.written: list[tuple[str, int]] = []  # (table, id) of the records inserted
        self._columns: dict[type[Entity], tuple[list[str], dict[str, Any], list[str]]] = {}
        self._ids: dict[type[Entity], list[int]] = {}  # reserved by reserve(), taken by insert()
        self.pipe: _CopyPipe | None = None  # while pipeline() runs

    @property
    def pipelined(self) -> bool:
        """Whether ``pipeline()`` sends the COPYs from a worker thread (PostgreSQL with psycopg)."""
        return _uses_copy(self.session.connection())

    @contextlib.contextmanager
    def pipeline(self) -> Iterator[None]:
        """PostgreSQL (psycopg): the COPYs of ``insert`` and ``write_audit`` inside the block are sent in order by
        a worker thread, so this thread prepares the next ones while the server writes; the connection is the
        worker's until the block ends (when every COPY was written, or the first error is raised here). Elsewhere:
        nothing changes."""
        conn = self.session.connection()
        if not _uses_copy(conn):
            yield
            return
        pipe = _CopyPipe(conn.connection.dbapi_connection)
        self.pipe = pipe
        try:
            yield
        except BaseException:
            self.pipe = None
            pipe.close(abort=True)
            raise
        self.pipe = None
        pipe.close()

    def _take(self, cls: type[Entity], count: int) -> list[int] | None:
        """``count`` of the ids reserved for ``cls``; None when fewer are left."""
        pool = self._ids.get(cls, [])
        if len(pool) < count:
            return None
        taken = pool[:count]
        del pool[:count]
        return taken

    def _layout(self, cls: type[Entity]) -> tuple[list[str], dict[str, Any], list[str]]:
        """The columns written, their scalar defaults, and the columns the audit log shows."""
        if cls not in self._columns:
            keys, defaults = [], {}
            for attr in sa_inspect(cls).column_attrs:
                if attr.key == "id":
                    continue
                keys.append(attr.key)
                default = attr.columns[0].default
                defaults[attr.key] = (
                    default.arg if isinstance(default, ColumnDefault) and default.is_scalar else None
                )
            logged = [k for k in keys if k not in audit.SKIPPED_FIELDS]
            self._columns[cls] = (keys, defaults, logged)
        return self._columns[cls]

    def new(self, cls: type[Entity], values: Mapping[str, Any]) -> dict[str, Any]:
        """A new ``cls`` record: every column set from ``values``, else its default, else None."""
        _keys, defaults, _logged = self._layout(cls)
        return {
            **defaults,
            **values,
            "version": 1,
            "created_at": self.now,
            "updated_at": self.now,
            "created_by": self.user,
            "updated_by": self.user,
        }

    def reserve(self, counts: Mapping[type[Entity], int]) -> None:
        """PostgreSQL (COPY): the ids of the records about to be inserted, for every table in one statement
        (instead of one per table before its COPY)."""
        conn = self.session.connection()
        if not _uses_copy(conn):
            return
        wanted = [(cls, n) for cls, n in counts.items() if n]
        reserved = _reserve_ids(conn, [(cls.__table__, n) for cls, n in wanted])
        self._ids.update((cls, ids) for (cls, _n), ids in zip(wanted, reserved, strict=True))

    def insert(self, cls: type[Entity], records: Sequence[dict[str, Any]]) -> None:
        """Insert ``records`` in one statement; each gets its ``id`` and an audit entry."""
        if not records:
            return
        keys, _defaults, logged = self._layout(cls)
        named = [name for name in audit.SUMMARY_FIELDS if name in keys]  # audit.summary_of of the record
        columns = [[record[key] for record in records] for key in keys]
        ids = _bulk_insert(self.session, cls, keys, columns, self._take(cls, len(records)), self.pipe)
        changes = _changes_json(logged, records)
        summaries: list[Any] = [""] * len(records)
        for name in reversed(named):  # the first field with a text wins
            for i, value in enumerate(record[name] for record in records):
                if isinstance(value, str) and value:
                    summaries[i] = value[:255]
        n = len(records)
        self.audit.extend(
            zip(
                [self.now] * n,
                [self.user] * n,
                [AuditAction.INSERT] * n,
                [cls.__tablename__] * n,
                ids,
                summaries,
                changes,
                [None] * n,
                strict=True,
            )
        )
        for record, new_id in zip(records, ids, strict=True):
            record["id"] = new_id
        self.written.extend((cls.__tablename__, new_id) for new_id in ids)

    def announce(self) -> None:
        """Tell the other KawaOffice instances (and this one's commit listeners) which records were written, as
        ``storage.notify``'s flush hook does for records added through the ORM (a bulk write does not flush):
        ``notify.record_change``: remembered for the commit, and on PostgreSQL a ``pg_notify`` on the same transaction
        (heard only if it commits; a long list is sent as table names)."""
        if not self.written:
            return
        notify.record_change(self.session, {table for table, _id in self.written}, self.written)
        self.written = []

    def write_audit(self) -> None:
        if not self.audit:
            return
        conn = self.session.connection()
        table: Any = AuditEntry.__table__
        columns = [list(column) for column in zip(*self.audit, strict=True)]
        if conn.dialect.name == "sqlite":
            _executemany(conn, table, _AUDIT_KEYS, columns, ready=_AUDIT_READY)
        elif _uses_copy(conn):
            _copy(conn, table, _AUDIT_KEYS, columns, ready=_AUDIT_READY, pipe=self.pipe)
        else:  # another driver: the ordinary statement, the changes as the JSON type binds them
            rows = [dict(zip(_AUDIT_KEYS, entry, strict=True)) for entry in self.audit]
            for row in rows:
                row["changes"] = json.loads(row["changes"])
            conn.execute(insert(AuditEntry), rows)
        self.audit = []


# the columns of an audit entry in the order of _BulkWriter.audit's tuples; "changes" is written as it is: its
# JSON text is made by _changes_json as the JSON type's bind processing (json.dumps) would make it
_AUDIT_KEYS = ("at", "user", "action", "table_name", "row_id", "summary", "changes", "reason")
_AUDIT_READY = frozenset({"changes"})

_encode_str = json.encoder.encode_basestring_ascii  # what json.dumps uses for a str (ensure_ascii)


def _json_value(value: Any) -> str:
    """``json.dumps(value)`` of a column value as the audit log keeps it (``audit.jsonable``)."""
    kind = type(value)
    if kind is str:
        return _encode_str(value)
    if value is None:
        return "null"
    if kind is int:
        return int.__repr__(value)
    if kind is bool:
        return "true" if value else "false"
    return json.dumps(audit.jsonable(value))


def _json_column(values: list[Any]) -> list[str]:
    """``[_json_value(v) for v in values]``, quicker for a column of strings (most columns), and each value once
    in a column of one other type (enums, dates: few distinct values)."""
    kinds = set(map(type, values))
    if kinds == {str}:
        return list(map(_encode_str, values))
    if kinds <= {str, type(None)}:
        return ["null" if v is None else _encode_str(v) for v in values]
    if len(kinds) == 1:
        try:
            done = {v: _json_value(v) for v in set(values)}
        except TypeError:  # unhashable values
            return [_json_value(v) for v in values]
        return [done[v] for v in values]
    return [_json_value(v) for v in values]


def _changes_json(logged: Sequence[str], records: Sequence[Mapping[str, Any]]) -> list[str]:
    """For each record, ``json.dumps({key: [None, audit.jsonable(record[key])] for key in logged})``: the text
    the JSON column stores for an inserted record's changes, made column by column without building and walking a
    dict per record (the same text: json.dumps' separators and ASCII escapes; tested against json.dumps)."""
    if not logged:
        return ["{}"] * len(records)
    # one %-template for all the records: the columns with the same text in every record (version, who, when,
    # empty fields) written into it, a "%s" for each of the others, filled per record in one formatting call
    template: list[str] = []
    varying: list[list[str]] = []
    for n, key in enumerate(logged):
        head = ("{" if n == 0 else "], ") + _encode_str(key) + ": [null, "
        texts = _json_column([record[key] for record in records])
        if not texts or texts.count(texts[0]) == len(texts):
            template.append((head + (texts[0] if texts else "")).replace("%", "%%"))
        else:
            template.append(head.replace("%", "%%") + "%s")
            varying.append(texts)
    text = "".join(template) + "]}"
    if not varying:
        return [text % ()] * len(records)
    return [text % values for values in zip(*varying, strict=True)]


def _executemany(
    conn: Connection,
    table: Any,
    keys: Sequence[str],
    columns: Sequence[list[Any]],
    *,
    ready: frozenset[str] = frozenset(),
) -> None:
    """``conn.execute(insert(table), rows)`` for SQLite, the rows given column by column (``columns[i]`` holds
    the values of ``keys[i]``), with the statement compiled once and each value passed through its column type's
    own bind processing (the same stored values; ``ready`` columns are already as the driver takes them),
    without SQLAlchemy's per-row work (about twice as fast for tens of thousands of rows)."""
    if not columns or not columns[0]:
        return
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=list(keys))
    order = list(compiled.positiontup or ())
    if sorted(order) != sorted(keys):  # pragma: no cover - a statement not as expected: the ordinary way
        rows = [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]
        conn.execute(insert(table), rows)
        return
    by_key = dict(zip(keys, columns, strict=True))
    bound = _bound_columns(conn, table, order, [by_key[key] for key in order], ready)
    conn.exec_driver_sql(compiled.string, list(zip(*bound, strict=True)))


def _bound_columns(
    conn: Connection,
    table: Any,
    keys: Sequence[str],
    columns: Sequence[list[Any]],
    ready: frozenset[str] = frozenset(),
) -> list[list[Any]]:
    """The values of ``keys`` (``columns[i]`` for ``keys[i]``), each through its column type's bind processing for
    the connection's dialect (as SQLAlchemy would send them), but the ``ready`` columns. Column by column: most
    columns hold few distinct values (the time, the user, enums), each processed once."""
    out = []
    for key, values in zip(keys, columns, strict=True):
        proc = (
            None
            if key in ready
            else table.c[key].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        )
        out.append(values if proc is None else _processed(proc, values))
    return out


def _uses_copy(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg"


def _copy(
    conn: Connection,
    table: Any,
    keys: Sequence[str],
    columns: Sequence[list[Any]],
    *,
    ready: frozenset[str] = frozenset(),
    pipe: _CopyPipe | None = None,
) -> None:
    """PostgreSQL (psycopg): the rows (given column by column) written with one ``COPY ... FROM STDIN`` in the
    session's transaction (the values bound as SQLAlchemy binds them). A multi-row ``INSERT`` of thousands of
    rows costs more to build and parse than the rows themselves. With a ``pipe``: handed to its worker thread
    (an error is raised when the pipe is closed)."""
    if not columns or not columns[0]:
        return
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(table.c[key].name) for key in keys)
    statement = f"COPY {conn.dialect.identifier_preparer.format_table(table)} ({names}) FROM STDIN"
    values = _bound_columns(conn, table, keys, columns, ready)
    texts = [_copy_texts(column) for column in values]
    data: list[str] | list[tuple[Any, ...]]
    if all(column is not None for column in texts):  # COPY's text format made here, in blocks of rows
        lines = ["\t".join(row) for row in zip(*cast(list[list[str]], texts), strict=True)]
        data = [
            "\n".join(lines[start : start + _COPY_BLOCK]) + "\n"
            for start in range(0, len(lines), _COPY_BLOCK)
        ]
    else:  # values of another type: psycopg formats them (write_row)
        data = list(zip(*values, strict=True))
    if pipe is not None:
        pipe.send(statement, data)
        return
    try:
        _copy_data(conn.connection.dbapi_connection, statement, data)
    except Exception as exc:
        said = _integrity_error(exc)
        if said is exc:
            raise
        raise said from exc


def _copy_data(raw: Any, statement: str, data: list[str] | list[tuple[Any, ...]]) -> None:
    """Send one COPY: blocks of text, or rows (tuples) that psycopg formats."""
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for item in data:
            if isinstance(item, str):
                copy.write(item)
            else:
                copy.write_row(item)


def _integrity_error(exc: Exception) -> Exception:
    """A broken foreign key or constraint during a COPY as the services say it; any other error as it is."""
    import psycopg  # PostgreSQL only

    if isinstance(exc, psycopg.errors.IntegrityError):
        return ServiceError(
            _(
                "The change breaks a rule of the database: the record is still used elsewhere, or a value is missing."
            )
        )
    return exc


class _CopyPipe:
    """COPYs sent in order by a worker thread on a psycopg connection, while the thread that sends them prepares
    the next: the server writes rows (indexes, foreign keys, JSON) at the same time as Python makes the next
    rows' text. psycopg waits for the server with the GIL released.

    While the pipe is open the interpreter hands the GIL between threads every ``SWITCH_INTERVAL`` seconds instead
    of every 5 ms (``sys.setswitchinterval``): the worker needs the GIL briefly before and after each COPY and for
    each piece it sends, and with the default it waited up to 5 ms each time for the preparing thread to let go,
    while the server had nothing to do (10,000 rows: a 1.8 s write became 1.45 s, ``benchmarks``' import figure).

    Between ``send`` and ``close`` only the worker uses the connection (``sync`` hands it back for a statement).
    After an error the worker sends nothing more; ``close`` raises it (a broken rule as ``ServiceError``). The
    connection's transaction is the session's: on any error the caller rolls everything back."""

    _STOP = object()
    SWITCH_INTERVAL = 0.0005

    def __init__(self, raw: Any) -> None:
        if raw.autocommit:  # never the case after the ids' nextval; else each COPY would commit alone
            raw.autocommit = False
        self.raw = raw
        self.error: BaseException | None = None
        self.jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._run, name="kawaoffice-import-copy", daemon=True)
        self.thread.start()
        # (after the start: a thread that did not start leaves nothing to restore)
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self.SWITCH_INTERVAL, self._switch_interval))

    def send(self, statement: str, data: list[str] | list[tuple[Any, ...]]) -> None:
        self.jobs.put((statement, data))

    def sync(self) -> None:
        """Wait until every COPY sent so far was written (raising its error, if any)."""
        done = threading.Event()
        self.jobs.put(done)
        while not done.wait(0.05):
            if not self.thread.is_alive():
                break
        self._raise()

    def close(self, *, abort: bool = False) -> None:
        """Wait for the worker to write what was sent and end (``abort``: to end after the COPY it is writing,
        sending nothing more); then raise the first error, unless aborting (the caller's error wins)."""
        if abort:
            self.error = self.error or _Aborted()
        self.jobs.put(self._STOP)
        try:
            self.thread.join()
        finally:
            sys.setswitchinterval(self._switch_interval)
        if not abort:
            self._raise()

    def _raise(self) -> None:
        if self.error is not None:
            error, self.error = self.error, _Aborted()  # raised once; nothing more is sent
            said = _integrity_error(error) if isinstance(error, Exception) else error
            if said is error:
                raise error  # e.g. the connection lost: as the COPY in this thread would have raised it
            raise said from error

    def _run(self) -> None:
        while True:
            job = self.jobs.get()
            if job is self._STOP:
                return
            if isinstance(job, threading.Event):
                job.set()
                continue
            if self.error is not None:
                continue  # after an error (or an abort) nothing more is written
            try:
                _copy_data(self.raw, *job)
            except BaseException as exc:  # handed to the sending thread
                self.error = exc


class _Aborted(Exception):
    """The pipe was aborted or has already raised its error."""


_COPY_BLOCK = 2000
_COPY_SPECIAL = ("\\", "\\\\"), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")


def _copy_texts(values: list[Any]) -> list[str] | None:
    """The values of a column in the text format of PostgreSQL's ``COPY`` (``\\N`` for NULL; backslash, newline,
    carriage return and tab escaped), as psycopg's ``write_row`` would send them; None when a value is not of a
    type handled here (str, int, bool, date, datetime): then ``write_row`` formats the rows.

    A column at a time: the strings are escaped in one piece (joined by NUL, which PostgreSQL text cannot hold),
    instead of a function call per value."""
    kinds = set(map(type, values))
    if kinds <= {str, type(None)}:
        strings = values if type(None) not in kinds else [v for v in values if v is not None]
        joined = "\x00".join(strings)
        if joined.count("\x00") != max(len(strings) - 1, 0):
            return None  # a NUL in a value: psycopg says why it cannot be written
        for char, escaped in _COPY_SPECIAL:
            if char in joined:
                joined = joined.replace(char, escaped)
        if len(strings) == len(values):  # no NULL (most columns)
            return joined.split("\x00") if strings else []
        done = iter(joined.split("\x00") if strings else [])
        return ["\\N" if v is None else next(done) for v in values]
    if kinds == {int}:
        return list(map(int.__repr__, values))
    if kinds <= {int, type(None)}:
        return ["\\N" if v is None else int.__repr__(v) for v in values]
    if kinds <= {bool, type(None)}:
        return ["\\N" if v is None else ("t" if v else "f") for v in values]
    if kinds <= {date, type(None)} or kinds <= {datetime, type(None)}:
        # each distinct object once (a column of the import's one "now" or "today"); by identity, not equality:
        # equal datetimes in other time zones have other texts
        distinct = {id(v): v for v in values if v is not None}
        texts = {key: v.isoformat() for key, v in distinct.items()}
        return ["\\N" if v is None else texts[id(v)] for v in values]
    return None


def _new_ids(conn: Connection, table: Any, count: int) -> list[int]:
    """``count`` new ids of ``table`` taken from its id sequence in one statement (PostgreSQL)."""
    return _reserve_ids(conn, [(table, count)])[0]


def _reserve_ids(conn: Connection, wanted: Sequence[tuple[Any, int]]) -> list[list[int]]:
    """For each ``(table, count)``, ``count`` new ids from the table's id sequence, all in one statement
    (PostgreSQL). Each sequence is looked up once (``pg_get_serial_sequence`` per row cost as much as ``nextval``
    itself: ~0.1 s for 10,000 ids); the ids of one table are distinct and never handed out again, in no promised
    order."""
    if not wanted:
        return []
    names = ", ".join(
        f"CAST(pg_get_serial_sequence(:t{i}, 'id') AS regclass) AS q{i}" for i in range(len(wanted))
    )
    arrays = ", ".join(
        f"ARRAY(SELECT nextval(s.q{i}) FROM generate_series(1, :n{i}))" for i in range(len(wanted))
    )
    params: dict[str, Any] = {}
    for i, (table, count) in enumerate(wanted):
        params[f"t{i}"] = table.name
        params[f"n{i}"] = count
    stmt = sql_text(f"WITH s AS MATERIALIZED (SELECT {names}) SELECT {arrays} FROM s")
    row = conn.execute(stmt, params).one()
    return [[int(i) for i in ids] for ids in row]


def _processed(proc: Callable[[Any], Any], values: list[Any]) -> list[Any]:
    """``[proc(v) for v in values]``, each distinct value processed once when the values are hashable and of one
    type (no ``1 == True`` or ``"a" == StrEnum.A`` mix-ups)."""
    if len(set(map(type, values))) == 1:
        try:
            done = {v: proc(v) for v in set(values)}
        except TypeError:  # unhashable values (JSON)
            return [proc(v) for v in values]
        return [done[v] for v in values]
    return [proc(v) for v in values]


def _bulk_insert(
    session: Session,
    cls: type[Entity],
    keys: Sequence[str],
    columns: Sequence[list[Any]],
    ids: list[int] | None = None,
    pipe: _CopyPipe | None = None,
) -> list[int]:
    """Insert the rows given column by column (``columns[i]`` holds the values of ``keys[i]``); the new ids in the
    order of the rows.

    PostgreSQL with psycopg: the ids taken from the table's sequence first (or ``ids``, reserved before with
    ``_reserve_ids``), then one ``COPY``; with another
    driver: batched ``INSERT ... RETURNING`` ordered by SQLAlchemy's sentinel ("insertmanyvalues"). SQLite
    cannot order ``RETURNING`` rows (SQLAlchemy would send one INSERT per row): one executemany, then the new ids
    read back: inside the write transaction SQLite numbers an INTEGER PRIMARY KEY after the largest, in order."""
    conn = session.connection()  # Core statements on the table: no ORM processing per row
    table: Any = cls.__table__
    count = len(columns[0])
    if _uses_copy(conn):
        if ids is None or len(ids) != count:
            if pipe is not None:
                pipe.sync()  # the connection is this thread's again until the next COPY is sent
            ids = _new_ids(conn, table, count)
        _copy(conn, table, ["id", *keys], [ids, *columns], pipe=pipe)
        return ids
    if conn.dialect.name != "sqlite":
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        rows = [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]
        return list(conn.execute(stmt, rows).scalars().all())
    before = conn.execute(select(func.max(table.c.id))).scalar() or 0
    _executemany(conn, table, keys, columns)
    ids = list(
        conn.execute(select(table.c.id).where(table.c.id > before).order_by(table.c.id)).scalars().all()
    )
    if len(ids) != count:  # pragma: no cover - another writer got in (SQLite's write lock prevents it)
        raise ServiceError(
            _("Another program wrote to the database during the import: nothing was imported.")
        )
    return ids
