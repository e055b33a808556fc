"""Import of partner lists: encodings, headers in Japanese or English, mapping, preview, all or nothing."""

from __future__ import annotations

import contextlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from kawaoffice.model.audit import AuditEntry
from kawaoffice.model.partners import (
    Contact,
    Employment,
    Membership,
    MembershipStatus,
    Organization,
    OrganizationKind,
    OrganizationTechnology,
    Technology,
)
from kawaoffice.model.users import Role
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


# --- the bulk write gives what the services wrote one record at a time ----------------------------------------------


def _import_one_by_one(session: Session, rows: list[pi.PreviewRow], today: date) -> None:
    """The import as it was written before the bulk write: each record through the services, a flush each."""
    for row in rows:
        if row.duplicates:
            continue
        values = dict(row.organization)
        kind, name_ja = values.pop("kind"), values.pop("name_ja")
        org = partners.create_organization(session, kind=kind, name_ja=name_ja, **values)
        if kind == OrganizationKind.MEMBER:
            session.add(
                Membership(
                    organization_id=org.id, status=MembershipStatus.ACTIVE, joined_on=row.joined_on or today
                )
            )
        for tech_id in row.technology_ids:
            partners.add_organization_technology(session, organization_id=org.id, technology_id=tech_id)
        if row.contact:
            data = dict(row.contact)
            title = data.pop("title", "")
            person = partners.create_contact(session, region=org.country, confirmed_on=today, **data)
            partners.create_employment(session, contact_id=person.id, organization_id=org.id, title=title)
    session.flush()


_TABLES = (Organization, Membership, OrganizationTechnology, Contact, Employment)
_VOLATILE = {"id", "created_at", "updated_at"}


def _snapshot(session: Session, since_audit: int) -> tuple[list[Any], list[Any]]:
    """Every record of the directory and the audit entries after ``since_audit``, ids replaced by what they
    name (ids differ between two runs on PostgreSQL: sequences are not rolled back)."""
    names: dict[tuple[str, int], str] = {}
    for o in session.scalars(select(Organization)):
        names["organizations", o.id] = o.name_ja
    for p in session.scalars(select(Contact)):
        names["contacts", p.id] = f"{p.family_name} {p.given_name} {p.email}"
    for t in session.scalars(select(Technology)):
        names["technologies", t.id] = t.code
    refs = {"organization_id": "organizations", "contact_id": "contacts", "technology_id": "technologies"}

    def plain(table: str, values: dict[str, Any]) -> tuple[Any, ...]:
        out = []
        for key, value in sorted(values.items()):
            if key in _VOLATILE:
                continue
            if key in refs and value is not None:
                value = names[refs[key], value[1] if isinstance(value, list) else value]
            out.append((key, repr(value)))
        return (table, *out)

    records = sorted(
        plain(cls.__tablename__, {c.key: getattr(obj, c.key) for c in sa_inspect(cls).column_attrs})
        for cls in _TABLES
        for obj in session.scalars(select(cls))
    )
    entries = sorted(
        (e.user, e.action.value, e.summary, e.reason, plain(e.table_name, dict(e.changes)))
        for e in session.scalars(select(AuditEntry).where(AuditEntry.id > since_audit))
    )
    for entry_table, row_id in session.execute(
        select(AuditEntry.table_name, AuditEntry.row_id).where(AuditEntry.id > since_audit)
    ):
        assert row_id is not None and session.get(
            {cls.__tablename__: cls for cls in _TABLES}[entry_table], row_id
        ), "an audit entry names a record that was written"
    return records, entries


@pytest.mark.parametrize("block", [1000, 1])
def test_bulk_import_writes_the_same_records_links_and_audit_entries(
    session: Session, block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # block 1: on PostgreSQL each row's records and audit entries are their own round of COPYs
    monkeypatch.setattr(pi, "_BLOCK_ROWS", block)
    _techs(session)
    partners.create_organization(
        session, kind="member", name_ja="三機工業株式会社"
    )  # a duplicate in the file
    session.commit()
    before = int(session.scalar(select(func.max(AuditEntry.id))) or 0)
    data = (
        "会社名,フリガナ,英語名,区分,国,電話,メール,担当者,担当者フリガナ,担当者メール,役職,技術,入会日\r\n"
        "アクア技研株式会社,アクアギケン,Aqua Giken,会員,日本,044-200-0001,info@aqua.example.jp,"
        "山田　太郎,ヤマダ　タロウ,yamada@aqua.example.jp,課長,漏水探知、膜ろ過,2020/4/1\r\n"
        "三機工業,サンキコウギョウ,,会員,日本,,,,,,,,\r\n"
        "ナムパパ・ラオ,,Nam Papa Lao,カウンターパート,ラオス,021-212-345,,Somchai Phimmasone,,,Director,,\r\n"
        "川崎大学,カワサキダイガク,Kawasaki University,大学,日本,,,,,,,膜ろ過,\r\n"
    ).encode()
    table = pi.read_table(data)
    rows = pi.preview(session, table, pi.guess_mapping(table.headers))
    assert all(r.ok for r in rows) and [bool(r.duplicates) for r in rows] == [False, True, False, False]
    today = date(2026, 5, 1)

    _import_one_by_one(session, rows, today)
    expected = _snapshot(session, before)
    session.rollback()

    assert pi.import_rows(session, rows, today=today) == pi.ImportResult(3, 2, 1)
    session.commit()
    got = _snapshot(session, before)
    assert got[0] == expected[0]
    assert got[1] == expected[1]
    # one audit entry per new record: 3 organizations, 1 membership, 3 technology links, 2 contacts, 2 posts
    assert len(got[1]) == 11
    # the services read the records back as usual
    aqua = session.scalars(select(Organization).where(Organization.name_kana == "アクアギケン")).one()
    assert aqua.version == 1 and aqua.created_by == "tester" and aqua.search_text
    assert [e.contact.family_name for e in aqua.employments] == ["山田"]
    partners.update_organization(session, aqua.id, 1, city="川崎市")
    session.commit()


def test_a_viewers_import_is_refused_and_writes_nothing(engine: Engine) -> None:
    from kawaoffice.services import users
    from kawaoffice.services.errors import PermissionDeniedError
    from kawaoffice.storage.database import make_session_factory

    with make_session_factory(engine, user="aiko")() as s:
        users.ensure_user(s, "aiko")
        users.add_user(s, "mika", Role.VIEWER)
        _techs(s)
        s.commit()
    table = pi.read_table((DATA / "partners_fixed_cp932.csv").read_bytes())
    with make_session_factory(engine, user="mika")() as s:
        rows = pi.preview(s, table, pi.guess_mapping(table.headers))  # reading is allowed
        assert all(r.ok and not r.duplicates for r in rows)
        audit_before = _count(s, AuditEntry)
        with pytest.raises(PermissionDeniedError):
            pi.import_rows(s, rows)
        s.rollback()
        assert _count(s, Organization) == 0 and _count(s, Contact) == 0
        assert _count(s, AuditEntry) == audit_before
