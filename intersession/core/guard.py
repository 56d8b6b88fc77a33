"""The door every request passes: text with control characters in it is refused before any view,
form or query sees it, with a 400 that says what is wrong."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, request
from flask_babel import lazy_gettext as _l
from flask_socketio import Namespace
from werkzeug.exceptions import BadRequest

from intersession.core.inputs import has_control, payload_is_clean


class UnusableInput(BadRequest):
    """A 400 whose message is shown to the person as it is."""

    def __init__(self, message: object) -> None:
        super().__init__()
        self.user_message = message


CONTROL_MESSAGE = _l(
    "The form contains invisible control characters (perhaps pasted from another program). "
    "Remove them, or type the text again, and send it once more."
)


def refuse_unusable_input() -> None:
    """Path, query arguments, form fields and their names, file names and JSON bodies."""
    texts = [request.path]
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            texts.extend((key, value))
    for key, upload in request.files.items(multi=True):
        texts.extend((key, upload.filename or ""))
    if any(has_control(text) for text in texts):
        raise UnusableInput(CONTROL_MESSAGE)
    if request.is_json and request.content_length:
        try:
            body = json.loads(request.get_data(cache=True))
        except ValueError:
            raise UnusableInput(_l("The request could not be understood.")) from None
        if not payload_is_clean(body):
            raise UnusableInput(CONTROL_MESSAGE)


def install_guard(app: Flask) -> None:
    from intersession.core.inputs import AppRequest, BoundedIntConverter

    app.request_class = AppRequest
    app.url_map.converters["int"] = BoundedIntConverter  # before any blueprint adds a route
    app.before_request(refuse_unusable_input)


class GuardedNamespace(Namespace):
    """The base of every Socket.IO namespace: an event whose payload has control characters,
    numbers past the database's range or absurd nesting is answered `bad-request` before any
    handler sees it (the same rule as the request hook above)."""

    def trigger_event(self, event: str, *args: Any) -> Any:
        if event not in ("connect", "disconnect") and not payload_is_clean(list(args[1:])):
            return {"error": "bad-request"}
        return super().trigger_event(event, *args)
