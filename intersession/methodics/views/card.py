"""The individual teacher's card (the "individual teacher card" of the district resource centre):
a teacher's requests and routes, the routes they guide, their answers to the needs surveys and the
materials they gave the bank; for the teacher and the hub's methodologists."""

from __future__ import annotations

from flask import abort, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import func, select

from intersession.auth.models import User
from intersession.core.access import get_visible_or_404
from intersession.core.collation import by_name
from intersession.core.db import db
from intersession.lessons.labels import PRESENCE_LABELS
from intersession.lessons.models import AttendanceRow, Lesson
from intersession.methodics import communities
from intersession.methodics.access import TEACHERS, is_methodologist
from intersession.methodics.bank_models import Resource
from intersession.methodics.community_models import Community
from intersession.methodics.events_models import TeacherEvent
from intersession.methodics.models import HelpRequest, NeedsResponse
from intersession.methodics.views import bp
from intersession.methodics.views.requests import guided_by, newest
from intersession.schools.models import in_hub


def _may_read_card(teacher: User) -> bool:
    if teacher.role not in TEACHERS:
        return False
    return teacher.id == current_user.id or is_methodologist(current_user, teacher.hub_id)


@bp.get("/teachers")
@login_required
def teachers() -> ResponseReturnValue:
    """The hub's teachers with what each has asked, guided and given: the way into their cards."""
    if not is_methodologist(current_user):
        abort(404)
    people = list(db.session.scalars(
        select(User).join(User.school).where(in_hub(current_user.hub_id), User.role.in_(TEACHERS),
                                             User.active.is_(True)).order_by(by_name(User.full_name))))  # fmt: skip
    asked = dict(db.session.execute(select(HelpRequest.teacher_id, func.count()).where(
        HelpRequest.hub_id == current_user.hub_id).group_by(HelpRequest.teacher_id)).all())  # fmt: skip
    guided = dict(db.session.execute(select(HelpRequest.mentor_id, func.count()).where(
        HelpRequest.hub_id == current_user.hub_id).group_by(HelpRequest.mentor_id)).all())  # fmt: skip
    given = dict(db.session.execute(select(Resource.author_id, func.count()).where(
        Resource.hub_id == current_user.hub_id).group_by(Resource.author_id)).all())  # fmt: skip
    return render_template("methodics/teachers.html", people=people, asked=asked, guided=guided,
                           given=given)  # fmt: skip


@bp.get("/teachers/<int:person_id>")
@login_required
def teacher_card(person_id: int) -> ResponseReturnValue:
    teacher = get_visible_or_404(User, person_id, _may_read_card)
    requests = newest(select(HelpRequest).where(HelpRequest.teacher_id == teacher.id))
    guided = newest(guided_by(teacher))
    answers = list(db.session.scalars(select(NeedsResponse).where(
        NeedsResponse.teacher_id == teacher.id).order_by(NeedsResponse.answered_at.desc())))  # fmt: skip
    resources = list(db.session.scalars(select(Resource).where(
        Resource.author_id == teacher.id).order_by(Resource.created_at.desc())))  # fmt: skip
    taken = list(db.session.execute(
        select(TeacherEvent, AttendanceRow).join(TeacherEvent.lesson)
        .join(AttendanceRow, AttendanceRow.lesson_id == Lesson.id)
        .where(AttendanceRow.pupil_id == teacher.id).order_by(Lesson.starts_at.desc()).limit(100)).all())  # fmt: skip
    presented = list(db.session.scalars(
        select(TeacherEvent).join(TeacherEvent.lesson).where(Lesson.advisor_id == teacher.id)
        .order_by(Lesson.starts_at.desc()).limit(100)))  # fmt: skip
    found = db.session.scalars(select(Community).where(Community.hub_id == teacher.hub_id))
    member_of = [c for c in found if communities.is_member(teacher, c)]
    groups = [g for c in member_of for g in c.groups if teacher in g.members]
    return render_template("methodics/card.html", teacher=teacher, requests=requests,
                           guided=guided, answers=answers, resources=resources, taken=taken,
                           presented=presented, member_of=member_of, groups=groups,
                           presence_labels=PRESENCE_LABELS)  # fmt: skip
