"""The demo hub's methodical support: a leading teacher who holds the methodical service, and
three tutors' requests for help — one waiting, one on its route, one ended with feedback."""

from __future__ import annotations

import io
from datetime import date, time, timedelta

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from intersession.auth.models import User
from intersession.core.db import db
from intersession.core.documents import FONT, FramedDocument
from intersession.methodics import bank, communities, events, needs, subscription
from intersession.methodics.bank_models import ResourceKind
from intersession.methodics.events_models import EventFormat
from intersession.methodics.models import DeficitKind, Format, RouteResult, RouteStep
from intersession.schools.models import School, Subject


def _person(login: str) -> User:
    found = db.session.scalar(select(User).where(User.login == login))
    assert found is not None, login
    return found


def _needs_survey(leading: User) -> None:
    survey = needs.create_survey(leading, "Образовательные потребности учителей на II полугодие",
                                 "Отметьте, чему вы хотели бы научиться. Ответ можно изменить до закрытия опроса.",
                                 ["Формативное оценивание", "Урок в классе-комплекте", "Исследовательские проекты учеников",
                                  "Функциональная грамотность", "Онлайн-урок: как удержать внимание"])  # fmt: skip
    needs.publish_survey(leading, survey)
    subjects = {s.name: s for s in db.session.scalars(select(Subject))}
    themes = survey.themes
    answers = {
        "tutor1": (["Математика"], [0, 1], [Format.MENTORING_HOUR, Format.PRACTICUM], ""),
        "tutor2": (["Математика", "Физика"], [0, 3], [Format.PRACTICUM], ""),
        "tutor3": ([], [1, 4], [Format.MASTER_CLASS, Format.CONSULTING], "Как вести урок, если связь пропадает"),
        "tutor4": (["Русский язык и литература"], [1, 2], [Format.MENTORING_HOUR], ""),
        "advisor4": (["Химия"], [2, 3], [Format.LECTURE, Format.MASTER_CLASS], ""),
    }  # fmt: skip
    for login, (names, picked, formats, other) in answers.items():
        needs.answer_survey(_person(login), survey, needs.Answer(
            subjects=[subjects[n] for n in names if n in subjects], themes=[themes[i] for i in picked],
            formats=formats, other_needs=other))  # fmt: skip


RESOURCES = (  # title, kind, subject, grade, theme, format, author, published
    ("Квадратные уравнения: задания трёх уровней", ResourceKind.LESSON_PLAN, "Математика", 8, "Разноуровневые задания", Format.PRACTICUM, "advisor1", True),
    ("Проценты в жизни села: ситуационные задачи", ResourceKind.SITUATIONAL_TASK, "Математика", 9, "Функциональная грамотность", None, "tutor2", True),
    ("Формативное оценивание: 12 приёмов на каждый день", ResourceKind.METHODICAL_GUIDE, None, None, "Формативное оценивание", Format.MASTER_CLASS, "advisor3", True),
    ("Урок в классе-комплекте 5 и 7 классов", ResourceKind.LESSON_PLAN, None, None, "Урок в классе-комплекте", Format.MENTORING_HOUR, "tutor1", True),
    ("Открытый урок: закон Ома", ResourceKind.OPEN_LESSON, "Физика", 8, "Исследовательские проекты учеников", Format.MASTER_CLASS, "advisor2", True),
    ("Презентация: строение клетки", ResourceKind.PRESENTATION, "Биология", 9, "", Format.LECTURE, "advisor5", True),
    ("Химические реакции вокруг нас: кейсы", ResourceKind.SITUATIONAL_TASK, "Химия", 10, "Функциональная грамотность", None, "advisor4", True),
    ("Абай өлеңдері: талдау сабағы", ResourceKind.LESSON_PLAN, "Казахский язык и литература", 9, "Саралап оқыту", Format.PRACTICUM, "advisor6", True),
    ("Онлайн-урок: как удержать внимание при слабой связи", ResourceKind.METHODICAL_GUIDE, None, None, "Онлайн-урок", Format.TRAINING, "advisor3", True),
    ("Рубрика для оценивания проекта", ResourceKind.OTHER, None, None, "Формативное оценивание", None, "tutor3", True),
    ("Системы уравнений: игра-квест", ResourceKind.LESSON_PLAN, "Математика", 9, "Разноуровневые задания", None, "tutor4", False),
    ("Сочинение-рассуждение: опоры для слабых учеников", ResourceKind.METHODICAL_GUIDE, "Русский язык и литература", 10, "Разноуровневые задания", Format.CONSULTING, "tutor5", False),
)  # fmt: skip


def _demo_pdf(title: str, theme: str) -> FileStorage:
    """A one-page PDF standing for the material: its title and theme."""
    pdf = FramedDocument("Intersession", "%(page)s / %(pages)s")
    pdf.add_page()
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 11)
    pdf.multi_cell(0, 6, theme or "—", new_x="LMARGIN", new_y="NEXT")
    name = "".join(c if c.isalnum() else "-" for c in title)[:60].strip("-") + ".pdf"
    return FileStorage(stream=io.BytesIO(bytes(pdf.output())), filename=name)


def _bank(coordinator: User) -> None:
    """A dozen materials, ten of them published, two waiting for the review; a few marks."""
    subjects = {s.name: s for s in db.session.scalars(select(Subject))}
    made = []
    for title, kind, subject, grade, theme, form, login, publish in RESOURCES:
        plan = bank.ResourcePlan(title=title, kind=kind, subject=subjects.get(subject or ""),
                                 grade=grade, theme=theme, format=form)  # fmt: skip
        item = bank.submit_resource(_person(login), plan, [_demo_pdf(title, theme)])
        if publish:
            bank.review_resource(coordinator, item, True, "")
            made.append(item)
    for index, item in enumerate(made[:6]):
        for login, stars in (("tutor1", 5), ("tutor2", 4 + index % 2), ("advisor6", 4)):
            if _person(login).id != item.author_id:
                bank.rate_resource(_person(login), item, stars)
    bank.comment_resource(
        _person("tutor1"), made[0], "Взяла задания для 8 класса, всем хватило работы."
    )


def _events(coordinator: User, today: date) -> None:
    """An open seminar next week (three tutors registered) and the route's mentoring hour as a
    closed event for the tutor and her mentor; on a day between sessions, after lessons."""
    from intersession.lessons.scheduling import hub_year_on

    day = today + timedelta(days=6)
    while (
        day.weekday() > 4
        or (year := hub_year_on(coordinator.hub_id, day)) is None
        or any(s.starts_on <= day <= s.ends_on for s in year.sessions)
    ):
        day += timedelta(days=1)
        if day > today + timedelta(days=60):
            return  # no working day between sessions soon: the demo goes without events
    seminar = events.schedule_event(coordinator, events.EventPlan(
        title="Формативное оценивание в классе-комплекте", format=EventFormat.SEMINAR,
        presenter=_person("advisor3"), day=day, start=time(16, 0), minutes=60,
        description="Приёмы обратной связи, когда в классе учатся вместе два-три класса."))  # fmt: skip
    for login in ("tutor1", "tutor3", "tutor4"):
        events.register_for(_person(login), seminar)
    hour = db.session.scalar(select(RouteStep).where(RouteStep.format == Format.MENTORING_HOUR))
    if hour is not None:  # the route's mentoring hour, held by the mentor in the room
        events.hold_step_online(_person("advisor1"), hour, day, time(17, 30), 45)


def _community(coordinator: User, today: date) -> None:
    """The hub as the leading school with two partner schools, a three-year plan, a creative
    group and a discussion."""
    schools = list(
        db.session.scalars(
            select(School).where(School.hub_id == coordinator.hub_id).order_by(School.id)
        )
    )
    community = communities.create_community(coordinator, communities.CommunityPlan(
        name="Профессиональное сообщество «Оценивание для обучения»",
        theme="Формативное оценивание в малокомплектной школе", leading_school=coordinator.school,
        partners=schools[:2], first_year=today.year, last_year=today.year + 2,
        description="Опорная школа и две малокомплектные школы исследуют, как обратная связь помогает ученикам разных классов на одном уроке."))  # fmt: skip
    for offset, title, plan in (
        (0, "Диагностика и теория", "Семинар по формативному оцениванию; анкетирование учителей; взаимопосещение уроков."),
        (1, "Апробация приёмов", "Мастер-классы учителей опорной школы; открытые уроки в школах-партнёрах."),
        (2, "Обобщение опыта", "Сборник методических материалов; онлайн-конференция района."),
    ):  # fmt: skip
        communities.add_stage(coordinator, community, today.year + offset, title, plan)
    group = communities.create_group(coordinator, community, "Творческая группа «Рубрики»",
                                     "Составить рубрики оценивания проектов для 5–9 классов.", today + timedelta(days=75),
                                     [_person("tutor1"), _person("tutor2"), _person("advisor3")])  # fmt: skip
    thread = communities.start_thread(_person("tutor1"), community, group, "С чего начать рубрику?",
                                      "Коллеги, кто уже пробовал рубрики в классе-комплекте? С чего начинали?")  # fmt: skip
    first = communities.reply(
        _person("advisor3"),
        thread,
        "Начинаем с 3–4 критериев и примеров работ каждого уровня.",
        thread.posts[0],
    )
    communities.reply(_person("tutor2"), thread, "Спасибо! Попробую на проекте о процентах.", first)


def load_methodics_demo(today: date) -> None:
    coordinator, leading = _person("coordinator"), _person("advisor3")
    subscription.grant_methodologist(coordinator, leading, True)
    _needs_survey(leading)
    _bank(coordinator)
    _events(coordinator, today)
    _community(coordinator, today)
    mathematics = db.session.scalar(select(Subject).where(Subject.name == "Математика"))

    subscription.ask_for_help(_person("tutor1"), subscription.Asked(
        subject=None, preferred_format=Format.MENTORING_HOUR, preferred_time="после 15:00, кроме пятницы",
        difficulty="Как вести урок, когда в классе вместе 5 и 7 класс: пока я объясняю одним, "
                   "другие скучают. Нужны приёмы самостоятельной работы."))  # fmt: skip

    tutor, mentor = _person("tutor2"), _person("advisor1")
    route = subscription.ask_for_help(tutor, subscription.Asked(
        subject=mathematics, preferred_format=Format.PRACTICUM, preferred_time="по средам",
        difficulty="Ученики по-разному готовы: сильным скучно, слабые не успевают. Не умею "
                   "составлять задания разного уровня к одному уроку."))  # fmt: skip
    subscription.diagnose(coordinator, route, [
        (DeficitKind.METHODICAL, "Составление разноуровневых заданий"),
        (DeficitKind.METHODICAL, "Формативное оценивание на уроке"),
        (DeficitKind.SUBJECT, "Текстовые задачи на проценты")], mentor)  # fmt: skip
    practicum = subscription.add_step(leading, route, subscription.StepPlan(
        Format.PRACTICUM, "Практикум: задания трёх уровней к одной теме", today - timedelta(days=5),
        leading, "Разбираем по таксономии Блума задания к теме «Проценты»."))  # fmt: skip
    subscription.add_step(mentor, route, subscription.StepPlan(
        Format.MENTORING_HOUR, "Наставнический час: разбор урока учителя", today + timedelta(days=6),
        mentor, "Учитель проводит урок с разноуровневыми заданиями, после — разбор."))  # fmt: skip
    subscription.mark_done(tutor, practicum, "Составила задания к уроку о процентах: "
                           "базовый, средний и повышенный уровни. Сильные впервые не скучали.")  # fmt: skip
    subscription.confirm_step(mentor, practicum)

    tutor, mentor = _person("tutor3"), _person("advisor2")
    ended = subscription.ask_for_help(tutor, subscription.Asked(
        subject=mathematics, preferred_format=Format.CONSULTING,
        difficulty="Не знаю, как проверять работы, присланные фотографией, и давать отзыв онлайн."))  # fmt: skip
    subscription.diagnose(leading, ended, [(DeficitKind.METHODICAL, "Обратная связь по работам онлайн")],
                          mentor)  # fmt: skip
    step = subscription.add_step(mentor, ended, subscription.StepPlan(
        Format.CONSULTING, "Консультация: критерии и отзыв в платформе", today - timedelta(days=20), mentor))  # fmt: skip
    subscription.mark_done(
        tutor, step, "Проверил две работы по критериям, отзыв вышел короче и яснее."
    )
    subscription.confirm_step(mentor, step)
    subscription.end_route(
        mentor, ended, RouteResult.CLOSED, "Учитель уверенно проверяет работы по критериям."
    )
    subscription.give_feedback(tutor, ended, 5, "Коротко и по делу, сразу применил.")
