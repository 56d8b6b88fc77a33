"""Background work of the live room."""

from datetime import timedelta

from celery import shared_task
from flask import current_app

from intersession.rooms import presence


@shared_task(name="rooms.close-unseen-presence")
def close_unseen_presence() -> int:
    """Time in live rooms whose socket went silent (its web process died) ends when last seen."""
    seconds = int(current_app.config["PRESENCE_TIMEOUT_SECONDS"])
    return len(presence.close_unseen(timedelta(seconds=seconds)))
