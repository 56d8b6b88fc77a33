"""Background work of the portfolio."""

from __future__ import annotations

from celery import shared_task
from flask import current_app

from intersession.portfolio import export


@shared_task(name="portfolio.build-export")
def build_export(export_id: int, language: str) -> None:
    export.run_export(export_id, language)


@shared_task(name="portfolio.purge-exports")
def purge_exports() -> int:
    return export.purge_old_exports(int(current_app.config["PORTFOLIO_EXPORT_DAYS"]))
