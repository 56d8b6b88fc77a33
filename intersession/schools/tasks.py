"""Background work of the schools feature."""

from celery import shared_task

from intersession.schools import imports


@shared_task(name="schools.run-import")
def run_import(job_id: int) -> None:
    imports.run_import(job_id)


@shared_task(name="schools.purge-import-files")
def purge_import_files() -> int:
    return imports.purge_stale_import_files()
