"""Socket.IO signalling of the live room: every event checks who asks and for which lesson."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask

from intersession.core.db import db
from intersession.extensions import socketio
from intersession.lessons import scheduling
from intersession.lessons.models import Lesson
from tests.conftest import AuthActions, LessonHub


def room_client(app: Flask, login: str | None) -> Any:
    http = app.test_client()
    if login:
        AuthActions(http).login(login)
    with app.app_context():  # a context of its own, as in production: no user cached from another
        client = socketio.test_client(app, namespace="/room", flask_test_client=http)
    client.app, client.http = app, http
    return client


def started(lessons: LessonHub, minutes_ago: int = 1) -> int:
    lesson = scheduling.schedule_lesson(lessons.people.advisor, lessons.plan()).lesson
    lesson.starts_at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    db.session.commit()
    return lesson.id


def ack(client: Any, event: str, data: Any = None) -> Any:
    with client.app.app_context():
        return client.emit(
            event, data if data is not None else {}, namespace="/room", callback=True
        )


def test_signed_out_sockets_are_refused(app: Flask, lessons: LessonHub) -> None:
    client = room_client(app, None)
    assert not client.is_connected("/room")


def test_join_checks_the_person_and_the_window(app: Flask, lessons: LessonHub) -> None:
    lesson_id = started(lessons)
    joined = ack(room_client(app, "pup"), "join", {"lesson": lesson_id})
    assert (joined["role"], joined["sources"], joined["chat"]) == ("pupil", [], [])
    assert ack(room_client(app, "adv"), "join", {"lesson": lesson_id})["role"] == "advisor"
    assert ack(room_client(app, "adv2"), "join", {"lesson": lesson_id}) == {"error": "not-found"}
    assert ack(room_client(app, "outsider"), "join", {"lesson": lesson_id}) == {
        "error": "not-found"
    }
    assert ack(room_client(app, "pup"), "join", {"lesson": "1; drop"}) == {"error": "bad-request"}
    assert ack(room_client(app, "pup"), "join", {"lesson": 999999}) == {"error": "not-found"}
    future = scheduling.schedule_lesson(
        lessons.people.advisor, lessons.plan(start=lessons.plan().start.replace(hour=16))
    ).lesson
    assert ack(room_client(app, "pup"), "join", {"lesson": future.id}) == {"error": "closed"}
    over = started(lessons, minutes_ago=200)
    assert ack(room_client(app, "pup"), "join", {"lesson": over}) == {"error": "closed"}


def test_only_the_advisor_publishes_and_sdp_is_checked(app: Flask, lessons: LessonHub) -> None:
    lesson_id = started(lessons)
    pupil = room_client(app, "pup")
    assert ack(pupil, "publish", {"sdp": "v=0\r\n"}) == {"error": "not-allowed"}  # not joined yet
    ack(pupil, "join", {"lesson": lesson_id})
    assert ack(pupil, "publish", {"sdp": "v=0\r\n"}) == {"error": "not-allowed"}
    advisor = room_client(app, "adv")
    ack(advisor, "join", {"lesson": lesson_id})
    for bad in ({"sdp": 42}, {"sdp": "hello"}):
        assert ack(advisor, "publish", bad) == {"error": "bad-sdp"}
    assert ack(advisor, "publish", "not a dict") == {"error": "bad-request"}
    assert ack(advisor, "answer", {"sdp": "nonsense"}) == {"error": "no-source"}
    engine = app.extensions.get("media_engine")
    if engine is not None:
        engine.stop()


def test_chat_is_kept_escaped_and_rate_limited(app: Flask, lessons: LessonHub) -> None:
    lesson_id = started(lessons)
    pupil = room_client(app, "pup")
    assert ack(pupil, "chat", {"text": "hello"}) == {"error": "not-allowed"}  # not joined
    ack(pupil, "join", {"lesson": lesson_id})
    assert ack(pupil, "chat", {"text": "   "}) == {"error": "empty"}
    assert ack(pupil, "chat", {"text": "x" * 1001}) == {"error": "too-long"}
    assert ack(pupil, "chat", {"text": ["list"]}) == {"error": "bad-text"}
    assert ack(pupil, "chat", {"text": "<script>alert(1)</script> Сәлем!"}) == {"ok": True}
    for n in range(4):
        assert ack(pupil, "chat", {"text": f"line {n}"}) == {"ok": True}
    assert ack(pupil, "chat", {"text": "one too many"}) == {"error": "too-fast"}
    advisor = room_client(app, "adv")
    history = ack(advisor, "join", {"lesson": lesson_id})["chat"]
    assert [line["text"] for line in history][:2] == ["<script>alert(1)</script> Сәлем!", "line 0"]
    assert history[0]["author"] == "Сәрсенбаев Әлихан" and len(history) == 5
    received = [p for p in pupil.get_received("/room") if p["name"] == "chat"]
    assert len(received) == 5  # every line went to the room, the sender included
    engine = app.extensions.get("media_engine")
    if engine is not None:
        engine.stop()


def aiortc_offer() -> str:
    """A browser-like offer: camera and microphone, made by an aiortc peer on loopback."""
    from aiortc import AudioStreamTrack, RTCConfiguration, RTCPeerConnection, VideoStreamTrack

    from tests.media.test_forwarding import run_in_loop

    async def offer() -> str:
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        pc.addTrack(AudioStreamTrack())
        pc.addTrack(VideoStreamTrack())
        await pc.setLocalDescription(await pc.createOffer())
        sdp = pc.localDescription.sdp
        await pc.close()
        return sdp

    return run_in_loop(offer)


def test_bad_descriptions_are_refused_and_the_room_goes_on(app: Flask, lessons: LessonHub) -> None:
    lesson_id = started(lessons)
    advisor, pupil = room_client(app, "adv"), room_client(app, "pup")
    ack(advisor, "join", {"lesson": lesson_id})
    ack(pupil, "join", {"lesson": lesson_id})
    good = aiortc_offer()
    small_video = "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n"
    bad = {
        "bad-request": "v=0\r\n\x00\x01 garbage \r\n",  # control characters: any event
        "bad-sdp": "v=0\r\n garbage \r\n",
        "sdp-too-large": good + "a=x-pad:" + "x" * 5 * 1024 * 1024 + "\r\n",
        "sdp-too-many-sections": good + small_video * 200,
        "sdp-no-fingerprint": "\r\n".join(
            line for line in good.split("\r\n") if not line.startswith("a=fingerprint")
        ),
        "sdp-bad-codec": good.replace("VP8/90000", "H264/90000"),
        "sdp-bad-media": good.replace("m=audio", "m=application"),
    }
    for code, sdp in bad.items():
        assert ack(advisor, "publish", {"sdp": sdp, "source": "camera"}) == {"error": code}, code
    answer = ack(advisor, "publish", {"sdp": good, "source": "camera"})
    assert answer["sdp"].startswith("v=0")
    assert all("VP8" in line or "opus" in line or "rtx" in line
               for line in answer["sdp"].splitlines() if line.startswith("a=rtpmap"))  # fmt: skip
    sources = [p["args"][0] for p in pupil.get_received("/room") if p["name"] == "sources"][-1]
    assert [(s["kind"], s["kinds"]) for s in sources] == [("camera", ["audio", "video"])]
    offer = ack(pupil, "subscribe", {"source": sources[0]["id"]})
    assert "m=video" in offer["sdp"] and "m=audio" in offer["sdp"]
    assert ack(pupil, "audio_only", {"on": True}) == {"ok": True}
    offer = ack(pupil, "subscribe", {"source": sources[0]["id"]})
    assert "m=video" not in offer["sdp"] and "m=audio" in offer["sdp"]
    engine = app.extensions.get("media_engine")
    if engine is not None:
        engine.stop()


def test_sockets_from_another_origin_are_refused(app: Flask, lessons: LessonHub) -> None:
    http = app.test_client()
    AuthActions(http).login("pup")
    handshake = "/socket.io/?EIO=4&transport=polling"
    own = http.get(handshake, headers={"Origin": "http://localhost"})
    assert own.status_code == 200 and own.data.startswith(b"0{")
    foreign = http.get(handshake, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 400


def test_local_candidates_are_left_out() -> None:
    from intersession.rooms.sdp import checked

    offer = aiortc_offer()
    mdns = (
        "a=candidate:1 1 udp 2113937151 0b6c5e1a-2f4d-4c1e-9a43-1c2a3b4c5d6e.local 51234 typ host"
    )
    with_mdns = offer.replace("a=end-of-candidates", mdns + "\r\na=end-of-candidates")
    assert mdns in with_mdns
    cleaned = checked({"sdp": with_mdns})
    assert ".local" not in cleaned
    assert cleaned.count("a=candidate:") == offer.count("a=candidate:")


def test_events_with_unusable_payloads_are_refused(app: Flask, lessons: LessonHub) -> None:
    lesson_id = started(lessons)
    pupil = room_client(app, "pup")
    for payload in (
        {"lesson": 10**20},
        {"lesson": 2**31},
        {"lesson": True},
        {"lesson": float("nan")},
        {"lesson": "\x00"},
        {"lesson\x00": lesson_id},
        [[[[[[[[[[lesson_id]]]]]]]]]],
    ):
        assert ack(pupil, "join", payload) == {"error": "bad-request"}, payload
    assert ack(pupil, "chat", {"text": "сәлем\x00"}) == {"error": "bad-request"}
    assert "error" not in ack(pupil, "join", {"lesson": lesson_id})  # the socket goes on


def test_the_join_answer_hands_ice_servers_with_turn_credentials_until_the_lesson_ends(
    app: Flask, lessons: LessonHub
) -> None:
    import base64
    import hashlib
    import hmac

    lesson_id = started(lessons)
    assert ack(room_client(app, "pup"), "join", {"lesson": lesson_id})["ice_servers"] == []
    app.config.update(
        STUN_URLS=["stun:turn.hub.kz:3478"],
        TURN_URLS=["turn:turn.hub.kz:3478?transport=udp", "turns:turn.hub.kz:443?transport=tcp"],
        TURN_SECRET="shared-with-coturn",
    )
    stun, relay = ack(room_client(app, "pup"), "join", {"lesson": lesson_id})["ice_servers"]
    assert stun == {"urls": ["stun:turn.hub.kz:3478"]}
    assert relay["urls"][1] == "turns:turn.hub.kz:443?transport=tcp"
    expiry, user_id = relay["username"].split(":")
    lesson = db.session.get(Lesson, lesson_id)
    assert int(user_id) == lessons.people.pupil.id
    assert int(expiry) == int((lesson.ends_at + timedelta(minutes=30)).timestamp())
    # coturn's check (use-auth-secret): base64 of HMAC-SHA1 of the username under the secret.
    digest = hmac.new(b"shared-with-coturn", relay["username"].encode(), hashlib.sha1).digest()
    assert relay["credential"] == base64.b64encode(digest).decode()
