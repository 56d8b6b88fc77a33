"""The notification list and the unread count in the header."""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from intersession.core.forms import ButtonForm
from intersession.core.fragments import remembered
from intersession.notifications import services

bp = Blueprint("notifications", __name__, template_folder="templates")


def init_notifications(app: Flask) -> None:
    @app.context_processor
    def unread() -> dict[str, object]:
        if not current_user.is_authenticated:
            return {}
        user_id = current_user.id
        # Kept until the notification table changes: every page shows the count.
        count = remembered(
            ("unread", user_id), lambda: (services.unread_count(user_id), None), own_reads=True
        )
        return {"unread_notifications": count}


@bp.get("/notifications")
@login_required
def notifications() -> ResponseReturnValue:
    items = services.recent(current_user.id)
    return render_template(
        "notifications/list.html", items=items, text_of=services.text_of, form=ButtonForm()
    )


@bp.post("/notifications/read")
@login_required
def mark_read() -> ResponseReturnValue:
    if ButtonForm().validate_on_submit():
        services.mark_all_read(current_user.id)
    return redirect(url_for("notifications.notifications"))
