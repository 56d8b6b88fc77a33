"""Professional communities: set up with a leading and partner schools, a plan by years, creative
groups with a result, threaded discussions (escaped, with notifications); who sees what."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale

from intersession.core.db import db
from intersession.core.errors import DomainError, Forbidden
from intersession.methodics import communities
from intersession.methodics.community_models import Community, Thread
from intersession.notifications.models import Notification
from tests.conftest import AuthActions
from tests.factories import HubPeople


@pytest.fixture(autouse=True)
def _english(app):  # type: ignore[no-untyped-def]
    with force_locale("en"):
        yield


def _community(hub: HubPeople) -> Community:
    plan = communities.CommunityPlan(name="Бағалау қауымдастығы", theme="Қалыптастырушы бағалау",
                                     leading_school=hub.hub, partners=[hub.magnet],
                                     first_year=2026, last_year=2028)  # fmt: skip
    return communities.create_community(hub.coordinator, plan)


def test_the_community_and_its_group(app: Flask, hub: HubPeople) -> None:
    with pytest.raises(Forbidden):
        communities.create_community(hub.advisor, communities.CommunityPlan(
            name="x", theme="y", leading_school=hub.hub, partners=[hub.magnet], first_year=2026, last_year=2027))  # fmt: skip
    with pytest.raises(DomainError):  # another hub's school
        communities.create_community(hub.coordinator, communities.CommunityPlan(
            name="x", theme="y", leading_school=hub.hub, partners=[hub.outsider_hub], first_year=2026, last_year=2027))  # fmt: skip
    with pytest.raises(DomainError):  # years the wrong way round
        communities.create_community(hub.coordinator, communities.CommunityPlan(
            name="x", theme="y", leading_school=hub.hub, partners=[hub.magnet], first_year=2028, last_year=2026))  # fmt: skip
    community = _community(hub)
    assert communities.is_member(hub.tutor, community) and communities.is_member(
        hub.advisor, community
    )
    assert not communities.is_member(hub.pupil, community)  # a pupil of a member school is not
    communities.add_stage(hub.coordinator, community, 2027, "Апробация", "Семинар, открытые уроки")
    with pytest.raises(DomainError):
        communities.add_stage(hub.coordinator, community, 2030, "x", "")
    with pytest.raises(DomainError):  # the other magnet school is not in the community
        communities.create_group(hub.coordinator, community, "Топ", "Рубрикалар", date(2027, 3, 1),
                                 [hub.tutor, hub.pupil])  # fmt: skip
    group = communities.create_group(hub.coordinator, community, "Рубрика тобы", "Рубрикалар жасау",
                                     date(2027, 3, 1), [hub.tutor])  # fmt: skip
    assert communities.may_see_group(hub.tutor, group) and not communities.may_see_group(
        hub.advisor, group
    )
    with pytest.raises(Forbidden):
        communities.record_result(hub.advisor, group, "x")
    communities.record_result(hub.tutor, group, "Үш рубрика дайын")
    assert group.result == "Үш рубрика дайын"


def test_discussions(app: Flask, hub: HubPeople) -> None:
    community = _community(hub)
    thread = communities.start_thread(
        hub.tutor, community, None, "Рубрикалар", "Кім қалай жасайды?"
    )
    with pytest.raises(Forbidden):
        communities.reply(hub.outsider, thread, "Сәлем")
    with pytest.raises(DomainError):
        communities.reply(hub.advisor, thread, "   \n  ")
    answer = communities.reply(hub.advisor, thread, "Мен критерийлерден бастаймын", thread.posts[0])
    communities.reply(hub.tutor, thread, "Рахмет", answer)
    assert [p.parent_id for p in thread.posts] == [None, thread.posts[0].id, answer.id]
    told = db.session.query(Notification).filter_by(kind="forum-reply").all()
    assert sorted(n.user_id for n in told) == sorted([hub.tutor.id, hub.advisor.id])  # not oneself
    other = _community(hub)
    with pytest.raises(DomainError):  # a message of another discussion
        communities.reply(
            hub.tutor, communities.start_thread(hub.tutor, other, None, "x", "y"), "z", answer
        )


def test_the_pages(app: Flask, client: FlaskClient, auth: AuthActions, hub: HubPeople) -> None:
    auth.login("coord")
    form = {"name": "Қауымдастық", "theme": "Бағалау", "leading_school": hub.hub.id,
            "partners": [hub.magnet.id], "first_year": "2026", "last_year": "2027"}  # fmt: skip
    assert auth.post("/support/communities/new", form | {"partners": []}).status_code == 400
    assert auth.post("/support/communities/new", form | {"last_year": "10**20"}).status_code == 400
    assert auth.post("/support/communities/new", form).status_code == 302
    community = db.session.query(Community).one()
    auth.logout()
    auth.login("tut")
    started = auth.post(f"/support/communities/{community.id}/threads",
                        {"title": "<script>alert(1)</script>", "text": "бірінші\nекінші"})  # fmt: skip
    assert started.status_code == 302
    thread = db.session.query(Thread).one()
    page = client.get(f"/support/threads/{thread.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert (
        auth.post(
            f"/support/threads/{thread.id}/reply", {"text": "x", "parent": "999999"}
        ).status_code
        == 400
    )
    assert (
        auth.post(
            f"/support/threads/{thread.id}/reply", {"text": "жауап", "parent": thread.posts[0].id}
        ).status_code
        == 302
    )
    assert "selected" in client.get(
        f"/support/threads/{thread.id}?answer={thread.posts[0].id}"
    ).get_data(as_text=True)
    auth.logout()
    auth.login("pup")
    for path in (
        "/support/communities",
        f"/support/communities/{community.id}",
        f"/support/threads/{thread.id}",
    ):
        assert client.get(path).status_code == 404
    auth.logout()
    auth.login("outsider")
    assert client.get(f"/support/threads/{thread.id}").status_code == 404


def test_a_long_chain_of_replies_shows(app: Flask, client: FlaskClient, auth: AuthActions,
                                       hub: HubPeople) -> None:  # fmt: skip
    community = _community(hub)
    thread = communities.start_thread(hub.tutor, community, None, "Тізбек", "0")
    last = thread.posts[0]
    for n in range(1, 400):  # each answering the one before: deeper than a template recursion
        last = communities.reply(hub.advisor if n % 2 else hub.tutor, thread, str(n), last)
    auth.login("tut")
    page = client.get(f"/support/threads/{thread.id}")
    assert page.status_code == 200 and f'id="post-{last.id}"' in page.get_data(as_text=True)
    with pytest.raises(DomainError):  # ten years at most: 2026 to 2036 is eleven
        communities.create_community(hub.coordinator, communities.CommunityPlan(
            name="x", theme="y", leading_school=hub.hub, partners=[hub.magnet], first_year=2026, last_year=2036))  # fmt: skip
