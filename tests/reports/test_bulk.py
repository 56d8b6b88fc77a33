"""Every visible pupil's progress as one workbook, made by the task with its progress counted."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from openpyxl import load_workbook

from intersession.core.db import db
from intersession.lessons.models import AbsenceReason, Presence
from intersession.reports import bulk
from intersession.reports.models import ExportState, ProgressExport
from tests.assignments.test_pages import signed_in
from tests.reports.conftest import ReadyHub


def asked(app: Flask, login: str, span: str = "year") -> tuple[object, int]:
    client = signed_in(app, login).client
    page = client.get("/reports/readiness").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    answer = client.post("/reports/exports", data={"csrf_token": token.group(1), "span": span})
    assert answer.status_code == 303
    return client, int(answer.headers["Location"].rsplit("/", 1)[1])


def test_the_workbook_is_made_with_its_progress_and_holds_the_rows(
    app: Flask, ready: ReadyHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "BATCH", 1)  # a batch per pupil: each lets the last one's rows go
    ready.mark(ready.held(1), Presence.PRESENT)
    ready.mark(ready.held(2), Presence.ABSENT, AbsenceReason.ILLNESS)
    client, export_id = asked(app, "coord")
    page = client.get(f"/reports/exports/{export_id}").get_data(as_text=True)  # type: ignore[attr-defined]
    assert 'id="export-progress"' in page and 'data-state="queued"' in page
    bulk.run_progress_export(export_id)
    status = client.get(f"/reports/exports/{export_id}/status").get_json()  # type: ignore[attr-defined]
    assert status["state"] == "done" and status["done"] == status["total"] == 2
    file = client.get(f"/reports/exports/{export_id}/file")  # type: ignore[attr-defined]
    assert file.status_code == 200
    book = load_workbook(io.BytesIO(file.data))
    pupils = list(book[book.sheetnames[0]].iter_rows(values_only=True))
    assert [r[0] for r in pupils[1:]] == ["Pup2", "Сәрсенбаев Әлихан"]  # Far, then Magnet
    magnet = pupils[2]
    assert magnet[2] == 100 and magnet[3] == 2 and magnet[5] == 1
    lessons = list(book[book.sheetnames[1]].iter_rows(values_only=True))
    assert len(lessons) == 1 + 4  # two lessons, two pupils each
    bulk.run_progress_export(export_id)  # a task run again leaves a finished export as it is
    assert db.session.get_one(ProgressExport, export_id).state is ExportState.DONE


def test_each_reads_only_their_own_export_and_their_own_pupils(app: Flask, ready: ReadyHub) -> None:
    client, export_id = asked(app, "tut")
    bulk.run_progress_export(export_id)
    book = load_workbook(io.BytesIO(client.get(f"/reports/exports/{export_id}/file").data))  # type: ignore[attr-defined]
    pupils = list(book[book.sheetnames[0]].iter_rows(values_only=True))
    assert [r[0] for r in pupils[1:]] == ["Сәрсенбаев Әлихан"]  # the tutor's school only
    for login in ("coord", "adv", "pup", "outsider"):
        other = signed_in(app, login).client
        for suffix in ("", "/status", "/file"):
            assert other.get(f"/reports/exports/{export_id}{suffix}").status_code == 404
    pupil = signed_in(app, "pup").client
    assert pupil.post("/reports/exports", data={"span": "year"}).status_code in (400, 404)
    assert db.session.query(ProgressExport).count() == 1
