"""Methodical support pages: requests for help and their routes, the hub's methodical service."""

from flask import Blueprint

from intersession.methodics.labels import labels

bp = Blueprint("methodics", __name__, template_folder="../templates", url_prefix="/support")
bp.context_processor(labels)

from intersession.methodics.views import (  # noqa: E402, F401
    bank,
    card,
    communities,
    events,
    needs,
    report,
    requests,
    service,
    steps,
)
