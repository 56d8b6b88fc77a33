"""Word of new work, grades, rework, and work due soon: in the bell, each once."""

from __future__ import annotations

from datetime import timedelta

from intersession.assignments import grading, services, submitting
from intersession.assignments.notices import send_due_reminders
from intersession.core.db import db
from intersession.notifications.models import Notification
from tests.assignments.test_rules import now, plan
from tests.factories import HubPeople


def kinds(user_id: int) -> list[str]:
    rows = db.session.query(Notification).filter_by(user_id=user_id).order_by(Notification.id)
    return [n.kind for n in rows]


def test_new_work_grades_and_rework_are_told_once(hub: HubPeople) -> None:
    work = services.create_assignment(hub.advisor, plan(hub, attempts=2))
    assert kinds(hub.pupil.id) == []  # a draft tells nobody
    services.publish(hub.advisor, work)
    services.publish(hub.advisor, work)
    assert kinds(hub.pupil.id) == ["work-new"]
    sent = submitting.submit(hub.pupil, submitting.save_draft(hub.pupil, work, "1", []))
    grading.return_for_rework(hub.advisor, sent, sent.version, "Қайта қара")
    again = submitting.submit(hub.pupil, submitting.save_draft(hub.pupil, work, "2", []))
    grading.grade(hub.advisor, again, again.version, "Жақсы", grade="5")
    assert kinds(hub.pupil.id) == ["work-new", "work-returned", "work-graded"]


def test_work_due_within_a_day_reminds_the_pupil_and_the_tutor(hub: HubPeople) -> None:
    soon = services.create_assignment(hub.advisor, plan(hub, due_at=now() + timedelta(hours=12),
                                                       cutoff_at=None))  # fmt: skip
    later = services.create_assignment(hub.advisor, plan(hub, title="Кейін"))
    for work in (soon, later):
        services.publish(hub.advisor, work)
    assert send_due_reminders() == 2  # the pupil and their tutor, for the near one only
    assert send_due_reminders() == 0  # once
    assert kinds(hub.pupil.id).count("work-due") == 1 and kinds(hub.tutor.id) == ["work-due-tutor"]
    sent_already = services.create_assignment(hub.advisor, plan(hub, due_at=now() + timedelta(hours=6),
                                                               cutoff_at=None, title="Жіберілген"))  # fmt: skip
    services.publish(hub.advisor, sent_already)
    submitting.submit(hub.pupil, submitting.save_draft(hub.pupil, sent_already, "дайын", []))
    assert send_due_reminders() == 0
