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
    work = db.session.scalars(select(Assignment)).all()
    assert len(work) == 3
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
