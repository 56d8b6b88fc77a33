"""Each class of bad input gets a clear 4xx at the one place it enters: ids and numbers past the
database's range, dates outside the platform's years, control characters, header-unsafe text,
unbounded decimals, WTForms' own messages in the person's language."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from intersession.core.db import db
from intersession.core.forms import Form
from intersession.schools.models import AcademicYear
from tests.conftest import AuthActions, csrf_token
from tests.factories import HubPeople

HUGE_IDS = ("2147483648", "9223372036854775808", "99999999999999999999")


def text(response: object) -> str:
    return response.get_data(as_text=True)  # type: ignore[attr-defined, no-any-return]


def test_ids_past_the_database_range_are_missing_objects(auth: AuthActions, hub: HubPeople) -> None:
    auth.login("coord")
    for ident in HUGE_IDS:
        for path in (
            f"/people/{ident}",
            f"/lessons/{ident}",
            f"/work/{ident}",
            f"/cohorts/{ident}",
        ):
            assert auth.client.get(path).status_code == 404, path
        assert auth.post(f"/schools/{ident}/delete").status_code == 404


def test_numbers_in_query_strings_past_the_range_are_ignored(
    auth: AuthActions, hub: HubPeople
) -> None:
    auth.login("coord")
    for ident in HUGE_IDS:
        for path in (
            f"/people?page={ident}",
            f"/people?school={ident}",
            f"/lessons?cohort={ident}&school={ident}&subject={ident}&advisor={ident}",
            f"/plan?subject={ident}&grade={ident}",
            f"/years?year={ident}",
            f"/portfolio/search?school={ident}&grade={ident}&year={ident}",
        ):
            assert auth.client.get(path).status_code == 200, path
    auth.logout()
    auth.login("adv")
    for path in (f"/grading?cohort={HUGE_IDS[-1]}", f"/gradebook?pair={HUGE_IDS[-1]}-1"):
        assert auth.client.get(path).status_code in (200, 404), path


def test_dates_outside_the_platform_years(auth: AuthActions, hub: HubPeople) -> None:
    auth.login("coord")
    for day in ("0001-01-01", "9999-12-31", "2026-02-31", ""):
        for path in (f"/lessons?from={day}", f"/reports/attendance?from={day}&to={day}"):
            assert auth.client.get(path).status_code == 200, path
    years = db.session.scalar(select(func.count()).select_from(AcademicYear))
    for first, last in (("0001-09-01", "9999-05-31"), ("1999-09-01", "2000-05-31")):
        refused = auth.post("/years", {"name": "Бұрынғы", "starts_on": first, "ends_on": last})
        assert refused.status_code == 400, first
        assert "Enter a date between 2000 and 2100." in text(refused)
    assert db.session.scalar(select(func.count()).select_from(AcademicYear)) == years
    assert auth.client.get("/reports/attendance").status_code == 200


def test_control_characters_are_refused_before_any_view(client: object, hub: HubPeople) -> None:
    auth = AuthActions(client)  # type: ignore[arg-type]
    token = csrf_token(auth.client, "/login")
    for login in ("coord\x00", "co\x07ord", "coord\x1b[2J"):
        refused = auth.client.post(
            "/login", data={"login": login, "password": "x", "csrf_token": token}
        )
        assert refused.status_code == 400, login
        assert "invisible control characters" in text(refused)
    assert auth.client.get("/login?next=/%00").status_code == 400
    auth.login("coord")
    assert auth.client.get("/people?q=%00").status_code == 400
    assert (
        auth.client.get("/people?q=%09tab%0Aand line").status_code == 200
    )  # tab and newlines are text
    for path in ("/ical/%00.ics", "/ical/a%01b.ics"):
        assert auth.client.get(path).status_code == 400


def test_header_unsafe_next_goes_home(client: object, hub: HubPeople) -> None:
    auth = AuthActions(client)  # type: ignore[arg-type]
    for target in ("/people\r\nSet-Cookie: x=1", "/people\nX: y", "/ people"):
        reply = auth.login("coord", next_path=target)
        assert reply.status_code == 302  # type: ignore[attr-defined]
        location = reply.headers["Location"]  # type: ignore[attr-defined]
        assert "\n" not in location and "\r" not in location and location.endswith("/")
        auth.logout()


def test_form_numbers_are_bounded(app: Flask) -> None:
    from wtforms import DateField, DecimalField, IntegerField

    class Sample(Form):
        count = IntegerField()
        points = DecimalField(places=2)
        day = DateField()

    bad = {
        "count": ("2147483648", "99999999999999999999"),
        "points": ("1E+30", "NaN", "Infinity", "-Infinity", "sNaN"),
        "day": ("0001-01-01", "9999-12-31"),
    }
    good = {"count": "7", "points": "4.5", "day": "2026-12-01"}
    with app.test_request_context(method="POST", data=good):
        assert Sample(meta={"csrf": False}).validate()
    for name, values in bad.items():
        for value in values:
            with app.test_request_context(method="POST", data=good | {name: value}):
                form = Sample(meta={"csrf": False})
                assert not form.validate(), (name, value)
                assert getattr(form, name).errors, (name, value)


def test_every_form_is_one_of_ours() -> None:
    """The bounds and the translated messages come with the base form: no form goes around it."""
    import importlib
    import pkgutil

    from flask_wtf import FlaskForm

    import intersession

    for module in pkgutil.walk_packages(intersession.__path__, "intersession."):
        if ".media" not in module.name:
            importlib.import_module(module.name)

    def every(cls: type) -> list[type]:
        return [c for sub in cls.__subclasses__() for c in (sub, *every(sub))]

    outside = [c for c in every(FlaskForm) if c is not Form and not issubclass(c, Form)]
    assert outside == [], "forms must derive from intersession.core.forms.Form"


def test_wtforms_messages_speak_the_persons_language(app: Flask) -> None:
    from flask_babel import force_locale
    from wtforms import SelectMultipleField
    from wtforms.fields.choices import SelectChoice

    class Sample(Form):
        pupils = SelectMultipleField(choices=[SelectChoice(1, "Әлия")], coerce=int)

    for language, word in (("ru", "такого варианта нет"), ("kk", "")):
        with app.test_request_context(method="POST", data={"pupils": "13"}), force_locale(language):
            form = Sample(meta={"csrf": False})
            assert not form.validate()
            message = str(form.pupils.errors[0])
            assert "is not a valid choice" not in message and word in message, language


def test_an_empty_date_in_the_extension_form_is_a_message(app: Flask, hub: HubPeople) -> None:
    from tests.assignments.test_pages import published_work, signed_in

    work = published_work(hub)
    advisor = signed_in(app, "adv")
    for day in ("", "0001-01-01", "2026-02-31"):
        reply = advisor.post(
            f"/work/{work.id}/extensions",
            {"pupil": str(hub.pupil.id), "due_day": day, "due_time": "10:00"},
        )
        assert reply.status_code == 303, day  # type: ignore[attr-defined]
        page = text(advisor.client.get(f"/work/{work.id}"))
        assert "Enter a date" in page or "Not a valid date value" in page, day


def test_a_cohort_in_use_is_refused_with_a_message(app: Flask, hub: HubPeople) -> None:
    from tests.assignments.test_pages import published_work, signed_in

    work = published_work(hub)
    cohort_id = work.cohort_id
    coordinator = signed_in(app, "coord")
    refused = coordinator.post(f"/cohorts/{cohort_id}/delete")
    assert refused.status_code == 409  # type: ignore[attr-defined]
    assert "cannot be deleted" in text(refused)
    assert coordinator.client.get(f"/cohorts/{cohort_id}").status_code == 200


def test_a_refused_send_leaves_no_new_draft(app: Flask, hub: HubPeople) -> None:
    from intersession.assignments.models import Submission
    from tests.assignments.test_pages import published_work, signed_in

    work = published_work(hub)
    pupil = signed_in(app, "pup")
    for fields in ({"text": "", "version": ""}, {"text": "Жауап", "version": "7"}):
        reply = pupil.post(f"/work/{work.id}/draft", fields | {"send": "1"})
        assert reply.status_code in (400, 409), fields  # type: ignore[attr-defined]
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 0, fields
    sent = pupil.post(f"/work/{work.id}/draft", {"text": "Жауап", "version": "", "send": "1"})
    assert sent.status_code == 303  # type: ignore[attr-defined]
