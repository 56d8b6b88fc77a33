"""The engine forwards encoded VP8 and Opus between real aiortc peers on loopback: listeners get
the publisher's packets undecoded, from a key frame on, and a late joiner gets a picture at once."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

import av
import pytest
from aiortc import (
    AudioStreamTrack,
    MediaStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)

from intersession.rooms.media import passthrough
from intersession.rooms.media.room import MediaRoom
from tests.media.peers import Collector, run_in_loop

pytestmark = pytest.mark.media


def test_encoded_forwarding_with_key_frames_for_late_joiners() -> None:
    passthrough.install()
    passthrough.gather_only(["127.0.0.1"])

    async def scenario() -> dict[str, Any]:
        room = MediaRoom(ice_servers=[])
        publisher = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        publisher.addTrack(VideoStreamTrack())
        publisher.addTrack(AudioStreamTrack())
        await publisher.setLocalDescription(await publisher.createOffer())
        answer = await room.publish(publisher.localDescription.sdp)
        await publisher.setRemoteDescription(RTCSessionDescription(answer, "answer"))
        for _ in range(100):
            if len(room.fanouts) == 2:
                break
            await asyncio.sleep(0.05)
        early, late = Collector(), Collector()
        await early.join(room, "early")
        await asyncio.sleep(4)
        joined_late = await late.join(room, "late")
        await asyncio.sleep(3)
        codecs = {sender.track.kind: sender for sender in publisher.getSenders()}
        result = {
            "early_video": len(early.packets["video"]),
            "early_audio": len(early.packets["audio"]),
            "early_frames": early.decoded_video_frames(),
            "late_frames": late.decoded_video_frames(),
            "late_first_is_key": bool(late.packets["video"]) and passthrough.is_vp8_keyframe(late.packets["video"][0][1]),
            "early_first_is_key": bool(early.packets["video"]) and passthrough.is_vp8_keyframe(early.packets["video"][0][1]),
            "late_first_after": late.packets["video"][0][0] - joined_late if late.packets["video"] else None,
            "answer_codecs": [line for line in answer.splitlines() if line.startswith("a=rtpmap")],
            "kinds": sorted(codecs),
        }  # fmt: skip
        await early.close()
        await late.close()
        await room.close()
        await publisher.close()
        return result

    result = run_in_loop(scenario)
    assert all("VP8" in line or "opus" in line or "rtx" in line for line in result["answer_codecs"])
    assert result["early_first_is_key"] and result["late_first_is_key"]
    assert result["early_video"] > 60 and result["early_audio"] > 100  # ~4 s of 30 fps and 50 pps
    assert (
        result["early_frames"] >= result["early_video"] * 0.9
    )  # what arrived decodes: forwarded intact
    assert result["late_frames"] > 30
    assert result["late_first_after"] is not None and result["late_first_after"] < 1.0


def test_a_stalled_listener_is_cut_back_to_the_next_key_frame() -> None:
    from intersession.rooms.media.forwarding import QUEUE_PACKETS, ListenerTrack

    requests: list[int] = []
    key, delta = av.Packet(b"\x00key"), av.Packet(b"\x01delta")
    listener = ListenerTrack("video", lambda: requests.append(1))
    listener.offer(delta)  # before any key frame: dropped, nothing queued
    assert listener.queue.qsize() == 0 and listener.waiting_for_keyframe
    listener.offer(key)
    for _ in range(QUEUE_PACKETS - 1):
        listener.offer(delta)
    assert listener.queue.qsize() == QUEUE_PACKETS and requests == []
    listener.offer(delta)  # one too many: the backlog goes, and a key frame is asked for
    assert listener.queue.qsize() == 0 and listener.waiting_for_keyframe and requests == [1]
    listener.offer(delta)
    assert listener.queue.qsize() == 0
    listener.offer(key)
    assert listener.queue.qsize() == 1 and not listener.waiting_for_keyframe
    audio = ListenerTrack("audio", lambda: requests.append(2))
    audio.offer(av.Packet(b"\x01opus"))  # audio needs no key frame
    assert audio.queue.qsize() == 1


def test_a_listener_that_takes_nothing_costs_the_others_nothing() -> None:
    """A listener whose connection never comes up (nothing reads its track) keeps a bounded queue,
    cut back to key frames, while another listener gets every frame."""
    from intersession.rooms.media.forwarding import QUEUE_PACKETS

    passthrough.install()
    passthrough.gather_only(["127.0.0.1"])

    async def scenario() -> dict[str, Any]:
        room = MediaRoom(ice_servers=[])
        publisher = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        publisher.addTrack(VideoStreamTrack())
        publisher.addTrack(AudioStreamTrack())
        await publisher.setLocalDescription(await publisher.createOffer())
        answer = await room.publish(publisher.localDescription.sdp)
        await publisher.setRemoteDescription(RTCSessionDescription(answer, "answer"))
        await room.wait_for_tracks("main", 2)
        await room.subscribe("stalled")  # an offer never answered: its senders never read
        healthy = Collector()
        await healthy.join(room, "healthy")
        await asyncio.sleep(6)
        stalled = room.listeners[("stalled", "main")]
        queues = {track.kind: track.queue.qsize() for _fanout, track in stalled.tracks}
        dropped = sum(track.dropped for _fanout, track in stalled.tracks)
        frames = [when for when, _packet in healthy.packets["video"]]
        await healthy.close()
        await room.close()
        await publisher.close()
        return {"queues": queues, "dropped": dropped, "frames": frames}

    result = run_in_loop(scenario)
    assert all(size <= QUEUE_PACKETS for size in result["queues"].values())
    assert result["dropped"] > 100  # six seconds of packets, most of them let go
    frames = result["frames"]
    assert len(frames) > 120  # about 30 frames a second for the one that listens
    gaps = [later - earlier for earlier, later in itertools.pairwise(frames)]
    assert max(gaps) < 0.5  # never held up behind the stalled one


class _Camera(MediaStreamTrack):
    """A publisher's video as the engine receives it: VP8 packets at 30 fps, delta frames only
    until told to send a key frame (as an encoder does when asked)."""

    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        self.keyframe_next = False

    async def recv(self) -> av.Packet:
        await asyncio.sleep(1 / 30)
        key, self.keyframe_next = self.keyframe_next, False
        return av.Packet(b"\x00key" if key else b"\x01delta")


def test_key_frame_requests_are_deferred_and_repeated_while_a_listener_waits() -> None:
    """Two listeners join 100 ms apart and no key frame comes: the second one's request is not
    dropped but sent once the 300 ms are up, and the publisher is asked again while anyone waits,
    every 2 s. Once a key frame has come, nobody asks any more."""
    from intersession.rooms.media.forwarding import KEYFRAME_INTERVAL, Fanout

    async def scenario() -> dict[str, Any]:
        camera = _Camera()
        asked: list[float] = []
        fanout = Fanout(camera, lambda: asked.append(time.monotonic()))
        fanout.start()
        start = time.monotonic()
        first = fanout.add_listener()
        await asyncio.sleep(0.1)
        second = fanout.add_listener()
        await asyncio.sleep(2.5)
        waiting = [first.waiting_for_keyframe, second.waiting_for_keyframe]
        camera.keyframe_next = True
        await asyncio.sleep(0.2)
        served = [first.waiting_for_keyframe, second.waiting_for_keyframe]
        asked_then = len(asked)
        await asyncio.sleep(1.5)
        await fanout.stop()
        return {
            "asked": [when - start for when in asked],
            "waiting": waiting,
            "served": served,
            "asked_after_served": len(asked) - asked_then,
        }

    result = run_in_loop(scenario)
    asked = result["asked"]
    assert result["waiting"] == [True, True]
    assert asked[0] < 0.05  # the first listener's request goes at once
    assert 0.1 < asked[1] < 0.5  # the second one's waits out the 300 ms, and goes
    assert len(asked) == 3 and 2.2 < asked[2] < 2.45  # again 2 s on, while they wait
    gaps = [later - earlier for earlier, later in itertools.pairwise(asked)]
    assert min(gaps) >= KEYFRAME_INTERVAL - 0.01
    assert result["served"] == [False, False]
    assert result["asked_after_served"] == 0


def test_a_listener_that_keeps_falling_behind_gets_a_key_frame_at_most_every_two_seconds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A listener on a weak link (here: one that never reads) lets its backlog go again and again;
    the publisher is asked for a key frame for it at most once per 2 s, while a listener who joins
    meanwhile is served within the 300 ms."""
    from intersession.rooms.media import forwarding
    from intersession.rooms.media.forwarding import KEYFRAME_RECOVERY, Fanout

    monkeypatch.setattr(forwarding, "QUEUE_PACKETS", 10)  # a third of a second behind

    async def scenario() -> dict[str, Any]:
        camera = _Camera()
        asked: list[float] = []

        def ask() -> None:
            asked.append(time.monotonic())
            camera.keyframe_next = True  # as an encoder answers

        fanout = Fanout(camera, ask)
        fanout.start()
        start = time.monotonic()
        weak = fanout.add_listener()  # never reads
        await asyncio.sleep(3.0)
        joined = time.monotonic()
        fanout.add_listener()
        await asyncio.sleep(4.0)
        await fanout.stop()
        return {
            "asked": [t - start for t in asked],
            "joined": joined - start,
            "dropped": weak.dropped,
        }

    result = run_in_loop(scenario)
    asked, joined = result["asked"], result["joined"]
    assert result["dropped"] > 100  # it fell behind all along
    assert any(joined <= t <= joined + 0.35 for t in asked), asked  # the newcomer is not held
    for_the_weak = [t for t in asked if not joined <= t <= joined + 0.35]
    gaps = [later - earlier for earlier, later in itertools.pairwise(for_the_weak)]
    assert gaps and min(gaps) >= KEYFRAME_RECOVERY - 0.05, asked
    assert len(asked) <= 6  # 7 s: at 300 ms it would have been some twenty
