"""The methodical subscription through its states: asked, diagnosed, a route of steps done by the
teacher and confirmed by the mentor, ended with a result and the teacher's feedback; every refusal."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask

from intersession.auth.models import Role
from intersession.core.db import db
from intersession.core.errors import Conflict, DomainError, Forbidden
from intersession.methodics import subscription
from intersession.methodics.access import can_view_help, is_methodologist, methodologists_of
from intersession.methodics.models import (
    DeficitKind,
    Format,
    HelpRequest,
    HelpState,
    RouteResult,
)
from tests.factories import HubPeople, make_user

DAY = date(2026, 12, 14)


def _asked(hub: HubPeople) -> HelpRequest:
    return subscription.ask_for_help(hub.tutor, subscription.Asked(
        subject=hub.subject, difficulty="  Как вести урок в разновозрастном классе?  ",
        preferred_format=Format.MENTORING_HOUR, preferred_time="после 15:00"))  # fmt: skip


def _diagnosed(hub: HubPeople) -> HelpRequest:
    request = _asked(hub)
    subscription.diagnose(hub.coordinator, request, [
        (DeficitKind.METHODICAL, "Дифференциация заданий"), (DeficitKind.SUBJECT, "  ")],
        hub.advisor)  # fmt: skip
    return request


def _step(hub: HubPeople, request: HelpRequest, title: str = "Наставнический час"):  # type: ignore[no-untyped-def]
    plan = subscription.StepPlan(Format.MENTORING_HOUR, title, DAY, hub.advisor)
    return subscription.add_step(hub.coordinator, request, plan)


def test_the_whole_cycle(app: Flask, hub: HubPeople) -> None:
    request = _asked(hub)
    assert request.state is HelpState.SENT and request.hub_id == hub.hub.id
    assert request.difficulty == "Как вести урок в разновозрастном классе?"
    subscription.diagnose(hub.coordinator, request, [
        (DeficitKind.METHODICAL, "Дифференциация   заданий"), (DeficitKind.SUBJECT, " ")],
        hub.advisor)  # fmt: skip
    assert request.state is HelpState.IN_ROUTE and request.mentor_id == hub.advisor.id
    assert [(d.kind, d.description) for d in request.deficits] == [
        (DeficitKind.METHODICAL, "Дифференциация заданий")
    ]  # blank lines are left out, spaces folded
    first = _step(hub, request, "Практикум")
    second = subscription.add_step(
        hub.advisor,
        request,
        subscription.StepPlan(Format.MENTORING_HOUR, "Наставнический час", DAY, hub.advisor),
    )  # the mentor builds too
    assert [s.position for s in request.steps] == [1, 2]
    subscription.move_step(hub.advisor, second, -1)
    assert [s.id for s in request.steps] == [second.id, first.id]

    for step in (first, second):
        subscription.mark_done(hub.tutor, step, "Попробовала задания трёх уровней.")
        subscription.confirm_step(hub.advisor, step)
    subscription.end_route(hub.advisor, request, RouteResult.PARTLY, "Нужна ещё практика")
    assert request.state is HelpState.ENDED and request.result is RouteResult.PARTLY
    subscription.give_feedback(hub.tutor, request, 5, "Очень помогло")
    db.session.expire_all()
    kept = db.session.get(HelpRequest, request.id)
    assert kept is not None and kept.usefulness == 5 and kept.feedback == "Очень помогло"
    with pytest.raises(Conflict):
        subscription.give_feedback(hub.tutor, kept, 4, "ещё раз")


def test_the_teacher_cannot_confirm_their_own_step(app: Flask, hub: HubPeople) -> None:
    request = _diagnosed(hub)
    step = _step(hub, request)
    with pytest.raises(Conflict):
        subscription.confirm_step(hub.advisor, step)  # not done yet
    subscription.mark_done(hub.tutor, step, "Сделано")
    with pytest.raises(Forbidden):
        subscription.confirm_step(hub.tutor, step)
    with pytest.raises(Forbidden):
        subscription.mark_done(hub.advisor, step, "Не моё")  # only the teacher marks done
    with pytest.raises(Conflict):
        subscription.remove_step(hub.coordinator, step)  # done: kept as it is
    with pytest.raises(Conflict):
        subscription.end_route(hub.coordinator, request, RouteResult.CLOSED, "")  # unconfirmed
    with pytest.raises(DomainError):
        subscription.mark_done(hub.tutor, step, "   ")  # a reflection is written


def test_who_may_diagnose_and_build(app: Flask, hub: HubPeople) -> None:
    request = _asked(hub)
    for somebody in (hub.advisor, hub.tutor, hub.outsider, hub.pupil):
        with pytest.raises(Forbidden):
            subscription.diagnose(somebody, request, [(DeficitKind.SUBJECT, "x")], hub.advisor)
    with pytest.raises(Conflict):
        _step(hub, request)  # not diagnosed yet
    with pytest.raises(DomainError):
        subscription.diagnose(hub.coordinator, request, [(DeficitKind.SUBJECT, " ")], hub.advisor)
    with pytest.raises(DomainError):  # the teacher does not mentor themself
        subscription.diagnose(hub.coordinator, request, [(DeficitKind.SUBJECT, "x")], hub.tutor)
    with pytest.raises(DomainError):  # nor does someone of another hub
        subscription.diagnose(hub.coordinator, request, [(DeficitKind.SUBJECT, "x")], hub.outsider)
    assert request.state is HelpState.SENT and request.deficits == []

    subscription.grant_methodologist(hub.coordinator, hub.other_advisor, True)
    assert is_methodologist(hub.other_advisor) and not is_methodologist(hub.advisor)
    assert hub.other_advisor in methodologists_of(hub.hub.id)
    subscription.diagnose(hub.other_advisor, request, [(DeficitKind.SUBJECT, "x")], hub.advisor)
    assert request.state is HelpState.IN_ROUTE
    with pytest.raises(Forbidden):
        subscription.grant_methodologist(hub.outsider, hub.advisor, True)
    with pytest.raises(DomainError):
        subscription.grant_methodologist(hub.coordinator, hub.pupil, True)
    subscription.grant_methodologist(hub.coordinator, hub.other_advisor, False)
    assert not is_methodologist(hub.other_advisor)


def test_a_mentor_does_not_see_another_mentors_routes(app: Flask, hub: HubPeople) -> None:
    mine = _diagnosed(hub)
    other_teacher = make_user("tut-b", Role.TUTOR, hub.other_magnet)
    db.session.commit()
    theirs = subscription.ask_for_help(other_teacher, subscription.Asked(None, "Оценивание"))
    subscription.diagnose(hub.coordinator, theirs, [(DeficitKind.SUBJECT, "x")], hub.other_advisor)
    assert can_view_help(hub.advisor, mine) and not can_view_help(hub.advisor, theirs)
    assert can_view_help(hub.other_advisor, theirs) and not can_view_help(hub.other_advisor, mine)
    assert not can_view_help(other_teacher, mine) and can_view_help(hub.tutor, mine)
    assert can_view_help(hub.coordinator, theirs) and not can_view_help(hub.outsider, theirs)
    assert not can_view_help(hub.pupil, mine)
    with pytest.raises(Forbidden):
        subscription.confirm_step(hub.advisor, subscription.add_step(
            hub.coordinator, theirs, subscription.StepPlan(Format.LECTURE, "Лекция", DAY,
                                                           hub.other_advisor)))  # fmt: skip
    responsible = _step(hub, theirs, "Практикум")
    assert responsible.responsible_id == hub.advisor.id
    assert can_view_help(hub.advisor, theirs)  # responsible for a step: reads its route


def test_states_that_refuse(app: Flask, hub: HubPeople) -> None:
    with pytest.raises(Forbidden):
        subscription.ask_for_help(hub.pupil, subscription.Asked(None, "x"))
    with pytest.raises(DomainError):
        subscription.ask_for_help(hub.tutor, subscription.Asked(None, "  "))
    request = _asked(hub)
    with pytest.raises(Forbidden):
        subscription.withdraw(hub.advisor, request)
    subscription.withdraw(hub.tutor, request)
    assert request.state is HelpState.WITHDRAWN
    with pytest.raises(Conflict):
        subscription.diagnose(hub.coordinator, request, [(DeficitKind.SUBJECT, "x")], hub.advisor)
    diagnosed = _diagnosed(hub)
    with pytest.raises(Conflict):
        subscription.withdraw(hub.tutor, diagnosed)
    with pytest.raises(Conflict):
        subscription.end_route(hub.coordinator, diagnosed, RouteResult.CLOSED, "")  # no steps
    with pytest.raises(Conflict):
        subscription.give_feedback(hub.tutor, diagnosed, 5, "рано")
    _step(hub, diagnosed)
    subscription.end_route(hub.coordinator, diagnosed, RouteResult.NOT_CLOSED, "")
    with pytest.raises(Conflict):
        _step(hub, diagnosed)  # ended: nothing changes
    with pytest.raises(DomainError):
        subscription.give_feedback(hub.tutor, diagnosed, 6, "шесть")
