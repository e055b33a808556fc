"""Standard scheme templates, the board, the filtered list and the stage history with days in each stage."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from kawaoffice.model.projects import ProjectState
from kawaoffice.services import projects
from kawaoffice.services.errors import ValidationError


def test_standard_schemes_are_created_once_and_cover_the_issue_list(session: Session) -> None:
    assert projects.ensure_standard_schemes(session) == len(projects.STANDARD_SCHEMES)
    assert projects.ensure_standard_schemes(session) == 0
    session.commit()
    schemes = {s.code: s for s in projects.list_schemes(session)}
    assert [st.name_ja for st in schemes["WATER_BIZ"].stages] == [
        "ニーズ把握",
        "スキーム構築・実施可能性調査",
        "事業実施",
    ]
    assert [st.name_ja for st in schemes["JICA_SME"].stages][1:3] == ["ニーズ確認調査", "ビジネス化実証事業"]
    assert {"JICA_GRASS_SUPPORT", "JICA_GRASS_PARTNER", "JICA_GRASS_REGIONAL", "MLIT_DEMO"} <= set(schemes)
    assert all(1 <= st.iati_status <= 6 for s in schemes.values() for st in s.stages)
    # templates are data: reorder a stage
    impl = schemes["WATER_BIZ"].stages[2]
    order = projects.move_scheme_stage_position(session, impl.id, -1)
    assert [s.code for s in order] == ["NEEDS", "IMPLEMENT", "SCHEME"]
    session.commit()


def test_board_history_and_days_in_stage(session: Session) -> None:
    projects.ensure_standard_schemes(session)
    scheme = next(s for s in projects.list_schemes(session) if s.code == "WATER_BIZ")
    needs_, fs, impl = (s.id for s in scheme.stages)
    p = projects.create_project_in_stage(
        session,
        code="KB-1",
        title_ja="漏水対策",
        scheme_id=scheme.id,
        stage_id=needs_,
        entered_on=date(2026, 4, 1),
        country="LA",
        next_action_on=date(2026, 5, 1),
    )
    projects.move_project_stage(session, p.id, p.version, to_stage_id=impl, occurred_on=date(2026, 6, 1))
    with pytest.raises(ValidationError) as info:
        projects.move_project_stage(session, p.id, p.version, to_stage_id=impl, occurred_on=date(2026, 6, 2))
    assert info.value.field == "to_stage_id"
    projects.move_project_stage(
        session, p.id, p.version, to_stage_id=fs, occurred_on=date(2026, 7, 1), reason="資金計画の見直し"
    )
    session.commit()
    history = projects.stage_history(session, p.id, today=date(2026, 7, 11))
    assert [(h.to_stage_ja, h.days, h.backward) for h in history] == [
        ("ニーズ把握", 61, False),
        ("事業実施", 30, False),
        ("スキーム構築・実施可能性調査", 10, True),
    ]
    columns = projects.board(session, scheme.id)
    assert [len(col.cards) for col in columns] == [0, 1, 0, 0, 0, 0]
    card = columns[1].cards[0]
    assert card.days_in_stage(date(2026, 7, 11)) == 10 and card.overdue(date(2026, 7, 11))
    assert [col.state for col in columns[3:]] == [
        ProjectState.COMPLETED,
        ProjectState.SUSPENDED,
        ProjectState.CANCELLED,
    ]
    projects.move_project_stage(
        session, p.id, p.version, to_stage_id=None, occurred_on=date(2026, 8, 1), state=ProjectState.COMPLETED
    )
    assert projects.get_project(session, p.id).stage_id is not None
    with pytest.raises(ValidationError) as info:
        projects.move_project_stage(session, p.id, p.version, to_stage_id=impl, occurred_on=date(2026, 9, 1))
    assert info.value.field == "reason"
    session.commit()
    assert len(projects.board(session, scheme.id)[3].cards) == 1
    assert not projects.board(session, scheme.id)[3].cards[0].overdue(date(2026, 9, 1))


def test_filters(session: Session) -> None:
    projects.ensure_standard_schemes(session)
    schemes = {s.code: s for s in projects.list_schemes(session)}
    a = projects.create_project(
        session,
        code="A",
        title_ja="A",
        scheme_id=schemes["JICA_TCP"].id,
        country="LA",
        start_on=date(2018, 5, 1),
    )
    projects.create_project(
        session,
        code="B",
        title_ja="B",
        scheme_id=schemes["MLIT_DEMO"].id,
        country="ID",
        start_on=date(2019, 7, 1),
        end_on=date(2020, 3, 31),
    )
    projects.set_sdg_targets(session, a.id, ["6.1"])
    session.commit()

    def codes(**kw: object) -> list[str]:
        return [r.code for r in projects.list_projects(session, projects.ProjectFilter(**kw))]  # type: ignore[arg-type]

    assert codes() == ["A", "B"]
    assert codes(scheme_id=schemes["MLIT_DEMO"].id) == ["B"]
    assert codes(country="la") == ["A"]
    assert codes(sdg_target="6.1") == ["A"]
    assert codes(fiscal_year=2019) == ["A", "B"]
    assert codes(fiscal_year=2020) == ["A"]
    assert codes(fiscal_year=2017) == []
    assert codes(text="b") == ["B"]
    assert projects.project_fiscal_years(session) == [2019, 2018]
