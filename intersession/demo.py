"""A realistic demo hub: five magnet schools, their people, cohorts, this year's sessions, a plan."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from intersession.auth.models import Language, Role, User
from intersession.auth.passwords import hash_password
from intersession.core.db import db
from intersession.lessons.models import AttendanceRow, Lesson, LessonKind, Presence, PresenceSource
from intersession.schools.models import (
    AcademicYear,
    Cohort,
    PlanTopic,
    School,
    SchoolKind,
    SessionKind,
    Subject,
    TeachingAssignment,
    YearSession,
)

DEMO_PASSWORD = "demo-intersession"
DISTRICT = "Аккольский район"
HUB = "Опорная школа — ресурсный центр им. Абая"
MAGNETS = (
    "Малокомплектная школа с. Жалгызкудук",
    "Урюпинская ОШ",
    "Кенесская малокомплектная школа",
    "Наумовская ОШ",
    "Ерназарская малокомплектная школа",
)
ADVISORS = (
    "Ахметова Гульнара Сериковна",
    "Петров Сергей Иванович",
    "Жумабекова Айгуль Болатовна",
    "Смирнова Елена Викторовна",
    "Нурланов Ерлан Маратович",
    "Ким Ольга Николаевна",
)
TUTORS = (
    "Сейтказиева Динара Ануаровна",
    "Васильева Татьяна Петровна",
    "Омаров Бауыржан Кайратович",
    "Кузнецова Ирина Алексеевна",
    "Әбілқасымова Сәуле Төлеуқызы",
)
FIRST_NAMES = (
    "Айгерім",
    "Нұрсұлтан",
    "Дарья",
    "Алексей",
    "Әлихан",
    "Жансая",
    "Мария",
    "Ерасыл",
    "Анна",
    "Дамир",
    "Қуаныш",
    "Екатерина",
    "Іңкәр",
    "Тимур",
    "Өмірзақ",
    "Полина",
)
LAST_NAMES = (
    "Сағынтаев",
    "Иванов",
    "Құдайбергенов",
    "Соколов",
    "Өтебаев",
    "Попов",
    "Жақыпов",
    "Морозов",
    "Нұрғалиев",
    "Волков",
    "Үсенов",
    "Ғабдуллин",
)
FEMININE = {"Айгерім", "Дарья", "Жансая", "Мария", "Анна", "Екатерина", "Іңкәр", "Полина"}
SUBJECT_TOPICS = {
    "Математика": (
        "Квадратные уравнения",
        "Системы уравнений",
        "Неравенства",
        "Функции и графики",
        "Арифметическая прогрессия",
        "Геометрическая прогрессия",
        "Элементы тригонометрии",
        "Теория вероятностей",
    ),
    "Физика": (
        "Кинематика",
        "Законы Ньютона",
        "Импульс и энергия",
        "Механические колебания",
        "Электрическое поле",
        "Постоянный ток",
        "Магнитное поле",
        "Оптика",
    ),
}
# Who teaches what (the README's demo table says the same): cohort grade -> subject -> advisor
# (0 is advisor1).
TEACHING = {
    grade: {"Математика": grade % 2, "Физика": 2 + grade % 2, "Химия": 4, "Биология": 5}
    for grade in range(8, 12)
}
# Lessons of a demo week: weekdays (0 is Monday), cohort grade, subject, hour in Almaty.
LESSONS = (
    ((0, 2, 4), 8, "Математика", 11),  # advisor1
    ((1, 3), 9, "Математика", 10),  # advisor2
    ((1, 3), 10, "Физика", 14),  # advisor3
    ((0,), 10, "Математика", 15),  # advisor1
)
OTHER_SUBJECTS = ("Химия", "Биология", "Казахский язык и литература", "Русский язык и литература")


def academic_year_bounds(today: date) -> tuple[date, date]:
    start_year = today.year if today.month >= 8 else today.year - 1
    return date(start_year, 9, 1), date(start_year + 1, 5, 31)


def _kazakh_feminine(last: str) -> str:
    return last + "а" if last.endswith(("ов", "ев", "ин")) else last


def load_demo(today: date | None = None) -> dict[str, int]:
    """Create the demo hub; returns counts. Refuses when people already exist."""
    if db.session.scalar(select(func.count()).select_from(User)):
        raise RuntimeError("the database already has people; the demo is only for an empty one")
    rng = random.Random(2026)
    password_hash = hash_password(DEMO_PASSWORD)  # one hash for all demo accounts: fast start-up
    hub = School(name=HUB, kind=SchoolKind.HUB, district=DISTRICT, timezone="Asia/Almaty")
    magnets = [
        School(name=n, kind=SchoolKind.MAGNET, hub=hub, district=DISTRICT, timezone="Asia/Almaty")
        for n in MAGNETS
    ]
    db.session.add_all([hub, *magnets])

    def person(login: str, name: str, role: Role, school: School, grade: int | None = None) -> User:
        user = User(
            login=login,
            full_name=name,
            role=role,
            school=school,
            grade=grade,
            password_hash=password_hash,
            language=Language.RU if role is not Role.PUPIL else None,
        )
        db.session.add(user)
        return user

    person("coordinator", "Байжанова Роза Кенесовна", Role.COORDINATOR, hub)
    advisors = [person(f"advisor{i}", n, Role.ADVISOR, hub) for i, n in enumerate(ADVISORS, 1)]
    for i, (name, school) in enumerate(zip(TUTORS, magnets, strict=True), 1):
        person(f"tutor{i}", name, Role.TUTOR, school)
    pupils: list[User] = []
    for i in range(1, 61):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        if first in FEMININE:
            last = _kazakh_feminine(last)
        grade = 8 + (i - 1) % 4
        pupils.append(
            person(f"pupil{i}", f"{last} {first}", Role.PUPIL, magnets[(i - 1) % 5], grade)
        )

    starts, ends = academic_year_bounds(today or date.today())
    db.session.flush()
    year = AcademicYear(
        hub_id=hub.id, name=f"{starts.year}/{ends.year}", starts_on=starts, ends_on=ends
    )
    db.session.add(year)
    year.sessions = [
        YearSession(
            kind=SessionKind.ORIENTATION,
            starts_on=starts + timedelta(days=6),
            ends_on=starts + timedelta(days=15),
        ),
        YearSession(
            kind=SessionKind.INTERMEDIATE,
            starts_on=date(ends.year, 1, 11),
            ends_on=date(ends.year, 1, 20),
        ),
        YearSession(
            kind=SessionKind.FINAL, starts_on=date(ends.year, 4, 19), ends_on=date(ends.year, 4, 28)
        ),
    ]
    subjects = {
        name: Subject(hub_id=hub.id, name=name) for name in (*SUBJECT_TOPICS, *OTHER_SUBJECTS)
    }
    db.session.add_all(subjects.values())
    cohorts = []
    for grade in range(8, 12):
        cohort = Cohort(
            year=year,
            name=f"{grade} класс (опорная группа)",
            grade=grade,
            pupils=[p for p in pupils if p.grade == grade],
        )
        cohorts.append(cohort)
    db.session.add_all(cohorts)
    db.session.flush()
    teachers = {
        (cohort.grade, subject): advisors[index]
        for cohort in cohorts
        for subject, index in TEACHING[cohort.grade].items()
    }
    for cohort in cohorts:
        for subject in TEACHING[cohort.grade]:
            db.session.add(
                TeachingAssignment(
                    advisor=teachers[(cohort.grade, subject)],
                    cohort=cohort,
                    subject=subjects[subject],
                )
            )
    for name, topics in SUBJECT_TOPICS.items():
        for grade in range(8, 12):
            for position, title in enumerate(topics, 1):
                db.session.add(
                    PlanTopic(
                        year_id=year.id,
                        subject=subjects[name],
                        grade=grade,
                        position=position,
                        title=title,
                        week=position * 4,
                        hours=Decimal(2),
                    )
                )
    db.session.flush()
    _demo_lessons(today or date.today(), year, cohorts, teachers, subjects)
    for cohort in cohorts[:2]:  # advisor1's 8th grade and advisor2's 9th, in mathematics
        _demo_work(cohort, teachers[(cohort.grade, "Математика")], subjects["Математика"])
    db.session.commit()
    from intersession.methodics.demo import load_methodics_demo

    load_methodics_demo(today or date.today())
    return {
        "schools": 1 + len(magnets),
        "pupils": len(pupils),
        "advisors": len(advisors),
        "tutors": len(TUTORS),
    }


def _demo_lessons(
    today: date,
    year: AcademicYear,
    cohorts: list[Cohort],
    teachers: dict[tuple[int, str], User],
    subjects: dict[str, Subject],
) -> None:
    """The week of LESSONS from last week to four weeks ahead, between sessions, each taught by
    the cohort's teacher of the subject, and the register of the past ones marked as an advisor
    and a tutor would."""
    zone = ZoneInfo("Asia/Almaty")
    rng = random.Random(11)
    session_days = {
        s.starts_on + timedelta(days=n)
        for s in year.sessions
        for n in range((s.ends_on - s.starts_on).days + 1)
    }
    day = today - timedelta(days=7)
    while day <= today + timedelta(weeks=4):
        if day not in session_days and year.starts_on <= day <= year.ends_on:
            for weekdays, grade, subject, hour in LESSONS:
                if day.weekday() not in weekdays:
                    continue
                cohort = next(c for c in cohorts if c.grade == grade)
                week = (day - year.starts_on).days // 7 + 1
                topic = db.session.scalar(
                    select(PlanTopic)
                    .where(PlanTopic.year_id == year.id, PlanTopic.subject_id == subjects[subject].id,
                           PlanTopic.grade == cohort.grade)
                    .order_by(func.abs(PlanTopic.week - week))
                    .limit(1)
                )  # fmt: skip
                starts = datetime.combine(day, time(hour)).replace(tzinfo=zone).astimezone(UTC)
                lesson = Lesson(kind=LessonKind.LESSON, advisor=teachers[(grade, subject)], cohort=cohort,
                                subject=subjects[subject], topic=topic, title=topic.title if topic else subject,
                                starts_at=starts, duration_minutes=45)  # fmt: skip
                lesson.register = [AttendanceRow(pupil=p) for p in cohort.pupils]
                if day < today:
                    for row in lesson.register:
                        absent = rng.random() < 0.15
                        row.status = Presence.ABSENT if absent else Presence.PRESENT
                        row.minutes = 0 if absent else 45
                        row.source = PresenceSource.ADVISOR
                db.session.add(lesson)
        day += timedelta(days=1)


def _demo_work(cohort: Cohort, advisor: User, subject: Subject) -> None:
    """Work for the 9th grade in mathematics: one graded and shown, one due in three days, one due
    tomorrow that half the pupils have sent."""
    from intersession.assignments.models import (
        Assignment,
        AssignmentState,
        Criterion,
        CriterionScore,
        Scale,
        Submission,
        SubmissionState,
    )

    now = datetime.now(UTC)
    rng = random.Random(5)

    def work(title: str, due_in: timedelta, scale: Scale, instructions: str) -> Assignment:
        item = Assignment(advisor=advisor, cohort=cohort, subject=subject, title=title,
                          instructions=instructions, state=AssignmentState.PUBLISHED,
                          opens_at=now + due_in - timedelta(days=10), due_at=now + due_in,
                          cutoff_at=now + due_in + timedelta(days=3), attempts=2, scale=scale,
                          published_at=now + due_in - timedelta(days=10))  # fmt: skip
        db.session.add(item)
        return item

    graded = work("Квадратные уравнения: самостоятельная работа", timedelta(days=-5), Scale.RUBRIC,
                  "Решите **пять** уравнений из § 12 и покажите решение.")  # fmt: skip
    graded.criteria = [Criterion(position=1, name="Решение", max_points=Decimal(6), levels="6 — все пять верно"),
                       Criterion(position=2, name="Оформление", max_points=Decimal(4))]  # fmt: skip
    work("Теорема Виета: задачи", timedelta(days=3), Scale.FIVE,
         "Задачи 1–8 на стр. 64. Можно прислать фото тетради.")  # fmt: skip
    soon = work("Проект: квадратичная функция вокруг нас", timedelta(days=1), Scale.HUNDRED,
                "Найдите пример параболы в жизни села и опишите его.")  # fmt: skip
    db.session.flush()
    for pupil in cohort.pupils:
        sent = now - timedelta(days=6, hours=rng.randint(0, 48))
        points = rng.choice((7, 8, 9, 10))
        form_points = 4 if points >= 8 else 3
        scores = [CriterionScore(criterion=graded.criteria[0], points=Decimal(points - form_points)),
                  CriterionScore(criterion=graded.criteria[1], points=Decimal(form_points))]  # fmt: skip
        db.session.add(Submission(assignment=graded, pupil=pupil, attempt=1, state=SubmissionState.GRADED, scores=scores,
                                  text="Решения в тетради, фото приложено.", submitted_at=sent,
                                  grade=Decimal(points), feedback="Хорошо. Проверьте знак в уравнении 4.",
                                  graded_by_id=advisor.id, graded_at=now - timedelta(days=2),
                                  released_at=now - timedelta(days=2)))  # fmt: skip
        if rng.random() < 0.5:
            db.session.add(Submission(assignment=soon, pupil=pupil, attempt=1, state=SubmissionState.SUBMITTED,
                                      text="У нас мост через реку — его арка похожа на параболу.",
                                      submitted_at=now - timedelta(hours=rng.randint(1, 30))))  # fmt: skip
