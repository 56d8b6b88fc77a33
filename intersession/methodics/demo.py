"""The demo hub's methodical support: a leading teacher who holds the methodical service, and
three tutors' requests for help — one waiting, one on its route, one ended with feedback."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from intersession.auth.models import User
from intersession.core.db import db
from intersession.methodics import needs, subscription
from intersession.methodics.models import DeficitKind, Format, RouteResult
from intersession.schools.models import Subject


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


def load_methodics_demo(today: date) -> None:
    coordinator, leading = _person("coordinator"), _person("advisor3")
    subscription.grant_methodologist(coordinator, leading, True)
    _needs_survey(leading)
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
