"""The person's calendar address page and the feed itself."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from intersession.core.forms import ButtonForm
from intersession.lessons import feeds
from intersession.lessons.views import bp


@bp.route("/calendar-feed", methods=["GET", "POST"])
@login_required
def calendar_feed() -> ResponseReturnValue:
    """Create, renew or revoke one's secret calendar address; a new one is shown once."""
    form = ButtonForm()
    address = None
    if form.validate_on_submit():
        if request.form.get("action") == "revoke":
            feeds.revoke_feed(current_user)
            flash(_("The calendar address no longer works."), "success")
            return redirect(url_for("lessons.calendar_feed"))
        token = feeds.renew_feed(current_user)
        address = url_for("lessons.ical", token=token, _external=True)
    page = render_template(
        "lessons/calendar_feed.html",
        form=form,
        address=address,
        active=feeds.has_feed(current_user),
    )
    return page, 200, {"Cache-Control": "no-store"}


@bp.get("/ical/<token>.ics")
def ical(token: str) -> ResponseReturnValue:
    """No sign-in: the secret address is the key. An unknown or revoked one answers 404."""
    owner = feeds.feed_owner(token)
    if owner is None:
        abort(404)
    lesson_url = url_for("lessons.lesson", lesson_id=0, _external=True).replace("/0", "/{id}")
    body = feeds.build_calendar(owner, lesson_url, f"Intersession — {owner.full_name}")
    return Response(
        body, mimetype="text/calendar", headers={"Cache-Control": "private, max-age=300"}
    )
