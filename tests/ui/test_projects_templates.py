"""The scheme template editor driven like an admin: add, rename, reorder (keyboard and buttons) and delete stages;
a stage that projects are in cannot be deleted, neither from the dialog nor through the service."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from kawaoffice.services import projects
from kawaoffice.services.errors import ServiceError
from kawaoffice.storage import Database
from kawaoffice.ui.projects.templates import SchemeTemplateDialog

pytestmark = pytest.mark.gui


@pytest.fixture
def db(empty_gui_db: Database) -> Iterator[Database]:
    with empty_gui_db.session() as session:
        projects.ensure_standard_schemes(session)
    yield empty_gui_db


def scheme_id(db: Database, code: str) -> int:
    with db.session() as session:
        return next(s.id for s in projects.list_schemes(session) if s.code == code)


def stored_stages(db: Database, scheme: int) -> list[str]:
    with db.session() as session:
        stages = projects.get_scheme(session, scheme).stages
        return [s.name_en for s in sorted(stages, key=lambda s: s.position)]


@pytest.fixture
def dialog(qtbot, db: Database, english: None) -> SchemeTemplateDialog:  # type: ignore[no-untyped-def]
    d = SchemeTemplateDialog(db.session)
    qtbot.addWidget(d)
    d.show()
    d.scheme.setCurrentIndex(d.scheme.findData(scheme_id(db, "WATER_BIZ")))
    return d


def test_the_water_business_template_is_shown_in_order(dialog: SchemeTemplateDialog, db: Database) -> None:
    assert [s.name_en for s in dialog.stages] == stored_stages(db, dialog.scheme_id() or 0)
    assert dialog.stage_names()[0] == "ニーズ把握"
    assert dialog.list.count() == len(stored_stages(db, dialog.scheme_id() or 0))
    assert dialog.list.item(0).text().startswith("1. ")


def test_a_stage_is_added_renamed_moved_and_deleted(
    qtbot, dialog: SchemeTemplateDialog, db: Database
) -> None:
    scheme = dialog.scheme_id()
    assert scheme is not None
    before = stored_stages(db, scheme)

    # add a stage at the end
    dialog.code.setText("FOLLOWUP")
    dialog.name_ja.setText("フォローアップ")
    dialog.name_en.setText("Follow-up")
    dialog.iati.setCurrentIndex(dialog.iati.findData(3))
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.error.isHidden()
    assert stored_stages(db, scheme) == [*before, "Follow-up"]
    assert dialog.current_stage() is not None and dialog.current_stage().code == "FOLLOWUP"  # type: ignore[union-attr]

    # rename it
    dialog.name_en.setText("Follow-up survey")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert stored_stages(db, scheme)[-1] == "Follow-up survey"

    # move it up with the keyboard, then once more with the button
    dialog.list.setFocus()
    qtbot.keyClick(dialog.list, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert stored_stages(db, scheme) == [*before[:-1], "Follow-up survey", before[-1]]
    assert dialog.current_stage().code == "FOLLOWUP"  # type: ignore[union-attr]
    qtbot.mouseClick(dialog.up_button, Qt.MouseButton.LeftButton)
    assert stored_stages(db, scheme) == [*before[:-2], "Follow-up survey", *before[-2:]]
    assert dialog.list.currentItem().text().startswith(f"{len(before) - 1}. Follow-up survey")
    # and down again
    qtbot.keyClick(dialog.list, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert stored_stages(db, scheme) == [*before[:-1], "Follow-up survey", before[-1]]

    # delete it after confirming
    asked: list[str] = []

    def confirm(_parent: QWidget, _title: str, question: str) -> bool:
        asked.append(question)
        return True

    dialog.confirm = confirm
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert asked and "Follow-up survey" in asked[0]
    assert stored_stages(db, scheme) == before
    assert dialog.changed


def test_a_required_name_is_asked_for_next_to_the_field(
    qtbot, dialog: SchemeTemplateDialog, db: Database
) -> None:
    scheme = dialog.scheme_id() or 0
    before = stored_stages(db, scheme)
    dialog.code.setText("NONAME")
    dialog.name_ja.setText("")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.error.isVisible() and dialog.error.text()
    assert stored_stages(db, scheme) == before
    assert dialog.code.text() == "NONAME"  # the input is kept


def test_a_stage_in_use_is_not_deleted(qtbot, dialog: SchemeTemplateDialog, db: Database) -> None:
    scheme = dialog.scheme_id() or 0
    with db.session() as session:
        first = sorted(projects.get_scheme(session, scheme).stages, key=lambda s: s.position)[0]
        first_id, first_version = first.id, first.version
        projects.create_project_in_stage(
            session,
            code="WB-1",
            title_ja="ビエンチャン漏水対策",
            scheme_id=scheme,
            stage_id=first_id,
            entered_on=date(2026, 4, 1),
        )
    before = stored_stages(db, scheme)
    dialog.load(select=first_id)
    asked: list[str] = []
    dialog.confirm = lambda _p, _t, q: bool(asked.append(q)) or True
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert not asked
    assert dialog.error.isVisible() and "1 project" in dialog.error.text()
    assert stored_stages(db, scheme) == before

    with db.session() as session, pytest.raises(ServiceError) as refused:
        projects.delete_scheme_stage(session, first_id, first_version)
    assert "1 project" in refused.value.message
    assert stored_stages(db, scheme) == before
