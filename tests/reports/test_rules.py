"""Readiness rules at their edges, on figures made by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from intersession.lessons.models import AbsenceReason, Presence
from intersession.reports.figures import Attendance, LessonRow, Work, WorkRow, WorkState
from intersession.reports.models import ReadinessRules
from intersession.reports.rules import reasons_not_ready

NOW = datetime(2026, 12, 1, 10, tzinfo=UTC)


def rules(**changes: object) -> ReadinessRules:
    values: dict[str, object] = dict(min_attendance=70, count_caught_up=True,
                                     excused_reasons="illness,olympiad", no_missing_work=True,
                                     min_average=Decimal(3))  # fmt: skip
    values.update(changes)
    return ReadinessRules(**values)


def lessons(*marks: tuple[Presence | None, AbsenceReason | None, bool]) -> Attendance:
    return Attendance([
        LessonRow(n, NOW - timedelta(days=n), "Математика", "Математика", status, reason, None, caught)
        for n, (status, reason, caught) in enumerate(marks)
    ])  # fmt: skip


P = (Presence.PRESENT, None, False)
A = (Presence.ABSENT, None, False)


def graded(*grades: str, subject: str = "Математика", top: str = "5") -> Work:
    return Work([
        WorkRow(n, f"Жұмыс {n}", subject, NOW, NOW, WorkState.GRADED, False, Decimal(g), Decimal(top))
        for n, g in enumerate(grades)
    ])  # fmt: skip


def codes(found: list[dict[str, object]]) -> list[object]:
    return [r["code"] for r in found]


def test_exactly_the_lowest_attendance_is_ready_and_one_lesson_less_is_not() -> None:
    assert reasons_not_ready(rules(), lessons(*[P] * 7, *[A] * 3), Work()) == []
    found = reasons_not_ready(rules(), lessons(*[P] * 6, *[A] * 4), Work())
    assert found == [{"code": "attendance", "rate": 0.6, "min": 70}]


def test_a_lesson_caught_up_on_the_recording_counts_when_the_rule_says_so() -> None:
    watched = lessons(*[P] * 6, (Presence.ABSENT, None, True), *[A] * 3)
    assert reasons_not_ready(rules(), watched, Work()) == []
    assert codes(reasons_not_ready(rules(count_caught_up=False), watched, Work())) == ["attendance"]
    half = lessons(*[P] * 6, (Presence.PARTLY, None, True), *[A] * 3)  # half there, then watched
    assert reasons_not_ready(rules(), half, Work()) == []
    assert half.rate(frozenset(), False) == 0.65


def test_an_absence_excused_by_its_reason_code_is_left_out() -> None:
    ill = lessons(*[P] * 6, *[(Presence.ABSENT, AbsenceReason.ILLNESS, False)] * 2, *[A] * 2)
    assert ill.rate(frozenset({AbsenceReason.ILLNESS}), True) == 0.75
    assert reasons_not_ready(rules(), ill, Work()) == []
    assert codes(reasons_not_ready(rules(excused_reasons="olympiad"), ill, Work())) == [
        "attendance"
    ]
    # "No connection" is the school's trouble, not an excuse, unless the coordinator says so.
    cut = lessons(*[P] * 6, *[(Presence.ABSENT, AbsenceReason.NO_CONNECTION, False)] * 4)
    assert codes(reasons_not_ready(rules(), cut, Work())) == ["attendance"]
    assert reasons_not_ready(rules(excused_reasons="no_connection"), cut, Work()) == []


def test_a_lesson_not_marked_is_not_attended_and_no_lessons_is_no_failure() -> None:
    assert codes(reasons_not_ready(rules(), lessons(*[P] * 6, *[(None, None, False)] * 4), Work())) == ["attendance"]  # fmt: skip
    assert reasons_not_ready(rules(), Attendance(), Work()) == []


def test_work_missing_past_its_cut_off_is_named() -> None:
    work = Work([
        WorkRow(1, "Теңдеулер", "Математика", NOW, NOW, WorkState.MISSING, False, None, Decimal(5)),
        WorkRow(2, "Есеп", "Математика", NOW, NOW, WorkState.OPEN, False, None, Decimal(5)),
    ])  # fmt: skip
    assert reasons_not_ready(rules(), Attendance(), work) == [
        {"code": "missing", "count": 1, "titles": ["Теңдеулер"]}
    ]
    assert reasons_not_ready(rules(no_missing_work=False), Attendance(), work) == []


def test_the_average_on_the_five_point_scale_at_its_edge() -> None:
    assert reasons_not_ready(rules(), Attendance(), graded("3", "3")) == []
    assert reasons_not_ready(rules(), Attendance(), graded("3", "2.8")) == [
        {"code": "average", "average": "2.9", "min": "3"}
    ]
    # 60 of 100 is 3 of 5.
    assert reasons_not_ready(rules(), Attendance(), graded("60", top="100")) == []
    assert reasons_not_ready(rules(min_average=None), Attendance(), graded("1")) == []


def test_the_average_is_the_mean_of_the_subjects() -> None:
    work = Work(graded("5", "5", "5").rows + graded("3", subject="Физика").rows)
    assert work.averages() == {"Математика": Decimal(5), "Физика": Decimal(3)}
    assert work.average() == Decimal(4)
