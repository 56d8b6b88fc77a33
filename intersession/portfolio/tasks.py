"""Background work of the portfolio."""

from __future__ import annotations

from celery import shared_task

from intersession.portfolio import export


@shared_task(name="portfolio.build-export")
def build_export(export_id: int, language: str) -> None:
    export.run_export(export_id, language)
