"""Background work of uploads: the abandoned ones go."""

from celery import shared_task

from intersession.core.resumable import services


@shared_task(name="uploads.purge-abandoned")
def purge_abandoned_uploads() -> int:
    return services.purge_abandoned()
