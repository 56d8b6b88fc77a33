"""The portfolio's workflow: drafts, verification, versions, comments, access, and entries made from
well-graded work (once, however often the grade is saved)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask

from intersession.assignments import grading, services, submitting
from intersession.assignments.models import Scale
from intersession.auth.models import Role
from intersession.core.db import db
from intersession.core.errors import Conflict, DomainError, Forbidden, NotFound
from intersession.portfolio import services as portfolio
from intersession.portfolio.access import can_comment, can_verify, can_view_entry
from intersession.portfolio.models import EntryKind, EntryState, Level, PortfolioEntry, Result
from tests.assignments.test_rules import plan
from tests.factories import HubPeople, make_user


def olympiad(**changes: object) -> portfolio.EntryPlan:
    values: dict[str, object] = {
        "kind": EntryKind.OLYMPIAD, "title": "Облыстық математика олимпиадасы",
        "happened_on": date.today() - timedelta(days=10), "level": Level.REGION,
        "result": Result.PRIZE, "place": 2, "links": "https://example.org/diplom",
    }  # fmt: skip
    values.update(changes)
    return portfolio.EntryPlan(**values)  # type: ignore[arg-type]


def test_the_workflow_from_draft_to_verified_and_a_new_version(hub: HubPeople) -> None:
    entry = portfolio.create_entry(hub.pupil, olympiad())
    assert entry.state is EntryState.DRAFT
    portfolio.send_for_verification(hub.pupil, entry)
    with pytest.raises(Forbidden):
        portfolio.verify(hub.pupil, entry)  # a pupil verifying their own entry
    portfolio.ask_for_changes(hub.tutor, entry, "Дипломның суретін қосыңыз")
    assert (entry.state, entry.state_note) == (
        EntryState.CHANGES_REQUESTED,
        "Дипломның суретін қосыңыз",
    )
    portfolio.update_entry(hub.pupil, entry, olympiad(place=3), entry.version)
    portfolio.send_for_verification(hub.pupil, entry)
    portfolio.verify(hub.tutor, entry)
    assert entry.state is EntryState.VERIFIED and entry.verified_by_id == hub.tutor.id
    with pytest.raises(Forbidden):
        portfolio.update_entry(hub.pupil, entry, olympiad(place=1), entry.version)  # locked
    copy = portfolio.new_version(hub.pupil, entry)
    portfolio.update_entry(hub.pupil, copy, olympiad(place=1), copy.version)
    portfolio.send_for_verification(hub.pupil, copy)
    assert entry.state is EntryState.VERIFIED  # the old one counts until the new one is verified
    portfolio.verify(hub.tutor, copy)
    assert (entry.state, copy.state, copy.place) == (EntryState.SUPERSEDED, EntryState.VERIFIED, 1)
    other = portfolio.create_entry(
        hub.pupil, olympiad(title="Сурет байқауы", kind=EntryKind.CREATIVE)
    )
    portfolio.send_for_verification(hub.pupil, other)
    with pytest.raises(DomainError):
        portfolio.reject(hub.tutor, other, " ")
    portfolio.reject(hub.tutor, other, "Бұл мектептен тыс іс-шара емес")
    assert other.state is EntryState.REJECTED


def test_plans_are_checked(hub: HubPeople) -> None:
    for changes, field in (({"title": "  "}, "title"), ({"place": None}, "place"), ({"place": 11}, "place"),
                           ({"happened_on": date.today() + timedelta(days=1)}, "happened_on"),
                           ({"links": "javascript:alert(1)"}, "links")):  # fmt: skip
        with pytest.raises(DomainError) as error:
            portfolio.create_entry(hub.pupil, olympiad(**changes))
        assert error.value.field == field
    with pytest.raises(Forbidden):
        portfolio.create_entry(hub.tutor, olympiad())


def test_two_saves_of_the_same_entry(hub: HubPeople) -> None:
    entry = portfolio.create_entry(hub.pupil, olympiad())
    loaded = entry.version
    portfolio.update_entry(hub.pupil, entry, olympiad(title="Бірінші сақтау"), loaded)
    with pytest.raises(Conflict):
        portfolio.update_entry(hub.pupil, entry, olympiad(title="Екінші сақтау"), loaded)
    db.session.expire_all()
    assert entry.title == "Бірінші сақтау"


def test_who_sees_verifies_and_comments(app: Flask, hub: HubPeople) -> None:
    entry = portfolio.create_entry(hub.pupil, olympiad(subject_id=hub.subject.id))
    other_tutor = make_user("tut9", Role.TUTOR, hub.other_magnet)
    classmate = make_user("pup9", Role.PUPIL, hub.magnet, grade=9)
    db.session.commit()
    for viewer in (hub.pupil, hub.tutor):
        assert can_view_entry(viewer, entry)  # a draft
    for viewer in (hub.advisor, hub.coordinator):
        assert not can_view_entry(viewer, entry) and not can_comment(viewer, entry)
    portfolio.send_for_verification(hub.pupil, entry)
    portfolio.verify(hub.tutor, entry)
    for viewer in (hub.pupil, hub.tutor, hub.advisor, hub.coordinator):
        assert can_view_entry(viewer, entry)
    for viewer in (other_tutor, classmate, hub.other_advisor, hub.outsider):
        assert not can_view_entry(viewer, entry)
    assert can_verify(hub.tutor, entry) and not can_verify(other_tutor, entry)
    assert can_comment(hub.advisor, entry) and not can_comment(hub.coordinator, entry)
    with pytest.raises(NotFound):
        portfolio.verify(other_tutor, entry)  # a tutor of another school
    first = portfolio.comment(hub.advisor, entry, "<script>x()</script> Жарайсың!")
    reply = portfolio.comment(hub.pupil, entry, "Рақмет!", parent_id=first.id)
    assert reply.parent_id == first.id and first.text.startswith("<script>")  # kept as written
    with pytest.raises(NotFound):
        portfolio.comment(classmate, entry, "…")
    with pytest.raises(NotFound):
        portfolio.comment(hub.pupil, entry, "?", parent_id=999)


def test_well_graded_work_becomes_one_draft_entry(app: Flask, hub: HubPeople) -> None:
    work = services.create_assignment(hub.advisor, plan(hub, scale=Scale.HUNDRED, attempts=None))
    services.publish(hub.advisor, work)
    sent = submitting.submit(hub.pupil, submitting.save_draft(hub.pupil, work, "x", []))
    grading.grade(hub.advisor, sent, sent.version, "Тамаша", grade="79")
    assert db.session.query(PortfolioEntry).count() == 0  # below 80 of 100
    grading.grade(hub.advisor, sent, sent.version, "Тамаша жұмыс", grade="92")
    grading.grade(hub.advisor, sent, sent.version, "Тамаша жұмыс!", grade="95")  # saved again
    entries = db.session.query(PortfolioEntry).all()
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.kind, entry.state, entry.submission_id) == (
        EntryKind.GRADED_WORK,
        EntryState.DRAFT,
        sent.id,
    )
    assert entry.title == work.title and entry.description == "Тамаша жұмыс"


def test_work_marked_worth_the_portfolio_goes_there_whatever_the_grade(
    app: Flask, hub: HubPeople
) -> None:
    work = services.create_assignment(hub.advisor, plan(hub, scale=Scale.HUNDRED, attempts=None))
    services.publish(hub.advisor, work)
    sent = submitting.submit(hub.pupil, submitting.save_draft(hub.pupil, work, "x", []))
    grading.grade(hub.advisor, sent, sent.version, "Жақсы бастама", grade="55")
    assert db.session.query(PortfolioEntry).count() == 0
    grading.grade(
        hub.advisor, sent, sent.version, "Жақсы бастама", grade="55", worth_portfolio=True
    )
    entry = db.session.query(PortfolioEntry).one()
    assert entry.submission_id == sent.id and entry.kind is EntryKind.GRADED_WORK
