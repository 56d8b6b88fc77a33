"""Background work of lessons."""

from celery import shared_task

from intersession.lessons import reminders


# The name is from when this lived in rooms/: beat schedules and queued messages hold it.
@shared_task(name="rooms.send-lesson-reminders")
def send_lesson_reminders() -> int:
    return reminders.send_lesson_reminders()
