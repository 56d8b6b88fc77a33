"""Lesson pages: the calendar, scheduling, a lesson with its register."""

from flask import Blueprint

bp = Blueprint("lessons", __name__, template_folder="../templates")

from intersession.lessons.views import (  # noqa: E402, F401
    calendar,
    consultations,
    feeds,
    lessons,
    materials,
    register,
    reports,
)
