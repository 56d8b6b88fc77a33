"""iCalendar feeds: a secret address per person that a phone calendar can subscribe to."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from icalendar import Calendar, Event
from sqlalchemy import delete, select

from intersession.auth.models import User
from intersession.core.db import db, utcnow
from intersession.lessons.access import visible_lessons
from intersession.lessons.models import CalendarFeed, Lesson, LessonState

PAST = timedelta(days=60)
AHEAD = timedelta(days=240)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def renew_feed(user: User) -> str:
    """A new secret address for the person; the old one stops working. Returns the token."""
    token = secrets.token_urlsafe(24)
    db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
    db.session.add(CalendarFeed(user_id=user.id, token_hash=_hash(token)))
    db.session.commit()
    return token


def revoke_feed(user: User) -> None:
    db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
    db.session.commit()


def has_feed(user: User) -> bool:
    return (
        db.session.scalar(select(CalendarFeed.id).where(CalendarFeed.user_id == user.id))
        is not None
    )


def feed_owner(token: str) -> User | None:
    """The active person whose feed this token opens, or None."""
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == _hash(token)))
    return feed.user if feed is not None and feed.user.active else None


def build_calendar(user: User, lesson_url: str, name: str) -> bytes:
    """The person's lessons from two months back to eight months ahead; cancelled ones are left
    out, so they disappear from a subscribed calendar. `lesson_url` has a {id} placeholder."""
    now = utcnow()
    lessons = db.session.scalars(
        visible_lessons(user)
        .where(
            Lesson.state == LessonState.SCHEDULED,
            Lesson.starts_at >= now - PAST,
            Lesson.starts_at <= now + AHEAD,
        )
        .order_by(Lesson.starts_at)
    )
    calendar = Calendar()
    calendar.add("prodid", "-//Intersession//Lessons//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for lesson in lessons:
        event = Event()
        event.add("uid", f"lesson-{lesson.id}@intersession")
        event.add("dtstamp", now)
        event.add("dtstart", lesson.starts_at)
        event.add("dtend", lesson.ends_at)
        event.add("summary", lesson.heading)
        details = [lesson.advisor.full_name]
        if lesson.cohort:
            details.append(lesson.cohort.name)
        if lesson.description:
            details.append(lesson.description)
        event.add("description", "\n".join(details))
        event.add("url", lesson_url.format(id=lesson.id))
        calendar.add_component(event)
    return calendar.to_ical()
