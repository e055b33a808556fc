from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from kawaoffice.model.partners import OrganizationKind
from kawaoffice.model.projects import NeedSource, Project, ProjectState, Scheme
from kawaoffice.services import partners, projects
from kawaoffice.services.errors import ServiceError, StaleEditError, ValidationError


def _scheme(session: Session) -> tuple[Scheme, list[int]]:
    scheme = projects.create_scheme(session, code="JICA-TCP", name_ja="技術協力プロジェクト")
    stage_ids = [
        projects.create_scheme_stage(
            session, scheme_id=scheme.id, code=code, name_ja=name, position=i, iati_status=status
        ).id
        for i, (code, name, status) in enumerate(
            [("needs", "ニーズ把握", 1), ("fs", "実施可能性調査", 1), ("impl", "事業実施", 2)]
        )
    ]
    return scheme, stage_ids


def _project(session: Session, scheme: Scheme, **values: object) -> Project:
    return projects.create_project(session, code="LA-001", title_ja="MaWaSU2", scheme_id=scheme.id, **values)  # type: ignore[arg-type]


def test_scheme_and_project_round_trip(session: Session) -> None:
    scheme, _stages = _scheme(session)
    project = _project(session, scheme, country="LA", start_on=date(2018, 4, 1), budget_yen=1000)
    session.commit()
    session.expire_all()
    loaded = projects.get_project(session, project.id)
    assert loaded.scheme.code == "JICA-TCP" and loaded.country == "LA" and loaded.state == ProjectState.ACTIVE
    assert [s.code for s in projects.get_scheme(session, scheme.id).stages] == ["needs", "fs", "impl"]
    projects.update_project(session, project.id, loaded.version, title_en="Laos MaWaSU2")
    session.commit()
    assert loaded.version == 2
    with pytest.raises(ValidationError) as info:
        projects.update_project(session, project.id, loaded.version, end_on=date(2017, 1, 1))
    assert info.value.field == "end_on"
    with pytest.raises(ValidationError) as info:
        _project(session, scheme)
    assert info.value.field == "code"
    with pytest.raises(ValidationError) as info:
        projects.create_scheme_stage(session, scheme_id=scheme.id, code="fs", name_ja="重複", position=9)
    assert info.value.field == "code"
    projects.delete_project(session, project.id, loaded.version)
    session.commit()


def test_stage_moves_forward_freely_and_back_with_a_reason(session: Session) -> None:
    scheme, (needs, fs, impl) = _scheme(session)
    project = _project(session, scheme, stage_id=needs)
    event = projects.move_project_stage(
        session, project.id, project.version, to_stage_id=impl, occurred_on=date(2026, 4, 1)
    )  # skips the feasibility study
    assert (event.from_stage_id, event.to_stage_id) == (needs, impl) and project.stage_id == impl
    with pytest.raises(ValidationError) as info:
        projects.move_project_stage(
            session, project.id, project.version, to_stage_id=fs, occurred_on=date(2026, 5, 1)
        )
    assert info.value.field == "reason"
    projects.move_project_stage(
        session,
        project.id,
        project.version,
        to_stage_id=fs,
        occurred_on=date(2026, 5, 1),
        reason="追加調査が必要",
    )
    projects.move_project_stage(
        session,
        project.id,
        project.version,
        to_stage_id=None,
        occurred_on=date(2026, 6, 1),
        state=ProjectState.SUSPENDED,
    )
    session.commit()
    session.expire_all()
    loaded = projects.get_project(session, project.id)
    assert loaded.state == ProjectState.SUSPENDED and loaded.stage_id == fs
    assert [e.reason for e in loaded.events] == ["", "追加調査が必要", ""]
    other = projects.create_scheme(session, code="MLIT", name_ja="下水道技術海外実証事業")
    foreign = projects.create_scheme_stage(session, scheme_id=other.id, code="x", name_ja="x", position=0)
    with pytest.raises(ValidationError) as info:
        projects.move_project_stage(
            session, project.id, loaded.version, to_stage_id=foreign.id, occurred_on=date(2026, 7, 1)
        )
    assert info.value.field == "to_stage_id"


def test_participants_tags_and_needs(session: Session) -> None:
    scheme, _stages = _scheme(session)
    project = _project(session, scheme)
    jica = partners.create_organization(session, kind=OrganizationKind.COOPERATING, name_ja="JICA")
    p = projects.add_participant(session, project_id=project.id, organization_id=jica.id, role=1)
    with pytest.raises(ValidationError) as info:
        projects.add_participant(session, project_id=project.id, organization_id=jica.id, role=5)
    assert info.value.field == "role"
    with pytest.raises(ValidationError):
        projects.add_participant(session, project_id=project.id, organization_id=jica.id, role=1)
    projects.update_participant(session, p.id, p.version, note="資金提供")
    assert [t.target for t in projects.set_sdg_targets(session, project.id, ["6.1", "6.4", "6.1"])] == [
        "6.1",
        "6.4",
    ]
    assert [t.target for t in projects.set_sdg_targets(session, project.id, ["6.4", "6.b"])] == ["6.4", "6.b"]
    with pytest.raises(ValidationError) as info:
        projects.set_sdg_targets(session, project.id, ["7.1"])
    assert info.value.field == "sdg_targets"
    sectors = projects.set_sectors(session, project.id, {"14021": 60, "14022": 40})
    assert [(s.dac_code, s.percentage) for s in sectors] == [("14021", 60), ("14022", 40)]
    with pytest.raises(ValidationError) as info:
        projects.set_sectors(session, project.id, {"99999": None})
    assert info.value.field == "sectors"
    with pytest.raises(ValidationError):
        projects.set_sectors(session, project.id, {"14021": 80, "14022": 40})
    tech = partners.create_technology(session, code="NRW", name_ja="無収水対策")
    need = projects.create_local_need(
        session,
        country="LA",
        topic="漏水の多い配水管網",
        learned_on=date(2025, 9, 1),
        source=NeedSource.DISPATCH,
        project_id=project.id,
        technology_ids=[tech.id],
    )
    session.commit()
    session.expire_all()
    assert [t.technology_id for t in projects.get_local_need(session, need.id).technologies] == [tech.id]
    with pytest.raises(ValidationError) as info:
        projects.create_local_need(session, country="LA", topic=" ", learned_on=date(2025, 9, 1))
    assert info.value.field == "topic"
    projects.set_need_technologies(session, need.id, [])
    projects.delete_local_need(session, need.id)
    projects.remove_participant(session, p.id)
    session.commit()


def test_a_stage_projects_are_in_cannot_be_deleted_an_empty_one_can(session: Session) -> None:
    projects.ensure_standard_schemes(session)
    scheme = next(s for s in projects.list_schemes(session) if s.code == "WATER_BIZ")
    first, second = sorted(scheme.stages, key=lambda s: s.position)[:2]
    projects.create_project_in_stage(
        session,
        code="WB-9",
        title_ja="バンドン",
        scheme_id=scheme.id,
        stage_id=first.id,
        entered_on=date(2026, 5, 1),
    )
    with pytest.raises(ServiceError) as refused:
        projects.delete_scheme_stage(session, first.id, first.version)
    assert "1 project" in refused.value.message or "1 件" in refused.value.message
    assert projects.get_scheme_stage(session, first.id).id == first.id
    count = len(scheme.stages)
    projects.delete_scheme_stage(session, second.id, second.version)
    session.expire_all()
    assert len(projects.get_scheme(session, scheme.id).stages) == count - 1


def test_moving_a_stage_renumbers_the_template(session: Session) -> None:
    projects.ensure_standard_schemes(session)
    scheme = next(s for s in projects.list_schemes(session) if s.code == "WATER_BIZ")
    codes = [s.code for s in sorted(scheme.stages, key=lambda s: s.position)]
    moved = projects.move_scheme_stage_position(session, scheme.stages[-1].id, -1)
    assert [s.code for s in moved] == [*codes[:-2], codes[-1], codes[-2]]
    assert [s.position for s in moved] == list(range(len(codes)))
    # moving the first stage up stays where it is
    assert [s.code for s in projects.move_scheme_stage_position(session, moved[0].id, -1)] == [
        s.code for s in moved
    ]


def test_the_standard_templates_are_seeded_whoever_opens_first_but_an_editor_edits_no_template(
    engine: Engine,
) -> None:
    from kawaoffice.model.users import Role
    from kawaoffice.services import users
    from kawaoffice.services.errors import PermissionDeniedError
    from kawaoffice.storage.database import make_session_factory

    with make_session_factory(engine, user="aiko")() as s:
        users.ensure_user(s, "aiko")
        users.add_user(s, "ken", Role.EDITOR)
        s.commit()
    with make_session_factory(engine, user="ken")() as s:
        assert projects.ensure_standard_schemes(s) == len(projects.STANDARD_SCHEMES)
        s.commit()
        stage = projects.list_schemes(s)[0].stages[0]
        with pytest.raises(PermissionDeniedError):
            projects.update_scheme_stage(s, stage.id, stage.version, name_en="Renamed")
        s.rollback()
    with make_session_factory(engine, user="ken")() as s:
        assert projects.ensure_standard_schemes(s) == 0
        assert projects.list_schemes(s)[0].stages[0].name_en != "Renamed"


def test_a_change_of_only_the_sdg_targets_or_sectors_moves_the_projects_version(
    session_factory: sessionmaker[Session],
) -> None:
    """Two people edit the same project: the first changes only its SDG targets (or sectors), so the second, whose
    dialog still holds the version before it, meets the stale-edit conflict instead of putting the old ones back."""
    with session_factory() as session:
        scheme, _stages = _scheme(session)
        project = _project(session, scheme)
        projects.set_sdg_targets(session, project.id, ["6.1"])
        projects.set_sectors(session, project.id, {"14021": 100})
        session.commit()
        project_id, opened = project.id, project.version
    with session_factory() as first:
        projects.update_project(first, project_id, opened)  # the dialog saved no field change
        projects.set_sdg_targets(first, project_id, ["6.1", "6.4"])
        first.commit()
        after_targets = projects.get_project(first, project_id).version
    assert after_targets != opened
    with session_factory() as second:
        with pytest.raises(StaleEditError):
            projects.update_project(second, project_id, opened, title_ja="MaWaSU3")
        second.rollback()
        assert [t.target for t in projects.get_project(second, project_id).sdg_targets] == ["6.1", "6.4"]
    with session_factory() as first:
        projects.set_sectors(first, project_id, {"14021": 60, "14022": 40})
        first.commit()
        after_sectors = projects.get_project(first, project_id).version
    assert after_sectors != after_targets
    with (
        session_factory() as unchanged
    ):  # the same targets and sectors again: nothing changed, the version stays
        projects.set_sdg_targets(unchanged, project_id, ["6.4", "6.1"])
        projects.set_sectors(unchanged, project_id, {"14022": 40, "14021": 60})
        unchanged.commit()
        assert projects.get_project(unchanged, project_id).version == after_sectors


def test_a_change_of_only_a_needs_technologies_moves_the_needs_version(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        nrw = partners.create_technology(session, code="NRW", name_ja="無収水対策")
        meters = partners.create_technology(session, code="MTR", name_ja="水道メーター")
        need = projects.create_local_need(
            session, country="LA", topic="漏水", learned_on=date(2025, 9, 1), technology_ids=[nrw.id]
        )
        session.commit()
        need_id, opened, tech_ids = need.id, need.version, [nrw.id, meters.id]
    with session_factory() as colleague:
        projects.set_need_technologies(colleague, need_id, tech_ids)
        colleague.commit()
        changed = projects.get_local_need(colleague, need_id).version
    assert changed != opened
    with session_factory() as me, pytest.raises(StaleEditError):
        projects.update_local_need(me, need_id, opened, topic="漏水の多い配水管網")
    with session_factory() as same:
        projects.set_need_technologies(same, need_id, list(reversed(tech_ids)))
        same.commit()
        assert projects.get_local_need(same, need_id).version == changed
