"""Periodic work of assignments."""

from __future__ import annotations

from celery import shared_task

from intersession.assignments.notices import send_due_reminders


@shared_task(name="assignments.send-due-reminders")
def send_due_reminders_task() -> int:
    return send_due_reminders()
