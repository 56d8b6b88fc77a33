"""The methodologist's report: its figures for a period, the same in the PDF (read with pypdf) and
the workbook (read with openpyxl), Kazakh letters included; only for the hub's methodologists."""

from __future__ import annotations

import io
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from openpyxl import load_workbook
from pypdf import PdfReader

from intersession.methodics import bank, needs, subscription
from intersession.methodics.bank_models import ResourceKind
from intersession.methodics.models import DeficitKind, Format, RouteResult
from tests.conftest import AuthActions
from tests.factories import HubPeople


@pytest.fixture(autouse=True)
def _english(app):  # type: ignore[no-untyped-def]
    with force_locale("en"):
        yield


def _activity(hub: HubPeople) -> None:
    survey = needs.create_survey(
        hub.coordinator, "Қажеттіліктер", "", ["Қалыптастырушы бағалау", "Жобалар"]
    )
    needs.publish_survey(hub.coordinator, survey)
    for teacher in (hub.tutor, hub.advisor):
        needs.answer_survey(teacher, survey, needs.Answer(themes=survey.themes[:1]))
    request = subscription.ask_for_help(
        hub.tutor, subscription.Asked(subject=None, difficulty="Саралау")
    )
    subscription.diagnose(
        hub.coordinator, request, [(DeficitKind.METHODICAL, "Саралау")], hub.advisor
    )
    step = subscription.add_step(hub.advisor, request, subscription.StepPlan(
        Format.MENTORING_HOUR, "Тәлімгерлік сағат", date(2026, 12, 14), hub.advisor))  # fmt: skip
    subscription.mark_done(hub.tutor, step, "Жасадым")
    subscription.confirm_step(hub.advisor, step)
    subscription.end_route(hub.advisor, request, RouteResult.PARTLY, "")
    subscription.give_feedback(hub.tutor, request, 4, "Пайдалы")
    subscription.ask_for_help(
        hub.other_advisor, subscription.Asked(subject=None, difficulty="Жоба")
    )
    from datetime import UTC, datetime, time, timedelta

    from intersession.lessons.models import Presence
    from intersession.methodics import events
    from intersession.methodics.events_models import EventFormat
    from tests.factories import lay_year_around

    today = datetime.now(UTC).date()
    lay_year_around(hub.year, today)
    hour = events.schedule_event(hub.coordinator, events.EventPlan(
        title="Сағат", format=EventFormat.MENTORING_HOUR, presenter=hub.advisor,
        day=today + timedelta(days=7), start=time(15), minutes=45, open=False, invited=[hub.tutor]))  # fmt: skip
    hour.lesson.starts_at = datetime.now(UTC) - timedelta(hours=2)
    hour.lesson.register[0].status = Presence.PRESENT
    item = bank.submit_resource(hub.tutor, bank.ResourcePlan(title="Жоспар", kind=ResourceKind.OTHER,
                                                             link="https://example.org/a"), [])  # fmt: skip
    bank.review_resource(hub.coordinator, item, True, "")


def test_the_report_and_its_exports(app: Flask, client: FlaskClient, auth: AuthActions,
                                    hub: HubPeople) -> None:  # fmt: skip
    _activity(hub)
    auth.login("coord")
    page = client.get("/support/report?from=2020-01-01&to=2099-12-31").get_data(as_text=True)
    assert "Қалыптастырушы бағалау" in page and "mentoring hour" in page
    workbook = load_workbook(
        io.BytesIO(client.get("/support/report?download=xlsx&from=2020-01-01&to=2099-12-31").data)
    )
    sheets = {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets}
    assert sheets["Needs by methodical theme"][1] == ("Қалыптастырушы бағалау", 2)
    states = dict(sheets["Requests for help asked in the period"[:31]][1:])
    assert states["waiting for the diagnosis"] == 1 and states["route ended"] == 1
    assert dict(sheets["Routes ended in the period, by result"[:31]][1:])["closed in part"] == 1
    pdf = client.get("/support/report?download=pdf&from=2020-01-01&to=2099-12-31")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Қалыптастырушы бағалау" in text and "Average usefulness, of 5" in text and "4.0" in text
    events_held = dict(
        (row[0], row[1:]) for row in sheets["Events for teachers held in the pe"[:31]][1:]
    )
    assert events_held["mentoring hour"] == (1, 1, 1)  # one held, one registered, who came
    empty = client.get("/support/report?from=2001-01-01&to=2001-01-31").get_data(as_text=True)
    assert "Қалыптастырушы бағалау" not in empty  # a period before it all
    swapped = client.get("/support/report?from=2099-12-31&to=2020-01-01&download=xlsx")
    assert swapped.status_code == 200
    assert client.get("/support/report?from=0001-01-01&to=x").status_code == 200
    for login in ("tut", "adv", "pup", "outsider"):
        auth.logout()
        auth.login(login)
        shown = client.get("/support/report?from=2020-01-01&to=2099-12-31")
        assert login == "outsider" or shown.status_code == 404
        if login == "outsider":  # another hub's coordinator: their own hub's, empty
            assert "Қалыптастырушы" not in shown.get_data(as_text=True)
