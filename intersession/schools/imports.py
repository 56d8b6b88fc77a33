"""CSV import of people and plan topics: check every row first, then write all rows or none."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import insert, select, update

from intersession.auth.models import Role, User
from intersession.auth.services import normalize_login
from intersession.core import storage
from intersession.core.csvfiles import RowError, Table, read_table
from intersession.core.db import db, utcnow
from intersession.core.errors import DomainError
from intersession.schools.models import (
    AcademicYear,
    Cohort,
    ImportJob,
    ImportKind,
    ImportState,
    PlanTopic,
    School,
    Subject,
    cohort_pupil,
    in_hub,
)
from intersession.schools.people import EMAIL_PATTERN, login_error, placement_error
from intersession.schools.services import require_manager

AREA = "imports"
PEOPLE_COLUMNS = ("full_name", "login", "role", "school", "grade", "email", "cohort")
TOPIC_COLUMNS = ("subject", "grade", "week", "hours", "title")
ALIASES = {
    "full name": "full_name",
    "name": "full_name",
    "фио": "full_name",
    "аты-жөні": "full_name",
    "логин": "login",
    "роль": "role",
    "рөлі": "role",
    "школа": "school",
    "мектеп": "school",
    "класс": "grade",
    "сынып": "grade",
    "e-mail": "email",
    "почта": "email",
    "когорта": "cohort",
    "группа": "cohort",
    "топ": "cohort",
    "предмет": "subject",
    "пән": "subject",
    "неделя": "week",
    "апта": "week",
    "часы": "hours",
    "сағат": "hours",
    "тема": "title",
    "тақырып": "title",
    "topic": "title",
}
ROLE_NAMES = {
    "pupil": Role.PUPIL,
    "ученик": Role.PUPIL,
    "оқушы": Role.PUPIL,
    "tutor": Role.TUTOR,
    "тьютор": Role.TUTOR,
    "педагог-тьютор": Role.TUTOR,
    "advisor": Role.ADVISOR,
    "эдвайзер": Role.ADVISOR,
    "педагог-эдвайзер": Role.ADVISOR,
    # The pages call the advisor a teacher: a file written from them says so.
    "учитель": Role.ADVISOR,
    "мұғалім": Role.ADVISOR,
}
CHECK_BATCH = 500


@dataclass
class Checked:
    records: list[dict[str, Any]]
    errors: list[RowError]


def _int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def check_people(hub_id: int, year_id: int | None, table: Table) -> Checked:
    """Every row's problems, or the records to insert. Logins taken in the database or earlier in
    the file are errors; schools and cohorts are matched by name within the hub."""
    schools = {s.name.lower(): s for s in db.session.scalars(select(School).where(in_hub(hub_id)))}
    cohorts = (
        {
            c.name.lower(): c
            for c in db.session.scalars(select(Cohort).where(Cohort.year_id == year_id))
        }
        if year_id
        else {}
    )
    logins = [normalize_login(r.get("login", "")) for _line, r in table.rows]
    taken: set[str] = set()
    for start in range(0, len(logins), CHECK_BATCH):
        batch = logins[start : start + CHECK_BATCH]
        taken.update(db.session.scalars(select(User.login).where(User.login.in_(batch))))
    seen: dict[str, int] = {}
    records: list[dict[str, Any]] = []
    errors: list[RowError] = []
    for (line, row), login in zip(table.rows, logins, strict=True):
        problems: list[str] = []
        name = " ".join(row.get("full_name", "").split())
        if not name:
            problems.append(_("the full name is empty"))
        if message := login_error(login):
            problems.append(message)
        elif login in taken:
            problems.append(_("the login “%(login)s” is taken already", login=login))
        elif login in seen:
            problems.append(
                _("the login “%(login)s” repeats line %(line)d", login=login, line=seen[login])
            )
        seen.setdefault(login, line)
        role = ROLE_NAMES.get(row.get("role", "").lower())
        school = schools.get(row.get("school", "").lower())
        grade = _int(row.get("grade", "")) if row.get("grade") else None
        email = row.get("email") or None
        if role is None:
            problems.append(_("the role must be pupil, tutor or advisor"))
        if school is None:
            problems.append(_("no school “%(name)s” in this hub", name=row.get("school", "")))
        if row.get("grade") and grade is None:
            problems.append(_("the grade is not a number"))
        elif role is not None and (p := placement_error(role, school, grade)):
            problems.append(p[1])
        if email and not EMAIL_PATTERN.match(email):
            problems.append(_("the e-mail address does not look right"))
        cohort = None
        if row.get("cohort"):
            cohort = cohorts.get(row["cohort"].lower())
            if cohort is None:
                problems.append(_("no cohort “%(name)s” this year", name=row["cohort"]))
            elif role is not Role.PUPIL or cohort.grade != grade:
                problems.append(_("only a pupil of the cohort's grade can join the cohort"))
        if problems:
            errors.append(RowError(line, "; ".join(problems)))
        elif school is not None and role is not None:
            records.append(
                {
                    "full_name": name,
                    "login": login,
                    "role": role,
                    "school_id": school.id,
                    "grade": grade,
                    "email": email,
                    "cohort_id": cohort.id if cohort else None,
                }
            )
    return Checked(records, errors)


def check_topics(hub_id: int, table: Table) -> Checked:
    subjects = {
        s.name.lower(): s
        for s in db.session.scalars(select(Subject).where(Subject.hub_id == hub_id))
    }
    records: list[dict[str, Any]] = []
    errors: list[RowError] = []
    for line, row in table.rows:
        problems: list[str] = []
        subject = subjects.get(row.get("subject", "").lower())
        grade, week = _int(row.get("grade", "")), _int(row.get("week", ""))
        try:
            hours = Decimal(row.get("hours", "").replace(",", "."))
        except InvalidOperation:
            hours = Decimal(-1)
        title = " ".join(row.get("title", "").split())
        if subject is None:
            problems.append(_("no subject “%(name)s” in this hub", name=row.get("subject", "")))
        if grade is None or not 8 <= grade <= 11:
            problems.append(_("the grade must be from 8 to 11"))
        if week is None or not 1 <= week <= 53:
            problems.append(_("the week must be from 1 to 53"))
        if not (hours.is_finite() and Decimal(0) < hours <= Decimal(100)):
            problems.append(_("hours must be a number more than 0 and at most 100"))
        if not title or len(title) > 300:
            problems.append(_("the topic must have 1 to 300 characters"))
        if problems:
            errors.append(RowError(line, "; ".join(problems)))
        elif subject is not None:
            records.append(
                {
                    "subject_id": subject.id,
                    "grade": grade,
                    "week": week,
                    "hours": hours,
                    "title": title,
                }
            )
    return Checked(records, errors)


def _check_file(job: ImportJob, data: bytes) -> Checked:
    if job.kind is ImportKind.PEOPLE:
        table = read_table(data, ALIASES, ("full_name", "login", "role", "school"))
        return check_people(job.hub_id, job.year_id, table)
    table = read_table(data, ALIASES, TOPIC_COLUMNS)
    return check_topics(job.hub_id, table)


def start_import(
    actor: User, kind: ImportKind, year: AcademicYear | None, original_name: str, data: bytes
) -> ImportJob:
    """Check an uploaded file and keep it for the preview; nothing is imported yet."""
    require_manager(actor, actor.hub_id)
    if kind is ImportKind.TOPICS and year is None:
        raise DomainError(_("Choose the academic year of the plan."), field="year")
    job = ImportJob(
        hub_id=actor.hub_id,
        year_id=year.id if year else None,
        kind=kind,
        state=ImportState.CHECKED,
        created_by_id=actor.id,
        original_name=original_name[:255] or "import.csv",
        stored_name="",
    )
    checked = _check_file(job, data)  # a file that cannot be read raises before anything is kept
    stored_name, _size = storage.save_stream(AREA, io.BytesIO(data), len(data))
    job.stored_name = stored_name
    job.total_rows = len(checked.records) + len(checked.errors)
    job.errors_json = json.dumps([e.__dict__ for e in checked.errors], ensure_ascii=False)
    db.session.add(job)
    db.session.commit()
    return job


def job_errors(job: ImportJob) -> list[RowError]:
    return [RowError(**e) for e in json.loads(job.errors_json)]


def preview_rows(job: ImportJob, limit: int = 20) -> list[dict[str, Any]]:
    data = storage.read_bytes(AREA, job.stored_name)
    return _check_file(job, data).records[:limit]


def queue_import(actor: User, job: ImportJob) -> bool:
    """Mark a checked, error-free job as queued; False if it was not in that state (a double click)."""
    require_manager(actor, job.hub_id)
    if job_errors(job):
        raise DomainError(_("Correct the file and upload it again: it still has errors."))
    result = db.session.execute(
        update(ImportJob)
        .where(ImportJob.id == job.id, ImportJob.state == ImportState.CHECKED)
        .values(state=ImportState.QUEUED)
    )
    db.session.commit()
    return bool(getattr(result, "rowcount", 0))


def run_import(job_id: int) -> None:
    """Write a queued job's rows in one transaction. Safe to run again: a finished job is left as it
    is, and an interrupted one wrote nothing, so it starts over."""
    job = db.session.get(ImportJob, job_id)
    if job is None or job.state in (ImportState.DONE, ImportState.FAILED, ImportState.CHECKED):
        return
    job.state, job.done_rows = ImportState.RUNNING, 0
    db.session.commit()
    creator = db.session.get(User, job.created_by_id)
    language = creator.language.value if creator and creator.language else None
    with force_locale(language or current_app.config["BABEL_DEFAULT_LOCALE"]):
        checked = _check_file(job, storage.read_bytes(AREA, job.stored_name))
    if checked.errors:
        job.state, job.finished_at = ImportState.FAILED, utcnow()
        job.errors_json = json.dumps([e.__dict__ for e in checked.errors], ensure_ascii=False)
        db.session.commit()
        return
    job.done_rows = len(checked.records) // 2  # checked; the rows go in below, all at once
    db.session.commit()
    if job.kind is ImportKind.PEOPLE:
        job.made_json = json.dumps(_insert_people(checked.records))
    else:
        _insert_topics(job, checked.records)
    job.state, job.finished_at, job.done_rows = ImportState.DONE, utcnow(), len(checked.records)
    db.session.commit()
    storage.delete_file(AREA, job.stored_name)


def _insert_people(records: list[dict[str, Any]]) -> list[int]:
    """Write the people (and their cohorts); the ids of those made, in the file's order."""
    people = [
        {k: v for k, v in r.items() if k != "cohort_id"} | {"active": True, "created_at": utcnow()}
        for r in records
    ]
    for start in range(0, len(people), CHECK_BATCH):
        db.session.execute(insert(User), people[start : start + CHECK_BATCH])
    logins = [r["login"] for r in records]
    ids: dict[str, int] = {}
    for start in range(0, len(logins), CHECK_BATCH):
        batch = logins[start : start + CHECK_BATCH]
        rows = db.session.execute(select(User.login, User.id).where(User.login.in_(batch)))
        ids.update({login: user_id for login, user_id in rows})
    links = [
        {"cohort_id": r["cohort_id"], "pupil_id": ids[r["login"]]}
        for r in records
        if r["cohort_id"]
    ]
    if links:
        db.session.execute(insert(cohort_pupil), links)
    return [ids[login] for login in logins]


def made_people(job: ImportJob) -> list[User]:
    """The people a finished import made, in the file's order (those since removed left out)."""
    ids = json.loads(job.made_json or "[]")
    found = (
        {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    )
    return [found[i] for i in ids if i in found]


def _insert_topics(job: ImportJob, records: list[dict[str, Any]]) -> None:
    from intersession.schools.cohorts import next_position

    assert job.year_id is not None
    positions: dict[tuple[int, int], int] = {}
    rows = []
    for record in records:
        key = (record["subject_id"], record["grade"])
        if key not in positions:
            positions[key] = next_position(job.year_id, *key)
        rows.append(record | {"year_id": job.year_id, "position": positions[key]})
        positions[key] += 1
    db.session.execute(insert(PlanTopic), rows)


STALE_AFTER = timedelta(days=1)


def purge_stale_import_files() -> int:
    """Remove the kept CSV files of imports that were checked or failed over a day ago and never
    ran; the job rows stay, so their pages still explain what was wrong. Returns the count."""
    stale = db.session.scalars(
        select(ImportJob).where(
            ImportJob.state.in_([ImportState.CHECKED, ImportState.FAILED]),
            ImportJob.created_at < utcnow() - STALE_AFTER,
            ImportJob.stored_name != "",
        )
    ).all()
    for job in stale:
        storage.delete_file(AREA, job.stored_name)
        job.stored_name = ""
        if job.state is ImportState.CHECKED:
            job.state, job.finished_at = ImportState.FAILED, utcnow()
            errors = job_errors(job) or [
                RowError(0, _("The import was not confirmed within a day."))
            ]
            job.errors_json = json.dumps([e.__dict__ for e in errors], ensure_ascii=False)
    db.session.commit()
    return len(stale)
