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
    track.current = 0  # the key frame the refusals asked for went out
    track.delivered += 200  # 200 packets went out since
    allowed = [track.may_retransmit(seq) for seq in range(100, 200)]
    assert sum(allowed) == min(RETRANSMIT_BURST, 200 * RETRANSMIT_SHARE)
    track.current = 0
    track.delivered += 1000
    answered = [track.may_retransmit(500, now=at) for at in (1.0, 2.0, 3.0)]
    assert answered == [True, True, False]


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
        engine_track = room.listeners[("weak", "main")].tracks
        weak = next(track for fanout, track in engine_track if track.kind == "video")
        keyframe = weak.keyframe_sequence  # noted by the sender's history as it went out
        assert keyframe is not None
        since = [(keyframe + n) % 2**16 for n in range(128)]  # all of use, none before it
        for _ in range(10):  # a weak link: NACKs for everything, and a PLI after each
            await video._send_rtcp_nack(ssrc, since)
            await video._send_rtcp_pli(ssrc)
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.3)
        result = {
            "resent": weak.resent,
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
    assert 1 <= result["resent"] <= RETRANSMIT_BURST + result["delivered"] * RETRANSMIT_SHARE
    # Ten PLIs in a second went to the publisher as at most one key-frame request.
    assert 1 <= result["asked"] <= 1, result


def test_a_packet_asked_again_while_its_copy_is_on_its_way_is_not_resent() -> None:
    """A client asks again for everything still missing each time it finds a new gap: within the
    round trip the copy sent is still on its way, and sending another only fills the link."""
    track = ListenerTrack("video", lambda: None)
    track.current = 0
    track.delivered += 1000
    track.round_trip = 0.4
    assert track.may_retransmit(7, now=10.0) is True
    assert track.may_retransmit(7, now=10.3) is False  # its copy is still on its way
    assert track.refused_retransmissions == 0  # not a refusal: nothing was lost to it
    assert track.may_retransmit(7, now=10.6) is True  # a round trip on: the copy was lost too
    assert track.may_retransmit(7, now=11.5) is False  # twice is the most


def test_a_picture_that_cannot_be_mended_asks_for_a_key_frame_at_once() -> None:
    """What a NACK cannot get back leaves a hole no later delta decodes past: the key frame is
    asked for at once (not when the listener's decoder notices), and the deltas wait for it."""
    asked: list[str] = []
    track = ListenerTrack("video", lambda: asked.append("full"))
    track.current = 0
    track.delivered += 1000
    track.round_trip = 0.1
    for seq in range(RETRANSMIT_BURST):
        assert track.may_retransmit(seq, now=1.0)
    assert asked == []
    assert track.may_retransmit(99, now=1.0) is False  # over the share
    assert asked == ["full"] and track.current is None


def test_what_went_before_the_latest_key_frame_is_not_resent_and_costs_nothing() -> None:
    """The listener decodes from its latest key frame on; a client that asks again for old
    holes must not spend the share that mends the present picture."""
    track = ListenerTrack("video", lambda: None)
    track.current = 0
    track.delivered += 1000
    track.keyframe_sequence = 3
    assert [track.may_retransmit(seq, now=1.0) for seq in (65530, 0, 2)] == [False] * 3
    assert track.refused_retransmissions == 0 and track.current == 0  # nothing asked for
    assert sum(track.may_retransmit(seq, now=1.0) for seq in range(3, 3 + 50)) == RETRANSMIT_BURST
