"""Grading as Moodle's grader does it: points read as they were typed, the rubric's total, and
"save and grade the next" through the queue in its order, saying how many are left."""

from __future__ import annotations

import re
from decimal import Decimal

from flask import Flask

from intersession.assignments import submitting
from intersession.assignments.models import Scale, Submission
from intersession.assignments.services import CriterionPlan
from intersession.auth.models import Role
from intersession.core.db import db
from tests.assignments.test_pages import published_work, signed_in
from tests.factories import HubPeople, make_user


def _sent_by(hub: HubPeople, work: object, login: str) -> Submission:
    pupil = make_user(login, Role.PUPIL, hub.magnet, grade=9)
    hub.cohort.pupils.append(pupil)
    db.session.commit()
    return submitting.submit(pupil, submitting.save_draft(pupil, work, "Жауап", []))  # type: ignore[arg-type]


def _grade(advisor: object, sent: Submission, **fields: str) -> object:
    data = {"version": str(sent.version), "feedback": "", **fields}
    return advisor.post(f"/submissions/{sent.id}/grade", data)  # type: ignore[attr-defined]


def test_points_read_as_they_were_entered(app: Flask, hub: HubPeople) -> None:
    rubric = [CriterionPlan("Шешім", Decimal("5")), CriterionPlan("Рәсімдеу", Decimal("4.5"))]
    work = published_work(hub, scale=Scale.RUBRIC, criteria=rubric)
    sent = submitting.submit(hub.pupil, submitting.save_draft(hub.pupil, work, "Жауап", []))
    advisor = signed_in(app, "adv")
    criteria = {c.name: c.id for c in work.criteria}
    scores = {f"score-{criteria['Шешім']}": "5", f"score-{criteria['Рәсімдеу']}": "4.5"}
    reply = _grade(advisor, sent, **scores)
    assert reply.status_code == 303  # type: ignore[attr-defined]
    db.session.expire_all()
    assert str(sent.grade) == "9.5"
    assert [str(s.points) for s in sorted(sent.scores, key=lambda s: s.criterion_id)] == [
        "5",
        "4.5",
    ]
    assert str(work.criteria[0].max_points) == "5"  # not 5.00
    page = advisor.client.get(reply.headers["Location"]).get_data(as_text=True)  # type: ignore[attr-defined]
    assert 'value="5"' in page and 'value="4.5"' in page
    assert "5.00" not in page and "4.50" not in page
    assert re.search(r'id="rubric-total"[^>]*>9[.,]5<', page)  # the total as the page opens
    assert "The grade is saved: 9.5 of 9.5." in page
    assert 'id="saved-grade"' in page


def test_save_and_grade_the_next_follows_the_queue(app: Flask, hub: HubPeople) -> None:
    work = published_work(hub, scale=Scale.FIVE)
    first = _sent_by(hub, work, "pup-a")
    second = _sent_by(hub, work, "pup-b")
    third = _sent_by(hub, work, "pup-c")
    advisor = signed_in(app, "adv")

    queue = advisor.client.get("/grading").get_data(as_text=True)
    order = [int(n) for n in re.findall(r'href="/submissions/(\d+)', queue)]
    assert order == [first.id, second.id, third.id]  # the oldest waits longest

    page = advisor.client.get(f"/submissions/{first.id}").get_data(as_text=True)
    assert "2 more works wait for a grade" in page and 'id="grade-next"' in page
    reply = _grade(advisor, first, grade="5", next="1")
    assert reply.status_code == 303  # type: ignore[attr-defined]
    assert reply.headers["Location"].endswith(f"/submissions/{second.id}")  # type: ignore[attr-defined]
    page = advisor.client.get(f"/submissions/{second.id}").get_data(as_text=True)
    assert "1 more work waits for a grade" in page
    db.session.expire_all()
    assert str(first.grade) == "5"

    # The queue's filter is kept along the way: only this piece of work.
    reply = _grade(advisor, second, grade="4", next="1", work=str(work.id))
    assert reply.headers["Location"].endswith(f"/submissions/{third.id}?work={work.id}")  # type: ignore[attr-defined]
    page = advisor.client.get(f"/submissions/{third.id}?work={work.id}").get_data(as_text=True)
    assert "nothing else waits for a grade" in page and 'id="grade-next"' not in page
    assert f'name="work" value="{work.id}"' in page
    reply = _grade(advisor, third, grade="3", next="1", work=str(work.id))
    assert reply.headers["Location"].endswith(f"/grading?work={work.id}")  # type: ignore[attr-defined]


def test_the_pupil_sees_the_rubric_before_sending(app: Flask, hub: HubPeople) -> None:
    rubric = [
        CriterionPlan("Шешім", Decimal("6"), "толық шешім"),
        CriterionPlan("Рәсімдеу", Decimal("4")),
    ]
    work = published_work(hub, scale=Scale.RUBRIC, criteria=rubric,
                          instructions="Қараңыз: https://bilimland.kz/kk/sabaq?id=5")  # fmt: skip
    page = signed_in(app, "pup").client.get(f"/work/{work.id}").get_data(as_text=True)
    rubric_part = page[page.index('id="work-rubric"') :]
    assert "Шешім" in rubric_part and "толық шешім" in rubric_part and "Рәсімдеу" in rubric_part
    assert re.search(r">\s*6\s*<", rubric_part) and re.search(r">\s*10\s*<", rubric_part)
    assert (
        '<a href="https://bilimland.kz/kk/sabaq?id=5" rel="noopener noreferrer nofollow">' in page
    )
    shown = page.count(">Your answer<") - page.count('class="visually-hidden">Your answer<')
    assert shown == 1  # the heading and the field's label said it twice


def test_the_new_work_form_names_pupils_and_narrows_by_cohort(app: Flask, hub: HubPeople) -> None:
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from intersession.schools.models import Cohort, PlanTopic, TeachingAssignment

    namesake = make_user(
        "pup-namesake", Role.PUPIL, hub.other_magnet, grade=9, name="Сәрсенбаев Әлихан"
    )
    other = Cohort(year_id=hub.year.id, name="9Б", grade=9)
    other.pupils.append(namesake)
    db.session.add(other)
    db.session.flush()
    db.session.add(TeachingAssignment(advisor=hub.advisor, cohort=other, subject=hub.subject))
    db.session.add(PlanTopic(year_id=hub.year.id, subject=hub.subject, grade=9, position=1,
                             title="Квадрат теңдеулер", week=3, hours=Decimal(2)))  # fmt: skip
    db.session.commit()
    page = signed_in(app, "adv").client.get("/work/new").get_data(as_text=True)
    teachings = {
        t.cohort.name: t.id
        for t in db.session.query(TeachingAssignment).filter_by(advisor_id=hub.advisor.id)
    }
    mine = re.search(
        rf'<li data-teachings="([\d ]*)"><label><input[^>]*value="{hub.pupil.id}"[^>]*> ([^<]*)<',
        page,
    )
    theirs = re.search(
        rf'<li data-teachings="([\d ]*)"><label><input[^>]*value="{namesake.id}"[^>]*> ([^<]*)<',
        page,
    )
    assert mine and theirs
    assert mine.group(2) == f"Сәрсенбаев Әлихан — Magnet, {hub.cohort.name}"
    assert theirs.group(2) == "Сәрсенбаев Әлихан — Far, 9Б"  # the same name, told apart
    assert mine.group(1).split() == [str(teachings[hub.cohort.name])]
    assert theirs.group(1).split() == [str(teachings["9Б"])]
    topics = re.findall(
        r'<option data-teaching="(\d+)" value="\d+">week 3: Квадрат теңдеулер', page
    )
    assert sorted(topics) == sorted(str(t) for t in teachings.values())  # one per cohort's plan
    hub_now = datetime.now(ZoneInfo("Asia/Almaty"))
    assert f'name="opens_day" required type="date" value="{hub_now.date().isoformat()}"' in page
    week_later = (hub_now + timedelta(days=7)).date().isoformat()
    assert f'name="due_day" required type="date" value="{week_later}"' in page
    assert 'name="due_time" required type="time" value="23:59"' in page
