"""Who holds a hub's methodical service and who may read a request for help (shared ACCESS.md:
what one may not read answers 404 like a missing id)."""

from __future__ import annotations

from sqlalchemy import select

from intersession.auth.models import Role, User
from intersession.core.db import db
from intersession.methodics.models import HelpRequest, Methodologist
from intersession.schools.models import in_hub

TEACHERS = (Role.ADVISOR, Role.TUTOR)


def is_methodologist(user: User, hub_id: int | None = None) -> bool:
    """The hub's coordinators always hold its methodical service; a teacher holds it when the
    coordinator granted it. With `hub_id`, of that hub only."""
    if hub_id is not None and user.hub_id != hub_id:
        return False
    if user.role is Role.COORDINATOR:
        return True
    if user.role not in TEACHERS:
        return False
    return db.session.get(Methodologist, user.id) is not None


def methodologists_of(hub_id: int) -> list[User]:
    """Everyone who answers the hub's requests: its coordinators and the teachers granted it."""
    query = (
        select(User)
        .join(User.school)
        .outerjoin(Methodologist, Methodologist.user_id == User.id)
        .where(in_hub(hub_id), User.active.is_(True))
        .where(
            (User.role == Role.COORDINATOR)
            | (User.role.in_(TEACHERS) & Methodologist.user_id.is_not(None))
        )
    )
    return list(db.session.scalars(query))


def is_teacher(user: User) -> bool:
    return user.role in TEACHERS and user.active


def can_view_help(viewer: User, request: HelpRequest) -> bool:
    """The teacher who asked, the mentor, whoever is responsible for a step, and the hub's
    methodologists; nobody else (another mentor's routes included)."""
    if viewer.id in (request.teacher_id, request.mentor_id):
        return True
    if any(step.responsible_id == viewer.id for step in request.steps):
        return True
    return is_methodologist(viewer, request.hub_id)


def guides(viewer: User, request: HelpRequest) -> bool:
    """May build the route, confirm its steps and end it: the mentor or a methodologist of the
    hub, never the teacher who asked."""
    if viewer.id == request.teacher_id:
        return False
    return viewer.id == request.mentor_id or is_methodologist(viewer, request.hub_id)
