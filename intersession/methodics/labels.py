"""The words for the formats, states, results and deficit kinds of methodical help."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from intersession.methodics.bank_models import ResourceKind, ResourceState
from intersession.methodics.events_models import EventFormat
from intersession.methodics.models import DeficitKind, Format, HelpState, RouteResult

FORMAT_LABELS = {
    Format.LECTURE: _l("lecture"),
    Format.PRACTICUM: _l("practicum"),
    Format.TRAINING: _l("training"),
    Format.MASTER_CLASS: _l("master class"),
    Format.METHODICAL_SESSION: _l("methodical session"),
    Format.CONSULTING: _l("consultation"),
    Format.MENTORING: _l("mentoring"),
    Format.MENTORING_HOUR: _l("mentoring hour"),
}
STATE_LABELS = {
    HelpState.SENT: _l("waiting for the diagnosis"),
    HelpState.IN_ROUTE: _l("on the route"),
    HelpState.ENDED: _l("route ended"),
    HelpState.WITHDRAWN: _l("taken back"),
}
RESULT_LABELS = {
    RouteResult.CLOSED: _l("the deficit is closed"),
    RouteResult.PARTLY: _l("closed in part"),
    RouteResult.NOT_CLOSED: _l("not closed"),
}
DEFICIT_LABELS = {
    DeficitKind.SUBJECT: _l("in the subject"),
    DeficitKind.METHODICAL: _l("methodical"),
}

RESOURCE_KIND_LABELS = {
    ResourceKind.LESSON_PLAN: _l("lesson plan"),
    ResourceKind.SITUATIONAL_TASK: _l("situational task"),
    ResourceKind.PRESENTATION: _l("presentation"),
    ResourceKind.OPEN_LESSON: _l("open lesson"),
    ResourceKind.METHODICAL_GUIDE: _l("methodical guide"),
    ResourceKind.OTHER: _l("other material"),
}
RESOURCE_STATE_LABELS = {
    ResourceState.SUBMITTED: _l("waiting for review"),
    ResourceState.PUBLISHED: _l("published"),
    ResourceState.RETURNED: _l("returned to the author"),
}

EVENT_FORMAT_LABELS = {
    EventFormat.SEMINAR: _l("seminar"),
    EventFormat.WEBINAR: _l("webinar"),
    EventFormat.MASTER_CLASS: _l("master class"),
    EventFormat.MENTORING_HOUR: _l("mentoring hour"),
    EventFormat.CONFERENCE: _l("online conference"),
    EventFormat.OPEN_LESSON: _l("open lesson"),
}


def labels() -> dict[str, object]:
    return {"format_labels": FORMAT_LABELS, "help_state_labels": STATE_LABELS,
            "route_result_labels": RESULT_LABELS, "deficit_labels": DEFICIT_LABELS,
            "resource_kind_labels": RESOURCE_KIND_LABELS,
            "resource_state_labels": RESOURCE_STATE_LABELS,
            "event_format_labels": EVENT_FORMAT_LABELS}  # fmt: skip
