"""Background work of the schools feature."""

from celery import shared_task

from intersession.schools import imports


@shared_task(name="schools.run-import")
def run_import(job_id: int) -> None:
    imports.run_import(job_id)
