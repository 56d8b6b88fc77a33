"""Rules for cohorts, their pupils, teaching assignments and the thematic plan."""

from __future__ import annotations

from decimal import Decimal

from blinker import Namespace
from flask_babel import gettext as _
from sqlalchemy import func, select

from intersession.auth.models import Role, User
from intersession.core.db import db, delete_or_conflict
from intersession.core.errors import Conflict, DomainError
from intersession.schools.models import (
    AcademicYear,
    Cohort,
    PlanTopic,
    Subject,
    TeachingAssignment,
)
from intersession.schools.services import commit_or_conflict, require_manager

signals = Namespace()
cohort_pupils_changed = signals.signal("cohort-pupils-changed")


def save_cohort(
    actor: User, cohort: Cohort | None, *, year: AcademicYear, name: str, grade: int
) -> Cohort:
    require_manager(actor, year.hub_id)
    name = name.strip()
    if not name:
        raise DomainError(_("Enter the cohort's name."), field="name")
    if not 8 <= grade <= 11:
        raise DomainError(_("The grade must be from 8 to 11."), field="grade")
    if cohort is None:
        cohort = Cohort(year=year)
        db.session.add(cohort)
    elif grade != cohort.grade and cohort.pupils:
        raise Conflict(_("Remove the pupils before changing the cohort's grade."), "grade")
    cohort.year, cohort.name, cohort.grade = year, name, grade
    commit_or_conflict(_("A cohort with this name already exists this year."), "name")
    return cohort


def delete_cohort(actor: User, cohort: Cohort) -> None:
    require_manager(actor, cohort.year.hub_id)
    delete_or_conflict(
        cohort, _("The cohort has lessons or work; it cannot be deleted while they are kept.")
    )


def set_cohort_pupils(actor: User, cohort: Cohort, pupils: list[User]) -> None:
    """The cohort's pupils: pupils of the hub, of the cohort's grade."""
    require_manager(actor, cohort.year.hub_id)
    for pupil in pupils:
        if pupil.role is not Role.PUPIL or pupil.hub_id != cohort.year.hub_id:
            raise DomainError(_("Only the hub's pupils can be in a cohort."), field="pupils")
        if pupil.grade != cohort.grade:
            raise DomainError(
                _("%(name)s is not in grade %(grade)d.", name=pupil.full_name, grade=cohort.grade),
                field="pupils",
            )
    cohort.pupils = pupils
    db.session.flush()
    # Features above (the lessons' registers) follow the roster; they commit with this change.
    cohort_pupils_changed.send(cohort)
    db.session.commit()


def add_teaching(actor: User, advisor: User, cohort: Cohort, subject: Subject) -> None:
    require_manager(actor, cohort.year.hub_id)
    if advisor.role is not Role.ADVISOR or advisor.hub_id != cohort.year.hub_id:
        raise DomainError(_("Choose an advisor of the hub."), field="advisor")
    if subject.hub_id != cohort.year.hub_id:
        raise DomainError(_("Choose a subject of the hub."), field="subject")
    db.session.add(TeachingAssignment(advisor=advisor, cohort=cohort, subject=subject))
    commit_or_conflict(_("This advisor already teaches this subject to this cohort."), "advisor")


def remove_teaching(actor: User, teaching: TeachingAssignment) -> None:
    require_manager(actor, teaching.cohort.year.hub_id)
    delete_or_conflict(
        teaching, _("This teacher has lessons or work with the cohort; it cannot be removed.")
    )


def next_position(year_id: int, subject_id: int, grade: int) -> int:
    query = select(func.coalesce(func.max(PlanTopic.position), 0)).where(
        PlanTopic.year_id == year_id, PlanTopic.subject_id == subject_id, PlanTopic.grade == grade
    )
    return int(db.session.scalar(query) or 0) + 1


def check_topic(title: str, week: int, hours: Decimal) -> str:
    title = " ".join(title.split())
    if not title:
        raise DomainError(_("Enter the topic."), field="title")
    if not 1 <= week <= 53:
        raise DomainError(_("The week must be from 1 to 53."), field="week")
    if not Decimal(0) < hours <= Decimal(100):
        raise DomainError(_("Hours must be more than 0 and at most 100."), field="hours")
    return title


def save_topic(
    actor: User,
    topic: PlanTopic | None,
    *,
    year: AcademicYear,
    subject: Subject,
    grade: int,
    title: str,
    week: int,
    hours: Decimal,
) -> PlanTopic:
    """Add a topic at the end of the plan for its subject and grade, or edit one."""
    require_manager(actor, year.hub_id)
    if subject.hub_id != year.hub_id:
        raise DomainError(_("Choose a subject of the hub."), field="subject")
    title = check_topic(title, week, hours)
    if topic is None:
        topic = PlanTopic(
            year_id=year.id,
            subject=subject,
            grade=grade,
            position=next_position(year.id, subject.id, grade),
        )
        db.session.add(topic)
    topic.title, topic.week, topic.hours = title, week, hours
    db.session.commit()
    return topic


def delete_topic(actor: User, topic: PlanTopic) -> None:
    year = db.session.get(AcademicYear, topic.year_id)
    assert year is not None
    require_manager(actor, year.hub_id)
    delete_or_conflict(topic, _("Lessons or work are planned on this topic; it cannot be deleted."))


def move_topic(actor: User, topic: PlanTopic, step: int) -> None:
    """Swap the topic with its neighbour above (step -1) or below (step +1)."""
    year = db.session.get(AcademicYear, topic.year_id)
    assert year is not None
    require_manager(actor, year.hub_id)
    siblings = db.session.scalars(
        select(PlanTopic)
        .where(
            PlanTopic.year_id == topic.year_id,
            PlanTopic.subject_id == topic.subject_id,
            PlanTopic.grade == topic.grade,
        )
        .order_by(PlanTopic.position)
    ).all()
    index = siblings.index(topic)
    other_index = index + step
    if not 0 <= other_index < len(siblings):
        return
    other = siblings[other_index]
    # Through a free slot, so the unique (plan, position) constraint holds at every statement.
    a, b = topic.position, other.position
    topic.position = -1
    db.session.flush()
    other.position = a
    db.session.flush()
    topic.position = b
    db.session.commit()
