"""The rules of assignments: dates, cut-off, attempts, extensions, the tutor's attestation, grading
and release, files; and who sees what."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.datastructures import FileStorage

from intersession.assignments import grading, services, submitting
from intersession.assignments.access import (
    can_see_grade,
    can_view_assignment,
    can_view_submission,
)
from intersession.assignments.models import Scale, Submission, SubmissionState
from intersession.auth.models import Role
from intersession.core.db import db
from intersession.core.errors import Conflict, DomainError, NotFound
from intersession.core.files import StoredFile
from tests.factories import HubPeople, make_user

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def now() -> datetime:
    return datetime.now(UTC)


def plan(hub: HubPeople, **changes: object) -> services.WorkPlan:
    values: dict[str, object] = {
        "cohort": hub.cohort, "subject": hub.subject, "title": "Квадрат теңдеулер: 10 есеп",
        "opens_at": now() - timedelta(days=1), "due_at": now() + timedelta(days=3),
        "cutoff_at": now() + timedelta(days=5),
    }  # fmt: skip
    values.update(changes)
    return services.WorkPlan(**values)  # type: ignore[arg-type]


def published(hub: HubPeople, **changes: object) -> object:
    work = services.create_assignment(hub.advisor, plan(hub, **changes))
    services.publish(hub.advisor, work)
    return work


def upload(name: str, data: bytes) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


def media_files(app: Flask) -> list[Path]:
    return [p for p in (Path(app.config["MEDIA_ROOT"]) / "files").glob("*") if p.is_file()]


def test_drafts_are_the_advisors_alone_until_published(hub: HubPeople) -> None:
    work = services.create_assignment(hub.advisor, plan(hub))
    assert can_view_assignment(hub.advisor, work)
    assert not can_view_assignment(hub.pupil, work) and not can_view_assignment(hub.tutor, work)
    services.publish(hub.advisor, work)
    assert can_view_assignment(hub.pupil, work) and can_view_assignment(hub.tutor, work)
    assert can_view_assignment(hub.coordinator, work)
    assert not can_view_assignment(hub.other_advisor, work)
    assert not can_view_assignment(hub.other_pupil, work)  # not in the cohort
    assert not can_view_assignment(hub.outsider, work)
    with pytest.raises(NotFound):
        services.publish(hub.other_advisor, work)


def test_the_plan_is_checked(hub: HubPeople) -> None:
    for changes, field in (
        ({"due_at": now() - timedelta(days=2)}, "due_at"),
        ({"cutoff_at": now() + timedelta(days=1)}, "cutoff_at"),
        ({"accepts_files": False, "accepts_text": False}, "accepts_files"),
        ({"file_kinds": ("exe",)}, "file_kinds"),
        ({"attempts": 0}, "attempts"),
        ({"title": "   "}, "title"),
        ({"scale": Scale.RUBRIC}, "criteria"),
        ({"pupils": [hub.other_pupil]}, "pupils"),
    ):
        with pytest.raises(DomainError) as error:
            services.create_assignment(hub.advisor, plan(hub, **changes))
        assert error.value.field == field, changes
    with pytest.raises(DomainError) as error:
        services.create_assignment(hub.other_advisor, plan(hub))  # teaches no maths to this cohort
    assert error.value.field == "cohort"


def test_on_time_late_and_after_the_cut_off(hub: HubPeople) -> None:
    work = published(hub)
    draft = submitting.save_draft(hub.pupil, work, "Жауабы: x = 2", [])
    sent = submitting.submit(hub.pupil, draft)
    assert sent.state is SubmissionState.SUBMITTED and sent.late_seconds is None

    late = published(hub, opens_at=now() - timedelta(days=5), due_at=now() - timedelta(hours=2))
    sent = submitting.submit(hub.pupil, submitting.save_draft(hub.pupil, late, "Кешірек", []))
    assert sent.late_seconds is not None and 7100 < sent.late_seconds < 7300 and sent.counts_late

    closed = published(hub, opens_at=now() - timedelta(days=5), due_at=now() - timedelta(days=2),
                       cutoff_at=now() - timedelta(days=1))  # fmt: skip
    with pytest.raises(DomainError, match="cut-off"):
        submitting.save_draft(hub.pupil, closed, "Тым кеш", [])
    assert submitting.attempts_of(closed, hub.pupil.id) == []  # nothing half-written


def test_an_extension_and_the_tutors_attestation(hub: HubPeople) -> None:
    work = published(hub, opens_at=now() - timedelta(days=5), due_at=now() - timedelta(days=2),
                     cutoff_at=now() - timedelta(days=1))  # fmt: skip
    services.grant_extension(hub.advisor, work, hub.pupil, now() + timedelta(days=1), None)
    sent = submitting.submit(hub.pupil, submitting.save_draft(hub.pupil, work, "Уақытында", []))
    assert sent.late_seconds is None

    late = published(hub, opens_at=now() - timedelta(days=5), due_at=now() - timedelta(hours=1))
    sent = submitting.submit(hub.pupil, submitting.save_draft(hub.pupil, late, "Интернет жоқ", []))
    other_tutor = make_user("tut9", Role.TUTOR, hub.other_magnet)
    with pytest.raises(NotFound):
        submitting.attest_connection(other_tutor, sent, "Связи не было")
    with pytest.raises(DomainError):
        submitting.attest_connection(hub.tutor, sent, "  ")
    submitting.attest_connection(hub.tutor, sent, "В селе не было связи с утра до вечера")
    assert sent.late_seconds is not None and not sent.counts_late  # the advisor still sees when


def test_attempts_double_submit_and_rework(hub: HubPeople) -> None:
    once = published(hub, attempts=1)
    draft = submitting.save_draft(hub.pupil, once, "Бірінші", [])
    version = draft.version
    submitting.submit(hub.pupil, draft, version)
    with pytest.raises(Conflict):
        submitting.submit(hub.pupil, draft, version)  # the second click of a double submit
    assert len(submitting.attempts_of(once, hub.pupil.id)) == 1
    with pytest.raises(DomainError, match="attempts"):
        submitting.open_draft(hub.pupil, once)
    grading.return_for_rework(
        hub.advisor, draft, draft.version, "Есептің екінші бөлігін қайта шығар"
    )
    with pytest.raises(DomainError, match="attempts"):
        submitting.open_draft(hub.pupil, once)  # one attempt means one

    until_graded = published(hub, attempts=None)
    first = submitting.submit(hub.pupil, submitting.save_draft(hub.pupil, until_graded, "1", []))
    second = submitting.save_draft(hub.pupil, until_graded, "2", [])
    assert (first.attempt, second.attempt) == (1, 2)
    submitting.submit(hub.pupil, second)
    grading.grade(hub.advisor, second, second.version, "Жақсы", grade="5")
    with pytest.raises(DomainError, match="attempts"):
        submitting.open_draft(hub.pupil, until_graded)
    assert first.text == "1"  # earlier attempts stay


def test_grades_are_checked_and_a_second_save_is_refused(hub: HubPeople) -> None:
    hundred = published(hub, scale=Scale.HUNDRED)
    sent = submitting.submit(hub.pupil, submitting.save_draft(hub.pupil, hundred, "x", []))
    for bad in ("-1", "101", "NaN", "inf", "abc", ""):
        with pytest.raises(DomainError):
            grading.grade(hub.advisor, sent, sent.version, "", grade=bad)
    with pytest.raises(NotFound):
        grading.grade(hub.pupil, sent, sent.version, "", grade="100")  # a pupil posting a grade
    loaded_by_both = sent.version
    grading.grade(hub.advisor, sent, loaded_by_both, "Өте жақсы", grade="87,5")
    with pytest.raises(Conflict):
        grading.grade(hub.advisor, sent, loaded_by_both, "Менің бағам", grade="40")
    db.session.expire_all()
    assert (sent.grade, sent.feedback) == (Decimal("87.50"), "Өте жақсы")

    five = published(hub)
    sent = submitting.submit(hub.pupil, submitting.save_draft(hub.pupil, five, "y", []))
    with pytest.raises(DomainError):
        grading.grade(hub.advisor, sent, sent.version, "", grade="4.5")
    grading.grade(hub.advisor, sent, sent.version, "", grade="4")
    assert sent.grade == 4


def test_a_rubric_adds_up_and_release_can_wait(hub: HubPeople) -> None:
    rubric = published(hub, scale=Scale.RUBRIC, release_at_once=False, criteria=[
        services.CriterionPlan("Шешім", Decimal(6), "6 — толық"),
        services.CriterionPlan("Рәсімдеу", Decimal(4)),
    ])  # fmt: skip
    sent = submitting.submit(hub.pupil, submitting.save_draft(hub.pupil, rubric, "z", []))
    first, second = rubric.criteria
    with pytest.raises(DomainError):
        grading.grade(hub.advisor, sent, sent.version, "", scores={first.id: "7", second.id: "1"})
    grading.grade(
        hub.advisor, sent, sent.version, "Жарайсың", scores={first.id: "5.5", second.id: "4"}
    )
    assert sent.grade == Decimal("9.50") and rubric.max_grade == 10
    assert can_see_grade(hub.advisor, sent) and not can_see_grade(hub.pupil, sent)
    assert not can_see_grade(hub.tutor, sent)
    assert grading.release(hub.advisor, [sent]) == 1
    assert can_see_grade(hub.pupil, sent) and can_see_grade(hub.tutor, sent)


def test_files_are_checked_and_a_refusal_leaves_nothing(app: Flask, hub: HubPeople) -> None:
    work = published(hub, file_kinds=("pdf",), max_files=2, max_file_mb=1)
    for name, data, message in (
        ("Жоба.pdf", b"<html><script>alert(1)</script></html>", "not a PDF"),
        ("empty.pdf", b"", "not a PDF"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "not a kind"),
        ("big.pdf", PDF + b"0" * (1024 * 1024 + 1), "too large"),
    ):
        with pytest.raises(DomainError, match=message):
            submitting.save_draft(hub.pupil, work, None, [upload(name, data)])
        assert media_files(app) == [], name
        assert db.session.query(StoredFile).count() == 0
    draft = submitting.save_draft(
        hub.pupil, work, None, [upload("../../etc/passwd" + "ә" * 300 + ".pdf", PDF)]
    )
    stored = draft.files[0]
    assert "/" not in stored.original_name and len(stored.original_name) <= 255
    assert len(media_files(app)) == 1
    with pytest.raises(DomainError, match="At most 2"):
        submitting.save_draft(hub.pupil, work, None, [upload("a.pdf", PDF), upload("b.pdf", PDF)])
    assert len(media_files(app)) == 1
    submitting.save_draft(hub.pupil, work, None, [], remove_ids=[stored.id])  # a draft's file goes
    assert media_files(app) == [] and db.session.query(StoredFile).count() == 0


def test_who_sees_a_submission(hub: HubPeople) -> None:
    work = published(hub)
    mine = submitting.submit(hub.pupil, submitting.save_draft(hub.pupil, work, "менікі", []))
    classmate = make_user("pup7", Role.PUPIL, hub.magnet, grade=9)
    other_tutor = make_user("tut8", Role.TUTOR, hub.other_magnet)
    assert can_view_submission(hub.pupil, mine) and can_view_submission(hub.tutor, mine)
    assert can_view_submission(hub.advisor, mine) and can_view_submission(hub.coordinator, mine)
    for outsider in (classmate, other_tutor, hub.other_advisor, hub.outsider):
        assert not can_view_submission(outsider, mine)
    assert isinstance(mine, Submission)
