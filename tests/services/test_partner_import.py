"""Import of partner lists: encodings, headers in Japanese or English, mapping, preview, all or nothing."""

from __future__ import annotations

import contextlib
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kawaoffice.model.partners import Contact, Membership, Organization, OrganizationKind
from kawaoffice.services import partner_import as pi
from kawaoffice.services import partners
from kawaoffice.services.errors import ServiceError

DATA = Path(__file__).parent.parent / "data" / "partners"


def _techs(session: Session) -> None:
    partners.create_technology(session, code="LEAK", name_ja="漏水探知", name_en="Leak detection")
    partners.create_technology(session, code="MEMBRANE", name_ja="膜ろ過", name_en="Membrane filtration")


def _count(session: Session, cls: type) -> int:
    return int(session.scalar(select(func.count()).select_from(cls)) or 0)


def test_cp932_csv_with_a_bad_row_writes_nothing_and_names_the_row(session: Session) -> None:
    _techs(session)
    table = pi.read_table((DATA / "partners_bad_cp932.csv").read_bytes(), "partners.csv")
    assert table.encoding == "cp932"
    mapping = pi.guess_mapping(table.headers)
    assert set(mapping.values()) >= {"name_ja", "name_kana", "name_en", "kind", "country", "email", "contact"}
    rows = pi.preview(session, table, mapping)
    assert [r.line for r in rows if r.errors] == [4]
    assert "E-mail" in rows[2].errors[0] or "メール" in rows[2].errors[0]
    # full-width spaces trimmed, the name split at the ideographic space
    assert rows[1].organization["name_ja"] == "三機工業"
    assert rows[0].contact["family_name"] == "山田" and rows[0].contact["given_name"] == "太郎"
    with pytest.raises(pi.ImportRejected) as info:
        pi.import_rows(session, rows)
    assert [r.line for r in info.value.rows] == [4] and "4" in info.value.message
    session.rollback()
    assert _count(session, Organization) == 0


def test_fixed_file_imports_everything_with_progress(session: Session) -> None:
    _techs(session)
    session.commit()
    table = pi.read_table((DATA / "partners_fixed_cp932.csv").read_bytes())
    rows = pi.preview(session, table, pi.guess_mapping(table.headers))
    assert all(r.ok for r in rows) and not any(r.duplicates for r in rows)
    seen: list[tuple[int, int]] = []
    result = pi.import_rows(
        session, rows, lambda done, total: seen.append((done, total)), today=date(2026, 5, 1)
    )
    session.commit()
    assert result == pi.ImportResult(organizations=4, contacts=1, skipped=0)
    assert seen[-1] == (4, 4) and len(seen) == 4
    aqua = session.scalars(select(Organization).where(Organization.name_kana == "アクアギケン")).one()
    assert aqua.kind == OrganizationKind.MEMBER and aqua.phone == "+81442000001" and aqua.country == "JP"
    assert sorted(t.technology.code for t in aqua.technologies) == ["LEAK", "MEMBRANE"]
    assert _count(session, Membership) == 2 and _count(session, Contact) == 1
    lao = session.scalars(select(Organization).where(Organization.name_en == "Nam Papa Lao")).one()
    assert lao.country == "LA" and lao.phone.startswith("+856")
    # importing the same file again: every row is a duplicate and skipped
    again = pi.preview(session, table, pi.guess_mapping(table.headers))
    assert all(r.duplicates for r in again)
    assert pi.import_rows(session, again).skipped == 4


def test_utf8_bom_xlsx_and_custom_mapping(session: Session) -> None:
    _techs(session)
    bom = pi.read_table((DATA / "partners_utf8_bom.csv").read_bytes())
    assert bom.encoding == "utf-8-sig" and bom.headers[0] == "会社名"
    xlsx = pi.read_table((DATA / "partners_en.xlsx").read_bytes(), "partners_en.xlsx")
    assert xlsx.encoding == "xlsx"
    rows = pi.preview(session, xlsx, pi.guess_mapping(xlsx.headers))
    assert [r.errors for r in rows] == [[], []]
    assert (
        rows[0].organization["country"] == "ID"
        and rows[0].organization["kind"] == OrganizationKind.COUNTERPART
    )
    assert rows[1].joined_on == date(2020, 4, 1) and rows[1].organization["phone"] == "+81441234567"
    custom = pi.read_table((DATA / "partners_custom_headers.csv").read_bytes())
    assert "name_ja" not in pi.guess_mapping(custom.headers).values()
    known = pi.load_mapping_file((DATA / "mapping.json").read_bytes())
    rows = pi.preview(session, custom, pi.guess_mapping(custom.headers, known))
    assert rows[0].ok and rows[0].organization["country"] == "DE"
    with pytest.raises(pi.ImportFileError):
        pi.load_mapping_file(b'{"A": "nonsense"}')


def test_in_file_duplicates_and_unknown_values(session: Session) -> None:
    _techs(session)
    data = "名称,区分,国,技術\r\n川崎テック株式会社,会員,日本,漏水探知\r\n川崎テック,謎,ナルニア,宇宙技術\r\n".encode()
    table = pi.read_table(data)
    rows = pi.preview(session, table, pi.guess_mapping(table.headers))
    assert rows[0].ok
    assert len(rows[1].errors) == 3  # kind, country, technology


@pytest.mark.parametrize(
    "data", [b"", b"\x00\x01\x02", b"PK\x03\x04garbage", "\ufeff".encode() + b"\xff\xfe"]
)
def test_unreadable_files_raise_a_service_error(data: bytes) -> None:
    with pytest.raises(pi.ImportFileError):
        pi.read_table(data)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400), name=st.sampled_from(["x.csv", "x.xlsx", ""]))
def test_reading_arbitrary_bytes_never_raises_anything_else(data: bytes, name: str) -> None:
    with contextlib.suppress(ServiceError):
        pi.read_table(data, name)


cells = st.one_of(
    st.text(max_size=40), st.sampled_from(["会員", "JP", "ラオス", "a@b.jp", "漏水探知", "044"])
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cells, min_size=0, max_size=12), min_size=1, max_size=5))
def test_preview_of_arbitrary_cells_never_raises(sqlite_session: Session, rows: list[list[str]]) -> None:
    headers = list(pi.FIELDS)[:12]
    table = pi.Table(headers=headers, rows=[r + [""] * (12 - len(r)) for r in rows])
    previewed = pi.preview(sqlite_session, table, pi.guess_mapping(headers))
    assert len(previewed) == len(rows)
    with contextlib.suppress(ServiceError):
        pi.import_rows(sqlite_session, previewed)
    sqlite_session.rollback()


@pytest.fixture
def sqlite_session(tmp_path: Path):  # type: ignore[no-untyped-def]
    from kawaoffice.storage import open_database

    db = open_database(f"sqlite:///{tmp_path / 'h.sqlite3'}", "tester")
    with db.session() as s:
        yield s
    db.dispose()
