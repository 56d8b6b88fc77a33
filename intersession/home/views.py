"""The home page: who I am, my school or cohorts, where we are in the year."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from intersession.auth.labels import ROLE_LABELS
from intersession.auth.models import Role, User
from intersession.core.collation import sorted_by_name
from intersession.core.db import db, utcnow
from intersession.core.kazakh import DATIVE, LOCATIVE, with_case
from intersession.core.offline import keep_offline
from intersession.home import today
from intersession.lessons.attendance import registers_to_confirm
from intersession.schools.calendar import Phase, YearPosition, position_in_year
from intersession.schools.models import (
    Cohort,
    School,
    SessionKind,
    TeachingAssignment,
    cohort_pupil,
    in_hub,
)

bp = Blueprint("home", __name__, template_folder="templates")


def describe_position(position: YearPosition) -> str:
    """One sentence for the page header, in the viewer's language."""
    if position.phase is Phase.NO_YEAR:
        return _("No academic year has been set up yet.")
    if position.phase is Phase.IN_SESSION and position.session:
        until = with_case(format_date(position.session.ends_on, "long"), DATIVE)  # kk: "...дейін"
        return {
            SessionKind.ORIENTATION: _(
                "The orientation session is on at the hub, until %(date)s.", date=until
            ),
            SessionKind.INTERMEDIATE: _(
                "The intermediate session is on at the hub, until %(date)s.", date=until
            ),
            SessionKind.FINAL: _("The final session is on at the hub, until %(date)s.", date=until),
        }[position.session.kind]
    if position.next_session and position.days_until_next is not None:
        n = position.days_until_next
        prefix = (
            _("Between sessions")
            if position.phase is Phase.BETWEEN_SESSIONS
            else _("Before the year")
        )
        rest = {
            SessionKind.ORIENTATION: ngettext(
                "%(num)d day until the orientation session",
                "%(num)d days until the orientation session",
                n,
            ),
            SessionKind.INTERMEDIATE: ngettext(
                "%(num)d day until the intermediate session",
                "%(num)d days until the intermediate session",
                n,
            ),
            SessionKind.FINAL: ngettext(
                "%(num)d day until the final session", "%(num)d days until the final session", n
            ),
        }[position.next_session.kind]
        return f"{prefix} — {rest}"
    if position.phase is Phase.BEFORE_YEAR and position.year:
        return _(
            "The academic year %(name)s begins on %(date)s.",
            name=position.year.name,
            date=with_case(format_date(position.year.starts_on, "long"), LOCATIVE),
        )
    assert position.year is not None
    return _(
        "The sessions of this year are over; the year ends on %(date)s.",
        date=with_case(format_date(position.year.ends_on, "long"), LOCATIVE),
    )


def _my_cohorts(user: User) -> list[tuple[Cohort, str]]:
    if user.role is Role.ADVISOR:
        rows = db.session.execute(
            select(TeachingAssignment).where(TeachingAssignment.advisor_id == user.id)
        ).scalars()
        pairs = [(t.cohort, t.subject.name) for t in rows]
        return sorted_by_name(pairs, lambda pair: pair[0].name, lambda pair: pair[1])
    if user.role is Role.PUPIL:
        cohorts = db.session.scalars(
            select(Cohort).join(cohort_pupil).where(cohort_pupil.c.pupil_id == user.id)
        )
        return [(c, "") for c in sorted_by_name(cohorts, lambda c: c.name)]
    return []


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    if current_user.role is Role.PUPIL:
        keep_offline()
    hub = db.session.get(School, current_user.hub_id)
    assert hub is not None
    position = position_in_year(hub, datetime.now(UTC), current_user.school.timezone)
    counts: dict[str, int] = {}
    if current_user.role is Role.TUTOR:
        counts["pupils"] = (
            db.session.scalar(
                select(func.count()).where(
                    User.school_id == current_user.school_id,
                    User.role == Role.PUPIL,
                    User.active.is_(True),
                )
            )
            or 0
        )
    elif current_user.role is Role.COORDINATOR:
        counts["schools"] = len(hub.magnets)
        counts["people"] = (
            db.session.scalar(
                select(func.count()).select_from(User).join(User.school).where(in_hub(hub.id))
            )
            or 0
        )
    day = None
    if current_user.role is Role.PUPIL:
        day = today.pupils_day(current_user)
    elif current_user.role is Role.TUTOR:
        day = today.tutors_day(current_user)
    elif current_user.role is Role.ADVISOR:
        day = today.advisors_day(current_user)
    upcoming = today.coming_lessons(current_user, 10) if current_user.role is not Role.PUPIL else []
    if day is not None:  # today's lessons are listed already
        shown = {item.lesson.id for item in day.today}
        upcoming = [lesson for lesson in upcoming if lesson.id not in shown]
    upcoming = upcoming[:5]
    to_confirm = registers_to_confirm(current_user) if current_user.role is Role.TUTOR else []
    return render_template(
        "home/index.html",
        day=day,
        now=utcnow(),
        upcoming=upcoming,
        to_confirm=to_confirm,
        hub=hub,
        position=position,
        phase_text=describe_position(position),
        cohorts=_my_cohorts(current_user),
        counts=counts,
        role_label=ROLE_LABELS[current_user.role],
    )
