"""What a listener's link asks of the engine is bounded: retransmissions (NACKs) to a share of
what it was sent, key-frame requests (PLIs) to the pace of one who fell behind. Through real
aiortc peers, so that an aiortc upgrade that changes the sender's private calls the engine
replaces (`_retransmit`, `_send_keyframe`) fails here."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from intersession.rooms.media import passthrough
from intersession.rooms.media.forwarding import RETRANSMIT_BURST, RETRANSMIT_SHARE, ListenerTrack
from intersession.rooms.media.room import MediaRoom
from tests.media.peers import Collector, run_in_loop, start_publisher

pytestmark = pytest.mark.media


def test_retransmissions_are_a_share_of_what_was_sent_and_each_packet_at_most_twice() -> None:
    track = ListenerTrack("video", lambda: None)
    track.current = 0  # a picture is being sent
    allowed = [track.may_retransmit(seq) for seq in range(100)]
    assert sum(allowed) == RETRANSMIT_BURST  # nothing sent yet: the first burst only
    track.delivered += 200  # 200 packets went out since
    allowed = [track.may_retransmit(seq) for seq in range(100, 200)]
    assert sum(allowed) == min(RETRANSMIT_BURST, 200 * RETRANSMIT_SHARE)
    track.delivered += 1000
    assert [track.may_retransmit(500) for _ in range(3)] == [True, True, False]


def test_no_picture_is_resent_to_a_listener_without_one() -> None:
    """Sound only, or a smaller picture until its key frame: what the link asks again of the
    picture it could not carry is of no use, and would take the room the sound needs."""
    track = ListenerTrack("video", lambda: None)
    track.add_feed(lambda: None)
    track.current = 0
    track.delivered += 1000
    track.choose(None)
    assert [track.may_retransmit(seq) for seq in range(5)] == [False] * 5
    track.choose(1)  # the small picture, from its next key frame
    assert track.may_retransmit(5) is False
    track.current = 1  # its key frame went out
    assert track.may_retransmit(6) is True
    sound = ListenerTrack("audio")
    assert sound.may_retransmit(1) is True


def test_a_listeners_nacks_and_plis_through_real_peers_are_bounded() -> None:
    passthrough.install()
    passthrough.gather_only(["127.0.0.1"])

    async def scenario() -> dict[str, Any]:
        room = MediaRoom(ice_servers=[])
        publisher = await start_publisher(room)
        listener = Collector()
        await listener.join(room, "weak")
        await asyncio.sleep(2)  # a picture, and some 60 packets of video
        video = next(t for t in listener.pc.getReceivers() if t.track.kind == "video")
        ssrc = video.getSynchronizationSources()[0].source
        received = len(listener.packets["video"])
        asked_before = room.keyframes_asked
        for _ in range(10):  # a weak link: NACKs for everything, and a PLI after each
            await video._send_rtcp_nack(ssrc, list(range(1, 129)))
            await video._send_rtcp_pli(ssrc)
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.3)
        engine_track = room.listeners[("weak", "main")].tracks
        weak = next(track for fanout, track in engine_track if track.kind == "video")
        result = {
            "refused": weak.refused_retransmissions,
            "delivered": weak.delivered,
            "asked": room.keyframes_asked - asked_before,
            "received": received,
        }
        await listener.close()
        await room.close()
        await publisher.close()
        return result

    result = run_in_loop(scenario)
    assert result["received"] > 30, result
    # 1,280 packets asked again: the engine sent only its share of what the listener was sent.
    assert result["refused"] >= 1280 - RETRANSMIT_BURST - result["delivered"] * RETRANSMIT_SHARE
    # Ten PLIs in a second went to the publisher as at most one key-frame request.
    assert 1 <= result["asked"] <= 1, result
