"""Background work of the live room."""

from datetime import timedelta

from celery import shared_task
from flask import current_app

from intersession.rooms import lesson_time, presence


@shared_task(name="rooms.close-unseen-presence")
def close_unseen_presence() -> int:
    """Time in live rooms whose socket went silent (its web process died) ends when last seen."""
    seconds = int(current_app.config["PRESENCE_TIMEOUT_SECONDS"])
    return len(presence.close_unseen(timedelta(seconds=seconds)))


@shared_task(name="rooms.tell-lesson-time")
def tell_lesson_time() -> int:
    """The rooms hear that their lesson's planned end is near, or has come (rooms/lesson_time.py)."""
    return lesson_time.tell_lesson_time()
