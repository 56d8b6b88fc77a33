"""The hub's readiness rules, and how a pupil's figures meet them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from intersession.auth.models import User
from intersession.core.db import db
from intersession.lessons.models import AbsenceReason
from intersession.reports.figures import Attendance, Work, WorkState
from intersession.reports.models import (
    DEFAULT_EXCUSED,
    DEFAULT_MIN_ATTENDANCE,
    DEFAULT_MIN_AVERAGE,
    ReadinessRules,
)


def rules_of(hub_id: int) -> ReadinessRules:
    """The hub's rules, or the defaults (not saved) when its coordinator has not set any."""
    found = db.session.scalar(select(ReadinessRules).where(ReadinessRules.hub_id == hub_id))
    return found or ReadinessRules(
        hub_id=hub_id,
        min_attendance=DEFAULT_MIN_ATTENDANCE,
        count_caught_up=True,
        excused_reasons=DEFAULT_EXCUSED,
        no_missing_work=True,
        min_average=DEFAULT_MIN_AVERAGE,
    )


def excused_of(rules: ReadinessRules) -> frozenset[AbsenceReason]:
    return frozenset(AbsenceReason(r) for r in rules.excused_reasons.split(",") if r)


@dataclass(frozen=True)
class RulesPlan:
    min_attendance: int
    count_caught_up: bool
    excused: frozenset[AbsenceReason]
    no_missing_work: bool
    min_average: Decimal | None


def set_rules(coordinator: User, plan: RulesPlan) -> ReadinessRules:
    """Save the hub's rules; reports already built keep the rules they were built with."""
    rules = rules_of(coordinator.hub_id)
    rules.min_attendance = plan.min_attendance
    rules.count_caught_up = plan.count_caught_up
    rules.excused_reasons = ",".join(r.value for r in AbsenceReason if r in plan.excused)
    rules.no_missing_work = plan.no_missing_work
    rules.min_average = plan.min_average
    db.session.add(rules)
    db.session.commit()
    return rules


def rules_snapshot(rules: ReadinessRules) -> dict[str, object]:
    return {
        "min_attendance": rules.min_attendance,
        "count_caught_up": rules.count_caught_up,
        "excused": sorted(r.value for r in excused_of(rules)),
        "no_missing_work": rules.no_missing_work,
        "min_average": None if rules.min_average is None else str(rules.min_average),
    }


def reasons_not_ready(
    rules: ReadinessRules, attendance: Attendance, work: Work
) -> list[dict[str, object]]:
    """Why the pupil is not ready, one item per rule not met (empty: ready), as codes and
    figures for the page to put in words in its own language. A rule without anything to judge
    (no lesson held, nothing graded) is not failed."""
    reasons: list[dict[str, object]] = []
    rate = attendance.rate(excused_of(rules), rules.count_caught_up)
    # Compared in whole hundredths of a percent: 7 of 10 is exactly 70%, not 69.999…
    if rate is not None and round(rate * 10000) < rules.min_attendance * 100:
        reasons.append({"code": "attendance", "rate": round(rate, 4), "min": rules.min_attendance})
    if rules.no_missing_work:
        missing = [r.title for r in work.rows if r.state is WorkState.MISSING]
        if missing:
            reasons.append({"code": "missing", "count": len(missing), "titles": missing})
    average = work.average()
    if rules.min_average is not None and average is not None and average < rules.min_average:
        reasons.append({"code": "average", "average": str(average), "min": str(rules.min_average)})
    return reasons
