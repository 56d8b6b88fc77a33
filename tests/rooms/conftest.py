"""A hub whose year is laid around today, so lessons can be scheduled in the future."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from intersession.core.db import db
from intersession.rooms import scheduling
from intersession.rooms.models import Lesson
from intersession.schools.models import PlanTopic, Subject, TeachingAssignment
from tests.factories import HubPeople, lay_year_around

ALMATY = ZoneInfo("Asia/Almaty")


@dataclass
class LessonHub:
    people: HubPeople
    today: date  # in Almaty, the hub's zone
    window_day: date  # a day a week ahead, between sessions
    intermediate_starts: date
    topic: PlanTopic
    physics: Subject

    def plan(
        self, day: date | None = None, start: time = time(10, 0), minutes: int = 45
    ) -> scheduling.LessonPlan:
        return scheduling.LessonPlan(
            cohort=self.people.cohort, subject=self.people.subject, topic=self.topic,
            day=day or self.window_day, start=start, duration_minutes=minutes,
        )  # fmt: skip

    def started_lesson(self) -> Lesson:
        """A lesson scheduled for the future, then moved to have begun ten minutes ago."""
        lesson = scheduling.schedule_lesson(self.people.advisor, self.plan()).lesson
        lesson.starts_at = datetime.now(UTC) - timedelta(minutes=10)
        db.session.commit()
        return lesson


@pytest.fixture
def lessons(hub: HubPeople) -> LessonHub:
    today = datetime.now(UTC).astimezone(ALMATY).date()
    year = hub.year
    lay_year_around(year, today)
    hub.other_magnet.timezone = "Europe/Moscow"
    week = (
        today + timedelta(days=7) - (year.starts_on - timedelta(days=year.starts_on.weekday()))
    ).days // 7 + 1
    topic = PlanTopic(year_id=year.id, subject=hub.subject, grade=9, position=1, title="Квадрат теңдеулер",
                      week=week, hours=Decimal(2))  # fmt: skip
    physics = Subject(hub_id=hub.hub.id, name="Физика")
    db.session.add_all([topic, physics])
    db.session.add(
        TeachingAssignment(advisor=hub.other_advisor, cohort=hub.cohort, subject=physics)
    )
    hub.cohort.pupils.append(hub.other_pupil)
    db.session.commit()
    return LessonHub(
        hub, today, today + timedelta(days=7), today + timedelta(days=21), topic, physics
    )
