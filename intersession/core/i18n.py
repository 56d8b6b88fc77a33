"""Language and time zone of the request: the person's choice, else the browser's."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # a task or a command: the caller forces a locale if it matters
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    if current_user.is_authenticated and current_user.language:
        return str(current_user.language.value)
    chosen = session.get("language")
    if chosen in languages:
        return str(chosen)
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def select_timezone() -> str:
    if has_request_context() and current_user and current_user.is_authenticated:
        return str(current_user.school.timezone)
    return str(current_app.config["BABEL_DEFAULT_TIMEZONE"])
