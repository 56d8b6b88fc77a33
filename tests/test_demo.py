"""The demo hub `make run` starts with loads, and its work shows in the pages."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from intersession.assignments.models import Assignment
from intersession.core.db import db
from intersession.demo import load_demo
from tests.conftest import AuthActions


def test_the_demo_hub_has_work_to_see(app: Flask) -> None:
    load_demo()
    work = db.session.scalars(select(Assignment).order_by(Assignment.id)).all()
    assert len(work) == 6
    pupil = work[0].cohort.pupils[0]
    advisor = work[0].advisor
    client = app.test_client()
    AuthActions(client).login(pupil.login, "demo-intersession")
    page = client.get("/work").get_data(as_text=True)
    assert all(w.title in page for w in work)
    teacher = app.test_client()
    AuthActions(teacher).login(advisor.login, "demo-intersession")
    assert teacher.get("/gradebook").status_code == 200
    assert teacher.get("/grading").status_code == 200


def test_the_demo_does_not_contradict_itself(app: Flask) -> None:
    """advisor1 has lessons and work of their own; every cohort's lesson is taught by the teacher
    the cohort's page names for its subject (a teachers' event has no cohort)."""
    from datetime import UTC, datetime, timedelta

    from intersession.auth.models import User
    from intersession.lessons.models import Lesson
    from intersession.schools.models import TeachingAssignment

    load_demo()
    teachers = {
        (t.cohort_id, t.subject_id): t.advisor_id
        for t in db.session.scalars(select(TeachingAssignment))
    }
    lessons = db.session.scalars(select(Lesson).where(Lesson.cohort_id.is_not(None))).all()
    assert lessons and all(
        teachers[(le.cohort_id, le.subject_id)] == le.advisor_id for le in lessons
    )
    advisor1 = db.session.scalar(select(User).where(User.login == "advisor1"))
    assert advisor1 is not None
    now = datetime.now(UTC)
    theirs = [le for le in lessons if le.advisor_id == advisor1.id]
    assert any(now <= le.starts_at <= now + timedelta(days=7) for le in theirs)
    assert any(le.starts_at < now for le in theirs)
    assert any(w.advisor_id == advisor1.id for w in db.session.scalars(select(Assignment)))
