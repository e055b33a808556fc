"""The light first-page reader (start-up preview, issue 10) returns what the Partners tab's first page shows:
the same count, rows, order, membership status and technologies as ``services.partner_search.open_list``, in
Japanese and English, on SQLite and PostgreSQL; it is used only on a local file at the head revision."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from kawaoffice.model.partners import MembershipStatus, OrganizationKind
from kawaoffice.services import partner_search as ps
from kawaoffice.services import partners
from kawaoffice.storage import database, migrate
from kawaoffice.storage import first_page as fp

_NAMES = ["川崎", "水道", "技研", "Aqua", "テクノ", "工業", "株式会社", "ラオ", "Zeta", "協会"]
_READINGS = ["カワサキ", "かわさき", "ｶﾞｽ", "ガス", "アクア", "あくあ", "", "ナムパパ", "ﾃｸﾉ", "テクノ"]


def _directory(session: Session, n: int = 40) -> None:
    rng = random.Random(11)
    techs = [
        partners.create_technology(session, code="UF", name_ja="膜ろ過", name_en=""),
        partners.create_technology(session, code="LEAK", name_ja="漏水探知", name_en="Leak detection"),
        partners.create_technology(session, code="AB", name_ja="曝気", name_en="Aeration"),
    ]
    for i in range(n):
        org = partners.create_organization(
            session,
            kind=rng.choice(list(OrganizationKind)),
            name_ja=rng.choice(_NAMES) + rng.choice(_NAMES),  # duplicates: ties broken by id
            name_kana=rng.choice(_READINGS),
            name_en=rng.choice(["", "Kawasaki Water", "aqua", "Zeta Gas"]),
            country=rng.choice(["JP", "LA", "VN"]),
        )
        if i % 3 == 0:
            partners.create_membership(session, organization_id=org.id, joined_on=date(2015, 4, 1))
        if i % 4 == 0:
            partners.create_membership(
                session,
                organization_id=org.id,
                joined_on=date(2010, 4, 1),
                left_on=date(2012, 3, 31),
                status=MembershipStatus.LEFT,
            )
        for tech in rng.sample(techs, i % 4):
            partners.add_organization_technology(session, organization_id=org.id, technology_id=tech.id)
    session.commit()


def _as_preview(row: object) -> fp.PreviewRow:
    from kawaoffice.services.overview import PartnerRow

    assert isinstance(row, PartnerRow)
    return fp.PreviewRow(
        id=row.id,
        kind=row.kind.value,
        name_ja=row.name_ja,
        name_kana=row.name_kana,
        name_en=row.name_en,
        country=row.country,
        member_status=row.member_status.value if row.member_status is not None else None,
        technologies=row.technologies,
        technologies_en=row.technologies_en,
    )


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("limit", [1, 15, 100])
def test_the_light_reader_shows_the_services_first_page(
    session: Session, db_url: str, language: str, limit: int
) -> None:
    _directory(session)
    opening = ps.open_list(session, language, limit, choices=False)
    page = fp.read_first_page(db_url, language, limit)
    assert page.total == opening.total == 40
    assert page.rows == [_as_preview(r) for r in opening.rows]
    assert len(page.rows) == min(limit, 40)
    assert page.revision == migrate.head_revision()


def test_an_empty_directory(db_url: str) -> None:
    page = fp.read_first_page(db_url, "ja", 60)
    assert (page.total, page.rows, page.revision) == (0, [], migrate.head_revision())


def test_the_light_head_is_alembics(tmp_path: Path) -> None:
    assert fp.head_revision() == migrate.head_revision() == migrate.script_directory().get_current_head()
    assert fp.ENV_VAR == database.ENV_VAR


@pytest.mark.parametrize(
    "url",
    ["sqlite:////tmp/a b/x.sqlite3", "sqlite:///relative/x.sqlite3", "~/kawa.sqlite3", "/abs/x.sqlite3"],
)
def test_the_file_is_the_one_sqlalchemy_opens(url: str) -> None:
    assert fp.sqlite_file_of(url) == database.sqlite_path_of(database.normalize_url(url))


@pytest.mark.parametrize(
    "url", ["sqlite://", "sqlite:///:memory:", "postgresql+psycopg://u@h/db", "sqlite:///x.db?mode=ro", ""]
)
def test_anything_unusual_is_not_previewed(url: str) -> None:
    assert fp.sqlite_file_of(url) is None


def test_the_database_url_is_chosen_as_the_app_chooses_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(fp.ENV_VAR, raising=False)
    default = Path("/home/x/kawaoffice.sqlite3")
    assert fp.light_database_url("/a.sqlite3", "/b.sqlite3", default) == "/a.sqlite3"
    assert fp.light_database_url(None, "/b.sqlite3", default) == "/b.sqlite3"
    assert fp.light_database_url(None, "", default) == f"sqlite:///{default}"
    monkeypatch.setenv(fp.ENV_VAR, "/env.sqlite3")
    assert fp.light_database_url(None, "/b.sqlite3", default) == "/env.sqlite3"


def test_the_preview_only_on_a_local_file_at_head(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    assert fp.read_preview(url, "ja", 60) is None  # no file: nothing created either
    assert not (tmp_path / "p.sqlite3").exists()
    engine = database.create_db_engine(url)
    from kawaoffice import model

    model.Base.metadata.create_all(engine)
    migrate.stamp_head(engine)
    engine.dispose()
    page = fp.read_preview(url, "en", 60)
    assert page is not None and page.total == 0
    with sqlite3.connect(tmp_path / "p.sqlite3") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0001_old'")
    assert fp.read_preview(url, "ja", 60) is None  # to be upgraded: the normal path
    (tmp_path / "foreign.sqlite3").write_bytes(b"not a database at all" * 100)
    assert fp.read_preview(str(tmp_path / "foreign.sqlite3"), "ja", 60) is None
    assert fp.read_preview("postgresql+psycopg://u:p@localhost/db", "ja", 60) is None


def test_the_reader_imports_no_sqlalchemy(tmp_path: Path) -> None:
    code = (
        "import sys; from kawaoffice.storage import first_page as fp; "
        f"fp.read_preview({str(tmp_path / 'none.sqlite3')!r}, 'ja', 60); "
        "print(sorted(m for m in sys.modules if m.startswith(('sqlalchemy', 'alembic', 'kawaoffice.model'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
