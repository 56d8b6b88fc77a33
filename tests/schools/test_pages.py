"""The coordinator's pages: every form saves what is right and says clearly what is wrong."""

from __future__ import annotations

from sqlalchemy import select

from intersession.auth.models import Role, User
from intersession.core.db import db
from intersession.schools.models import Cohort, PlanTopic, School, YearSession
from tests.conftest import AuthActions
from tests.factories import HubPeople


def text(response: object) -> str:
    return response.get_data(as_text=True)  # type: ignore[attr-defined, no-any-return]


def test_magnet_school_form(auth: AuthActions, hub: HubPeople) -> None:
    auth.login("coord")
    ok = auth.post(
        "/schools/new", {"name": "Жаңа мектеп", "district": "D", "timezone": "Asia/Qostanay"}
    )
    assert ok.status_code == 302
    school = db.session.scalar(select(School).where(School.name == "Жаңа мектеп"))
    assert school is not None and school.hub_id == hub.hub.id and school.timezone == "Asia/Qostanay"
    duplicate = auth.post(
        "/schools/new", {"name": "Magnet", "district": "D", "timezone": "Asia/Almaty"}
    )
    assert duplicate.status_code == 400 and "already exists in this district" in text(duplicate)
    empty = auth.post("/schools/new", {"name": " ", "district": "", "timezone": "Asia/Almaty"})
    assert empty.status_code == 400 and text(empty).count("This field is required.") == 2
    bad_zone = auth.post("/schools/new", {"name": "X", "district": "D", "timezone": "Mars/Olympus"})
    assert bad_zone.status_code == 400 and "Not a valid choice" in text(bad_zone)
    assert auth.post(f"/schools/{school.id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(School).where(School.name == "Жаңа мектеп")) is None


def test_person_form_rules(auth: AuthActions, hub: HubPeople) -> None:
    auth.login("coord")
    base = {
        "full_name": "Нұрлан Әділ",
        "login": "Nurlan.A",
        "role": "pupil",
        "school": hub.magnet.id,
        "grade": "10",
        "email": "",
        "language": "kk",
    }
    created = auth.post("/people/new", base)
    assert created.status_code == 302
    person = db.session.scalar(select(User).where(User.login == "nurlan.a"))
    assert person is not None and person.grade == 10 and person.language.value == "kk"  # type: ignore[union-attr]
    assert "no password issued yet" in text(auth.client.get(f"/people/{person.id}"))
    cases = [
        ({"login": "NURLAN.A"}, "This login is taken already."),
        ({"login": "нурлан"}, "Latin letters"),
        ({"grade": ""}, "A pupil needs a grade from 8 to 11."),
        (
            {"role": "tutor", "school": hub.hub.id, "grade": ""},
            "A tutor belongs to a magnet school.",
        ),
        ({"role": "advisor", "grade": ""}, "Coordinators and advisors belong to the hub school."),
        ({"role": "tutor", "grade": "9"}, "Only pupils have a grade."),
        ({"email": "no-at-sign"}, "This e-mail address does not look right."),
        ({"school": hub.outsider_hub.id}, "Not a valid choice"),
        ({"role": "superuser"}, "Not a valid choice"),
    ]
    for change, message in cases:
        response = auth.post("/people/new", base | {"login": "someone"} | change)
        assert response.status_code == 400 and message in text(response), change
    own = auth.post(
        f"/people/{hub.coordinator.id}/edit",
        base | {"login": "coord", "role": "advisor", "school": hub.hub.id, "grade": ""},
    )
    assert own.status_code == 403
    assert auth.post(f"/people/{hub.coordinator.id}/active", {"active": "0"}).status_code == 403


def test_year_and_sessions(auth: AuthActions, hub: HubPeople) -> None:
    auth.login("coord")
    path = f"/years/{hub.year.id}"
    moved = auth.post(
        path, {"kind": "final", "final-starts_on": "2027-04-12", "final-ends_on": "2027-04-21"}
    )
    assert moved.status_code == 302
    db.session.expire_all()
    final = db.session.scalar(select(YearSession).where(YearSession.kind == "final"))
    assert final is not None and final.starts_on.isoformat() == "2027-04-12"
    cases = [
        (
            {"final-starts_on": "2027-01-15", "final-ends_on": "2027-01-25"},
            "overlaps another session",
        ),
        ({"final-starts_on": "2026-12-01", "final-ends_on": "2026-12-05"}, "must follow in order"),
        (
            {"final-starts_on": "2027-05-30", "final-ends_on": "2027-06-05"},
            "inside the academic year",
        ),
        (
            {"final-starts_on": "2027-04-20", "final-ends_on": "2027-04-10"},
            "on or after the day it starts",
        ),
        (
            {"final-starts_on": "not a date", "final-ends_on": "2027-04-10"},
            "Not a valid date value.",
        ),
    ]
    for data, message in cases:
        response = auth.post(path, {"kind": "final"} | data)
        assert response.status_code == 400 and message in text(response), data
    year = auth.post(
        "/years", {"name": "2027/2028", "starts_on": "2027-09-01", "ends_on": "2028-05-31"}
    )
    assert year.status_code == 302
    again = auth.post(
        "/years", {"name": "2027/2028", "starts_on": "2027-09-01", "ends_on": "2028-05-31"}
    )
    assert again.status_code == 400 and "already exists" in text(again)


def test_cohort_pupils_and_teaching(auth: AuthActions, hub: HubPeople) -> None:
    auth.login("coord")
    assert auth.post("/cohorts", {"name": "10 класс", "grade": "10"}).status_code == 302
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == "10 класс"))
    assert cohort is not None
    path = f"/cohorts/{hub.cohort.id}"
    saved = auth.post(path, {"part": "pupils", "pupils-pupils": [hub.pupil.id, hub.other_pupil.id]})
    assert saved.status_code == 302
    db.session.expire_all()
    assert {p.id for p in hub.cohort.pupils} == {hub.pupil.id, hub.other_pupil.id}
    tenth = db.session.get(User, hub.other_pupil.id)
    assert tenth is not None
    tenth.grade = 10
    db.session.commit()
    wrong = auth.post(path, {"part": "pupils", "pupils-pupils": [tenth.id]})
    assert wrong.status_code == 400 and "is not a valid choice" in text(wrong)
    duplicate = auth.post(
        path,
        {
            "part": "teaching",
            "teaching-advisor": hub.advisor.id,
            "teaching-subject": hub.subject.id,
        },
    )
    assert duplicate.status_code == 400 and "already teaches" in text(duplicate)
    other = auth.post(
        path,
        {
            "part": "teaching",
            "teaching-advisor": hub.other_advisor.id,
            "teaching-subject": hub.subject.id,
        },
    )
    assert other.status_code == 302


def test_subjects_and_plan(auth: AuthActions, hub: HubPeople) -> None:
    auth.login("coord")
    in_use = auth.post(f"/subjects/{hub.subject.id}/delete")
    assert in_use.status_code == 409 and "teaching assignments" in text(in_use)
    plan = f"/plan?year={hub.year.id}&subject={hub.subject.id}&grade=9"
    for title, week in (("Первая тема", "1"), ("Вторая тема", "2")):
        assert auth.post(plan, {"title": title, "week": week, "hours": "1.5"}).status_code == 302
    bad = auth.post(plan, {"title": "", "week": "54", "hours": "0"})
    assert (
        bad.status_code == 400 and "From 1 to 53." in text(bad) and "From 0.5 to 100." in text(bad)
    )
    second = db.session.scalar(select(PlanTopic).where(PlanTopic.title == "Вторая тема"))
    assert second is not None
    assert auth.post(f"/plan/topics/{second.id}/up").status_code == 302
    page = text(auth.client.get(plan))
    assert page.index("Вторая тема") < page.index("Первая тема")
    assert auth.post(f"/plan/topics/{second.id}/delete").status_code == 302
    assert "Вторая тема" not in text(auth.client.get(plan))


def test_language_switch_is_remembered_for_the_person(auth: AuthActions, hub: HubPeople) -> None:
    auth.login("tut")
    response = auth.post("/language", {"language": "kk", "next": "/years"})
    assert response.status_code == 303 and response.location == "/years"
    assert "Оқу жылдары" in text(auth.client.get("/years"))
    db.session.expire_all()
    tutor = db.session.get(User, hub.tutor.id)
    assert tutor is not None and tutor.language is not None and tutor.language.value == "kk"
    assert auth.post("/language", {"language": "de"}).status_code == 303
    assert tutor.role is Role.TUTOR


def test_language_from_browser_when_not_chosen(client, hub: HubPeople) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/login", headers={"Accept-Language": "kk-KZ,kk;q=0.9"}).get_data(
        as_text=True
    )
    assert 'lang="kk"' in page and "Кіру" in page
    page = client.get("/login", headers={"Accept-Language": "en-US"}).get_data(as_text=True)
    assert 'lang="en"' in page and "Sign in" in page


def test_rename_and_delete(auth: AuthActions, hub: HubPeople) -> None:
    auth.login("coord")
    renamed = auth.post(
        f"/cohorts/{hub.cohort.id}", {"part": "cohort", "cohort-name": "9 А", "cohort-grade": "9"}
    )
    assert renamed.status_code == 302
    regrade = auth.post(
        f"/cohorts/{hub.cohort.id}", {"part": "cohort", "cohort-name": "9 А", "cohort-grade": "10"}
    )
    assert regrade.status_code == 400 and "Remove the pupils before changing" in text(regrade)
    assert auth.post(f"/subjects/{hub.subject.id}/edit", {"name": "Алгебра"}).status_code == 302
    db.session.expire_all()
    assert hub.subject.name == "Алгебра" and hub.cohort.name == "9 А"
    plan = f"/plan?year={hub.year.id}&subject={hub.subject.id}&grade=9"
    auth.post(plan, {"title": "Тема", "week": "3", "hours": "2"})
    topic = db.session.scalar(select(PlanTopic).where(PlanTopic.title == "Тема"))
    assert topic is not None
    edited = auth.post(
        f"/plan/topics/{topic.id}/edit", {"title": "Тема жаңа", "week": "4", "hours": "1.5"}
    )
    assert edited.status_code == 302
    bad = auth.post(f"/plan/topics/{topic.id}/edit", {"title": "", "week": "4", "hours": "1.5"})
    assert bad.status_code == 400
    db.session.expire_all()
    assert (topic.title, topic.week, str(topic.hours)) == ("Тема жаңа", 4, "1.5")
    assert auth.post(f"/cohorts/{hub.cohort.id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Cohort).where(Cohort.name == "9 А")) is None
    assert db.session.get(User, hub.pupil.id) is not None


def test_login_slips_for_people_without_a_password(auth: AuthActions, hub: HubPeople) -> None:
    newcomer = User(
        login="newkid", full_name="Жаңа Оқушы", role=Role.PUPIL, school=hub.magnet, grade=9
    )
    db.session.add(newcomer)
    db.session.commit()
    auth.login("coord")
    page = auth.post(f"/schools/{hub.magnet.id}/passwords")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    body = text(page)
    assert (
        "Жаңа Оқушы" in body and "newkid" in body and "Tut" not in body
    )  # the tutor had a password
    import re

    password = re.search(r'class="slip-password">([a-z0-9]+)<', body)
    assert password
    auth.logout()
    assert auth.login("newkid", password.group(1)).status_code == 302
    auth.logout()
    auth.login("coord")
    again = auth.post(f"/schools/{hub.magnet.id}/passwords")
    assert again.status_code == 302  # nobody is left without a password
    assert auth.post(f"/schools/{hub.outsider_hub.id}/passwords").status_code == 404


def test_the_people_filter_offers_only_the_schools_one_may_see(
    auth: AuthActions, hub: HubPeople
) -> None:
    auth.login("tut")
    page = auth.client.get("/people").get_data(as_text=True)
    assert 'name="school"' not in page  # the tutor's own school alone: nothing to choose
    assert hub.other_magnet.name not in page and "Other hub" not in page
    auth.logout()
    auth.login("coord")
    page = auth.client.get("/people").get_data(as_text=True)
    filter_part = page[page.index('name="school"') :].split("</select>")[0]
    assert hub.other_magnet.name in filter_part and hub.magnet.name in filter_part
