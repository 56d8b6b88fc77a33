"""Report pages: the session-readiness reports, a pupil's progress, the hub's readiness rules."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from intersession.auth.models import Role, User
from intersession.core.access import get_visible_or_404
from intersession.core.db import db, utcnow
from intersession.core.documents import pdf_download, table_document
from intersession.core.errors import DomainError
from intersession.core.forms import ButtonForm, apply
from intersession.core.fragments import fragment, render_partial
from intersession.core.mail import mail_enabled
from intersession.core.spreadsheets import xlsx_download, xlsx_response
from intersession.lessons.labels import PRESENCE_LABELS, REASON_LABELS
from intersession.lessons.models import AbsenceReason, Presence
from intersession.reports import charts, digests, readiness
from intersession.reports.coverage import PlanCoverage, plan_coverage
from intersession.reports.figures import WorkState
from intersession.reports.forms import MailForm, RulesForm
from intersession.reports.labels import (
    COVERED_LABELS,
    READINESS_TITLES,
    WORK_STATE_LABELS,
    ready_label,
    reason_text,
)
from intersession.reports.progress import (
    Span,
    can_view_progress,
    current_window,
    progress_of,
    year_of,
)
from intersession.reports.rules import RulesPlan, excused_of, rules_of, set_rules
from intersession.reports.scope import can_view_readiness, narrowed, part_for
from intersession.reports.tasks import mail_readiness
from intersession.schools.labels import SESSION_LABELS
from intersession.schools.models import (
    AcademicYear,
    Cohort,
    School,
    Subject,
    TeachingAssignment,
    YearSession,
)

bp = Blueprint("reports", __name__, template_folder="templates", url_prefix="/reports")
# The figures of the progress page that lead to their rows (anything else shows every row).
FIGURES = frozenset({"held", "present", "partly", "absent", "excused", "caught_up", "unmarked",
                     "given", "sent", "late", "missing", "graded"})  # fmt: skip
KEPT_AT_MOST = timedelta(minutes=5)


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {"covered_labels": COVERED_LABELS, "work_state_labels": WORK_STATE_LABELS,
            "ready_label": ready_label, "reason_text": reason_text, "presence": Presence,
            "presence_labels": PRESENCE_LABELS, "work_state": WorkState,
            "reason_labels": REASON_LABELS, "session_labels": SESSION_LABELS}  # fmt: skip


def _staff() -> None:
    if current_user.role not in (Role.COORDINATOR, Role.TUTOR, Role.ADVISOR):
        abort(404)


def _session(session_id: int) -> YearSession:
    return get_visible_or_404(
        YearSession, session_id, lambda s: can_view_readiness(current_user, s)
    )


def _title(session: YearSession) -> str:
    return str(READINESS_TITLES[session.kind])


@bp.get("/readiness")
@login_required
def readiness_list() -> ResponseReturnValue:
    """The hub's sessions of this year and the next, each with its report's state."""
    _staff()
    hub = db.session.get_one(School, current_user.hub_id)
    today = readiness.hub_today(hub)
    years = db.session.scalars(
        select(AcademicYear)
        .where(AcademicYear.hub_id == hub.id, AcademicYear.ends_on >= today)
        .options(selectinload(AcademicYear.sessions))
        .order_by(AcademicYear.starts_on)
    ).all()
    sessions = [
        (s, readiness.builds_of(s, 1), readiness.why_not_buildable(s, today))
        for year in years for s in year.sessions
    ]  # fmt: skip
    return render_template("reports/readiness_list.html", sessions=sessions, today=today,
                           available_from=readiness.available_from, form=ButtonForm())  # fmt: skip


@bp.get("/readiness/<int:session_id>")
@login_required
def readiness_page(session_id: int) -> ResponseReturnValue:
    session = _session(session_id)
    builds = readiness.builds_of(session, 2)
    hub = readiness.hub_of(session)
    refusal = readiness.why_not_buildable(session, readiness.hub_today(hub))
    if not builds:
        return render_template("reports/readiness.html", session=session, title=_title(session),
                               report=None, refusal=refusal, form=ButtonForm())  # fmt: skip
    content = json.loads(builds[0].content)
    before = json.loads(builds[1].content) if len(builds) > 1 else None
    part = part_for(current_user, content)
    school_id = request.args.get("school", type=int)
    cohort_id = request.args.get("cohort", type=int)
    shown = narrowed(part, school_id, cohort_id)
    visible = {p["id"] for p in part.pupils}
    changed = [c for c in readiness.changes(before, content) if c.pupil_id in visible]
    return render_template(
        "reports/readiness.html", session=session, title=_title(session), report=builds[0],
        part=part, shown=shown, school_id=school_id, cohort_id=cohort_id, changed=changed,
        filters={k: v for k, v in (("school", school_id), ("cohort", cohort_id)) if v},
        charts=[charts.readiness_by_school(shown), charts.work_by_cohort(shown),
                charts.attendance_by_week(shown)],
        previous=builds[1] if len(builds) > 1 else None, refusal=refusal, form=ButtonForm(),
        excused=[str(REASON_LABELS[AbsenceReason(r)]) for r in part.rules.get("excused", [])],
    )  # fmt: skip


@bp.post("/readiness/<int:session_id>/build")
@login_required
def build_readiness(session_id: int) -> ResponseReturnValue:
    session = _session(session_id)
    if current_user.role is not Role.COORDINATOR:
        abort(403)
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        report = readiness.build_report(session, current_user)
    except DomainError as error:
        flash(error.message, "error")
    else:
        mail_readiness.delay(report.id)
        flash(_("The report is made."), "success")
    return redirect(url_for(".readiness_page", session_id=session.id))


@bp.get("/readiness/<int:session_id>/export.<any(xlsx, pdf):kind>")
@login_required
def readiness_export(session_id: int, kind: str) -> ResponseReturnValue:
    from intersession.reports.exports import readiness_pdf, readiness_xlsx

    session = _session(session_id)
    builds = readiness.builds_of(session, 1)
    if not builds:
        abort(404)
    part = narrowed(part_for(current_user, json.loads(builds[0].content)),
                    request.args.get("school", type=int), request.args.get("cohort", type=int))  # fmt: skip
    name = f"readiness-{session.year.name}-{session.kind.value}".replace("/", "-")
    name = "".join(c for c in name if c.isascii() and (c.isalnum() or c in "-_")) or "readiness"
    if kind == "xlsx":
        return xlsx_download(readiness_xlsx(part), f"{name}.xlsx")
    hub = readiness.hub_of(session)
    built = builds[0].built_at.astimezone(readiness.zone_of(hub)).date()
    return pdf_download(readiness_pdf(part, _title(session), hub.name, built), f"{name}.pdf")


@bp.get("/progress")
@login_required
def my_progress() -> ResponseReturnValue:
    if current_user.role is not Role.PUPIL:
        return redirect(url_for("schools.people"))
    return redirect(url_for(".progress_page", pupil_id=current_user.id))


@bp.get("/progress/<int:pupil_id>")
@login_required
def progress_page(pupil_id: int) -> ResponseReturnValue:
    pupil = get_visible_or_404(User, pupil_id, lambda p: can_view_progress(current_user, p))
    try:
        span = Span(request.args.get("span", Span.WINDOW.value))
    except ValueError:
        span = Span.WINDOW
    show = request.args.get("show", "")
    show = show if show in FIGURES else ""
    hub = db.session.get_one(School, pupil.hub_id)
    today = readiness.hub_today(hub)

    def body() -> tuple[Markup, datetime | None]:
        found = db.session.get_one(User, pupil_id)
        progress = progress_of(found, span, today)
        html = render_partial(
            "reports/_progress.html", pupil=found, progress=progress, span=span, show=show,
            **_labels(),
        )  # fmt: skip
        # The figures move by themselves when a piece of work passes its cut-off or a lesson
        # begins: kept until the next cut-off, and never longer than a few minutes.
        now = utcnow()
        until = now + KEPT_AT_MOST
        if progress is not None:
            coming = [r.closes_at for r in progress.work.rows if r.closes_at > now]
            until = min([until, *coming])
        return html, until

    # One fragment per pupil, period, figure and day, the same for everyone who may see it.
    kept = fragment(("progress", pupil_id, span.value, show, today.isoformat()), body)
    return render_template("reports/progress.html", pupil=pupil, body=kept)


@bp.get("/progress/<int:pupil_id>/export.<any(xlsx, pdf):kind>")
@login_required
def progress_export(pupil_id: int, kind: str) -> ResponseReturnValue:
    from intersession.reports.exports import progress_pdf, progress_xlsx

    pupil = get_visible_or_404(User, pupil_id, lambda p: can_view_progress(current_user, p))
    try:
        span = Span(request.args.get("span", Span.WINDOW.value))
    except ValueError:
        span = Span.WINDOW
    hub = db.session.get_one(School, pupil.hub_id)
    today = readiness.hub_today(hub)
    progress = progress_of(pupil, span, today)
    if progress is None:
        abort(404)
    name = f"progress-{pupil.id}-{span.value}"
    if kind == "xlsx":
        return xlsx_download(progress_xlsx(progress), f"{name}.xlsx")
    return pdf_download(progress_pdf(progress, hub.name, today), f"{name}.pdf")


@bp.route("/rules", methods=["GET", "POST"])
@login_required
def rules_page() -> ResponseReturnValue:
    if current_user.role is not Role.COORDINATOR:
        abort(404)
    rules = rules_of(current_user.hub_id)
    form = RulesForm(obj=rules)
    if request.method == "GET":
        form.excused.data = [r.value for r in excused_of(rules)]
    if form.validate_on_submit():
        plan = RulesPlan(
            min_attendance=form.min_attendance.data or 0,
            count_caught_up=bool(form.count_caught_up.data),
            excused=frozenset(AbsenceReason(r) for r in form.excused.data or []),
            no_missing_work=bool(form.no_missing_work.data),
            min_average=form.min_average.data,
        )
        if apply(form, lambda: set_rules(current_user, plan),
                 _("The rules are saved. Reports made from now on follow them.")):  # fmt: skip
            return redirect(url_for(".readiness_list"))
    return render_template("reports/rules.html", form=form), 400 if form.errors else 200


def _plan_choices() -> list[tuple[int, str, int]]:
    """(subject id, subject, grade) the viewer may see the plan coverage of."""
    hub_id = current_user.hub_id
    query = (
        select(Subject.id, Subject.name, Cohort.grade)
        .join(TeachingAssignment, TeachingAssignment.subject_id == Subject.id)
        .join(Cohort, Cohort.id == TeachingAssignment.cohort_id)
        .where(Subject.hub_id == hub_id)
        .distinct()
    )
    if current_user.role is Role.ADVISOR:
        query = query.where(TeachingAssignment.advisor_id == current_user.id)
    return sorted(((s, n, g) for s, n, g in db.session.execute(query)), key=lambda c: (c[1], c[2]))


@dataclass
class CoverageView:
    choices: list[tuple[int, str, int]]
    chosen: tuple[int, str, int] | None
    span: Span
    coverage: PlanCoverage | None = None
    schools: list[School] = field(default_factory=list)
    period: tuple[date, date] | None = None


def _coverage_view() -> CoverageView:
    _staff()
    hub = db.session.get_one(School, current_user.hub_id)
    today = readiness.hub_today(hub)
    year = year_of(hub, today)
    choices = _plan_choices()
    asked = request.args.get("plan", "")  # "<subject id>-<grade>", as the page's options are
    chosen = next((c for c in choices if f"{c[0]}-{c[2]}" == asked), None)
    chosen = chosen or (choices[0] if choices else None)
    try:
        span = Span(request.args.get("span", Span.WINDOW.value))
    except ValueError:
        span = Span.WINDOW
    view = CoverageView(choices, chosen, span)
    if year is not None and chosen is not None:
        window = current_window(year, today) if span is Span.WINDOW else None
        view.period = (
            (window.starts_on, window.ends_on) if window else (year.starts_on, year.ends_on)
        )
        view.coverage = plan_coverage(year, chosen[0], chosen[2], *view.period)
        shown = set(view.coverage.pupils)
        if current_user.role is Role.TUTOR:
            shown &= {current_user.school_id}
        view.schools = sorted(db.session.scalars(select(School).where(School.id.in_(shown))),
                              key=lambda s: s.name)  # fmt: skip
    return view


@bp.get("/coverage")
@login_required
def coverage_page() -> ResponseReturnValue:
    """The plan's topics against the lessons, per subject and grade: the hub's view and each
    magnet school's (how many of its pupils took part)."""
    view = _coverage_view()
    return render_template("reports/coverage.html", choices=view.choices, chosen=view.chosen,
                           span=view.span, coverage=view.coverage, schools=view.schools,
                           period=view.period)  # fmt: skip


@bp.get("/coverage/export.<any(xlsx, pdf):kind>")
@login_required
def coverage_export(kind: str) -> ResponseReturnValue:
    view = _coverage_view()
    if view.coverage is None or view.chosen is None or view.period is None:
        abort(404)
    coverage = view.coverage
    header = [_("Week"), _("Topic"), _("In the hub"), *(s.name for s in view.schools)]
    rows: list[list[object]] = []
    for row in coverage.rows:
        held = row.state.value in ("held", "recorded")
        rows.append([row.week, row.title, str(COVERED_LABELS[row.state.value]), *(
            _("%(sent)d of %(given)d", sent=row.reached.get(s.id, 0), given=coverage.pupils.get(s.id, 0))
            if held else "—" for s in view.schools)])  # fmt: skip
    name = f"coverage-{view.chosen[0]}-{view.chosen[2]}-{view.span.value}"
    title = f"{_('Plan coverage')}: {view.chosen[1]}, {_('grade %(n)s', n=view.chosen[2])}"
    if kind == "xlsx":
        return xlsx_response([header, *rows], f"{name}.xlsx", _("Plan coverage"),
                             (8, 50, 18, *(16 for _s in view.schools)))  # fmt: skip
    hub = db.session.get_one(School, current_user.hub_id)
    first, last = view.period
    widths = (12, 110, 35, *(max(20, 120 // max(len(view.schools), 1)) for _s in view.schools))
    return pdf_download(table_document(
        title, f"{hub.name} · {title} · {format_date(readiness.hub_today(hub), 'long')}",
        _("Page %(page)s of %(pages)s"), header, [[str(c) for c in r] for r in rows], widths,
        subtitle=f"{format_date(first, 'long')} – {format_date(last, 'long')}",
    ), f"{name}.pdf")  # fmt: skip


@bp.route("/mail", methods=["GET", "POST"])
@login_required
def mail_page() -> ResponseReturnValue:
    """A person's choice about e-mail digests (and the readiness report, for coordinators)."""
    _staff()
    form = MailForm()
    if request.method == "GET":
        form.digests.data = digests.wants_digests(current_user) or not current_user.email
    if form.validate_on_submit():
        digests.set_digests(current_user, bool(form.digests.data))
        flash(_("Saved.") if form.digests.data else _("Saved: no more letters."), "success")
        return redirect(url_for(".mail_page"))
    return render_template("reports/mail.html", form=form, enabled=mail_enabled()), (
        400 if form.errors else 200
    )


# The workbook of every pupil's progress: its pages live beside (registered on this blueprint).
from intersession.reports import export_views  # noqa: E402, F401
