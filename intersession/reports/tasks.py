"""Background work of the reports."""

from __future__ import annotations

from celery import shared_task

from intersession.reports import readiness


@shared_task(name="reports.build-readiness")
def build_readiness_reports() -> list[int]:
    """Hourly: the reports that became available, and those of sessions beginning tomorrow."""
    return readiness.build_due_reports()
