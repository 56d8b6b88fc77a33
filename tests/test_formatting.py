"""The per-request formatter agrees with Flask-Babel's, follows a forced locale, and escapes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import flask_babel
import pytest
from flask import Flask, render_template_string

from intersession.core import formatting

MOMENT = datetime(2026, 11, 23, 5, 7, tzinfo=UTC)


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_the_same_text_as_flask_babel(app: Flask, language: str) -> None:
    with app.test_request_context("/", headers={"Accept-Language": language}):
        for pattern in (None, "d MMMM, HH:mm", "short", "d MMM yyyy"):
            assert formatting.format_datetime(MOMENT, pattern) == flask_babel.format_datetime(
                MOMENT, pattern
            )
        naive = MOMENT.replace(tzinfo=None)  # naive values are UTC in both
        assert formatting.format_datetime(naive, "HH:mm") == flask_babel.format_datetime(
            naive, "HH:mm"
        )
        assert formatting.format_date(MOMENT, "d MMMM") == flask_babel.format_date(MOMENT, "d MMMM")
        assert formatting.format_date(date(2026, 3, 8)) == flask_babel.format_date(date(2026, 3, 8))
        assert formatting.format_time(MOMENT, "HH:mm") == flask_babel.format_time(MOMENT, "HH:mm")
        for number in (Decimal("4.00"), Decimal("7.5"), 1234567, 0.25):
            assert formatting.format_decimal(number) == flask_babel.format_decimal(number)
        assert formatting.format_percent(0.875) == flask_babel.format_percent(0.875)
        assert formatting.gettext("Work") == flask_babel.gettext("Work")


def test_a_forced_locale_is_followed_within_the_request(app: Flask) -> None:
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string("{{ _('Work') }}") == "Work"
        english = formatting.format_datetime(MOMENT, "d MMMM")
        with flask_babel.force_locale("ru"):
            assert render_template_string("{{ _('Work') }}") == "Работы"
            assert formatting.format_datetime(MOMENT, "d MMMM") != english
            assert "ноября" in formatting.format_datetime(MOMENT, "d MMMM")
        assert render_template_string("{{ _('Work') }}") == "Work"


def test_template_words_are_escaped_with_their_values(app: Flask) -> None:
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        page = render_template_string("{{ _('Due %(when)s', when=x) }}", x="<script>")
    assert "<script>" not in page and "&lt;script&gt;" in page
