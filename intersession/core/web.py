"""Request-wide pieces: error pages, security headers, template helpers, safe redirects."""

from __future__ import annotations

from typing import cast
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, render_template, request, session
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException

from intersession.core.formatting import (
    format_date,
    format_datetime,
    format_decimal,
    format_percent,
    format_seconds,
    format_time,
    format_zone,
)
from intersession.core.fragments import Kept, fragment_store, render_partial
from intersession.core.kazakh import with_case


def is_local_path(target: str | None) -> bool:
    """Only paths on this site: no scheme, no host, no protocol-relative or backslash tricks, and
    nothing a Location header cannot carry (CR/LF, other controls, spaces)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if not target.isprintable() or " " in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def _error_page(status: int, title: str, message: str) -> ResponseReturnValue:
    wants_json = request.accept_mimetypes.best == "application/json" or request.is_json
    if wants_json or request.path.startswith("/api/"):
        return {"error": message}, status
    return render_template("error.html", status=status, title=title, message=message), status


def init_web(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        return _error_page(
            400,
            _("The form has expired"),
            _(
                "The page was open too long or was opened in another window. Go back, reload it and try again."
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        status = error.code or 500
        messages = {
            400: (_("Bad request"), _("The request could not be understood.")),
            500: (
                _("Something went wrong"),
                _("The error has been logged. Try again in a minute."),
            ),
            403: (_("Not allowed"), _("You may not do this.")),
            404: (_("Not found"), _("There is no such page, or it is not open to you.")),
            405: (_("Not allowed"), _("This address does not accept this kind of request.")),
            413: (
                _("File too large"),
                _(
                    "The file is larger than %(mb)d MB.",
                    mb=current_app.config["MAX_CONTENT_LENGTH"] // 2**20,
                ),
            ),
        }
        title, message = messages.get(status, (_("Error"), error.description or ""))
        if getattr(error, "user_message", None):
            message = str(error.user_message)  # type: ignore[attr-defined]
        return _error_page(status, title, message)

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        # CSP3 lets 'self' match ws:/wss: on the page's own host and port, so the live room's
        # socket needs nothing more and no other host can be reached from a page.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
            "connect-src 'self'; frame-ancestors 'none'",
        )
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if (
            request.endpoint != "static"
            and not getattr(response, "kept_in_browser", False)
            and (
                response.direct_passthrough  # a file (send_file), even through a signed link
                or "Cache-Control" not in response.headers
                or current_user.is_authenticated
            )
        ):
            _not_stored(response)
        return response

    # Globals, not context: macros see them too.
    app.jinja_env.globals.update(
        format_date=format_date,
        format_datetime=format_datetime,
        format_decimal=format_decimal,
        format_time=format_time,
        format_percent=format_percent,
        format_seconds=format_seconds,
        format_zone=format_zone,
        with_case=with_case,
        format_size=_format_size,
        language_names={"ru": "Русский", "kk": "Қазақша", "en": "English"},
        main_links=main_links,
        page_header=page_header,
    )

    @app.context_processor
    def template_locale() -> dict[str, object]:
        return {"current_locale": str(get_locale() or "ru")}


# The live room needs the camera, the microphone and screen sharing on our own pages; nothing
# else among the powerful features is used, so no page (nor anything framed in it) may ask for
# it. Autoplay and fullscreen keep their defaults: the room's videos and the player use them.
PERMISSIONS_POLICY = ", ".join(
    [f"{feature}=(self)" for feature in ("camera", "microphone", "display-capture")]
    + [
        f"{feature}=()"
        for feature in (
            "accelerometer", "gamepad", "geolocation", "gyroscope", "hid", "idle-detection",
            "magnetometer", "midi", "payment", "serial", "usb",
            "xr-spatial-tracking",
        )
    ]
)  # fmt: skip


def keep_in_browser(response: Response, seconds: int) -> Response:
    """A signed-in person's file the browser keeps, for this person only, and never asks again:
    a slide's picture, fetched once per lesson on a weak link (its address changes with it).
    Sign-out clears the browser's cache (Clear-Site-Data), so the next person at a shared
    computer does not find it."""
    response.headers["Cache-Control"] = f"private, max-age={seconds}, immutable"
    response.vary.add("Cookie")
    response.kept_in_browser = True  # type: ignore[attr-defined]
    return response


def _not_stored(response: Response) -> None:
    """Shared school computers: the next person at the browser must not find the last one's
    pages or files in its cache (or its back button). Everything but /static is affected: a
    signed-in person's pages and files always, and a signed-out page unless its view chose its own
    caching (the iCalendar feed a phone fetches with its secret address)."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"  # for HTTP/1.0 caches, which ignore Cache-Control
    response.vary.add("Cookie")


def main_links(role: str) -> Markup:
    """The header's links for a role: the same for everyone of that role in a language, so
    rendered once (a dozen links and words on every page were a tenth of a page's time)."""
    key = (role, str(get_locale()), request.script_root)
    kept: dict[tuple[str, str, str], Markup] = current_app.extensions.setdefault("main_links", {})
    html = kept.get(key)
    if html is None:
        html = kept[key] = Markup(render_template("_main_links.html", role=role))
    return html


_NEXT = "\x00next\x00"  # where each page's own path goes into a kept header


def page_header(next_path: str, unread: int) -> Markup:
    """The header: links, languages, bell and account menu. For a signed-in person it is the same
    on every page but for the path the language switch returns to, so it is rendered once per
    person, name, language, unread count and session (its forms carry the session's CSRF token)
    and kept; a header was a fifth of a kept page's time."""
    locale = str(get_locale())
    signed_in = current_user.is_authenticated
    raw_token = session.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    store = fragment_store()
    if not signed_in or raw_token is None or store is None:
        return _header(next_path, unread, locale)
    user = current_user
    key = ("header", user.id, user.full_name, user.role.value, locale, unread, raw_token,
           request.script_root)  # fmt: skip
    kept = store.get(key)
    if kept is None:
        html = str(_header(_NEXT, unread, locale))
        kept = Kept(tuple(html.split(_NEXT)), len(html), (), None)
        store.put(key, kept)
    # The parts are rendered HTML; only the path is new here, and it is escaped.
    return Markup(str(escape(next_path)).join(cast(tuple[str, ...], kept.value)))


def _header(next_path: str, unread: int, locale: str) -> Markup:
    user = current_user._get_current_object() if current_user.is_authenticated else None
    return render_partial(
        "_header.html", next_path=next_path, unread=unread, user=user, current_locale=locale
    )


def path_for(endpoint: str, **values: object) -> str:
    """The path of an endpoint, also outside a request (in a Celery task), where url_for cannot."""
    from flask import current_app

    return str(current_app.url_map.bind("localhost").build(endpoint, values))


def _format_size(size: int) -> str:
    """Bytes as a person reads them: 812 B, 45 KB, 3.2 MB."""
    if size < 1024:
        return _("%(n)s B", n=size)
    if size < 1024 * 1024:
        return _("%(n)s KB", n=format_decimal(round(size / 1024)))
    return _("%(n)s MB", n=format_decimal(round(size / 1024 / 1024, 1)))
