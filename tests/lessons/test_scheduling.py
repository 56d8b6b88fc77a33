"""Scheduling rules at their edges: sessions, midnight, time zones, overlaps, the past, the plan."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from flask_babel import force_locale

from intersession.core.errors import DomainError, Forbidden
from intersession.lessons import scheduling
from intersession.lessons.models import LessonState
from intersession.schools import cohorts
from tests.conftest import ALMATY, LessonHub
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _english(app):  # type: ignore[no-untyped-def]
    with force_locale("en"):
        yield


def test_scheduled_lesson_invites_the_cohort(lessons: LessonHub) -> None:
    done = scheduling.schedule_lesson(lessons.people.advisor, lessons.plan())
    lesson = done.lesson
    assert done.warnings == []
    assert lesson.title == "Квадрат теңдеулер" and lesson.state is LessonState.SCHEDULED
    assert lesson.starts_at == datetime.combine(lessons.window_day, time(10)).replace(tzinfo=ALMATY)
    assert lesson.starts_at.tzinfo is not None and lesson.starts_at.utcoffset() == timedelta(0)
    assert {row.pupil_id for row in lesson.register} == {
        lessons.people.pupil.id,
        lessons.people.other_pupil.id,
    }
    assert all(row.status is None for row in lesson.register)


def test_ending_exactly_when_a_session_starts_is_allowed(lessons: LessonHub) -> None:
    eve = lessons.intermediate_starts - timedelta(days=1)
    with pytest.raises(DomainError, match=r"intermediate session at the hub \(.+\)"):
        scheduling.schedule_lesson(lessons.people.advisor, lessons.plan(eve, time(23, 0), 61))
    scheduling.schedule_lesson(lessons.people.advisor, lessons.plan(eve, time(23, 0), 60))
    with pytest.raises(DomainError, match="intermediate session"):
        scheduling.schedule_lesson(
            lessons.people.advisor, lessons.plan(lessons.intermediate_starts, time(9))
        )


def test_across_midnight(lessons: LessonHub) -> None:
    done = scheduling.schedule_lesson(
        lessons.people.advisor, lessons.plan(start=time(23, 30), minutes=60)
    )
    assert done.lesson.ends_at.astimezone(ALMATY).date() == lessons.window_day + timedelta(days=1)


def test_hub_time_decides_and_each_school_sees_its_own(lessons: LessonHub, app, auth) -> None:  # type: ignore[no-untyped-def]
    # 01:30 in Almaty on the session's first day is still the evening before in Moscow: refused,
    # because the session is a day at the hub.
    with pytest.raises(DomainError, match="intermediate session"):
        scheduling.schedule_lesson(
            lessons.people.advisor, lessons.plan(lessons.intermediate_starts, time(1, 30))
        )
    lesson = scheduling.schedule_lesson(
        lessons.people.advisor, lessons.plan(start=time(15, 0))
    ).lesson
    auth.login("pup2")  # a pupil of the school in Europe/Moscow
    page = auth.client.get(f"/lessons/{lesson.id}").get_data(as_text=True)
    assert "13:00–13:45" in page and ("Москва, UTC+03:00" in page or "Moscow, UTC+03:00" in page)
    auth.logout()
    auth.login("pup")
    assert "15:00–15:45" in auth.client.get(f"/lessons/{lesson.id}").get_data(as_text=True)


def test_overlaps_with_the_advisor_and_with_the_cohort(lessons: LessonHub) -> None:
    scheduling.schedule_lesson(lessons.people.advisor, lessons.plan(start=time(10), minutes=45))
    with pytest.raises(DomainError, match="You have another lesson then"):
        scheduling.schedule_lesson(lessons.people.advisor, lessons.plan(start=time(10, 44)))
    physics = scheduling.LessonPlan(cohort=lessons.people.cohort, subject=lessons.physics, topic=None,
                                    day=lessons.window_day, start=time(10, 30), duration_minutes=30)  # fmt: skip
    with pytest.raises(DomainError, match="The cohort has another lesson then"):
        scheduling.schedule_lesson(lessons.people.other_advisor, physics)
    physics.start = time(10, 45)  # right after: fine
    scheduling.schedule_lesson(lessons.people.other_advisor, physics)


def test_past_durations_and_foreign_cohorts(lessons: LessonHub) -> None:
    yesterday = lessons.today - timedelta(days=1)
    with pytest.raises(DomainError, match="passed"):
        scheduling.schedule_lesson(lessons.people.advisor, lessons.plan(day=yesterday))
    for minutes in (0, 4, 100 * 60):
        with pytest.raises(DomainError, match="5 minutes to 6 hours"):
            scheduling.schedule_lesson(lessons.people.advisor, lessons.plan(minutes=minutes))
    with pytest.raises(Forbidden):  # the other advisor does not teach mathematics to this cohort
        scheduling.schedule_lesson(lessons.people.other_advisor, lessons.plan())
    with pytest.raises(DomainError, match="inside the academic year"):
        scheduling.schedule_lesson(
            lessons.people.advisor, lessons.plan(day=lessons.today + timedelta(days=300))
        )


def test_far_from_the_planned_week_warns(lessons: LessonHub) -> None:
    far = lessons.window_day + timedelta(weeks=8)
    done = scheduling.schedule_lesson(lessons.people.advisor, lessons.plan(day=far))
    assert len(done.warnings) == 1 and "The plan puts this topic in week" in done.warnings[0]
    near = scheduling.schedule_lesson(
        lessons.people.advisor, lessons.plan(day=lessons.window_day + timedelta(weeks=1))
    )
    assert near.warnings == []


def test_reschedule_and_cancel(lessons: LessonHub) -> None:
    lesson = scheduling.schedule_lesson(lessons.people.advisor, lessons.plan()).lesson
    scheduling.reschedule_lesson(lessons.people.advisor, lesson, lessons.plan(start=time(12)))
    assert lesson.starts_at.astimezone(ALMATY).time() == time(12)
    with pytest.raises(Forbidden):
        scheduling.cancel_lesson(lessons.people.other_advisor, lesson, "no")
    with pytest.raises(DomainError, match="Say why"):
        scheduling.cancel_lesson(lessons.people.advisor, lesson, "   ")
    scheduling.cancel_lesson(lessons.people.advisor, lesson, "Буран, жол жабық")
    assert lesson.cancelled and lesson.cancel_reason == "Буран, жол жабық"
    # A cancelled lesson frees its time.
    scheduling.schedule_lesson(lessons.people.advisor, lessons.plan(start=time(12)))


def test_register_follows_the_roster_for_lessons_to_come(lessons: LessonHub) -> None:
    future = scheduling.schedule_lesson(lessons.people.advisor, lessons.plan()).lesson
    newcomer = make_user("newkid", lessons.people.pupil.role, lessons.people.magnet, grade=9)
    cohort = lessons.people.cohort
    cohorts.set_cohort_pupils(lessons.people.coordinator, cohort, [lessons.people.pupil, newcomer])
    assert {r.pupil_id for r in future.register} == {lessons.people.pupil.id, newcomer.id}
    assert datetime.now(UTC) < future.starts_at
