"""Background work of the reports."""

from __future__ import annotations

from celery import Task, shared_task
from celery.exceptions import Retry
from flask import current_app

from intersession.core.mail import MailError
from intersession.reports import bulk, digests, readiness

MAX_RETRIES = 40  # with the wait doubling up to an hour: a server away for a day and a half
LONGEST_WAIT = 3600


def _later(task: Task, error: MailError) -> Retry:
    """The SMTP server failed: try again later (MAIL_RETRY_SECONDS, doubling). What went out
    before the failure is recorded and is not sent again."""
    first = float(current_app.config["MAIL_RETRY_SECONDS"])
    wait = min(first * 2**task.request.retries, LONGEST_WAIT)
    return task.retry(exc=error, countdown=wait, max_retries=MAX_RETRIES)


@shared_task(name="reports.build-readiness")
def build_readiness_reports() -> list[int]:
    """Hourly: the reports that became available, and those of sessions beginning tomorrow."""
    built = readiness.build_due_reports()
    for report_id in built:
        mail_readiness.delay(report_id)
    return built


@shared_task(name="reports.send-digests", bind=True)
def send_digests(self: Task) -> int:
    try:
        return digests.send_digests()
    except MailError as error:
        raise _later(self, error) from error


@shared_task(name="reports.mail-readiness", bind=True)
def mail_readiness(self: Task, report_id: int) -> int:
    try:
        return digests.send_readiness_mail(report_id)
    except MailError as error:
        raise _later(self, error) from error


@shared_task(name="reports.build-progress-export")
def build_progress_export(export_id: int) -> None:
    bulk.run_progress_export(export_id)


@shared_task(name="reports.purge-exports")
def purge_exports() -> int:
    return bulk.purge_old_exports(int(current_app.config["PORTFOLIO_EXPORT_DAYS"]))
