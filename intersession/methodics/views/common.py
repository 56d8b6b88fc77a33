"""What the pages of methodical help share: loading a request or a step for the viewer, the
people a route can name, and the request's page shown again with a form's errors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from intersession.auth.labels import ROLE_LABELS
from intersession.auth.models import User
from intersession.core.access import get_visible_or_404
from intersession.core.db import utcnow
from intersession.core.forms import ButtonForm
from intersession.lessons.access import can_view_lesson
from intersession.methodics import bank
from intersession.methodics.access import can_view_help, guides, is_methodologist
from intersession.methodics.forms import (
    AttachResourceForm,
    DoneForm,
    EndForm,
    FeedbackForm,
    StepOnlineForm,
)
from intersession.methodics.models import HelpRequest, RouteStep


def load_request(help_id: int) -> HelpRequest:
    return get_visible_or_404(HelpRequest, help_id, lambda r: can_view_help(current_user, r))


def load_step(step_id: int) -> RouteStep:
    return get_visible_or_404(RouteStep, step_id, lambda s: can_view_help(current_user, s.request))


def person_choices(people: list[User]) -> list[SelectChoice]:
    """Each person with their school and role: two teachers of the same name are common."""
    return [
        SelectChoice(p.id, f"{p.full_name} — {p.school.name}, {ROLE_LABELS[p.role]}")
        for p in people
    ]


def render_request(item: HelpRequest, status: int = 200, **forms: Any) -> ResponseReturnValue:
    """The request's page, also shown again (with a 4xx) when one of its forms had a problem."""
    forms.setdefault("done_form", DoneForm())
    forms.setdefault("end_form", EndForm())
    forms.setdefault("feedback_form", FeedbackForm())
    guiding = guides(current_user, item)
    attach = AttachResourceForm()
    if guiding:  # the bank's materials, offered to whoever builds the route
        found = bank.published(item.hub_id, bank.Search(), limit=bank.ATTACHABLE)
        attach.resource.choices = [SelectChoice(r.id, r.title) for r in found]
    forms.setdefault("attach_form", attach)
    online = StepOnlineForm()
    if request.method == "GET" or "online_form" not in forms:
        online.day.data = online.day.data or utcnow().astimezone(
            ZoneInfo(item.teacher.school.timezone)
        ).date() + timedelta(days=7)
    forms.setdefault("online_form", online)
    held = [s.event_lesson for s in item.steps if s.event_lesson is not None]
    viewable = {lesson.id for lesson in held if can_view_lesson(current_user, lesson)}
    return render_template(
        "methodics/request.html",
        item=item,
        button=ButtonForm(),
        teacher=item.teacher_id == current_user.id,
        guiding=guiding,
        viewable_lessons=viewable,
        methodologist=is_methodologist(current_user, item.hub_id),
        **forms,
    ), status
