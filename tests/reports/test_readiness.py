"""The readiness report built from real rows: when it can be made, what it holds, that it stays as
it was, the nightly task, and what changed between two builds."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask_babel import force_locale

from intersession.core.db import db
from intersession.core.errors import DomainError
from intersession.lessons import scheduling
from intersession.lessons.models import AbsenceReason, Presence
from intersession.recordings.models import Recording, RecordingState
from intersession.reports import readiness
from intersession.reports.models import ReadinessReport
from intersession.schools.models import YearSession
from tests.reports.conftest import ReadyHub


def move(session: YearSession, starts: date) -> None:
    session.starts_on, session.ends_on = starts, starts + timedelta(days=9)
    db.session.commit()


def content(report: ReadinessReport) -> dict:  # type: ignore[type-arg]
    return json.loads(report.content)


def pupil(report: ReadinessReport, login_name: str = "Сәрсенбаев Әлихан") -> dict:  # type: ignore[type-arg]
    return next(p for p in content(report)["pupils"] if p["name"] == login_name)


def test_it_can_be_made_from_fourteen_days_before_until_the_session_begins(ready: ReadyHub) -> None:
    with force_locale("en"):
        refused_outside_its_days(ready)


def refused_outside_its_days(ready: ReadyHub) -> None:
    people, session = ready.people, ready.session
    move(session, ready.lessons.today + timedelta(days=15))
    with pytest.raises(DomainError, match="can be made from"):
        readiness.build_report(session, people.coordinator)
    move(session, ready.lessons.today + timedelta(days=14))
    assert readiness.build_report(session, people.coordinator).id
    with pytest.raises(DomainError, match="coordinator"):
        readiness.build_report(session, people.tutor)
    with pytest.raises(DomainError, match="coordinator"):
        readiness.build_report(session, people.outsider)
    move(session, ready.lessons.today)
    with pytest.raises(DomainError, match="has begun"):
        readiness.build_report(session, people.coordinator)
    assert db.session.query(ReadinessReport).count() == 1


def test_the_report_holds_each_pupils_figures_and_reasons(ready: ReadyHub) -> None:
    for days in range(1, 11):
        lesson = ready.held(days)
        status = Presence.PRESENT if days <= 6 else Presence.ABSENT
        reason = AbsenceReason.ILLNESS if days == 7 else None
        ready.mark(lesson, status, reason)
    report = readiness.build_report(ready.session, ready.people.coordinator)
    found = pupil(report)
    # 6 present, 1 ill (left out), 3 absent: 6 of 9.
    assert found["attendance"]["held"] == 10 and found["attendance"]["excused"] == 1
    assert found["attendance"]["rate"] == round(6 / 9, 4)
    assert not found["ready"]
    assert found["reasons"] == [{"code": "attendance", "rate": round(6 / 9, 4), "min": 70}]
    assert found["cohorts"] == [[ready.people.cohort.id, "9 класс"]]
    other = pupil(report, "Pup2")  # nobody marked them: not attended
    assert other["attendance"]["unmarked"] == 10 and other["attendance"]["rate"] == 0.0
    assert content(report)["rules"]["excused"] == ["illness", "olympiad"]


def test_topics_with_cancelled_moved_and_recorded_lessons(ready: ReadyHub) -> None:
    from intersession.schools.models import PlanTopic

    people = ready.people
    second = PlanTopic(year_id=people.year.id, subject=people.subject, grade=9, position=3,
                       title="Бөлшектер", hours=ready.topic.hours, week=ready.topic.week)  # fmt: skip
    third = PlanTopic(year_id=people.year.id, subject=people.subject, grade=9, position=4,
                      title="Дәрежелер", hours=ready.topic.hours, week=ready.topic.week)  # fmt: skip
    fourth = PlanTopic(year_id=people.year.id, subject=people.subject, grade=9, position=5,
                       title="Түбірлер", hours=ready.topic.hours, week=ready.topic.week)  # fmt: skip
    db.session.add_all([second, third, fourth])
    db.session.commit()
    recorded = ready.held(1)  # the first topic: held and recorded
    db.session.add(Recording(lesson_id=recorded.id, folder="r1", state=RecordingState.READY,
                             duration_seconds=60.0, ended_at=datetime.now(UTC)))  # fmt: skip
    cancelled = ready.coming(second)
    scheduling.cancel_lesson(people.advisor, cancelled, "Жарық жоқ")
    # Cancelled once, then another lesson moved to another day and held: covered.
    scheduling.cancel_lesson(people.advisor, ready.coming(third), "Ауыстырылды")
    replacement = ready.coming(third)
    plan = ready.lessons.plan(ready.lessons.today + timedelta(days=3), time(15, 0))
    plan.topic = third
    scheduling.reschedule_lesson(people.advisor, replacement, plan)
    replacement.starts_at = datetime.now(UTC) - timedelta(hours=3)
    db.session.commit()
    report = readiness.build_report(ready.session, people.coordinator)
    states = {t["title"]: (t["state"], t["lesson_id"]) for t in content(report)["topics"]}
    assert states["Виет теоремасы"] == ("recorded", recorded.id)
    assert states["Бөлшектер"] == ("cancelled", cancelled.id)
    assert states["Дәрежелер"] == ("held", replacement.id)
    assert states["Түбірлер"] == ("none", None)


def test_the_report_stays_as_it_was_after_later_changes(ready: ReadyHub) -> None:
    lesson = ready.held(1)
    report = readiness.build_report(ready.session, ready.people.coordinator)
    assert pupil(report)["attendance"]["unmarked"] == 1
    ready.mark(lesson, Presence.PRESENT)
    ready.people.pupil.full_name = "Жаңа Есім"
    db.session.commit()
    kept = db.session.get(ReadinessReport, report.id)
    assert kept is not None and pupil(kept)["attendance"]["unmarked"] == 1
    # The intermediate session begins: its report stays the one made before it.
    move(ready.session, ready.lessons.today)
    assert readiness.build_due_reports() == []
    assert [r.id for r in readiness.builds_of(ready.session)] == [report.id]


def test_the_nightly_task_builds_once_and_again_the_night_before(ready: ReadyHub) -> None:
    first = readiness.build_due_reports()
    assert len(first) == 1  # it became available and had no report
    assert readiness.build_due_reports() == []  # run again: nothing twice
    move(ready.session, ready.lessons.today + timedelta(days=1))
    report = db.session.get_one(ReadinessReport, first[0])
    report.built_at -= timedelta(days=1)  # made yesterday
    db.session.commit()
    again = readiness.build_due_reports()
    assert len(again) == 1 and again != first
    assert readiness.build_due_reports() == []
    assert db.session.get_one(ReadinessReport, again[0]).built_by_id is None


def test_what_changed_since_the_build_before(ready: ReadyHub) -> None:
    lesson = ready.held(1)
    before = readiness.build_report(ready.session, ready.people.coordinator)
    assert not pupil(before)["ready"]  # not marked: not attended
    ready.mark(lesson, Presence.PRESENT)
    after = readiness.build_report(ready.session, ready.people.coordinator)
    changed = readiness.changes(content(before), content(after))
    assert [(c.name, c.was_ready, c.ready) for c in changed] == [("Сәрсенбаев Әлихан", False, True)]
