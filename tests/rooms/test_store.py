"""The live rooms' store, in memory and in a real Redis: two stores on one Redis are two web
instances, and must agree."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from intersession.rooms.chat import BURST
from intersession.rooms.live import Participant
from intersession.rooms.store import MemoryRoomStore, RedisRoomStore, RoomStore
from tests.servers import RedisServer, require


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require("redis-server")
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server.url
    server.stop()


@pytest.fixture(params=["memory", "redis"])
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], RoomStore]:
    """A maker of stores that share their state, one per instance name."""
    if request.param == "memory":
        shared = MemoryRoomStore("a")
        return lambda name: shared
    url = request.getfixturevalue("redis_url")
    prefix = f"test-{tmp_path.name}:"  # each test its own keys
    return lambda name: RedisRoomStore(name, url, prefix=prefix)


def pupil(sid: str, user_id: int = 7, instance: str = "a") -> Participant:
    return Participant(sid=sid, user_id=user_id, name="Айгерім", role="pupil", instance=instance)


def test_a_change_is_kept_and_a_snapshot_is_not(stores: Callable[[str], RoomStore]) -> None:
    store = stores("a")
    with store.changing(5) as room:
        room.participants["s1"] = pupil("s1")
        room.ticks[3] = {9: 41}
    snapshot = store.read(5)
    assert snapshot.participants["s1"].name == "Айгерім" and snapshot.ticks == {3: {9: 41}}
    snapshot.participants["s1"].hand = True
    assert store.read(5).participants["s1"].hand is False
    with pytest.raises(RuntimeError), store.changing(5) as room:
        room.participants["s1"].hand = True
        raise RuntimeError("a handler failed half-way")
    assert store.read(5).participants["s1"].hand is False
    assert 5 in store.lesson_ids()


def test_the_socket_index_follows_the_room(stores: Callable[[str], RoomStore]) -> None:
    a, b = stores("a"), stores("b")
    with a.changing(5) as room:
        room.participants["s1"] = pupil("s1")
    assert b.lesson_of("s1") == 5
    found = b.of_socket("s1")
    assert found is not None and found[1].user_id == 7
    with b.changing(5) as room:
        del room.participants["s1"]
    assert a.lesson_of("s1") is None and a.of_socket("s1") is None


def test_changes_from_two_instances_at_once_are_not_lost(
    stores: Callable[[str], RoomStore],
) -> None:
    with stores("a").changing(5) as room:
        room.sources["count"] = {"n": 0}

    def bump(store: RoomStore) -> None:
        for _ in range(100):
            with store.changing(5) as room:
                room.sources["count"]["n"] += 1

    threads = [threading.Thread(target=bump, args=(stores(name),)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert stores("a").read(5).sources["count"]["n"] == 200


def test_a_persons_sockets_are_known_to_every_instance(
    stores: Callable[[str], RoomStore],
) -> None:
    a, b = stores("a"), stores("b")
    a.add_socket(7, "s1", "token-1")
    b.add_socket(7, "s2", "token-2")
    assert a.sockets_of(7) == {"s1": "token-1", "s2": "token-2"}
    a.drop_socket(7, "s2")
    assert b.sockets_of(7) == {"s1": "token-1"} and b.sockets_of(8) == {}


def test_the_chat_limit_holds_across_instances(stores: Callable[[str], RoomStore]) -> None:
    a, b = stores("a"), stores("b")
    allowed = [(a if n % 2 else b).allow_chat(7) for n in range(BURST + 2)]
    assert allowed == [True] * BURST + [False, False]
    assert a.allow_chat(8)  # another person is not held back


def test_participants_of_an_instance_that_stopped_answering_are_ghosts(
    redis_url: str, tmp_path: Path
) -> None:
    a = RedisRoomStore("a", redis_url, prefix=f"ghosts-{tmp_path.name}:")
    b = RedisRoomStore("b", redis_url, prefix=f"ghosts-{tmp_path.name}:")
    with a.changing(5) as room:
        room.participants["s1"] = pupil("s1", instance="a")
        room.participants["s2"] = pupil("s2", user_id=8, instance="b")
    a.beat()
    assert [p.sid for p in a.ghosts(a.read(5))] == ["s2"]  # b never said it lives
    b.beat()
    assert a.ghosts(a.read(5)) == []


def test_what_redis_keeps_of_a_socket_expires_if_its_instance_dies_without_a_word(
    redis_url: str, tmp_path: Path
) -> None:
    """A killed instance cannot clean up: every key it leaves for a socket lapses by itself,
    the person's registry after the longest a room is kept, renewed with each new socket."""
    from intersession.rooms.store import ROOM_TTL

    store = RedisRoomStore("a", redis_url, prefix=f"test-{tmp_path.name}:")
    store.add_socket(7, "s1", "token-1")
    with store.changing(5) as room:
        room.participants["s1"] = pupil("s1")
    keys = list(store.redis.scan_iter(match=store.prefix + "*"))
    assert keys
    for key in keys:
        if not key.endswith(":lock"):
            ttl = store.redis.ttl(key)
            assert 0 < ttl <= ROOM_TTL, (key, ttl)
    assert store.lesson_of("s1") == 5
    with store.changing(5) as room:
        del room.participants["s1"]
    assert store.lesson_of("s1") is None
