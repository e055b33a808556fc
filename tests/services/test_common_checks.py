"""The shortcuts of the usual-field checks give exactly what the libraries' full checks give."""

from __future__ import annotations

import re

import phonenumbers
import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kawaoffice.services import common as c
from kawaoffice.services.errors import ValidationError


def _reference_email(text: str) -> str | None:
    text = text.strip()
    if not text:
        return ""
    if len(text) > 254:
        return None
    try:
        return str(validate_email(text, check_deliverability=False).normalized)
    except EmailNotValidError:
        return None


def _checked_email(text: str) -> str | None:
    try:
        return c.email("email", text)
    except ValidationError:
        return None


_LOCAL = st.text(alphabet="abcXYZ09._+-!#'\"@ <>()\\é山", min_size=0, max_size=12)
_DOMAIN = st.one_of(
    st.sampled_from(
        [
            "example.jp",
            "city.kawasaki.jp",
            "EXAMPLE.COM",
            "xn--wgv71a119e.jp",
            "日本語.jp",
            "localhost",
            "example",
            "a..b.jp",
            "-bad.jp",
            "[127.0.0.1]",
            "test",
            "example.invalid",
            "1.2.3.4",
            "",
            "a" * 64 + ".jp",
            ("b" * 60 + ".") * 4 + "jp",
        ]
    ),
    st.text(alphabet="abcJP.-0é", min_size=0, max_size=20),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(local=_LOCAL, domain=_DOMAIN)
def test_email_same_as_the_full_check(local: str, domain: str) -> None:
    text = f"{local}@{domain}"
    assert _checked_email(text) == _reference_email(text)


@pytest.mark.parametrize(
    "text",
    [
        "yamada@Example.JP",
        "Info@example.jp",  # a mailbox name the library lower-cases
        "POSTMASTER@city.kawasaki.jp",
        "a.b+c@example.com",
        "a..b@example.com",
        ".a@example.com",
        "山田@example.jp",
        "taro@日本語.jp",
        "taro@xn--wgv71a119e.jp",
        '"quoted"@example.jp',
        "Taro <taro@example.jp>",
        "x" * 65 + "@example.jp",
        "x" * 64 + "@" + ("b" * 60 + ".") * 3 + "jp",
        "taro@localhost",
        "taro@example",
        "taro@",
        "@example.jp",
        "taro@@example.jp",
    ],
)
def test_email_examples_same_as_the_full_check(text: str) -> None:
    assert _checked_email(text) == _reference_email(text)


def test_email_messages_unchanged() -> None:
    with pytest.raises(ValidationError) as info:
        c.email("contact_email", "taro@localhost")
    assert info.value.field == "contact_email"
    assert info.value.message == "This is not a valid e-mail address."
    assert c.email("email", "  Taro@Example.JP ") == "Taro@example.jp"


def _reference_national(e164: str) -> str:
    number = phonenumbers.parse(e164, None)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return re.sub(r"\D", "", str(national))


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("044-200-2111", "JP"),
        ("０４４－２００－２１１１", "JP"),
        ("044-200-2111 ext. 45", "JP"),
        ("090-1234-5678", "JP"),
        ("+81 44 200 2111", "LA"),
        ("021 214 011", "LA"),
        ("06 1234 5678", "IT"),
        ("+39 06 1234 5678", "JP"),
        ("0011 44 20 7946 0000", "AU"),
        ("(201) 555-0123", "US"),
        ("8 495 123-45-67", "RU"),
        ("06 1 234 5678", "HU"),
        ("+84 24 3825 3536", "JP"),
    ],
)
def test_national_digits_of_a_checked_number_same_as_parsing_it_again(text: str, region: str) -> None:
    e164 = c.phone("phone", text, region)
    assert e164.startswith("+")
    assert c.national_digits(e164) == _reference_national(e164)
    c._PARSED_E164.clear()
    assert c.national_digits(e164) == _reference_national(e164)


def test_national_digits_of_a_stored_number() -> None:
    assert c.national_digits("+81442002111") == "0442002111"
    assert c.national_digits("") == ""
    assert c.national_digits("not a number") == ""


def test_overlapping_collection_pauses_restart_the_collector_only_after_the_last() -> None:
    import gc

    from kawaoffice.services.common import collections_paused

    assert gc.isenabled()
    first = collections_paused()
    second = collections_paused()
    first.__enter__()
    second.__enter__()  # e.g. a report in a worker thread while an import runs
    first.__exit__(None, None, None)
    assert not gc.isenabled()  # the second block is still building its rows
    second.__exit__(None, None, None)
    assert gc.isenabled()


def _reference_phone(text: str, region: str) -> str | None:
    """phone() as first written: parse, is_possible_number, E.164."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def _checked_phone(text: str, region: str) -> str | None:
    try:
        return c.phone("phone", text, region)
    except ValidationError as exc:
        assert exc.field == "phone" and exc.message == "This is not a valid phone number."
        return None


@settings(max_examples=150, deadline=None)
@given(
    st.one_of(
        st.text(alphabet="0123456789-+() .x#ext０１２", min_size=1, max_size=20),
        st.from_regex(r"0[1-9]0?-[0-9]{3,4}-[0-9]{4}", fullmatch=True),
    ),
    st.sampled_from(["JP", "LA", "US", "IT", "VN", "TH"]),
)
def test_remembered_phone_checks_give_the_librarys_answer_every_time(text: str, region: str) -> None:
    expected = _reference_phone(text.strip(), region) if text.strip() else ""
    assert _checked_phone(text, region) == expected
    assert _checked_phone(text, region) == expected  # the second time from the remembered answer
    if expected:
        assert c.national_digits(expected) == _reference_national(expected)
        assert c.national_digits(expected) == _reference_national(expected)


def test_the_same_text_read_in_another_country_is_another_number() -> None:
    assert c.phone("phone", "021 214 011", "LA") == "+85621214011"
    assert c.phone("phone", "044-200-2111", "JP") == "+81442002111"
    assert c.phone("phone", "06 1234 5678", "IT") != c.phone("phone", "06 1234 5678", "JP")
    with pytest.raises(ValidationError):
        c.phone("phone", "12", "JP")
    with pytest.raises(ValidationError):  # remembered as not possible: the same error again
        c.phone("phone", "12", "JP")


def _example_numbers() -> list[phonenumbers.PhoneNumber]:
    """The library's example numbers of every region and non-geographic code, of every type."""
    numbers = []
    types = [v for k, v in vars(phonenumbers.PhoneNumberType).items() if k.isupper() and isinstance(v, int)]
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in types:
            number = phonenumbers.example_number_for_type(region, kind)
            if number is not None:
                numbers.append(number)
    for code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        number = phonenumbers.example_number_for_non_geo_entity(code)
        if number is not None:
            numbers.append(number)
    return numbers


def test_national_digits_of_every_regions_example_numbers_as_the_library_formats_them() -> None:
    numbers = _example_numbers()
    assert len(numbers) > 1000
    assert c._national_formats(81) and c._national_formats(800)  # the quick way, not the library's fallback
    for number in numbers:
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        # the number itself, and with its last digits changed (other formats' lengths and leading digits)
        for variant in (e164, e164[:-1], e164 + "7", e164[:-2] + "00", e164[:5] + "9" * (len(e164) - 5)):
            c._national_digits.cache_clear()
            assert c.national_digits(variant) == _reference_digits(variant), variant


def _reference_digits(e164: str) -> str:
    try:
        return _reference_national(e164)
    except phonenumbers.NumberParseException:
        return ""


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([1, 7, 33, 39, 44, 49, 54, 55, 61, 81, 84, 86, 90, 91, 234, 856, 800, 979]),
    st.text(alphabet="0123456789", min_size=1, max_size=14),
)
def test_national_digits_of_any_digits_as_the_library_formats_them(code: int, digits: str) -> None:
    e164 = f"+{code}{digits}"
    c._national_digits.cache_clear()
    assert c.national_digits(e164) == _reference_digits(e164)
