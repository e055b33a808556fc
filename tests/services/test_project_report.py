"""The fiscal-year progress report data on the demo data (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from kawaoffice.model.projects import ProjectState
from kawaoffice.services.demo import load_demo
from kawaoffice.services.project_report import progress_report


def _where(report, code: str) -> tuple[str, str, ProjectState]:  # type: ignore[no-untyped-def]
    for scheme in report.schemes:
        for stage in scheme.stages:
            for p in stage.projects:
                if p.code == code:
                    return scheme.code, stage.name_ja, p.state
    raise AssertionError(f"{code} not in the report")


def test_demo_projects_under_their_stage_at_the_end_of_the_fiscal_year(session: Session) -> None:
    load_demo(session)
    session.commit()
    fy2019 = progress_report(session, 2019)
    assert (fy2019.first_day.isoformat(), fy2019.last_day.isoformat()) == ("2019-04-01", "2020-03-31")
    assert _where(fy2019, "LA-2018-MAWASU2") == ("JICA_TCP", "プロジェクト実施", ProjectState.ACTIVE)
    # Bandung went through all its stages in FY2019 and was completed on 2020-03-31, the last day of the year
    assert _where(fy2019, "ID-2019-BANDUNG") == ("MLIT_DEMO", "成果報告・普及", ProjectState.COMPLETED)
    bandung = next(p for p in fy2019.projects if p.code == "ID-2019-BANDUNG")
    assert [e.to_stage_ja for e in bandung.events] == [
        "公募・採択",
        "現地実証",
        "成果報告・普及",
        "成果報告・普及",
    ]
    assert [n.topic for n in fy2019.new_needs] == ["バンドン市 下水汚泥の減容化"]
    # ended before FY2019 began: not in it; not begun yet: not in it
    codes = {p.code for p in fy2019.projects}
    assert "LA-2012-MAWASU" not in codes and "LA-2026-GRASS-NRW" not in codes
    assert "AU-2015-QLD-SURVEY" not in codes

    fy2020 = progress_report(session, 2020)
    assert "ID-2019-BANDUNG" not in {p.code for p in fy2020.projects}
    assert _where(fy2020, "LA-2018-MAWASU2")[1] == "プロジェクト実施"
    # the membrane business was suspended on 2020-04-01: suspended in FY2020, active (needs) at the end of FY2019
    assert _where(fy2019, "KB-2020-VN-MEMBRANE") == ("WATER_BIZ", "ニーズ把握", ProjectState.ACTIVE)
    assert _where(fy2020, "KB-2020-VN-MEMBRANE")[2] == ProjectState.SUSPENDED

    fy2017 = progress_report(session, 2017)
    assert _where(fy2017, "LA-2018-MAWASU2")[1] == "詳細計画策定・R/D署名"
    assert _where(fy2017, "LA-2012-MAWASU")[2] == ProjectState.COMPLETED


def test_linked_dispatches_and_visits_fall_in_the_year(session: Session) -> None:
    load_demo(session)
    session.commit()
    for fy in range(2015, 2028):
        report = progress_report(session, fy)
        for p in report.projects:
            for d in p.dispatches:
                assert d.first_day is not None and d.last_day is not None
                assert d.first_day <= report.last_day and d.last_day >= report.first_day
            for v in p.visits:
                assert v.first_day is not None and report.first_day <= v.first_day <= report.last_day
        for e in report.stage_changes:
            assert report.first_day <= e.occurred_on <= report.last_day
    linked = [
        (fy, p.code, d.code)
        for fy in range(2015, 2028)
        for p in progress_report(session, fy).projects
        for d in p.dispatches
    ]
    assert any(code == "LA-2018-MAWASU2" for _fy, code, _d in linked)
