"""Media nodes: two node processes (each in a network namespace of its own when root), Redis and two
web instances. A publisher through one instance and a listener through the other meet on the node
Redis places the room on; rooms are placed by the seats they reserve; a node killed mid-lesson
moves its rooms to the other, whose pages publish and subscribe again; and the node's channel
refuses a wrong key and survives malformed frames."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import struct
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aioice.ice
import av
import pytest
import redis
import socketio
from aiortc import (
    AudioStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)
from sqlalchemy import select

from intersession.core.db import db
from intersession.recordings import services
from intersession.recordings.models import Recording, RecordingState
from intersession.rooms.media import channel, passthrough
from tests.conftest import make_app
from tests.media.peers import Collector, run_in_loop
from tests.scaled.conftest import (
    NODE_KEY,
    MediaNodeProcess,
    Region,
    lesson_for,
    peer_addresses,
)
from tests.servers import joined, process_tree, visitor

pytestmark = [pytest.mark.scaled, pytest.mark.media]


@pytest.fixture(autouse=True)
def peers_gather(nodes_region: Region) -> Iterator[None]:
    """The test's aiortc peers receive packets as they came and offer the addresses the nodes
    reach; what they offered before comes back afterwards (it is process-wide)."""
    before = aioice.ice.get_host_addresses
    passthrough.install()
    passthrough.gather_only(peer_addresses(nodes_region))
    yield
    aioice.ice.get_host_addresses = before


def placed(region: Region, lesson_id: int) -> str | None:
    client = redis.Redis.from_url(region.redis.url, decode_responses=True)
    try:
        value = client.get(f"intersession:media:room:{lesson_id}")
    finally:
        client.close()
    return str(value) if value else None


def node_holding(region: Region, lesson_id: int) -> MediaNodeProcess:
    node_id = placed(region, lesson_id)
    return next(node for node in region.nodes.values() if node.id == node_id)


async def ask(client: socketio.Client, event: str, data: dict[str, Any]) -> Any:
    """A Socket.IO call from the event loop, waited for on a thread."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(
        None, lambda: client.call(event, data, namespace="/room", timeout=30)
    )


async def publish(client: socketio.Client) -> RTCPeerConnection:
    """The advisor's camera (aiortc: VP8 and Opus) on air through the instance of `client`."""
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTrack(VideoStreamTrack())
    pc.addTrack(AudioStreamTrack())
    await pc.setLocalDescription(await pc.createOffer())
    reply = await ask(client, "publish", {"source": "camera", "sdp": pc.localDescription.sdp})
    assert "sdp" in reply, reply
    await pc.setRemoteDescription(RTCSessionDescription(reply["sdp"], "answer"))
    return pc


async def listen(client: socketio.Client, source_id: str) -> Collector:
    """A listener of the source through the instance of `client`, once the source's tracks are
    at the engine (a page asks again when told there is no source yet)."""
    deadline = time.monotonic() + 20
    while (offer := await ask(client, "subscribe", {"source": source_id})).get("error"):
        assert offer["error"] == "no-source" and time.monotonic() < deadline, offer
        await asyncio.sleep(0.2)
    listener = Collector()
    await listener.pc.setRemoteDescription(RTCSessionDescription(offer["sdp"], "offer"))
    await listener.pc.setLocalDescription(await listener.pc.createAnswer())
    answer = {"source": source_id, "sdp": listener.pc.localDescription.sdp}
    assert await ask(client, "answer", answer) == {"ok": True}
    return listener


async def frames_arrive(listener: Collector, seconds: float = 3) -> int:
    await asyncio.sleep(seconds)
    return listener.decoded_video_frames()


def test_a_publisher_through_one_instance_and_a_listener_through_the_other_meet_on_a_node(
    nodes_region: Region,
) -> None:
    region = nodes_region
    a, b = region.instances["web-a"].url, region.instances["web-b"].url
    with visitor(a) as advisor, visitor(b) as pupil:
        advisor.login("adv")
        pupil.login("pup")
        advisor_socket, _, me = joined(advisor, a, region.lesson_id)
        pupil_socket, _, _ = joined(pupil, b, region.lesson_id)

        async def scenario() -> dict[str, Any]:
            publisher = await publish(advisor_socket)
            listener = await listen(pupil_socket, me["me"])
            frames = await frames_arrive(listener)  # a beat or more
            audio = len(listener.packets["audio"])
            beat = node_holding(region, region.lesson_id).heartbeat()
            await listener.close()
            await publisher.close()
            return {"frames": frames, "audio": audio, "beat": beat}

        result = run_in_loop(scenario)
    assert result["frames"] > 30 and result["audio"] > 50, result
    assert result["beat"]["listeners"] == 1 and result["beat"]["rooms"] == 1, result["beat"]
    assert result["beat"]["cpu"] > 0
    holder = node_holding(region, region.lesson_id)
    other = next(node for node in region.nodes.values() if node is not holder)
    assert holder.heartbeat()["reserved"] == 3  # one pupil, the advisor, the pupil's classroom
    assert other.heartbeat()["reserved"] == 0
    assert "media node" in holder.log.read_text()  # it served; the instances started no worker


def test_rooms_are_placed_by_the_seats_they_reserve(nodes_region: Region) -> None:
    region = nodes_region
    sizes = {"big": 9, "small": 2, "middle": 4}  # seats 11, 4 and 6
    lessons = {tag: lesson_for(pupils, tag, region) for tag, pupils in sizes.items()}
    a, b = region.instances["web-a"].url, region.instances["web-b"].url
    with visitor(a) as advisor:
        advisor.login("adv")
        sockets = {}
        for index, (tag, lesson_id) in enumerate(lessons.items()):  # in this order
            sockets[tag], _, _ = joined(advisor, (a, b)[index % 2], lesson_id)

        async def scenario() -> None:
            publishers = [await publish(sockets[tag]) for tag in lessons]
            await asyncio.sleep(1)  # connected, before they close
            for publisher in publishers:
                await publisher.close()

        run_in_loop(scenario)
        holders = {tag: placed(region, lesson_id) for tag, lesson_id in lessons.items()}
        # The big room takes one node; the small one the other, and the middle one follows it
        # there, where more is free (100 - 4 against 100 - 11), though it holds a room already.
        assert holders["big"] != holders["small"] == holders["middle"], holders
        time.sleep(2.5)  # a beat
        reserved = {node.name: node.heartbeat()["reserved"] for node in region.nodes.values()}
        assert sorted(reserved.values()) == [10, 11], reserved
        assert max(reserved.values()) / min(reserved.values()) <= 1.3

        # The advisor ends the small lesson: its room closes and its seats are free again.
        sockets["small"].emit("end", {}, namespace="/room")  # everyone is let go, the advisor too
        deadline = time.monotonic() + 20
        while placed(region, lessons["small"]) is not None:
            assert time.monotonic() < deadline, "the ended room kept its node"
            time.sleep(0.1)
        time.sleep(2.5)
        reserved = {node.name: node.heartbeat()["reserved"] for node in region.nodes.values()}
        assert sorted(reserved.values()) == [6, 11], reserved


def recorded_tracks(region: Region) -> list[Path]:
    return sorted((region.tmp / "media" / "recordings").glob("*/*-camera-video-*.mkv"))


def test_a_killed_node_moves_its_rooms_and_the_pages_publish_and_subscribe_again(
    nodes_region: Region,
) -> None:
    region = nodes_region
    a, b = region.instances["web-a"].url, region.instances["web-b"].url
    with visitor(a) as advisor, visitor(b) as pupil:
        advisor.login("adv")
        pupil.login("pup")
        advisor_socket, at_a, me = joined(advisor, a, region.lesson_id, "engine-restarted")
        pupil_socket, at_b, _ = joined(pupil, b, region.lesson_id, "engine-restarted", "ended")
        moved: dict[str, Any] = {}

        async def scenario() -> None:
            publisher = await publish(advisor_socket)
            listener = await listen(pupil_socket, me["me"])
            moved["before"] = await frames_arrive(listener)
            moved["holder"] = holder = node_holding(region, region.lesson_id)
            blocking = asyncio.get_running_loop().run_in_executor
            await blocking(None, holder.kill)
            await blocking(None, lambda: at_a.wait("engine-restarted", timeout=20))
            await blocking(None, lambda: at_b.wait("engine-restarted", timeout=20))
            moved["swept"] = placed(region, region.lesson_id)  # placed again at the next publish
            await listener.close()
            await publisher.close()
            publisher = await publish(advisor_socket)  # as the page does when told
            listener = await listen(pupil_socket, me["me"])
            moved["after"] = await frames_arrive(listener)
            await listener.close()
            await publisher.close()

        run_in_loop(scenario)
        assert moved["before"] > 30 and moved["after"] > 30, moved
        assert moved["swept"] is None
        holder = moved["holder"]
        survivor = next(node for node in region.nodes.values() if node is not holder)
        assert placed(region, region.lesson_id) == survivor.id
        # Each page was told once, though both instances saw the node go.
        assert [name for name, _ in at_a.seen] == ["engine-restarted"]
        assert [name for name, _ in at_b.seen] == ["engine-restarted"]
        advisor_socket.emit("end", {}, namespace="/room")  # everyone is let go, the advisor too
        at_b.wait("ended", timeout=20)  # before the sockets close: the end was taken
    # The lesson's recording went on in the same folder of the shared MEDIA_ROOT: one track
    # from each node; finished (as the Celery task does), it holds both parts.
    tracks = recorded_tracks(region)
    assert len(tracks) == 2 and len({t.parent for t in tracks}) == 1, tracks
    app = make_app(region.tmp, SQLALCHEMY_DATABASE_URI=region.database,
                   MEDIA_ROOT=str(region.tmp / "media"))  # fmt: skip
    with app.app_context():
        query = select(Recording).where(Recording.lesson_id == region.lesson_id)
        deadline = time.monotonic() + 20
        while (recording := db.session.scalars(query).one()).state is not RecordingState.FINISHING:
            assert time.monotonic() < deadline, recording.state
            db.session.rollback()
            time.sleep(0.2)
        assert recording.incomplete and recording.stop_reason == "engine-restarted"
        finished = services.finish_recording(recording.id)
        assert finished is not None and finished.state is RecordingState.READY
        with av.open(str(services.folder_of(finished) / "lesson.webm")) as played:
            seconds = sorted(f.time for f in played.decode(video=0))
        # Three seconds or more before the node died, and three after on the other node.
        assert seconds[0] < 1.0 and seconds[-1] - seconds[0] > 5.0, (seconds[0], seconds[-1])
        db.session.remove()
        db.engine.dispose()


def test_a_frozen_node_whose_heartbeat_lapses_loses_its_rooms_and_closes_them_when_it_wakes(
    nodes_region: Region,
) -> None:
    """Its connections stay open, but it stops beating: the rooms move all the same, and the
    node, woken, closes the rooms that are no longer placed on it."""
    region = nodes_region
    a = region.instances["web-a"].url
    with visitor(a) as advisor:
        advisor.login("adv")
        advisor_socket, told, _ = joined(advisor, a, region.lesson_id, "engine-restarted")
        moved: dict[str, Any] = {}

        async def scenario() -> None:
            publisher = await publish(advisor_socket)
            await asyncio.sleep(1)
            moved["holder"] = holder = node_holding(region, region.lesson_id)
            frozen = process_tree(holder.process.pid)
            for pid in frozen:
                os.kill(pid, signal.SIGSTOP)
            try:
                wait = lambda: told.wait("engine-restarted", timeout=20)  # noqa: E731
                await asyncio.get_running_loop().run_in_executor(None, wait)
                await publisher.close()
                publisher = await publish(advisor_socket)
                moved["now_on"] = placed(region, region.lesson_id)
            finally:
                for pid in frozen:
                    os.kill(pid, signal.SIGCONT)
            await asyncio.sleep(1)
            await publisher.close()

        run_in_loop(scenario)
        holder = moved["holder"]
        assert moved["now_on"] not in (None, holder.id)
        deadline = time.monotonic() + 30
        while (beat := holder.heartbeat()) is None or beat["rooms"] != 0:
            assert time.monotonic() < deadline, f"the woken node kept the room: {beat}"
            time.sleep(0.5)
    assert "closing room" in holder.log.read_text()


def test_a_node_stopped_in_order_hands_its_rooms_over_at_once(nodes_region: Region) -> None:
    """SIGTERM (systemctl stop): the node says so to the instances, which move its rooms without
    waiting for the heartbeat to lapse; it ends cleanly."""
    region = nodes_region
    a = region.instances["web-a"].url
    with visitor(a) as advisor:
        advisor.login("adv")
        advisor_socket, told, _ = joined(advisor, a, region.lesson_id, "engine-restarted")

        async def on_air() -> None:
            publisher = await publish(advisor_socket)
            await asyncio.sleep(1)
            await publisher.close()

        run_in_loop(on_air)
        holder = node_holding(region, region.lesson_id)
        holder.process.terminate()
        stopped = time.monotonic()
        told.wait("engine-restarted", timeout=10)
        assert time.monotonic() - stopped < 2  # its heartbeat would have lapsed after 6 s
        assert holder.process.wait(timeout=20) == 0
    assert "Traceback" not in holder.log.read_text()


def raw_connection(node: MediaNodeProcess) -> socket.socket:
    host, port = node.address.rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=10)


def hung_up(sock: socket.socket) -> bool:
    try:
        while sock.recv(65536):
            pass
        return True
    except ConnectionResetError:
        return True


def test_the_nodes_channel_refuses_a_wrong_key_and_survives_malformed_frames(
    nodes_region: Region,
) -> None:
    node = nodes_region.nodes["node-1"]
    with pytest.raises(channel.ChannelError):
        channel.connect(node.address, b"not-the-key-" * 4)

    with raw_connection(node) as sock:  # no handshake at all: a length of 2 GB
        sock.sendall(struct.pack(">I", 2**31))
        assert hung_up(sock)

    link = channel.connect(node.address, NODE_KEY.encode())
    assert link.peer == node.id
    channel._write_frame(link.sock, struct.pack(">I", 2**31))  # signed frames come with a tag
    assert hung_up(link.sock)
    link.close()

    link = channel.connect(node.address, NODE_KEY.encode())
    link.send({"hello": "not a request"})
    assert hung_up(link.sock)
    link.close()

    link = channel.connect(node.address, NODE_KEY.encode())
    link.send({"id": 1, "room": 5, "op": "__init__", "args": []})
    refused = link.receive()
    assert refused["ok"] is False and refused["error"]["code"] == "value-error"
    link.send({"id": 2, "room": 5, "op": "counters", "args": [], "timeout": 10})
    answered = link.receive()  # the node survived the frames above and answers as it should
    assert (answered["id"], answered["ok"], answered["value"]["keyframes_asked"]) == (2, True, 0)
    link.close()
    assert node.process.poll() is None
    assert json.dumps(node.heartbeat())  # still beating
    log = node.log.read_text()
    assert "refused a connection" in log and "wrong key" in log


def test_a_nodes_restarted_worker_has_the_pages_told_once_and_the_room_stays(
    nodes_region: Region,
) -> None:
    """A node's worker that dies is started again by the node: its rooms lost their media, not
    their node. The node tells every instance connected; one tells the pages."""
    region = nodes_region
    a, b = region.instances["web-a"].url, region.instances["web-b"].url
    with visitor(a) as advisor, visitor(b) as pupil:
        advisor.login("adv")
        pupil.login("pup")
        advisor_socket, at_a, me = joined(advisor, a, region.lesson_id, "engine-restarted")
        pupil_socket, at_b, _ = joined(pupil, b, region.lesson_id, "engine-restarted")

        async def on_air() -> None:  # both instances have asked the node
            publisher = await publish(advisor_socket)
            listener = await listen(pupil_socket, me["me"])
            await asyncio.sleep(1)  # connected, before they close
            await listener.close()
            await publisher.close()

        run_in_loop(on_air)
        holder = node_holding(region, region.lesson_id)
        workers = [
            pid
            for pid in process_tree(holder.process.pid)
            if "intersession.rooms.media.worker" in Path(f"/proc/{pid}/cmdline").read_text()
        ]
        assert len(workers) == 1
        os.kill(workers[0], signal.SIGKILL)
        at_a.wait("engine-restarted", timeout=20)
        at_b.wait("engine-restarted", timeout=20)
        time.sleep(1)
        assert [name for name, _ in at_a.seen] == ["engine-restarted"]
        assert [name for name, _ in at_b.seen] == ["engine-restarted"]
        assert placed(region, region.lesson_id) == holder.id
