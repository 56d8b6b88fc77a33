"""Background work of recordings: finishing after a lesson, the sweep, and retention."""

from __future__ import annotations

from celery import shared_task

from intersession.recordings import services


# A long lesson takes a while to mix; a killed worker's task is delivered again (acks late).
@shared_task(name="recordings.finish", time_limit=3600, soft_time_limit=3500)
def finish_recording(recording_id: int) -> None:
    services.finish_recording(recording_id)


@shared_task(name="recordings.sweep")
def sweep() -> dict[str, int]:
    return services.sweep()


@shared_task(name="recordings.purge")
def purge() -> dict[str, int]:
    removed, freed = services.purge()
    return {"removed": removed, "freed_bytes": freed}
