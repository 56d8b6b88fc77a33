"""Background work of lessons."""

from celery import shared_task

from intersession.rooms import reminders


@shared_task(name="rooms.send-lesson-reminders")
def send_lesson_reminders() -> int:
    return reminders.send_lesson_reminders()
