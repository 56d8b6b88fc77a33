"""One hub with at least one object of each kind, made through the services, so every object
route has a real id to hit."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from werkzeug.datastructures import FileStorage

from intersession.assignments import services as work_services
from intersession.assignments import submitting
from intersession.assignments.models import Assignment
from intersession.board import slides
from intersession.core import files
from intersession.core.db import db
from intersession.core.resumable import services as resumable
from intersession.lessons import consultations, materials, scheduling
from intersession.methodics import bank, communities, events, needs, subscription
from intersession.methodics import materials as methodics_materials
from intersession.methodics.bank_models import ResourceKind
from intersession.methodics.events_models import EventFormat
from intersession.methodics.models import DeficitKind, Format, HelpRequest, RouteResult, RouteStep
from intersession.polls.models import Poll, PollAnswer, PollKind, PollState
from intersession.portfolio import export as portfolio_export
from intersession.portfolio import services as portfolio_services
from intersession.portfolio.models import EntryKind, ExportKind, Level, Result
from intersession.recordings import services as recording_services
from intersession.recordings.models import Recording, RecordingState
from intersession.reports import readiness
from intersession.reports.models import ReadinessReport
from intersession.schools import imports
from intersession.schools.models import (
    ImportKind,
    PlanTopic,
    SessionKind,
    Subject,
    TeachingAssignment,
)
from tests.board import pdfs
from tests.factories import HubPeople, build_hub, lay_year_around

ALMATY = ZoneInfo("Asia/Almaty")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89"
)
PEOPLE_CSV = "full_name,role,login,school,grade,cohort\nЖаңа Оқушы,pupil,fuzz_new,Magnet,9,\n"


def upload(name: str, body: bytes) -> FileStorage:
    return FileStorage(stream=io.BytesIO(body), filename=name)


@dataclass
class Made:
    people: HubPeople
    ids: dict[str, int]  # a real id for every kind of object a route names
    upload_id: str  # the pupil's upload on its way, a tenth of it there


def build_world() -> Made:
    """The hub of tests.factories, its year laid around today, and one of everything."""
    hub = build_hub()
    today = datetime.now(UTC).astimezone(ALMATY).date()
    year = hub.year
    lay_year_around(year, today)
    week = (today - (year.starts_on - timedelta(days=year.starts_on.weekday()))).days // 7 + 1
    topic = PlanTopic(year_id=year.id, subject=hub.subject, grade=9, position=1,
                      title="Квадрат теңдеулер", week=week, hours=Decimal(2))  # fmt: skip
    physics = Subject(hub_id=hub.hub.id, name="Физика")
    db.session.add_all([topic, physics])
    db.session.add(
        TeachingAssignment(advisor=hub.other_advisor, cohort=hub.cohort, subject=physics)
    )
    db.session.commit()

    plan = scheduling.LessonPlan(cohort=hub.cohort, subject=hub.subject, topic=topic,
                                 day=today + timedelta(days=7), start=time(10, 0),
                                 duration_minutes=45)  # fmt: skip
    lesson = scheduling.schedule_lesson(hub.advisor, plan).lesson
    lesson.starts_at = datetime.now(UTC) - timedelta(minutes=10)  # under way: the room is open
    db.session.commit()
    material = materials.add_materials(hub.advisor, lesson, [upload("Тапсырма.pdf", PDF)])[0]
    materials.add_materials(hub.advisor, lesson, [upload("Слайдтар.pdf", pdfs.deck(2))], True)
    deck = slides.decks_of(lesson)[0]
    slides.render(deck.id)
    # A published poll the pupil answered (the lesson's page and the progress show it), and an
    # open one the room shows.
    asked = Poll(lesson_id=lesson.id, question="x² = 4, x > 0?", kind=PollKind.SINGLE,
                 options=["1", "2"], state=PollState.PUBLISHED)  # fmt: skip
    asked.answers.append(PollAnswer(pupil_id=hub.pupil.id, given_by_id=hub.pupil.id, choices=[1]))
    db.session.add_all([asked, Poll(lesson_id=lesson.id, question="?", kind=PollKind.NUMBER)])

    recording = Recording(lesson_id=lesson.id, folder="fuzz0recording0folder",
                          state=RecordingState.READY, duration_seconds=60.0,
                          ended_at=datetime.now(UTC), finished_at=datetime.now(UTC))  # fmt: skip
    db.session.add(recording)
    db.session.commit()
    folder = recording_services.folder_of(recording)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "audio.webm").write_bytes(b"\x1aE\xdf\xa3" + b"\x00" * 60)

    request = consultations.request_consultation(
        hub.pupil,
        consultations.RequestData(advisor=hub.advisor, subject=hub.subject, pupils=[hub.pupil],
                                  topic="Квадрат теңдеулер", message="Көмектесіңізші"),
    )  # fmt: skip

    def set_work(title: str) -> Assignment:
        due = datetime.now(UTC) + timedelta(days=3)
        plan = work_services.WorkPlan(cohort=hub.cohort, subject=hub.subject, title=title,
                                      opens_at=due - timedelta(days=4), due_at=due,
                                      cutoff_at=due + timedelta(days=2))  # fmt: skip
        work = work_services.create_assignment(hub.advisor, plan)
        work_services.attach_files(hub.advisor, work, [upload("Шарт.pdf", PDF)], [])
        work_services.publish(hub.advisor, work)
        return work

    work = set_work("10 есеп")  # the pupil has not begun it: the draft form shows
    late = set_work("Кешіккен жұмыс")  # sent late: the tutor's attestation form shows
    late.due_at = datetime.now(UTC) - timedelta(days=1)
    db.session.commit()
    draft = submitting.save_draft(hub.pupil, late, "Жауабым", [upload("Жауап.pdf", PDF)])
    submission = submitting.submit(hub.pupil, draft)

    entry = portfolio_services.create_entry(
        hub.pupil,
        portfolio_services.EntryPlan(kind=EntryKind.OLYMPIAD, title="Облыстық олимпиада",
                                     happened_on=date.today() - timedelta(days=10),
                                     level=Level.REGION, result=Result.PRIZE, place=2,
                                     links="https://example.org/diplom"),
    )  # fmt: skip
    with files.kept_uploads([upload("Диплом.png", PNG)], hub.pupil.id) as kept:
        entry.evidence.extend(kept)
        db.session.commit()
    portfolio_services.send_for_verification(hub.pupil, entry)  # the tutor's note form shows
    portfolio_services.comment(hub.tutor, entry, "Жақсы")
    export = portfolio_export.request_export(hub.tutor, hub.pupil, ExportKind.PDF)

    job = imports.start_import(
        hub.coordinator, ImportKind.PEOPLE, year, "list.csv", PEOPLE_CSV.encode()
    )
    teaching = db.session.query(TeachingAssignment).filter_by(advisor_id=hub.advisor.id).one()
    begun = resumable.begin_upload(hub.pupil, hub.pupil.id, f"work:{work.id}", "Жоба.pdf", 1000)
    resumable.receive_chunk(begun, 0, io.BytesIO(PDF.ljust(100)), 100)

    # A readiness report of the intermediate session (three weeks ahead: made here as the task
    # would make it a week later), so its page and exports have figures to show.
    session = next(s for s in year.sessions if s.kind is SessionKind.INTERMEDIATE)
    window = readiness.window_before(session)
    assert window is not None
    db.session.add(ReadinessReport(session_id=session.id, window_starts_on=window.starts_on,
                                   window_ends_on=window.ends_on,
                                   content=json.dumps(readiness.build_content(session, window))))  # fmt: skip
    db.session.commit()

    route, ended, step = _methodical_help(hub)
    community = communities.create_community(hub.coordinator, communities.CommunityPlan(
        name="Қауымдастық", theme="Бағалау", leading_school=hub.hub, partners=[hub.magnet],
        first_year=today.year, last_year=today.year + 1))  # fmt: skip
    group = communities.create_group(hub.coordinator, community, "Топ", "Рубрикалар",
                                     today + timedelta(days=30), [hub.tutor])  # fmt: skip
    thread = communities.start_thread(hub.tutor, community, group, "Рубрикалар", "Бастайық")
    event = events.schedule_event(hub.coordinator, events.EventPlan(
        title="Семинар", format=EventFormat.SEMINAR, presenter=hub.other_advisor,
        day=today + timedelta(days=7), start=time(17, 0), minutes=60, invited=[hub.tutor]))  # fmt: skip
    resource = bank.submit_resource(hub.tutor, bank.ResourcePlan(
        title="Сабақ жоспары", kind=ResourceKind.LESSON_PLAN, subject=hub.subject, grade=9),
        [upload("Жоспар.pdf", PDF)])  # fmt: skip
    bank.review_resource(hub.coordinator, resource, True, "")
    bank.comment_resource(hub.advisor, resource, "Рахмет")
    waiting = bank.submit_resource(hub.tutor, bank.ResourcePlan(
        title="Жаңа материал", kind=ResourceKind.OTHER, link="https://example.org/v"), [])  # fmt: skip
    survey = needs.create_survey(hub.coordinator, "Қажеттіліктер", "", ["Бағалау", "Жобалар"])
    needs.publish_survey(hub.coordinator, survey)
    needs.answer_survey(hub.tutor, survey, needs.Answer(themes=survey.themes[:1],
                                                        formats=[Format.PRACTICUM]))  # fmt: skip

    ids = {
        "help_id": route.id,
        "help_id@methodics.feedback": ended.id,  # ended, the teacher's feedback not given yet
        "step_id": step.id,
        "survey_id": survey.id,
        "community_id": community.id,
        "group_id": group.id,
        "thread_id": thread.id,
        "event_id": event.lesson_id,
        "person_id@methodics.teacher_card": hub.tutor.id,
        "resource_id": resource.id,
        "resource_id@methodics.edit_resource": waiting.id,  # not published: its author changes it
        "file_id:resource_id": resource.files[0].id,
        "file_id:step_id": step.materials[0].id,
        "session_id": session.id,
        "cohort_id": hub.cohort.id,
        "request_id": request.id,
        "pupil_id": hub.pupil.id,
        "job_id": job.id,
        "lesson_id": lesson.id,
        "deck_id": deck.id,
        "page": 1,
        "recording_id": recording.id,
        "person_id": hub.pupil.id,
        "topic_id": topic.id,
        "entry_id": entry.id,
        "export_id": export.id,
        "school_id": hub.magnet.id,
        "subject_id": hub.subject.id,
        "submission_id": submission.id,
        "teaching_id": teaching.id,
        "assignment_id": work.id,
        "year_id": year.id,
        # file_id depends on the object before it in the path: see FILE_OF
        "file_id:lesson_id": material.id,
        "file_id:entry_id": entry.evidence[0].id,
        "file_id:submission_id": submission.files[0].id,
        "file_id:assignment_id": work.files[0].id,
    }
    return Made(hub, ids, begun.id)


def _methodical_help(hub: HubPeople) -> tuple[HelpRequest, HelpRequest, RouteStep]:
    """The tutor's route with a step done and waiting for the mentor (its materials attached),
    and an ended route waiting for the tutor's feedback."""
    asked = subscription.Asked(subject=hub.subject, difficulty="Көп деңгейлі тапсырмалар",
                               preferred_format=Format.MENTORING_HOUR)  # fmt: skip
    route = subscription.ask_for_help(hub.tutor, asked)
    subscription.diagnose(
        hub.coordinator, route, [(DeficitKind.METHODICAL, "Саралау")], hub.advisor
    )
    plan = subscription.StepPlan(
        Format.MENTORING_HOUR, "Тәлімгерлік сағат", date.today(), hub.advisor
    )
    step = subscription.add_step(hub.advisor, route, plan)
    methodics_materials.add_materials(hub.advisor, step, [upload("Жоспар.pdf", PDF)])
    subscription.mark_done(hub.tutor, step, "Үш деңгейлі тапсырма бердім")
    subscription.add_step(hub.advisor, route, plan)  # not done: it can still be held online
    ended = subscription.ask_for_help(hub.tutor, asked)
    subscription.diagnose(hub.coordinator, ended, [(DeficitKind.SUBJECT, "Тақырып")], hub.advisor)
    last = subscription.add_step(hub.advisor, ended, plan)
    subscription.mark_done(hub.tutor, last, "Жасадым")
    subscription.confirm_step(hub.advisor, last)
    subscription.end_route(hub.advisor, ended, RouteResult.CLOSED, "")
    return route, ended, step


def media_files(root: Path) -> dict[str, bytes]:
    """Every file under MEDIA_ROOT, by its path inside it."""
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }
