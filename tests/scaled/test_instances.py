"""Two web instances behind nginx agree on every room: the roster, hands, the floor and chat cross
between them, a sign-out cuts sockets everywhere, the sign-in limits hold, and a dead instance's
participants are swept out so they can come back through the other one."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from intersession.config import celery_settings
from intersession.core.db import db
from intersession.lessons.models import PresenceInterval
from tests.conftest import make_app
from tests.scaled.conftest import SECRET, Region, lesson_for
from tests.servers import ROOT, Visitor, app_environment, joined, visitor

pytestmark = pytest.mark.scaled


def test_pages_spread_over_the_instances_and_a_lessons_sockets_stay_on_one(region: Region) -> None:
    assert region.nginx is not None
    url = region.nginx.url
    answered = set()
    for _ in range(6):
        with visitor(url) as stranger:
            answered.add(
                stranger.http.get(url + "/login", timeout=10).headers["X-Intersession-Instance"]
            )
    assert answered == {"web-a", "web-b"}
    people = [Visitor(url) for _ in range(4)]
    try:
        for person, login in zip(people, ("adv", "pup", "tut", "coord"), strict=True):
            assert person.login(login).status_code == 302
            joined(person, url, region.lesson_id)
        holders = {p["instance"].rsplit("-", 2)[0] for p in region.room()["participants"].values()}
        assert len(region.room()["participants"]) == 4 and len(holders) == 1, holders
    finally:
        for person in people:
            person.close()


def test_the_advisor_on_one_instance_and_a_pupil_on_the_other_share_the_room(
    region: Region,
) -> None:
    a, b = region.instances["web-a"].url, region.instances["web-b"].url
    with visitor(a) as advisor, visitor(b) as pupil:
        advisor.login("adv")
        pupil.login("pup")
        _, at_a, _ = joined(advisor, a, region.lesson_id, "roster", "chat")
        pupil_socket, at_b, me = joined(
            pupil, b, region.lesson_id, "roster", "chat", "floor", "ended"
        )
        at_a.wait("roster", lambda r: [p["role"] for p in r] == ["advisor", "pupil"])
        at_b.wait("roster", lambda r: len(r) == 2)

        at_a.clear()
        pupil_socket.call("hand", {"raised": True}, namespace="/room")
        at_a.wait("roster", lambda r: any(p["hand"] for p in r if p["id"] == me["me"]))

        advisor_socket = advisor.sockets[0]
        given = advisor_socket.call(
            "floor", {"participant": me["me"], "give": True}, namespace="/room"
        )
        assert given == {"ok": True}
        assert at_b.wait("floor") == {"give": True, "camera": False}
        at_a.wait("roster", lambda r: any(p["floor"] for p in r if p["id"] == me["me"]))

        pupil_socket.call("chat", {"text": "Сәлеметсіз бе!"}, namespace="/room")
        assert at_a.wait("chat")["text"] == "Сәлеметсіз бе!"
        advisor_socket.call("chat", {"text": "Здравствуйте"}, namespace="/room")
        at_b.wait("chat", lambda line: line["text"] == "Здравствуйте")

        advisor_socket.emit("end", {}, namespace="/room")  # its own socket is let go too: no answer
        at_b.wait("ended")
        deadline = time.monotonic() + 5
        while pupil_socket.connected and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not pupil_socket.connected  # let go by the other instance


def test_signing_out_on_one_instance_cuts_the_socket_on_the_other(region: Region) -> None:
    a, b = region.instances["web-a"].url, region.instances["web-b"].url
    with visitor(b) as pupil:
        pupil.login("pup")
        socket, _, _ = joined(pupil, b, region.lesson_id)
        pupil.url = a  # the same browser's next request lands on the other instance
        assert pupil.logout().status_code == 302
        signed_out = time.monotonic()
        while socket.connected and time.monotonic() - signed_out < 2:
            time.sleep(0.05)
        assert not socket.connected, "the socket on the other instance outlived the sign-out by 2 s"


def test_sign_in_limits_hold_across_instances(region: Region) -> None:
    urls = [region.instances["web-a"].url, region.instances["web-b"].url]
    for attempt in range(5):
        with visitor(urls[attempt % 2]) as stranger:
            assert stranger.login("pup", "not-the-password").status_code == 401
    for url in urls:  # a stranger's browser is held back on both
        with visitor(url) as stranger:
            assert stranger.login("pup").status_code == 401


def test_a_dead_instances_participants_are_swept_and_come_back_through_the_other(
    region: Region,
) -> None:
    a, b = region.instances["web-a"].url, region.instances["web-b"].url
    with visitor(a) as advisor, visitor(b) as pupil:
        advisor.login("adv")
        pupil.login("pup")
        _, at_a, _ = joined(advisor, a, region.lesson_id, "roster")
        joined(pupil, b, region.lesson_id)
        at_a.wait("roster", lambda r: len(r) == 2)
        at_a.clear()
        region.kill("web-b")
        at_a.wait("roster", lambda r: [p["role"] for p in r] == ["advisor"], timeout=30)
        app = make_app(region.tmp, SQLALCHEMY_DATABASE_URI=region.database)
        with app.app_context():
            intervals = db.session.query(PresenceInterval).all()
            assert len(intervals) == 1 and intervals[0].left_at is not None
            db.session.remove()
            db.engine.dispose()
        pupil.url = a
        _, _, again = joined(pupil, a, region.lesson_id)
        assert again["role"] == "pupil"
        at_a.wait("roster", lambda r: len(r) == 2)


def test_a_celery_task_on_redis_tells_the_room_on_every_instance(region: Region) -> None:
    """A prefork worker on the Redis broker, as deployed: its emit crosses the message queue to
    the sockets of both instances."""
    lesson_id = lesson_for(1, "ending", region, began_minutes_ago=40)  # it ends in five minutes
    a, b = region.instances["web-a"].url, region.instances["web-b"].url
    env = app_environment(region.tmp, region.database, REDIS_URL=region.redis.url,
                          CELERY_BROKER_URL=region.redis.url, SECRET_KEY=SECRET)  # fmt: skip
    command = [sys.executable, "-m", "celery", "-A", "intersession.worker:celery", "worker",
               "--pool=prefork", "--concurrency=1", "--loglevel=INFO", "--without-gossip",
               "--without-mingle", "--without-heartbeat"]  # fmt: skip
    log = region.tmp / "worker.log"
    with visitor(a) as advisor, visitor(b) as pupil, log.open("w") as out:
        advisor.login("adv")
        pupil.login("ending0")
        _, at_a, _ = joined(advisor, a, lesson_id, "lesson-time")
        _, at_b, _ = joined(pupil, b, lesson_id, "lesson-time")
        worker = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        try:
            sender = make_app(region.tmp, CELERY=celery_settings(
                region.redis.url, region.tmp / "broker", region.tmp))  # fmt: skip
            sender.extensions["celery"].send_task("rooms.tell-lesson-time")
            for told in (at_a, at_b):
                assert told.wait("lesson-time", timeout=30)["minutes"] == 5, log.read_text()
        finally:
            worker.terminate()
            worker.wait(timeout=30)
