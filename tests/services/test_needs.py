"""Local needs: listing, matching current member companies by technology, the bulletin data."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from kawaoffice.model.partners import MembershipStatus, OrganizationKind
from kawaoffice.model.projects import NeedSource
from kawaoffice.services import needs, partners, projects


def _member(session: Session, name: str, kana: str, techs: list[int], *, left: bool = False) -> int:
    org = partners.create_organization(session, kind=OrganizationKind.MEMBER, name_ja=name, name_kana=kana)
    partners.create_membership(
        session,
        organization_id=org.id,
        joined_on=date(2015, 4, 1),
        status=MembershipStatus.LEFT if left else MembershipStatus.ACTIVE,
        left_on=date(2020, 3, 31) if left else None,
    )
    for t in techs:
        partners.add_organization_technology(
            session, organization_id=org.id, technology_id=t, product_name=f"{name}製品"
        )
    return org.id


def test_members_matched_by_technology_best_first(session: Session) -> None:
    leak = partners.create_technology(session, code="LEAK", name_ja="漏水探知").id
    nrw = partners.create_technology(session, code="NRW", name_ja="無収水対策").id
    sludge = partners.create_technology(session, code="SLUDGE", name_ja="汚泥処理").id
    both = _member(session, "ワタナベ水道", "わたなべすいどう", [leak, nrw])
    one = _member(session, "アオバ計測", "あおばけいそく", [nrw])
    _member(session, "イースト工業", "いーすとこうぎょう", [sludge])
    _member(session, "カキ退会", "かきたいかい", [leak, nrw], left=True)
    counterpart = partners.create_organization(
        session, kind=OrganizationKind.COUNTERPART, name_ja="ナムパパ", country="LA"
    )
    need = projects.create_local_need(
        session,
        country="LA",
        topic="配水管の漏水",
        learned_on=date(2025, 9, 1),
        source=NeedSource.DISPATCH,
        counterpart_id=counterpart.id,
        technology_ids=[leak, nrw],
    )
    projects.create_local_need(session, country="VN", topic="古いニーズ", learned_on=date(2024, 1, 5))
    session.commit()
    matches = needs.match_members(session, need.id, on=date(2025, 10, 1))
    assert [m.organization_id for m in matches] == [both, one]  # the member who left is not offered
    assert [t.code for t in matches[0].matched] == ["LEAK", "NRW"] and matches[1].score == 1
    assert matches[0].products == ("ワタナベ水道製品", "ワタナベ水道製品")

    rows = needs.list_needs(session, needs.NeedFilter(country="la"))
    assert [r.topic for r in rows] == ["配水管の漏水"] and rows[0].counterpart_ja == "ナムパパ"
    assert [t.code for t in rows[0].technologies] == ["LEAK", "NRW"]

    bulletin = needs.bulletin(session, since=date(2025, 1, 1), until=date(2025, 12, 31))
    assert [i.need.topic for i in bulletin.items] == ["配水管の漏水"]
    assert [m.name_ja for m in bulletin.items[0].members] == ["ワタナベ水道", "アオバ計測"]
    assert len(needs.bulletin(session, since=date(2024, 1, 1), until=date(2025, 12, 31)).items) == 2

    assert needs.mark_passed_on(session, [need.id], date(2025, 10, 2)) == 1
    assert needs.mark_passed_on(session, [need.id], date(2025, 11, 2)) == 0
    session.commit()
    assert needs.list_needs(session, needs.NeedFilter(not_passed_on=True))[0].topic == "古いニーズ"
