"""Which instance answered: an X-Intersession-Instance header on every response when named.

A WSGI middleware rather than an after_request hook, so the Socket.IO transport's responses (which
never reach Flask's hooks) say it too: behind nginx an operator, and the scaled tests, can see
where each request and each socket landed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

HEADER = "X-Intersession-Instance"


class InstanceHeader:
    def __init__(self, app: WSGIApplication, name: str) -> None:
        self.app = app
        self.name = name

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        def named(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            return start_response(status, [*headers, (HEADER, self.name)], *args)

        return self.app(environ, named)
