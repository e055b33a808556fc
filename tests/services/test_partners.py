from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kawaoffice.model.partners import MembershipStatus, Organization, OrganizationKind
from kawaoffice.services import common, partners
from kawaoffice.services.errors import NotFoundError, ServiceError, StaleEditError, ValidationError


def _org(session: Session, **values: object) -> Organization:
    base: dict[str, object] = {"kind": OrganizationKind.MEMBER, "name_ja": "川崎水道株式会社"}
    base.update(values)
    return partners.create_organization(session, **base)  # type: ignore[arg-type]


def test_organization_round_trip_and_search(session: Session) -> None:
    org = _org(
        session,
        name_kana="カワサキスイドウ",
        name_en="Kawasaki Water Co., Ltd.",
        country="jp",
        phone="044-200-2111",
        email="Info@Example.JP",
    )
    session.commit()
    assert org.id and org.version == 1
    assert org.country == "JP" and org.phone == "+81442002111" and org.email.lower() == "info@example.jp"
    session.expire_all()
    loaded = partners.get_organization(session, org.id)
    assert loaded.name_en == "Kawasaki Water Co., Ltd."
    for query in ("ｶﾜｻｷ", "かわさき", "カワサキ", "KAWASAKI", "0442002111", "info@"):
        assert [o.id for o in partners.search_organizations(session, query)] == [org.id], query
    updated = partners.update_organization(session, org.id, 1, name_kana="ヨコハマスイドウ")
    session.commit()
    assert updated.version == 2
    assert partners.search_organizations(session, "ｶﾜｻｷ") == [] or "かわさき" in updated.search_text
    assert [o.id for o in partners.search_organizations(session, "よこはま")] == [org.id]
    partners.delete_organization(session, org.id, 2)
    session.commit()
    with pytest.raises(NotFoundError):
        partners.get_organization(session, org.id)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name_ja": "  "}, "name_ja"),
        ({"name_ja": "x" * 201}, "name_ja"),
        ({"country": "XX"}, "country"),
        ({"email": "not an address"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"kind": "nonsense"}, "kind"),
    ],
)
def test_organization_validation_names_the_field(
    session: Session, values: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        _org(session, **values)
    assert info.value.field == field
    assert info.value.message


def test_phone_uses_the_organization_country(session: Session) -> None:
    org = _org(session, country="LA", phone="021 212 251")
    assert org.phone.startswith("+856")


def test_membership_dates_and_technologies(session: Session) -> None:
    org = _org(session)
    with pytest.raises(ValidationError) as info:
        partners.create_membership(
            session, organization_id=org.id, joined_on=date(2020, 4, 1), left_on=date(2019, 1, 1)
        )
    assert info.value.field == "left_on"
    m = partners.create_membership(session, organization_id=org.id, joined_on=date(2020, 4, 1))
    assert m.status == MembershipStatus.ACTIVE
    tech = partners.create_technology(session, code="NRW", name_ja="無収水対策", dac_code="14021")
    with pytest.raises(ValidationError) as info:
        partners.create_technology(session, code="NRW", name_ja="重複")
    assert info.value.field == "code"
    with pytest.raises(ValidationError) as info:
        partners.create_technology(session, code="X", name_ja="x", dac_code="99999")
    assert info.value.field == "dac_code"
    link = partners.add_organization_technology(
        session, organization_id=org.id, technology_id=tech.id, product_name="漏水探知機"
    )
    with pytest.raises(ValidationError):
        partners.add_organization_technology(session, organization_id=org.id, technology_id=tech.id)
    partners.update_organization_technology(session, link.id, link.version, description="音聴式")
    session.commit()
    session.expire_all()
    assert [t.product_name for t in partners.get_organization(session, org.id).technologies] == ["漏水探知機"]
    with pytest.raises(ServiceError):
        partners.delete_technology(session, tech.id)  # still used by the organization
    session.rollback()


def test_contacts_employments_and_successor(session: Session) -> None:
    jica = _org(session, kind=OrganizationKind.COOPERATING, name_ja="JICA", country="JP")
    old = partners.create_contact(
        session,
        family_name="山田",
        given_name="太郎",
        family_kana="ヤマダ",
        given_kana="タロウ",
        phone="03-1234-5678",
    )
    new = partners.create_contact(session, family_name="佐藤", family_kana="サトウ")
    emp = partners.create_employment(
        session, contact_id=old.id, organization_id=jica.id, title="課長", started_on=date(2022, 4, 1)
    )
    with pytest.raises(ValidationError) as info:
        partners.update_employment(session, emp.id, emp.version, ended_on=date(2021, 1, 1))
    assert info.value.field == "ended_on"
    assert old.phone == "+81312345678"
    assert [c.id for c in partners.search_contacts(session, "ﾔﾏﾀﾞ")] == [old.id]
    assert [c.id for c in partners.search_contacts(session, "やまだたろう")] == [old.id]
    partners.hand_over(session, old.id, old.version, successor_id=new.id, on=date(2026, 4, 1))
    session.commit()
    assert old.successor_id == new.id and emp.ended_on == date(2026, 3, 31)
    with pytest.raises(ValidationError) as info:
        partners.update_contact(session, new.id, new.version, successor_id=old.id)  # a cycle
    assert info.value.field == "successor_id"
    assert partners.stale_contacts(session, confirmed_before=date(2026, 4, 1)) == [new]


def test_stale_edit_is_refused_and_the_first_edit_kept(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as s:
        org_id = _org(s, name_ja="元の名前").id
        s.commit()
    with session_factory() as first, session_factory() as second:
        a = partners.get_organization(first, org_id)
        b = partners.get_organization(second, org_id)
        partners.update_organization(first, org_id, a.version, name_ja="Aさんの変更")
        first.commit()
        with pytest.raises(StaleEditError):
            partners.update_organization(second, org_id, b.version, name_ja="Bさんの変更")
        second.rollback()
        # the caller offered the version the user saw, but the row moved on: refused before any write
        with pytest.raises(StaleEditError):
            partners.update_organization(second, org_id, 1, name_ja="Bさんの変更")
    with session_factory() as s:
        row = s.scalars(select(Organization)).one()
        assert (row.name_ja, row.version) == ("Aさんの変更", 2)


def test_unknown_field_is_a_programming_error(session: Session) -> None:
    org = _org(session)
    with pytest.raises(TypeError):
        partners.update_organization(session, org.id, org.version, no_such_field=1)


@pytest.mark.parametrize(
    ("day", "fiscal_year"),
    [
        (date(2026, 3, 31), 2025),
        (date(2026, 4, 1), 2026),
        (date(2026, 1, 1), 2025),
        (date(2025, 12, 31), 2025),
    ],
)
def test_fiscal_year_boundaries(day: date, fiscal_year: int) -> None:
    assert common.fiscal_year_of(day) == fiscal_year
    start, end = common.fiscal_year_range(fiscal_year)
    assert start <= day <= end
    assert (start, end) == (date(fiscal_year, 4, 1), date(fiscal_year + 1, 3, 31))


def test_field_validators() -> None:
    assert common.timezone_name("tz", "Asia/Vientiane") == "Asia/Vientiane"
    with pytest.raises(ValidationError):
        common.timezone_name("tz", "Mars/Base")
    assert common.country("c", "la") == "LA"
    with pytest.raises(ValidationError):
        common.country("c", "ZZ")
    assert common.phone("p", "+856 21 212 251", "JP") == "+85621212251"
    assert common.national_digits("+81442002111") == "0442002111"
