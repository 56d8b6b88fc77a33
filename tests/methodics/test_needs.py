"""The needs survey: written, published, answered by teachers (and answered again), closed; its
results as the database of needs, filtered and exported; who may see what."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from openpyxl import load_workbook

from intersession.core.db import db
from intersession.core.errors import Conflict, DomainError, Forbidden
from intersession.methodics import needs
from intersession.methodics.models import Format, NeedsSurvey, SurveyState
from intersession.schools.models import Subject
from tests.conftest import AuthActions
from tests.factories import HubPeople

THEMES = ["Формативное оценивание", "  Разновозрастный   класс ", "формативное оценивание", "",
          "Исследовательские проекты"]  # fmt: skip


@pytest.fixture(autouse=True)
def _english(app):  # type: ignore[no-untyped-def]
    with force_locale("en"):
        yield


def _open(hub: HubPeople) -> NeedsSurvey:
    survey = needs.create_survey(hub.coordinator, "Потребности на II полугодие", "", THEMES)
    needs.publish_survey(hub.coordinator, survey)
    return survey


def test_the_survey_through_its_states(app: Flask, hub: HubPeople) -> None:
    survey = needs.create_survey(hub.coordinator, "  Потребности  ", "Ответьте до пятницы", THEMES)
    assert [t.title for t in survey.themes] == [
        "Формативное оценивание", "Разновозрастный класс", "Исследовательские проекты"]  # fmt: skip
    with pytest.raises(Conflict):  # a draft is not answered
        needs.answer_survey(hub.tutor, survey, needs.Answer(formats=[Format.PRACTICUM]))
    needs.change_survey(hub.coordinator, survey, "Потребности учителей", "", THEMES[:1])
    assert [t.title for t in survey.themes] == ["Формативное оценивание"]
    with pytest.raises(DomainError):
        needs.change_survey(hub.coordinator, survey, "x", "", ["  ", ""])
    needs.publish_survey(hub.coordinator, survey)
    with pytest.raises(Conflict):
        needs.change_survey(hub.coordinator, survey, "x", "", THEMES)
    first = needs.answer_survey(hub.tutor, survey, needs.Answer(
        subjects=[hub.subject], themes=survey.themes, formats=[Format.PRACTICUM, Format.PRACTICUM]))  # fmt: skip
    again = needs.answer_survey(hub.tutor, survey, needs.Answer(formats=[Format.MENTORING_HOUR]))
    assert again.id == first.id and [f.format for f in again.formats] == [Format.MENTORING_HOUR]
    assert again.themes == [] and again.subjects == []  # the new answer replaces the old
    with pytest.raises(DomainError):
        needs.answer_survey(hub.tutor, survey, needs.Answer(other_needs="   "))
    needs.close_survey(hub.coordinator, survey)
    assert survey.state is SurveyState.CLOSED
    with pytest.raises(Conflict):
        needs.answer_survey(hub.advisor, survey, needs.Answer(formats=[Format.LECTURE]))


def test_who_runs_and_answers(app: Flask, hub: HubPeople) -> None:
    for somebody in (hub.advisor, hub.tutor, hub.pupil):  # another hub's coordinator: their own
        with pytest.raises(Forbidden):
            needs.create_survey(somebody, "x", "", ["y"])
    survey = _open(hub)
    for somebody in (hub.pupil, hub.coordinator, hub.outsider):
        with pytest.raises(Forbidden):
            needs.answer_survey(somebody, survey, needs.Answer(formats=[Format.LECTURE]))
    foreign = Subject(hub_id=hub.outsider_hub.id, name="Чужой предмет")
    db.session.add(foreign)
    db.session.commit()
    with pytest.raises(DomainError):
        needs.answer_survey(hub.tutor, survey, needs.Answer(subjects=[foreign]))
    with pytest.raises(Forbidden):
        needs.publish_survey(hub.outsider, survey)


def test_the_database_of_needs(app: Flask, hub: HubPeople) -> None:
    survey = _open(hub)
    assessment, multigrade, projects = survey.themes
    needs.answer_survey(hub.tutor, survey, needs.Answer(
        subjects=[hub.subject], themes=[assessment, multigrade], formats=[Format.PRACTICUM]))  # fmt: skip
    needs.answer_survey(hub.advisor, survey, needs.Answer(themes=[assessment], formats=[Format.PRACTICUM, Format.LECTURE]))  # fmt: skip
    everything = needs.needs_of(survey)
    assert [(t.title, n) for t, n in everything.by_theme] == [
        (assessment.title, 2), (multigrade.title, 1), (projects.title, 0)]  # fmt: skip
    assert everything.by_format == [(Format.LECTURE, 1), (Format.PRACTICUM, 2)]
    assert everything.by_subject == [(hub.subject, 1)]
    by_school = needs.needs_of(survey, school_id=hub.magnet.id)
    assert [r.teacher for r in by_school.responses] == [hub.tutor]
    assert [r.teacher for r in needs.needs_of(survey, theme_id=multigrade.id).responses] == [
        hub.tutor
    ]
    assert needs.needs_of(survey, subject_id=hub.subject.id).by_format == [(Format.PRACTICUM, 1)]


def test_the_pages(app: Flask, client: FlaskClient, auth: AuthActions, hub: HubPeople) -> None:
    auth.login("coord")
    refused = auth.post("/support/surveys/new", {"title": "Потребности", "themes": " \n "})
    assert refused.status_code == 400 and "Name at least one methodical theme" in refused.get_data(
        as_text=True
    )
    assert auth.post("/support/surveys/new", {"title": "Потребности",
                                              "themes": "Оценивание\nПроекты"}).status_code == 302  # fmt: skip
    survey = db.session.query(NeedsSurvey).one()
    auth.logout()
    auth.login("tut")
    assert client.get(f"/support/surveys/{survey.id}/answer").status_code == 404  # a draft
    assert f"/support/surveys/{survey.id}" not in client.get("/support/surveys").get_data(
        as_text=True
    )
    auth.logout()
    auth.login("coord")
    assert auth.post(f"/support/surveys/{survey.id}/publish").status_code == 302
    auth.logout()
    auth.login("tut")
    theme = survey.themes[1]
    bad = auth.post(f"/support/surveys/{survey.id}/answer", {"formats": "séance"})
    assert bad.status_code == 400
    sent = auth.post(f"/support/surveys/{survey.id}/answer", {
        "themes": str(theme.id), "subjects": str(hub.subject.id), "formats": ["practicum", "mentoring_hour"],
        "other_needs": "Как <script>вести</script> проект"})  # fmt: skip
    assert sent.status_code == 302
    assert "you have answered" in client.get("/support/surveys").get_data(as_text=True)
    assert (
        client.get(f"/support/surveys/{survey.id}/needs").status_code == 404
    )  # not a methodologist
    auth.logout()
    auth.login("coord")
    page = client.get(f"/support/surveys/{survey.id}/needs?theme={theme.id}&school=abc")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and hub.tutor.full_name in html
    assert "&lt;script&gt;" in html and "<script>вести" not in html
    assert 'id="chart-themes"' in html and 'id="chart-formats"' in html
    download = client.get(f"/support/surveys/{survey.id}/needs?download=xlsx&theme={theme.id}")
    sheet = load_workbook(io.BytesIO(download.data)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Teacher" and rows[1][0] == hub.tutor.full_name
    assert rows[1][3] == "Проекты" and rows[1][4] == "practicum, mentoring hour"
    other = needs.needs_of(survey, theme_id=survey.themes[0].id)
    assert other.responses == []
    auth.logout()
    auth.login("outsider")
    for path in (f"/support/surveys/{survey.id}/needs", f"/support/surveys/{survey.id}/answer",
                 f"/support/surveys/{survey.id}/edit"):  # fmt: skip
        assert client.get(path).status_code == 404
