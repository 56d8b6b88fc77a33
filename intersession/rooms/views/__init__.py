"""Lesson pages: the calendar, scheduling, a lesson with its register."""

from flask import Blueprint

bp = Blueprint("rooms", __name__, template_folder="../templates")

from intersession.rooms.views import calendar, consultations, feeds, lessons, register, reports  # noqa: E402, F401
