"""Helpers shared by the area services: one generic create / update / delete with optimistic locking, the flush
that turns database errors into typed errors, fiscal years and validation of the usual fields."""

from __future__ import annotations

import gc
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale
from sqlalchemy import ColumnElement, cast, func, inspect, null, select, type_coerce
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.types import TypeEngine

from kawaoffice.i18n import _
from kawaoffice.model.base import Entity
from kawaoffice.services.errors import NotFoundError, ServiceError, StaleEditError, ValidationError

if TYPE_CHECKING:
    import phonenumbers

# phonenumbers (~0.1 s) and email_validator (~0.07 s) are imported by the functions that use them, not at start-up

E = TypeVar("E", bound=Entity)

# A validator gets the incoming values and the row being edited (None when creating) and returns the values to
# store (normalized). It raises ValidationError. Use ``current(values, obj, name)`` for cross-field rules.
Validator = Callable[[Session, dict[str, Any], Any], dict[str, Any]]

_BOOKKEEPING = frozenset({"id", "version", "created_at", "created_by", "updated_at", "updated_by"})


# --- loading, saving -------------------------------------------------------------------------------------------


def get_entity(session: Session, cls: type[E], entity_id: int) -> E:
    """The row of ``cls`` with ``entity_id``, or ``NotFoundError``."""
    obj = session.get(cls, entity_id)
    if obj is None:
        raise NotFoundError()
    return obj


def check_version(obj: Entity, expected_version: int) -> None:
    if obj.version != expected_version:
        raise StaleEditError()


def editable_fields(cls: type[Entity]) -> frozenset[str]:
    return frozenset(a.key for a in inspect(cls).column_attrs if a.key not in _BOOKKEEPING)


def _check_field_names(cls: type[Entity], values: Mapping[str, Any]) -> None:
    unknown = set(values) - editable_fields(cls)
    if unknown:
        # a programming error, not a user error: not translated
        raise TypeError(f"{cls.__name__} has no editable field(s) {sorted(unknown)}")


def apply_changes(obj: E, expected_version: int, changes: Mapping[str, Any]) -> E:
    """Set ``changes`` on ``obj`` after checking it is still the version the user edited."""
    check_version(obj, expected_version)
    _check_field_names(type(obj), changes)
    for key, value in changes.items():
        setattr(obj, key, value)
    return obj


def current(values: Mapping[str, Any], obj: Any, name: str, default: Any = None) -> Any:
    """The value ``name`` will have after the change: the new value if given, else the row's, else ``default``."""
    if name in values:
        return values[name]
    if obj is not None:
        return getattr(obj, name)
    return default


_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)")
_PG_KEY = re.compile(r"Key \(([^)]*)\)=")


def _unique_field(error: IntegrityError) -> str | None:
    text = str(error.orig)
    m = _SQLITE_UNIQUE.search(text)
    if m:
        columns = [c.split(".")[-1] for c in m.group(1).split(", ")]
    else:
        m = _PG_KEY.search(text)
        if not m or "already exists" not in text:
            return None
        columns = [c.strip() for c in m.group(1).split(",")]
    # for (parent_id, code) the user-facing field is the last one, the code
    return columns[-1] if columns else None


def flush(session: Session) -> None:
    """``session.flush()`` with database errors turned into typed, translated errors.

    After an error the session's transaction is no longer usable: the caller must roll back.
    """
    try:
        session.flush()
    except StaleDataError as exc:
        raise StaleEditError() from exc
    except IntegrityError as exc:
        field = _unique_field(exc)
        if field is not None:
            raise ValidationError(field, _("This value is already used by another record.")) from exc
        raise ServiceError(
            _(
                "The change breaks a rule of the database: the record is still used elsewhere, or a value is missing."
            )
        ) from exc


def create_entity(
    session: Session,
    cls: type[E],
    values: Mapping[str, Any],
    validate: Validator | None = None,
    prepare: Callable[[E], Any] | None = None,
) -> E:
    """Validate ``values``, add a new ``cls`` row and flush it (it gets its id). Does not commit."""
    data = dict(values)
    if validate is not None:
        data = validate(session, data, None)
    _check_field_names(cls, data)
    obj = cls(**data)
    if prepare is not None:
        prepare(obj)
    session.add(obj)
    flush(session)
    return obj


def update_entity(
    session: Session,
    cls: type[E],
    entity_id: int,
    expected_version: int,
    changes: Mapping[str, Any],
    validate: Validator | None = None,
    prepare: Callable[[E], Any] | None = None,
) -> E:
    """Apply validated ``changes`` to the row if it is still at ``expected_version``; flush (the version check
    in the database catches a concurrent save: ``StaleEditError``). Does not commit."""
    obj = get_entity(session, cls, entity_id)
    check_version(obj, expected_version)
    data = dict(changes)
    if validate is not None:
        data = validate(session, data, obj)
    apply_changes(obj, expected_version, data)
    if prepare is not None:
        prepare(obj)
    flush(session)
    return obj


def delete_entity(
    session: Session, cls: type[E], entity_id: int, expected_version: int | None = None
) -> None:
    """Delete the row (``expected_version`` checked when given). Does not commit."""
    obj = get_entity(session, cls, entity_id)
    if expected_version is not None:
        check_version(obj, expected_version)
    # parents whose loaded collections hold the row: refreshed after the delete, so that a later cascade from
    # the parent does not try to delete the row a second time
    parents: list[tuple[Any, str]] = []
    mapper = inspect(cls)
    for rel in mapper.relationships:
        if rel.direction.name != "MANYTOONE" or not rel.back_populates or len(rel.local_columns) != 1:
            continue
        (column,) = rel.local_columns
        parent_id = getattr(obj, mapper.get_property_by_column(column).key)
        if parent_id is None:
            continue
        parent = session.identity_map.get(session.identity_key(rel.mapper.class_, parent_id))
        if parent is not None and rel.back_populates not in inspect(parent).unloaded:
            parents.append((parent, rel.back_populates))
    session.delete(obj)
    flush(session)
    for parent, key in parents:
        session.expire(parent, [key])


def ensure_unique(
    session: Session,
    cls: type[Entity],
    field: str,
    value: Any,
    exclude_id: int | None = None,
    **scope: Any,
) -> None:
    """``ValidationError(field)`` when another row (within ``scope``, e.g. the same facility) has ``value``."""
    column = getattr(cls, field)
    stmt = select(func.count()).select_from(cls).where(column == value)
    for key, scoped in scope.items():
        stmt = stmt.where(getattr(cls, key) == scoped)
    if exclude_id is not None:
        stmt = stmt.where(cls.id != exclude_id)
    if session.scalar(stmt):
        raise ValidationError(field, _("This value is already used by another record."))


def unique_validator(
    field: str, *scope_fields: str
) -> Callable[[Session, dict[str, Any], Any, type[Entity]], None]:
    """A check that ``field`` is unique (within ``scope_fields``), for use inside a validator."""

    def check(session: Session, values: dict[str, Any], obj: Any, cls: type[Entity]) -> None:
        if field not in values and not any(s in values for s in scope_fields):
            return
        scope = {s: current(values, obj, s) for s in scope_fields}
        ensure_unique(
            session, cls, field, current(values, obj, field), obj.id if obj is not None else None, **scope
        )

    return check


# --- fiscal years (年度: April 1 to March 31) -----------------------------------------------------------------


def fiscal_year_of(day: date) -> int:
    """The Japanese fiscal year of ``day``: 2025 for 2025-04-01 ... 2026-03-31."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_range(fiscal_year: int) -> tuple[date, date]:
    """First and last day (inclusive) of ``fiscal_year``."""
    return date(fiscal_year, 4, 1), date(fiscal_year + 1, 3, 31)


# --- validation of the usual fields ---------------------------------------------------------------------------


def require_text(field: str, value: Any, max_length: int | None = None) -> str:
    """A required text: stripped, not empty, at most ``max_length`` characters."""
    text = optional_text(field, value, max_length)
    if not text:
        raise ValidationError(field, _("This field is required."))
    return text


def optional_text(field: str, value: Any, max_length: int | None = None) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(field, _("This field must be text."))
    text = value.strip()
    if max_length is not None and len(text) > max_length:
        raise ValidationError(
            field, _("This text is too long: at most {limit} characters.").format(limit=max_length)
        )
    return text


@lru_cache(maxsize=1024)
def column_length(cls: type[Entity], field: str) -> int | None:
    length = getattr(inspect(cls).columns[field].type, "length", None)
    return length if isinstance(length, int) else None


def texts(
    cls: type[Entity], values: dict[str, Any], required: Iterable[str] = (), optional: Iterable[str] = ()
) -> None:
    """Check and strip, in place, the text fields present in ``values`` (lengths from the columns)."""
    for field in required:
        if field in values:
            values[field] = require_text(field, values[field], column_length(cls, field))
    for field in optional:
        if field in values:
            values[field] = optional_text(field, values[field], column_length(cls, field))


def require_present(values: Mapping[str, Any], obj: Any, *fields: str) -> None:
    """When creating (``obj`` is None), each of ``fields`` must be given and not None."""
    if obj is not None:
        for field in fields:
            if field in values and values[field] is None:
                raise ValidationError(field, _("This field is required."))
        return
    for field in fields:
        if values.get(field) is None:
            raise ValidationError(field, _("This field is required."))


_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"})


@cache
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes that Babel (CLDR) knows as territories."""
    codes = [str(code) for code in Locale("en").territories]
    return frozenset(
        code for code in codes if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    )


def country(field: str, value: Any, *, required: bool = True) -> str:
    """An ISO 3166-1 alpha-2 country code, upper-cased."""
    code = optional_text(field, value).upper()
    if not code:
        if required:
            raise ValidationError(field, _("Choose a country."))
        return ""
    if code not in country_codes():
        raise ValidationError(field, _("{code} is not a known country code.").format(code=code))
    return code


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def timezone_name(field: str, value: Any) -> str:
    """An IANA time zone name (e.g. ``Asia/Vientiane``) that zoneinfo can load."""
    name = optional_text(field, value)
    if not name:
        raise ValidationError(field, _("Choose a time zone."))
    if name not in _zones():
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError(field, _("{zone} is not a known time zone.").format(zone=name)) from exc
    return name


# The local part (before the @-sign) that email-validator accepts as it is, unchanged: ASCII "dot-atom" text
# (RFC 5322 3.2.3, the library's own pattern), not one of the mailbox names it lower-cases (RFC 2142).
_PLAIN_LOCAL = re.compile(r"[a-zA-Z0-9_!#$%&'*+\-/=?^`{|}~]+(?:\.[a-zA-Z0-9_!#$%&'*+\-/=?^`{|}~]+)*\Z")
_CASE_INSENSITIVE_MAILBOXES = frozenset(
    {
        "info",
        "marketing",
        "sales",
        "support",
        "abuse",
        "noc",
        "security",
        "postmaster",
        "hostmaster",
        "usenet",
    }
    | {"news", "webmaster", "www", "uucp", "ftp"}
)
_EMAIL_MAX_BYTES = 254


@lru_cache(maxsize=4096)
def _email_domain(domain: str) -> tuple[str, str] | None:
    """The normalized and the ASCII (IDNA) form of the part after the @-sign as email-validator checks it, or
    None when it is not valid (most addresses of a list share a few domains: checked once each)."""
    from email_validator import EmailNotValidError, validate_email

    try:
        result = validate_email("a@" + domain, check_deliverability=False)
    except EmailNotValidError:
        return None
    return str(result.domain), str(result.ascii_domain)


def _plain_email(text: str) -> str | None:
    """``validate_email(text).normalized`` for the usual address (a plain ASCII local part, a valid domain),
    without checking the same domain again for every address; None when the full check must decide."""
    local, at, domain = text.rpartition("@")
    if not at or not _PLAIN_LOCAL.match(local) or local.lower() in _CASE_INSENSITIVE_MAILBOXES:
        return None
    forms = _email_domain(domain)
    if forms is None:
        return None
    normalized, ascii_domain = forms
    for address in (text, local + "@" + normalized, local + "@" + ascii_domain):
        if len(address.encode()) > _EMAIL_MAX_BYTES:
            return None
    return local + "@" + normalized


def email(field: str, value: Any) -> str:
    """An e-mail address in its normalized form, or "" (syntax only: no DNS look-up)."""
    text = optional_text(field, value, 254)
    if not text:
        return ""
    plain = _plain_email(text)
    if plain is not None:
        return plain
    from email_validator import EmailNotValidError, validate_email

    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError(field, _("This is not a valid e-mail address.")) from exc
    return str(result.normalized)


def phone(field: str, value: Any, region: str = "JP") -> str:
    """A phone number in E.164 (``+81442002111``), read with ``region`` as the default country, or ""."""
    text = optional_text(field, value, 40)
    if not text:
        return ""
    checked = _checked_phone(text, region or "JP")
    if checked is None:
        raise ValidationError(field, _("This is not a valid phone number."))
    e164, number = checked
    if len(_PARSED_E164) >= _PARSED_E164_MAX:
        _PARSED_E164.clear()
    _PARSED_E164[e164] = number
    return e164


@lru_cache(maxsize=16384)
def _checked_phone(text: str, region: str) -> tuple[str, phonenumbers.PhoneNumber] | None:
    """``text`` read with ``region`` as the default country: its E.164 form and what ``parse(e164)`` would give
    (no extension, no raw input), or None when it is not a possible number. Remembered: a pure function of the
    text (a list imported twice, the preview of a corrected file, the same office number in many rows)."""
    import phonenumbers

    _phone_patterns_kept()
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    e164 = str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    plain = phonenumbers.PhoneNumber(
        country_code=number.country_code,
        national_number=number.national_number,
        italian_leading_zero=number.italian_leading_zero,
        number_of_leading_zeros=number.number_of_leading_zeros,
    )
    return e164, plain


@cache
def _phone_patterns_kept() -> None:
    """phonenumbers compiles its metadata's regular expressions through ``re.compile``, whose cache (512) is
    smaller than the patterns of a country like Japan: keep them all (the library's own switch)."""
    import phonenumbers

    phonenumbers.enable_pattern_cache()


# E.164 numbers just checked by ``phone`` -> their parsed form (the search text of a record is built right after
# its phone number is checked; an import checks thousands in a row)
_PARSED_E164: dict[str, phonenumbers.PhoneNumber] = {}
_PARSED_E164_MAX = 50_000
_NOT_DIGITS = re.compile(r"\D")


def forget_checked_values() -> None:
    """Forget the phone numbers and e-mail domains checked so far (the import benchmark measures a new file's
    import, whose values have not been checked before)."""
    _checked_phone.cache_clear()
    _national_digits.cache_clear()
    _email_domain.cache_clear()
    _PARSED_E164.clear()


def national_digits(e164: str) -> str:
    """The digits as dialled at home (``0442002111``) for a stored E.164 number, for search; "" if unknown."""
    if not e164:
        return ""
    return _national_digits(e164)


@lru_cache(maxsize=16384)
def _national_digits(e164: str) -> str:
    """``national_digits`` (a pure function of the number): remembered for the numbers of the last records."""
    import phonenumbers

    _phone_patterns_kept()
    number = _PARSED_E164.get(e164)
    if number is None:
        try:
            number = phonenumbers.parse(e164, None)
        except phonenumbers.NumberParseException:
            return ""
    formats = (
        _national_formats(number.country_code) if number.national_number and not number.extension else None
    )
    if formats is None:  # what the quick way below does not cover: the library's own formatting
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        return _NOT_DIGITS.sub("", str(national))
    nsn = phonenumbers.national_significant_number(number)
    for leading, pattern, rule in formats:
        if (leading is None or leading.match(nsn)) and pattern.fullmatch(nsn):
            return _NOT_DIGITS.sub("", pattern.sub(rule, nsn))
    return nsn  # no format for the number: the library gives the national significant number as it is


# phonenumbers' rule text naming the first group ("\1") in a format, replaced by the national prefix's rule
_FIRST_GROUP = re.compile(r"(\\\d)")


@cache
def _national_formats(country_code: int) -> list[tuple[re.Pattern[str] | None, re.Pattern[str], str]] | None:
    """The formats ``phonenumbers.format_number(number, NATIONAL)`` chooses from for ``country_code``, in its
    order, compiled once: (the last leading-digits pattern or None, the number's pattern, the substitution with
    the national prefix rule applied to the first group, as the library makes it for each number). None when the
    calling code has no formats of its own (the library's function decides). Tested against the library for the
    example numbers of every region."""
    import phonenumbers
    from phonenumbers.phonemetadata import PhoneMetadata

    if country_code not in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
        return None
    region = phonenumbers.region_code_for_country_code(country_code)
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region.upper())
    if metadata is None:
        return None
    formats = []
    for number_format in metadata.number_format:
        rule, pattern = number_format.format, number_format.pattern
        if rule is None or pattern is None:  # pragma: no cover - not in the library's metadata
            return None
        if number_format.national_prefix_formatting_rule:
            rule = _FIRST_GROUP.sub(number_format.national_prefix_formatting_rule, rule, count=1)
        leading = number_format.leading_digits_pattern
        formats.append((re.compile(leading[-1]) if leading else None, re.compile(pattern), rule))
    return formats


def enum_value(field: str, enum_cls: type[Any], value: Any) -> Any:
    try:
        return enum_cls(value)
    except ValueError as exc:
        raise ValidationError(field, _("This value is not one of the allowed choices.")) from exc


def date_value(field: str, value: Any, *, required: bool = True) -> date | None:
    if value is None:
        if required:
            raise ValidationError(field, _("This field is required."))
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValidationError(field, _("This must be a date."))
    return value


def aware(field: str, value: Any) -> datetime:
    """A time-zone aware datetime (naive ones are always a bug: the zone must be known)."""
    if not isinstance(value, datetime):
        raise ValidationError(field, _("This must be a date and time."))
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(field, _("The time zone of this time is missing."))
    return value


def int_range(field: str, value: Any, low: int | None = None, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(field, _("This must be a whole number."))
    if (low is not None and value < low) or (high is not None and value > high):
        if high is None:
            message = _("This must be at least {low}.").format(low=low)
        elif low is None:
            message = _("This must be at most {high}.").format(high=high)
        else:
            message = _("This must be between {low} and {high}.").format(low=low, high=high)
        raise ValidationError(field, message)
    return value


def ordered_dates(start_field: str, start: date | None, end_field: str, end: date | None) -> None:
    """``end`` must not be before ``start`` (either may be open)."""
    if start is not None and end is not None and end < start:
        raise ValidationError(end_field, _("This date is before the start date."))


def reference(
    session: Session, cls: type[Entity], field: str, value: Any, *, required: bool = True
) -> int | None:
    """A foreign key the user chose: the referenced row must exist."""
    if value is None:
        if required:
            raise ValidationError(field, _("This field is required."))
        return None
    if isinstance(value, bool) or not isinstance(value, int) or session.get(cls, value) is None:
        raise ValidationError(field, _("The selected record does not exist."))
    return value


def code_in(field: str, value: Any, allowed: Mapping[str, Any], *, required: bool = True) -> str | None:
    """A code that must be a key of ``allowed`` (SDG targets, DAC sectors...)."""
    if value is None or value == "":
        if required:
            raise ValidationError(field, _("This field is required."))
        return None
    text = str(value).strip()
    if text not in allowed:
        raise ValidationError(field, _("{code} is not one of the allowed codes.").format(code=text))
    return text


def union_columns(slots: Mapping[str, TypeEngine[Any]], **values: Any) -> list[ColumnElement[Any]]:
    """The columns of one branch of a UNION ALL that reads rows of several kinds in one statement (over a slow
    link to a shared server each statement is a round trip): every branch has the ``slots``' columns, in their
    order, named and typed; a slot not given (or None) is a typed NULL. A NULL gets a real CAST (PostgreSQL types
    a NULL that is NULL in every branch so far as text); a value is only coerced (an SQL cast would change
    SQLite's affinity)."""
    unknown = set(values) - set(slots)
    if unknown:
        raise TypeError(f"not a slot of this UNION ALL: {sorted(unknown)}")
    return [
        (cast(null(), type_) if values.get(name) is None else type_coerce(values[name], type_)).label(name)
        for name, type_ in slots.items()
    ]


_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = True


@contextmanager
def collections_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused around bulk work that builds hundreds of thousands of short-lived
    objects and few reference cycles (a report's figures and PDF, an import's rows): every collection walks every
    object alive, the application's included, and took a quarter of the CPU time of the scale-100 annual report.
    Reference counting still frees everything as usual. Blocks may overlap (a report in a worker thread while an
    import runs): the collector runs again, if it was running, when the last of them ends, also on an error."""
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()
