"""The polls' blueprint: no pages of its own (a poll is shown in the room and on the lesson's
page), only the templates those pages include."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("polls", __name__, template_folder="templates")
