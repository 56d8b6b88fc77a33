"""Charts of a readiness report, drawn on the server as SVG shapes, each with its figures as a
table beside it: readiness per school, work per cohort, attendance per week per school."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_date, format_percent
from flask_babel import gettext as _

from intersession.reports.labels import ready_label
from intersession.reports.scope import Part

WIDTH = 640
LABELS = 200  # the bars' label column
LABEL_CHARS = 21  # what fits in it; the full name is in the table beside the chart
ROW = 30
PLOT = (60, 20, 620, 200)  # a line chart's plot box: left, top, right, bottom


@dataclass
class Shape:
    kind: str  # "rect", "line", "polyline", "circle", "text"
    cls: str
    attrs: dict[str, object]
    text: str = ""


@dataclass
class Chart:
    id: str
    title: str
    series: list[str]  # names, in the order of the classes s0, s1, … (or l0, l1, …)
    categories: list[str]
    values: list[list[str]]  # the table: per category, per series, as shown
    height: int
    shapes: list[Shape] = field(default_factory=list)
    lines: bool = False


def bars(chart_id: str, title: str, series: list[str], rows: list[tuple[str, list[int]]]) -> Chart:
    """Horizontal stacked bars, one row per category, scaled to the longest row."""
    longest = max((sum(v) for _n, v in rows), default=0) or 1
    chart = Chart(chart_id, title, series, [n for n, _v in rows],
                  [[str(x) for x in v] for _n, v in rows], ROW * len(rows) + 10)  # fmt: skip
    span = WIDTH - LABELS - 50
    for index, (name, values) in enumerate(rows):
        y = index * ROW + 5
        label = name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"
        chart.shapes.append(Shape("text", "label", {"x": LABELS - 8, "y": y + 18}, label))
        x = float(LABELS)
        for number, value in enumerate(values):
            if value:
                width = span * value / longest
                chart.shapes.append(Shape("rect", f"s{number}", {
                    "x": round(x, 1), "y": y, "width": round(width, 1), "height": ROW - 8,
                }, f"{name}: {series[number]} {value}"))  # fmt: skip
                x += width
        chart.shapes.append(
            Shape("text", "total", {"x": round(x + 6, 1), "y": y + 18}, str(sum(values)))
        )
    return chart


def readiness_by_school(part: Part) -> Chart:
    rows = []
    for school_id, school in part.schools():
        pupils = [p for p in part.pupils if p["school_id"] == school_id]
        ready = sum(1 for p in pupils if p["ready"])
        rows.append((school, [ready, len(pupils) - ready]))
    return bars("chart-readiness", _("Readiness per school"),
                 [ready_label(True), ready_label(False)], rows)  # fmt: skip


def work_by_cohort(part: Part) -> Chart:
    totals: dict[str, list[int]] = {}
    names = dict(part.cohorts())
    for pupil in part.pupils:
        for cohort_id, counts in pupil.get("work_cohorts", {}).items():
            name = names.get(int(cohort_id))
            if name is None:
                continue
            found = totals.setdefault(name, [0, 0, 0])
            for index, count in enumerate(counts):
                found[index] += count
    return bars("chart-work", _("Work per cohort"),
                 [_("sent on time"), _("sent late"), _("missing")],
                 sorted(totals.items()))  # fmt: skip


def _rate_text(rate: float | None) -> str:
    return "—" if rate is None else format_percent(rate)


def attendance_by_week(part: Part) -> Chart:
    """One line per school: the share of lessons attended each week, by the report's rule."""
    weeks: set[str] = set()
    sums: dict[str, dict[str, list[float]]] = {}
    for pupil in part.pupils:
        by_week = sums.setdefault(pupil["school"], {})
        for monday, (attended, counted) in pupil.get("weeks", {}).items():
            weeks.add(monday)
            found = by_week.setdefault(monday, [0.0, 0.0])
            found[0] += attended
            found[1] += counted
    ordered = sorted(weeks)
    schools = sorted(sums)
    left, top, right, bottom = PLOT
    chart = Chart("chart-attendance", _("Attendance per week"), schools,
                  [format_date(date.fromisoformat(w), "d MMM") for w in ordered], [], bottom + 30,
                  lines=True)  # fmt: skip
    for percent in (0, 50, 100):
        y = bottom - (bottom - top) * percent / 100
        chart.shapes.append(Shape("line", "grid", {"x1": left, "y1": y, "x2": right, "y2": y}))
        chart.shapes.append(Shape("text", "axis", {"x": left - 6, "y": y + 4}, f"{percent}%"))
    step = (right - left) / max(len(ordered) - 1, 1)
    for index, label in enumerate(chart.categories):
        if len(ordered) <= 8 or index % 2 == 0:
            chart.shapes.append(
                Shape("text", "week", {"x": round(left + index * step, 1), "y": bottom + 18}, label)
            )
    rates: dict[str, list[float | None]] = {}
    for number, school in enumerate(schools):
        points = []
        rates[school] = []
        for index, week in enumerate(ordered):
            attended, counted = sums[school].get(week, [0.0, 0.0])
            rate = attended / counted if counted else None
            rates[school].append(rate)
            if rate is not None:
                x, y = round(left + index * step, 1), round(bottom - (bottom - top) * rate, 1)
                points.append(f"{x},{y}")
                chart.shapes.append(Shape("circle", f"l{number % 8}", {"cx": x, "cy": y, "r": 4},
                                          f"{school}, {chart.categories[index]}: {_rate_text(rate)}"))  # fmt: skip
        if points:
            chart.shapes.append(
                Shape("polyline", f"l{number % 8}", {"points": " ".join(points)}, school)
            )
    chart.values = [[_rate_text(rates[s][i]) for s in schools] for i in range(len(ordered))]
    return chart
