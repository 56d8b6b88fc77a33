"""Asking a poll, answering it, and its results. Every check of what a room sends is here, so the
room's events stay thin; a refusal is a code the page turns into the person's language."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from intersession.auth.models import Role as UserRole
from intersession.auth.models import User
from intersession.core.db import db, utcnow
from intersession.lessons.models import Lesson
from intersession.polls.models import (
    MAX_OPTIONS,
    NUMBER_LIMIT,
    OPTION_LENGTH,
    QUESTION_LENGTH,
    Poll,
    PollAnswer,
    PollCount,
    PollKind,
    PollState,
)

ANSWER_BURST = 20  # answers a person (or a classroom) may send …
ANSWER_SECONDS = 10.0  # … in this many seconds
MOST_COMMON = 5  # numbers answered most often, shown with their counts


class PollRefused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _text(value: Any, longest: int) -> str:
    if not isinstance(value, str):
        raise PollRefused("bad-request")
    text = " ".join(value.split())
    if not text:
        raise PollRefused("empty")
    if len(text) > longest:
        raise PollRefused("too-long")
    return text


def checked_question(data: Any) -> tuple[str, PollKind, list[str]]:
    """The question, its kind and its options as the advisor sent them, or a refusal."""
    if not isinstance(data, dict):
        raise PollRefused("bad-request")
    question = _text(data.get("question"), QUESTION_LENGTH)
    kind_name = data.get("kind")
    if not isinstance(kind_name, str) or kind_name not in {str(k) for k in PollKind}:
        raise PollRefused("bad-kind")
    kind = PollKind(kind_name)
    options: list[str] = []
    if kind in (PollKind.SINGLE, PollKind.MULTIPLE):
        given = data.get("options")
        if not isinstance(given, list) or len(given) > MAX_OPTIONS:
            raise PollRefused("bad-options")
        options = [_text(option, OPTION_LENGTH) for option in given]
        if len(options) < 2 or len({o.casefold() for o in options}) != len(options):
            raise PollRefused("bad-options")
    return question, kind, options


def open_poll(lesson: Lesson) -> Poll | None:
    return db.session.scalar(
        select(Poll).where(Poll.lesson_id == lesson.id, Poll.state == PollState.OPEN).limit(1)
    )


def polls_of(lesson: Lesson) -> list[Poll]:
    return list(
        db.session.scalars(select(Poll).where(Poll.lesson_id == lesson.id).order_by(Poll.id))
    )


def poll_of(lesson: Lesson, poll_id: Any) -> Poll:
    """The lesson's poll by its id as a page sent it, or a refusal."""
    if not isinstance(poll_id, int) or isinstance(poll_id, bool):
        raise PollRefused("bad-request")
    poll = db.session.get(Poll, poll_id)
    if poll is None or poll.lesson_id != lesson.id:
        raise PollRefused("no-poll")
    return poll


def current_poll(lesson: Lesson) -> Poll | None:
    """What the room shows: the open poll, else the last one (closed or published)."""
    return open_poll(lesson) or db.session.scalar(
        select(Poll).where(Poll.lesson_id == lesson.id).order_by(Poll.id.desc()).limit(1)
    )


def ask(advisor: User, lesson: Lesson, data: Any) -> Poll:
    """A new poll, open at once; one still open is closed (one question at a time)."""
    question, kind, options = checked_question(data)
    if (earlier := open_poll(lesson)) is not None:
        earlier.state, earlier.closed_at = PollState.CLOSED, utcnow()
    poll = Poll(lesson_id=lesson.id, asked_by_id=advisor.id, question=question, kind=kind,
                options=options)  # fmt: skip
    db.session.add(poll)
    db.session.commit()
    return poll


def close(poll: Poll) -> None:
    if poll.state is PollState.OPEN:
        poll.state, poll.closed_at = PollState.CLOSED, utcnow()
        db.session.commit()


def publish(poll: Poll) -> None:
    """Close it if open, and let everyone see its results."""
    now = utcnow()
    if poll.state is PollState.OPEN:
        poll.closed_at = now
    if poll.state is not PollState.PUBLISHED:
        poll.state, poll.published_at = PollState.PUBLISHED, now
        db.session.commit()


def _whole(value: Any, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise PollRefused("bad-answer")
    return value


def option_count(poll: Poll) -> int:
    return 2 if poll.kind is PollKind.YES_NO else len(poll.options)


def checked_answer(poll: Poll, data: dict[str, Any]) -> tuple[list[int], float | None]:
    """The options chosen (or the number given) as a page sent them, or a refusal."""
    if poll.kind is PollKind.NUMBER:
        number = data.get("number")
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise PollRefused("bad-answer")
        if not math.isfinite(number) or abs(number) > NUMBER_LIMIT:
            raise PollRefused("bad-answer")
        return [], float(number)
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or len(choices) > option_count(poll):
        raise PollRefused("bad-answer")
    chosen = sorted({_whole(c, 0, option_count(poll) - 1) for c in choices})
    if len(chosen) != len(choices) or (poll.kind is not PollKind.MULTIPLE and len(chosen) != 1):
        raise PollRefused("bad-answer")
    return chosen, None


def answer(poll: Poll, pupil_id: int, given_by: User, data: dict[str, Any]) -> PollAnswer:
    """The pupil's answer (given by themselves or by their classroom computer), replacing one
    they gave before, while the poll is open."""
    if poll.state is not PollState.OPEN:
        raise PollRefused("poll-closed")
    choices, number = checked_answer(poll, data)
    for _attempt in range(2):  # two instances may insert the same pupil's first answer at once
        kept = answer_of(poll, pupil_id)
        if kept is None:
            kept = PollAnswer(poll_id=poll.id, pupil_id=pupil_id)
            db.session.add(kept)
        kept.choices, kept.number, kept.given_by_id, kept.at = (
            choices,
            number,
            given_by.id,
            utcnow(),
        )
        try:
            db.session.commit()
            return kept
        except IntegrityError:
            db.session.rollback()
    raise PollRefused("try-again")


def count(poll: Poll, tutor: User, pupils: int, data: dict[str, Any]) -> PollCount:
    """How many of the school's pupils behind the classroom computer chose each option (at most
    `pupils`, those it may tick), replacing what its tutor entered before."""
    if poll.state is not PollState.OPEN:
        raise PollRefused("poll-closed")
    if not poll.choosing:
        raise PollRefused("bad-answer")
    given = data.get("counts")
    if not isinstance(given, list) or len(given) != option_count(poll):
        raise PollRefused("bad-answer")
    counts = [_whole(n, 0, pupils) for n in given]
    if poll.kind is PollKind.MULTIPLE:
        answered = _whole(data.get("answered"), max(counts), pupils)
    else:
        answered = _whole(sum(counts), 0, pupils)
    for _attempt in range(2):
        kept = count_of(poll, tutor.school_id)
        if kept is None:
            kept = PollCount(poll_id=poll.id, school_id=tutor.school_id)
            db.session.add(kept)
        kept.counts, kept.answered, kept.entered_by_id, kept.at = (
            counts,
            answered,
            tutor.id,
            utcnow(),
        )
        try:
            db.session.commit()
            return kept
        except IntegrityError:
            db.session.rollback()
    raise PollRefused("try-again")


def option_labels(poll: Poll) -> list[str]:
    """The options in the reader's language (yes and no are translated, the advisor's are not)."""
    if poll.kind is PollKind.YES_NO:
        return [_("Yes"), _("No")]
    return list(poll.options)


def results(poll: Poll) -> dict[str, Any]:
    """How many answered, and how many chose each option (or which numbers were given)."""
    if poll.choosing:
        counts = [0] * option_count(poll)
        for given in poll.answers:
            for choice in given.choices:
                counts[choice] += 1
        for entered in poll.counts:
            counts = [a + b for a, b in zip(counts, entered.counts, strict=True)]
        answered = len(poll.answers) + sum(c.answered for c in poll.counts)
        return {"answered": answered, "counts": counts}
    numbers = [a.number for a in poll.answers if a.number is not None]
    common = Counter(numbers).most_common(MOST_COMMON)
    return {
        "answered": len(numbers),
        "median": statistics.median(numbers) if numbers else None,
        "lowest": min(numbers, default=None),
        "highest": max(numbers, default=None),
        "common": [[value, times] for value, times in common],
    }


def sees_results(viewer: User, poll: Poll, lesson: Lesson) -> bool:
    """The advisor and the hub's coordinator always; everyone else once they are published."""
    return (
        poll.state is PollState.PUBLISHED
        or lesson.advisor_id == viewer.id
        or viewer.role is UserRole.COORDINATOR
    )


def view(poll: Poll, with_results: bool) -> dict[str, Any]:
    """The poll as a room's page shows it; a yes-or-no poll's options are put in words by each
    page, in its reader's language."""
    shown = {"id": poll.id, "question": poll.question, "kind": str(poll.kind),
             "options": list(poll.options), "state": str(poll.state)}  # fmt: skip
    if with_results or poll.state is PollState.PUBLISHED:
        shown["results"] = results(poll)
    return shown


def answer_value(given: PollAnswer | None) -> Any:
    """An answer as a page shows it again: the options chosen, or the number."""
    if given is None:
        return None
    return {"choices": given.choices} if given.number is None else {"number": given.number}


def answer_of(poll: Poll, pupil_id: int) -> PollAnswer | None:
    return db.session.scalar(
        select(PollAnswer).where(PollAnswer.poll_id == poll.id, PollAnswer.pupil_id == pupil_id)
    )


def count_of(poll: Poll, school_id: int | None) -> PollCount | None:
    return db.session.scalar(
        select(PollCount).where(PollCount.poll_id == poll.id, PollCount.school_id == school_id)
    )
