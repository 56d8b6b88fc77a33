"""The lessons hub with its intermediate session five days ahead: its readiness report can be made."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest

from intersession.core.db import db
from intersession.lessons import attendance, scheduling
from intersession.lessons.models import AbsenceReason, Lesson, Presence
from intersession.lessons.scheduling import academic_week
from intersession.schools.models import PlanTopic, SessionKind, YearSession
from tests.conftest import LessonHub


@dataclass
class ReadyHub:
    lessons: LessonHub
    session: YearSession
    topic: PlanTopic  # a topic of this week
    made: int = 0

    @property
    def people(self):  # type: ignore[no-untyped-def]
        return self.lessons.people

    def coming(self, topic: PlanTopic | None = None) -> Lesson:
        """A lesson of the cohort on a free hour before the session."""
        self.made += 1
        plan = self.lessons.plan(self.lessons.today + timedelta(days=1 + self.made // 10),
                                 time(8 + self.made % 10, 0))  # fmt: skip
        plan.topic = topic or self.topic
        return scheduling.schedule_lesson(self.people.advisor, plan).lesson

    def held(self, days_ago: int, topic: PlanTopic | None = None) -> Lesson:
        """A lesson of the cohort held `days_ago` days ago (its register made, nobody marked)."""
        lesson = self.coming(topic)
        lesson.starts_at = datetime.now(UTC) - timedelta(days=days_ago, minutes=10)
        db.session.commit()
        return lesson

    def mark(self, lesson: Lesson, status: Presence, reason: AbsenceReason | None = None,
             login: str = "pup") -> None:  # fmt: skip
        row = next(r for r in lesson.register if r.pupil.login == login)
        if reason is None:
            attendance.mark_register(self.people.advisor, lesson, [attendance.Mark(row, status)])
        else:
            attendance.confirm_register(
                self.people.tutor, lesson, [attendance.Mark(row, status, reason=reason)]
            )


@pytest.fixture
def ready(lessons: LessonHub) -> ReadyHub:
    session = next(s for s in lessons.people.year.sessions if s.kind is SessionKind.INTERMEDIATE)
    session.starts_on = lessons.today + timedelta(days=5)
    session.ends_on = session.starts_on + timedelta(days=9)
    topic = PlanTopic(year_id=lessons.people.year.id, subject=lessons.people.subject, grade=9,
                      position=2, title="Виет теоремасы", hours=Decimal(1),
                      week=academic_week(lessons.people.year, lessons.today))  # fmt: skip
    db.session.add(topic)
    db.session.commit()
    return ReadyHub(lessons, session, topic)
