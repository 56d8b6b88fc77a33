"""Who teaches what: an advisor's cohorts and subjects, and the choices forms offer from them."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from intersession.auth.models import User
from intersession.core.collation import sorted_by_name
from intersession.core.db import db
from intersession.schools.models import PlanTopic, School, TeachingAssignment


def teachings_of(advisor: User) -> list[TeachingAssignment]:
    """The advisor's cohorts and subjects, by cohort and subject name in the reader's alphabet."""
    teachings = db.session.scalars(
        select(TeachingAssignment)
        .where(TeachingAssignment.advisor_id == advisor.id)
        .order_by(TeachingAssignment.id)
    )
    return sorted_by_name(teachings, lambda t: t.cohort.name, lambda t: t.subject.name)


def teaching_choices(teachings: list[TeachingAssignment]) -> list[SelectChoice]:
    return [SelectChoice(t.id, f"{t.cohort.name} — {t.subject.name}") for t in teachings]


def topic_choices(teachings: list[TeachingAssignment]) -> list[SelectChoice]:
    """The plan's topics of each cohort and subject, grouped, after a "no topic" choice (0)."""
    topics = [SelectChoice(0, _("— no topic from the plan —"))]
    for teaching in teachings:
        group = f"{teaching.cohort.name} — {teaching.subject.name}"
        plan = db.session.scalars(
            select(PlanTopic)
            .where(
                PlanTopic.year_id == teaching.cohort.year_id,
                PlanTopic.subject_id == teaching.subject_id,
                PlanTopic.grade == teaching.cohort.grade,
            )
            .order_by(PlanTopic.position)
        )
        # data-teaching: the page shows only the topics of the cohort and subject chosen.
        topics += [SelectChoice(t.id, _("week %(week)d: %(title)s", week=t.week, title=t.title), optgroup=group,
                                render_kw={"data-teaching": str(teaching.id)})
                   for t in plan]  # fmt: skip
    return topics


def hub_timezone(person: User) -> str:
    """The time zone of the person's hub school, in which lessons and work are set."""
    hub = db.session.get(School, person.hub_id)
    assert hub is not None
    return hub.timezone
