"""Who learns of each change of a request for help, in the reader's language when shown."""

from __future__ import annotations

from flask_babel import gettext as _

from intersession.core.web import path_for
from intersession.methodics.access import methodologists_of
from intersession.methodics.labels import RESULT_LABELS
from intersession.methodics.models import HelpRequest, RouteResult, RouteStep
from intersession.notifications.services import notify_once, register_text

register_text(
    "help-asked",
    lambda p: _("%(teacher)s asks for methodical help: %(difficulty)s", **p),
)
register_text(
    "help-diagnosed",
    lambda p: _("Your request for methodical help is diagnosed; your mentor is %(mentor)s.", **p),
)
register_text("help-mentor", lambda p: _("You are the mentor of %(teacher)s's route.", **p))
register_text("help-step", lambda p: _("A step is added to your route: %(title)s.", **p))
register_text("help-step-done", lambda p: _("%(teacher)s has done a step: %(title)s.", **p))
register_text("help-step-confirmed", lambda p: _("Your mentor confirmed the step: %(title)s.", **p))
register_text(
    "help-ended",
    lambda p: _(
        "Your route has ended: %(result)s. Tell how useful it was.",
        result=RESULT_LABELS[RouteResult(p["result"])],
    ),
)
register_text("help-feedback", lambda p: _("%(teacher)s gave feedback on the route.", **p))


def _link(request: HelpRequest) -> str:
    return path_for("methodics.help_request", help_id=request.id)


def _short(text: str, limit: int = 120) -> str:
    folded = " ".join(text.split())
    return folded if len(folded) <= limit else folded[: limit - 1] + "…"


def asked(request: HelpRequest) -> None:
    params = {"teacher": request.teacher.full_name, "difficulty": _short(request.difficulty)}
    for person in methodologists_of(request.hub_id):
        notify_once(person.id, "help-asked", f"help-asked:{request.id}:{person.id}", params,
                    _link(request))  # fmt: skip


def diagnosed(request: HelpRequest) -> None:
    """The teacher and the mentor learn it; a mentor changed later is told too."""
    assert request.mentor is not None
    notify_once(request.teacher_id, "help-diagnosed", f"help-diagnosed:{request.id}",
                {"mentor": request.mentor.full_name}, _link(request))  # fmt: skip
    notify_once(request.mentor.id, "help-mentor", f"help-mentor:{request.id}:{request.mentor.id}",
                {"teacher": request.teacher.full_name}, _link(request))  # fmt: skip


def step_added(step: RouteStep) -> None:
    request = step.request
    notify_once(request.teacher_id, "help-step", f"help-step:{step.id}", {"title": step.title},
                _link(request))  # fmt: skip


def step_done(step: RouteStep) -> None:
    request = step.request
    if request.mentor_id is not None:
        notify_once(request.mentor_id, "help-step-done", f"help-step-done:{step.id}",
                    {"teacher": request.teacher.full_name, "title": step.title}, _link(request))  # fmt: skip


def step_confirmed(step: RouteStep) -> None:
    request = step.request
    notify_once(request.teacher_id, "help-step-confirmed", f"help-step-confirmed:{step.id}",
                {"title": step.title}, _link(request))  # fmt: skip


def ended(request: HelpRequest) -> None:
    assert request.result is not None
    link = path_for("methodics.feedback", help_id=request.id) + "#give-feedback"
    notify_once(request.teacher_id, "help-ended", f"help-ended:{request.id}",
                {"result": request.result.value}, link)  # fmt: skip


def feedback_given(request: HelpRequest) -> None:
    if request.mentor_id is not None:
        notify_once(request.mentor_id, "help-feedback", f"help-feedback:{request.id}",
                    {"teacher": request.teacher.full_name}, _link(request))  # fmt: skip
