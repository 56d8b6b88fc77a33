"""Polls as the lesson's page, the pupil's progress and the exports show them: the results, and
each pupil's answer in words, to those who may read the pupil's register row."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask_babel import format_decimal
from sqlalchemy import select

from intersession.auth.models import User
from intersession.core.db import db
from intersession.lessons.models import AttendanceRow, Lesson
from intersession.polls.asking import option_labels, polls_of, results, sees_results
from intersession.polls.models import Poll, PollAnswer, PollKind


def format_number(number: float | None) -> str:
    """In the reader's way of writing numbers (a decimal comma in ru and kk)."""
    return "" if number is None else format_decimal(number, format="#,##0.######")


def answer_text(poll: Poll, given: PollAnswer | None) -> str:
    """An answer in words: the options chosen, or the number."""
    if given is None:
        return ""
    if poll.kind is PollKind.NUMBER:
        return format_number(given.number)
    labels = option_labels(poll)
    return ", ".join(labels[c] for c in given.choices if c < len(labels))


@dataclass
class PollSummary:
    poll: Poll
    results: dict[str, Any] | None  # None: not the reader's to see yet
    options: list[tuple[str, int, float]] = field(default_factory=list)  # label, count, share
    answers: list[tuple[str, str, bool]] = field(default_factory=list)  # name, answer, by class


def lesson_polls(viewer: User, lesson: Lesson, rows: list[AttendanceRow]) -> list[PollSummary]:
    """The lesson's polls, with the answers of the pupils whose register rows the reader sees."""
    found = []
    for poll in polls_of(lesson):
        shown = results(poll) if sees_results(viewer, poll, lesson) else None
        summary = PollSummary(poll, shown)
        if shown is not None and poll.choosing:
            answered = max(shown["answered"], 1)
            summary.options = [(label, n, n / answered)
                               for label, n in zip(option_labels(poll), shown["counts"], strict=True)]  # fmt: skip
        given = {a.pupil_id: a for a in poll.answers}
        for row in rows:
            answer = given.get(row.pupil_id)
            summary.answers.append((row.pupil.full_name, answer_text(poll, answer),
                                    answer is not None and answer.given_by_id != row.pupil_id))  # fmt: skip
        found.append(summary)
    return found


def answered_in(pupil_ids: list[int], lesson_ids: set[int]) -> dict[tuple[int, int], list[str]]:
    """Each pupil's answers in each lesson's polls, as "question: answer", in the order asked."""
    found: dict[tuple[int, int], list[str]] = defaultdict(list)
    if not pupil_ids or not lesson_ids:
        return found
    query = (
        select(PollAnswer, Poll)
        .join(Poll, Poll.id == PollAnswer.poll_id)
        .where(PollAnswer.pupil_id.in_(pupil_ids), Poll.lesson_id.in_(lesson_ids))
        .order_by(Poll.id)
    )
    for given, poll in db.session.execute(query):
        found[given.pupil_id, poll.lesson_id].append(f"{poll.question}: {answer_text(poll, given)}")
    return found
