"""The attendance register: rows from the roster, the advisor's marks, the tutor's confirmation."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from intersession.core.errors import DomainError, Forbidden
from intersession.lessons import attendance, scheduling
from intersession.lessons.models import AbsenceReason, Presence, PresenceSource
from tests.conftest import LessonHub
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _english(app):  # type: ignore[no-untyped-def]
    with force_locale("en"):
        yield


def rows_by_login(lesson):  # type: ignore[no-untyped-def]
    return {row.pupil.login: row for row in lesson.register}


def test_absentees_are_known_from_the_roster(lessons: LessonHub) -> None:
    lesson = lessons.started_lesson()
    rows = rows_by_login(lesson)
    assert set(rows) == {"pup", "pup2"}  # nobody joined, yet both are in the register
    attendance.mark_register(
        lessons.people.advisor, lesson, [attendance.Mark(rows["pup"], Presence.PRESENT)]
    )
    assert rows["pup"].status is Presence.PRESENT and rows["pup"].minutes == lesson.duration_minutes
    assert rows["pup"].source is PresenceSource.ADVISOR and rows["pup2"].status is None


def test_register_opens_at_the_start(lessons: LessonHub) -> None:
    lesson = scheduling.schedule_lesson(lessons.people.advisor, lessons.plan()).lesson
    with pytest.raises(DomainError, match="opens when the lesson starts"):
        attendance.mark_register(lessons.people.advisor, lesson, [])


def test_only_the_lessons_advisor_marks(lessons: LessonHub) -> None:
    lesson = lessons.started_lesson()
    with pytest.raises(Forbidden):
        attendance.mark_register(lessons.people.other_advisor, lesson, [])
    row = lesson.register[0]
    with pytest.raises(attendance.RegisterErrors) as problem:
        attendance.mark_register(
            lessons.people.advisor, lesson, [attendance.Mark(row, Presence.PARTLY, 90)]
        )
    assert problem.value.rows == {row.id: "Minutes must be from 0 to 45."}
    assert row.status is None


def test_tutor_confirms_only_their_school_with_reasons(lessons: LessonHub) -> None:
    lesson = lessons.started_lesson()
    rows = rows_by_login(lesson)
    tutor = lessons.people.tutor
    with pytest.raises(Forbidden):
        attendance.confirm_register(tutor, lesson, [attendance.Mark(rows["pup2"], Presence.ABSENT)])
    with pytest.raises(attendance.RegisterErrors) as problem:
        attendance.confirm_register(tutor, lesson, [attendance.Mark(rows["pup"], Presence.ABSENT)])
    assert problem.value.rows == {rows["pup"].id: "Choose the reason for the absence."}
    with pytest.raises(attendance.RegisterErrors):
        attendance.confirm_register(
            tutor,
            lesson,
            [attendance.Mark(rows["pup"], Presence.ABSENT, reason=AbsenceReason.OTHER)],
        )
    attendance.confirm_register(
        tutor,
        lesson,
        [attendance.Mark(rows["pup"], Presence.ABSENT, reason=AbsenceReason.NO_CONNECTION)],
    )
    row = rows["pup"]
    assert row.confirmed_status is Presence.ABSENT and row.reason is AbsenceReason.NO_CONNECTION
    assert row.confirmed_by_id == tutor.id and row.source is PresenceSource.TUTOR
    assert row.final_status is Presence.ABSENT
    other_tutor = make_user("tut2", tutor.role, lessons.people.other_magnet)
    attendance.confirm_register(
        other_tutor, lesson,
        [attendance.Mark(rows["pup2"], Presence.ABSENT, reason=AbsenceReason.OTHER, reason_text="Сайысқа барды")],
    )  # fmt: skip
    assert rows["pup2"].reason_text == "Сайысқа барды"


def test_detected_and_confirmed_stay_side_by_side(lessons: LessonHub) -> None:
    lesson = lessons.started_lesson()
    row = rows_by_login(lesson)["pup"]
    attendance.mark_register(
        lessons.people.advisor, lesson, [attendance.Mark(row, Presence.ABSENT)]
    )
    attendance.confirm_register(
        lessons.people.tutor, lesson, [attendance.Mark(row, Presence.PRESENT)]
    )  # the pupil sat behind the classroom computer the advisor did not see
    assert (row.status, row.confirmed_status, row.source) == (
        Presence.ABSENT,
        Presence.PRESENT,
        PresenceSource.ADVISOR,
    )
    assert row.final_status is Presence.PRESENT


def test_cancelled_lesson_has_nothing_to_mark(lessons: LessonHub) -> None:
    lesson = scheduling.schedule_lesson(lessons.people.advisor, lessons.plan()).lesson
    scheduling.cancel_lesson(lessons.people.advisor, lesson, "Ауырып қалдым")
    with pytest.raises(DomainError, match="cancelled"):
        attendance.confirm_register(lessons.people.tutor, lesson, [])


def test_tutor_sees_registers_waiting_for_confirmation(app, lessons: LessonHub) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import AuthActions

    lesson = lessons.started_lesson()
    scheduling.schedule_lesson(
        lessons.people.advisor, lessons.plan(start=lessons.plan().start.replace(hour=13))
    )
    waiting = attendance.registers_to_confirm(lessons.people.tutor)
    assert [(item.id, count) for item, count in waiting] == [
        (lesson.id, 1)
    ]  # the future one is not due
    tutor = AuthActions(app.test_client())
    tutor.login("tut")
    assert "1 pupil not confirmed" in tutor.client.get("/").get_data(as_text=True)
    row = rows_by_login(lesson)["pup"]
    attendance.confirm_register(
        lessons.people.tutor, lesson, [attendance.Mark(row, Presence.PRESENT)]
    )
    assert attendance.registers_to_confirm(lessons.people.tutor) == []
    assert "All registers of the last two weeks are confirmed." in tutor.client.get("/").get_data(
        as_text=True
    )
