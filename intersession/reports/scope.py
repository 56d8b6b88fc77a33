"""Which part of a readiness report each person reads (the register's and the gradebook's rules):
the coordinator all of it; a tutor their school's pupils; an advisor the pupils, topics and open
grading of the cohorts and subjects they teach. Pupils read no one's readiness."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from intersession.auth.models import Role, User
from intersession.core.db import db
from intersession.schools.models import TeachingAssignment, YearSession


def can_view_readiness(viewer: User, session: YearSession) -> bool:
    return viewer.role in (Role.COORDINATOR, Role.TUTOR, Role.ADVISOR) and (
        viewer.hub_id == session.year.hub_id
    )


@dataclass
class Part:
    pupils: list[dict[str, Any]] = field(default_factory=list)
    topics: list[dict[str, Any]] = field(default_factory=list)
    grading: list[dict[str, Any]] = field(default_factory=list)
    rules: dict[str, Any] = field(default_factory=dict)

    @property
    def ready(self) -> int:
        return sum(1 for p in self.pupils if p["ready"])

    def schools(self) -> list[tuple[int, str]]:
        return sorted({(p["school_id"], p["school"]) for p in self.pupils}, key=lambda s: s[1])

    def cohorts(self) -> list[tuple[int, str]]:
        found = {(c[0], c[1]) for p in self.pupils for c in p["cohorts"]}
        return sorted(found, key=lambda c: c[1])


def part_for(viewer: User, content: dict[str, Any]) -> Part:
    pupils, topics, grading = content["pupils"], content["topics"], content["grading"]
    if viewer.role is Role.TUTOR:
        pupils = [p for p in pupils if p["school_id"] == viewer.school_id]
        cohorts = {c[0] for p in pupils for c in p["cohorts"]}
        topics = [t for t in topics if t["cohort_id"] in cohorts]
        grading = []
    elif viewer.role is Role.ADVISOR:
        taught = {(c, s) for c, s in db.session.execute(
            select(TeachingAssignment.cohort_id, TeachingAssignment.subject_id)
            .where(TeachingAssignment.advisor_id == viewer.id)
        )}  # fmt: skip
        cohorts = {c for c, _s in taught}
        pupils = [p for p in pupils if any(c[0] in cohorts for c in p["cohorts"])]
        topics = [t for t in topics if (t["cohort_id"], t["subject_id"]) in taught]
        grading = [g for g in grading if g["advisor_id"] == viewer.id]
    elif viewer.role is not Role.COORDINATOR:
        return Part()
    return Part(list(pupils), list(topics), list(grading), dict(content["rules"]))


def narrowed(part: Part, school_id: int | None, cohort_id: int | None) -> Part:
    """The page's filters: one school, one cohort."""
    pupils = part.pupils
    topics = part.topics
    if school_id is not None:
        pupils = [p for p in pupils if p["school_id"] == school_id]
    if cohort_id is not None:
        pupils = [p for p in pupils if any(c[0] == cohort_id for c in p["cohorts"])]
        topics = [t for t in topics if t["cohort_id"] == cohort_id]
    return Part(pupils, topics, part.grading, part.rules)
