"""Catching up: the player reports what was played; an absent pupil who watched or listened to
enough of the recording is marked caught up in the register."""

from __future__ import annotations

import json
import math
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from intersession.auth.models import User
from intersession.core.db import db, utcnow
from intersession.core.errors import DomainError
from intersession.lessons.models import AttendanceRow, Presence
from intersession.recordings.models import Recording, RecordingView

MAX_RANGES = 500
FASTEST_PLAYBACK = 2.0  # the players' highest speed
SLACK_SECONDS = 30.0  # reports come every few seconds; the first may be a little ahead


def merged(ranges: list[tuple[float, float]]) -> list[tuple[float, float]]:
    result: list[tuple[float, float]] = []
    for start, end in sorted(ranges):
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], end))
        else:
            result.append((start, end))
    return result


def parse_ranges(raw: Any, duration: float) -> list[tuple[float, float]]:
    """[[from, to], ...] in seconds, within the recording; a clear error for anything else."""
    if not isinstance(raw, list) or len(raw) > MAX_RANGES:
        raise DomainError(_("The progress report is not understood."))
    ranges = []
    for item in raw:
        if (
            not isinstance(item, list)
            or len(item) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in item)
            or not all(math.isfinite(v) for v in item)
        ):
            raise DomainError(_("The progress report is not understood."))
        start, end = max(0.0, float(item[0])), min(duration, float(item[1]))
        if start < end:
            ranges.append((start, end))
    return ranges


def view_of(recording: Recording, viewer: User) -> RecordingView:
    """The person's record of watching, made when they first open the recording."""
    view = db.session.scalar(
        select(RecordingView).where(
            RecordingView.recording_id == recording.id, RecordingView.user_id == viewer.id
        )
    )
    if view is None:
        view = RecordingView(recording_id=recording.id, user_id=viewer.id)
        db.session.add(view)
        db.session.commit()
    return view


def report(recording: Recording, viewer: User, raw: Any) -> tuple[float, bool]:
    """Add what the player played; returns (share watched, caught up now or before). A report of
    more than could have been played since the page was opened is refused."""
    duration = recording.duration_seconds or 0.0
    if not recording.ready or duration <= 0:
        raise DomainError(_("This recording cannot be watched yet."))
    played = parse_ranges(raw, duration)  # before view_of: a refused report writes nothing
    view = view_of(recording, viewer)
    known = [(float(a), float(b)) for a, b in json.loads(view.ranges)]
    ranges = merged([*known, *played])
    seconds = sum(end - start for start, end in ranges)
    elapsed = (utcnow() - view.opened_at).total_seconds()
    if seconds - view.seconds > FASTEST_PLAYBACK * elapsed + SLACK_SECONDS:
        raise DomainError(_("More was reported than could have been played; nothing was saved."))
    view.ranges = json.dumps([[round(a, 2), round(b, 2)] for a, b in ranges])
    view.seconds = round(seconds, 2)
    share = min(1.0, seconds / duration)
    caught_up = _mark_caught_up(recording, viewer, share)
    db.session.commit()
    return share, caught_up


def _mark_caught_up(recording: Recording, viewer: User, share: float) -> bool:
    row = db.session.scalar(
        select(AttendanceRow).where(
            AttendanceRow.lesson_id == recording.lesson_id, AttendanceRow.pupil_id == viewer.id
        )
    )
    if row is None:
        return False
    if row.caught_up_at is not None:
        return True
    if row.final_status is Presence.PRESENT:
        return False
    if share >= float(current_app.config["CATCHUP_SHARE"]):
        row.caught_up_at = utcnow()
        return True
    return False


def views_by_pupil(recording: Recording) -> dict[int, RecordingView]:
    return {
        view.user_id: view
        for view in db.session.scalars(
            select(RecordingView).where(RecordingView.recording_id == recording.id)
        )
    }
