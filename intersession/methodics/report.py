"""The methodologist's report for a period: teachers' needs by theme, requests and routes by state
and result, the steps done by form, the resource bank's growth and use; as tables that the page,
the PDF and the workbook share."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from intersession.core.db import db, utcnow
from intersession.lessons.models import Lesson, LessonState, Presence
from intersession.methodics.bank_models import Resource, ResourceState
from intersession.methodics.community_models import Community, Thread
from intersession.methodics.events_models import EventFormat, TeacherEvent
from intersession.methodics.labels import (
    EVENT_FORMAT_LABELS,
    FORMAT_LABELS,
    RESULT_LABELS,
    STATE_LABELS,
)
from intersession.methodics.models import (
    HelpRequest,
    HelpState,
    NeedsResponse,
    NeedsSurvey,
    RouteResult,
)


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list[object]]


def _bounds(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(first, time()).replace(tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time()).replace(tzinfo=zone).astimezone(UTC)
    return start, end


def _within(moment: datetime | None, start: datetime, end: datetime) -> bool:
    return moment is not None and start <= moment < end


def _events_table(hub_id: int, start: datetime, end: datetime) -> Table:
    """Events held in the period (begun, not cancelled), by form: how many, places taken, attended."""
    held = list(db.session.scalars(
        select(TeacherEvent).join(TeacherEvent.lesson).where(
            TeacherEvent.hub_id == hub_id, Lesson.state == LessonState.SCHEDULED,
            Lesson.starts_at >= start, Lesson.starts_at < min(end, utcnow()))))  # fmt: skip
    rows: list[list[object]] = []
    for form in EventFormat:
        mine = [e for e in held if e.format is form]
        if not mine:
            continue
        places = [r for e in mine for r in e.lesson.register]
        came = [
            r
            for r in places
            if (r.confirmed_status or r.status) in (Presence.PRESENT, Presence.PARTLY)
        ]
        rows.append([str(EVENT_FORMAT_LABELS[form]), len(mine), len(places), len(came)])
    return Table(_("Events for teachers held in the period"),
                 [_("Format"), _("Events"), _("Teachers registered"), _("Teachers who attended")], rows)  # fmt: skip


def _community_table(hub_id: int, start: datetime, end: datetime) -> Table:
    found = list(db.session.scalars(select(Community).where(Community.hub_id == hub_id)))
    threads = [
        t
        for c in found
        for t in db.session.scalars(select(Thread).where(Thread.community_id == c.id))
    ]
    posts = [p for t in threads for p in t.posts if _within(p.created_at, start, end)]
    results = [g for c in found for g in c.groups if _within(g.result_at, start, end)]
    return Table(_("Professional communities"), [_("Figure"), _("Value")], [
        [_("Communities"), len(found)],
        [_("Creative groups"), sum(len(c.groups) for c in found)],
        [_("Groups' results recorded in the period"), len(results)],
        [_("Messages in the discussions in the period"), len(posts)],
    ])  # fmt: skip


def build_report(hub_id: int, first: date, last: date, zone: ZoneInfo) -> list[Table]:
    start, end = _bounds(first, last, zone)
    answers = list(db.session.scalars(
        select(NeedsResponse).join(NeedsSurvey).where(NeedsSurvey.hub_id == hub_id,
                                                      NeedsResponse.answered_at >= start,
                                                      NeedsResponse.answered_at < end)))  # fmt: skip
    themes = Counter(t.title for a in answers for t in a.themes)
    requests = list(db.session.scalars(select(HelpRequest).where(HelpRequest.hub_id == hub_id)))
    asked = [r for r in requests if _within(r.created_at, start, end)]
    ended = [r for r in requests if r.state is HelpState.ENDED and _within(r.ended_at, start, end)]
    marks = [r.usefulness for r in ended if r.usefulness is not None]
    steps = [s for r in requests for s in r.steps if _within(s.confirmed_at, start, end)]
    by_form = Counter(s.format for s in steps)
    resources = list(db.session.scalars(select(Resource).where(Resource.hub_id == hub_id)))
    added = [r for r in resources if _within(r.created_at, start, end)]
    published = [r for r in resources if _within(r.published_at, start, end)]
    live = [r for r in resources if r.state is ResourceState.PUBLISHED]

    count = _("Teachers")
    tables = [
        Table(_("Needs by methodical theme"), [_("Methodical theme"), count],
              [[title, n] for title, n in themes.most_common()]),
        Table(_("Requests for help asked in the period, by their state now"), [_("Status"), _("Requests for help")],
              [[str(STATE_LABELS[s]), sum(1 for r in asked if r.state is s)] for s in HelpState]),
        Table(_("Routes ended in the period, by result"), [_("Result"), _("Route")],
              [[str(RESULT_LABELS[res]), sum(1 for r in ended if r.result is res)] for res in RouteResult]),
        Table(_("Steps confirmed in the period, by form"), [_("Format"), _("Steps")],
              [[str(FORMAT_LABELS[f]), n] for f, n in by_form.most_common()]),
        Table(_("Resource bank"), [_("Figure"), _("Value")], [
            [_("Materials sent in the period"), len(added)],
            [_("Materials published in the period"), len(published)],
            [_("Materials in the bank now"), len(live)],
            [_("Downloads of the materials in the bank, all time"), sum(r.downloads for r in live)],
        ]),
        _events_table(hub_id, start, end),
        _community_table(hub_id, start, end),
        Table(_("Teachers' feedback on the routes"), [_("Figure"), _("Value")], [
            [_("Routes with feedback"), len(marks)],
            [_("Average usefulness, of 5"), format_decimal(sum(marks) / len(marks), "0.0") if marks else "—"],
        ]),
    ]  # fmt: skip
    return tables
