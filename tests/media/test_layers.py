"""Each listener gets the picture its link carries: a camera published in two encodings, one
listener behind an emulated rural link (tests/media/peers.py LinkRelay), one on a clean one."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from intersession.rooms.media import links, passthrough
from intersession.rooms.media.room import KINDS, MediaRoom
from tests.media.peers import Collector, LinkRelay, run_in_loop, start_two_encoding_publisher


async def _until(check: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        await asyncio.sleep(0.2)
    return False


def test_a_weak_link_gets_the_small_picture_then_sound_only_and_comes_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At 256 kbit/s the full picture (600 kbit/s) does not fit and the weak listener is moved to
    the small one (100 kbit/s) while the clean listener keeps the full one; at 48 kbit/s even that
    does not fit and it hears the lesson only; when the link is good again it comes back up, one
    picture at a time. Each change is told (for the page), and the sound goes on throughout."""
    passthrough.install()
    passthrough.gather_only(["127.0.0.1"])
    monkeypatch.setattr(links, "UP_AFTER", 3.0)  # the test's patience, not the product's
    monkeypatch.setattr(links, "UP_TO_FULL_AFTER", 4.0)

    async def scenario() -> dict[str, Any]:
        told: list[tuple[float, str | None]] = []

        def notify(event: str, data: dict[str, Any]) -> None:
            if event == "picture" and data["listener"] == "weak":
                told.append((time.monotonic(), data["picture"]))

        room = MediaRoom(ice_servers=[], notify=notify)
        publisher = await start_two_encoding_publisher(room)
        link = LinkRelay(kbps=256, delay=0.1, loss=0.02)
        await link.start()
        weak, clean = Collector(), Collector()
        await weak.join(room, "weak", relay=link)
        await clean.join(room, "clean")
        small = await _until(lambda: told and told[-1][1] == "small", 15)
        at_small = time.monotonic()
        await asyncio.sleep(3)
        weak_sizes = {(w, h) for _t, w, h in weak.decoded_sizes(since=at_small + 1)}
        clean_sizes = {(w, h) for _t, w, h in clean.decoded_sizes(since=at_small + 1)}

        link.rate = 48_000 / 8  # a link that carries sound only
        sound_only = await _until(lambda: told[-1][1] is None, 15)
        # What the link held at the switch is the link's, not the engine's: from when it has
        # all arrived (at 48 kbit/s a full queue takes seconds), nothing of a picture comes.
        quiet_from = max(time.monotonic() + 1.5, link.free_at + link.delay + 0.1)
        await asyncio.sleep(quiet_from + 2.5 - time.monotonic())
        video_then = [t for t, _p in weak.packets["video"] if t > quiet_from]
        audio_then = [t for t, _p in weak.packets["audio"] if t > quiet_from]

        link.rate, link.loss = 5_000_000 / 8, 0.0
        back = await _until(lambda: told[-1][1] == "full", 30)
        at_full = time.monotonic()
        await asyncio.sleep(2)
        full_sizes = {(w, h) for _t, w, h in weak.decoded_sizes(since=at_full + 1)}
        counters = await room.counters()
        for listener in (weak, clean):
            await listener.close()
        await link.close()
        await room.close()
        await publisher.close()
        return {
            "small": small, "weak_sizes": weak_sizes, "clean_sizes": clean_sizes,
            "sound_only": sound_only, "video_then": len(video_then),
            "audio_then": len(audio_then), "back": back, "full_sizes": full_sizes,
            "told": [picture for _t, picture in told], "keyframes": counters["keyframes_asked"],
        }  # fmt: skip

    result = run_in_loop(scenario, timeout=120)
    assert result["small"], result["told"]
    assert result["weak_sizes"] == {(320, 180)}, result
    assert result["clean_sizes"] == {(640, 360)}, result
    assert result["sound_only"], result["told"]
    assert result["video_then"] == 0  # no picture at all on a link that cannot carry one
    assert result["audio_then"] > 80  # 2.5 s of sound at 50 packets a second, most of it there
    assert result["back"], result["told"]
    assert result["told"][-2:] == ["small", "full"]  # one step at a time
    assert result["full_sizes"] == {(640, 360)}


def test_the_judge_goes_down_on_congestion_not_on_random_loss() -> None:
    """A rural link loses a few per cent at random: the picture stays. A picture that does not fit
    loses far more: down one step at once when a try up fails, after two looks otherwise; the next
    try waits twice as long."""
    judge = links.LinkJudge(["full", "small", None])
    received = lost = 0
    now = 0.0

    def look(loss: float, rtt: float = 0.1) -> bool:
        nonlocal received, lost, now
        lost += round(100 * loss)
        received += 100 - round(100 * loss)
        now += 1.0
        return judge.report(now, {"video": links.Counts(lost, received)}, rtt)

    assert [look(0.05) for _ in range(5)] == [False] * 5 and judge.picture == "full"
    judge = links.LinkJudge(["full", "small", None])
    received = lost = 0
    assert look(0.0) is False
    assert look(0.8) is True and judge.picture == "small"  # far over: at once
    waited = 1
    while not look(0.05):
        waited += 1
    assert judge.picture == "full"  # a clean spell: try up (the full picture: a long one)
    assert links.UP_TO_FULL_AFTER <= waited <= links.SETTLE + links.UP_TO_FULL_AFTER + 1
    assert look(0.25) is True and judge.picture == "small"  # the try failed: at once
    waited = 0
    while not look(0.05):
        waited += 1
    assert waited >= 2 * links.UP_TO_FULL_AFTER  # twice as long before the next try
    judge.repeat_sound = False
    assert look(0.03) is False and judge.repeat_sound  # loss: the sound is sent twice


def test_from_sound_only_the_small_picture_is_tried_soon() -> None:
    judge = links.LinkJudge(["full", "small", None], level=2)
    second = 0
    while not judge.report(float(second + 1), {"audio": links.Counts(0, 50 * (second + 1))}, 0.1):
        second += 1
    assert judge.picture == "small" and links.UP_AFTER <= second <= links.UP_AFTER + 2
    assert judge.wait_up == links.UP_TO_FULL_AFTER  # the full one, later


def test_the_judge_holds_while_a_queue_builds() -> None:
    judge = links.LinkJudge(["full", "small", None], level=1)
    for second in range(1, 30):
        judge.report(float(second), {"audio": links.Counts(0, 50 * second)}, 0.1 + second * 0.05)
    assert judge.picture == "small"  # never tried up: the round trip kept growing


def test_a_lossy_link_gets_its_sound_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    """A link that loses a quarter of its packets at random: sent once, a quarter of the sound is
    gone; sent twice (once the judge sees the loss), nearly all of it comes."""
    passthrough.install()
    passthrough.gather_only(["127.0.0.1"])
    monkeypatch.setattr(links, "REPEAT_FROM", 2.0)  # first: never repeated

    def share(link: LinkRelay, begin: float, end: float) -> float:
        """The sound that reached the listener (as a browser's jitter buffer takes it), out of what
        was sent meanwhile: counted by RTP timestamps, so a publisher slowed by a busy machine
        does not count as loss."""
        stamps = {stamp for t, _seq, stamp in link.delivered["audio"] if begin <= t <= end}
        sent = (max(stamps) - min(stamps)) // 960 + 1  # Opus: 20 ms at 48 kHz a packet
        return len(stamps) / sent

    async def repeating(room: MediaRoom) -> None:
        while not any(
            "audio" in listener.senders and listener.senders["audio"][1].repeated
            for listener in room.listeners.values()
        ):
            await asyncio.sleep(0.1)

    async def scenario() -> tuple[float, float]:
        room = MediaRoom(ice_servers=[])
        publisher = await start_two_encoding_publisher(room)
        link = LinkRelay(kbps=20_000, delay=0.05, loss=0.25)
        await link.start()
        lossy = Collector()
        await lossy.join(room, "lossy", relay=link)
        await asyncio.sleep(3)
        begin = time.monotonic()
        await asyncio.sleep(8)
        once = share(link, begin, time.monotonic())
        monkeypatch.setattr(links, "REPEAT_FROM", 0.02)
        await asyncio.wait_for(repeating(room), 10)  # the judge's next looks
        await asyncio.sleep(0.5)  # the repeats of packets sent before are on their way
        begin = time.monotonic()
        await asyncio.sleep(8)
        twice = share(link, begin, time.monotonic())
        await lossy.close()
        await link.close()
        await room.close()
        await publisher.close()
        return once, twice

    once, twice = run_in_loop(scenario, timeout=60)
    print("sound that came, sent once and twice:", once, twice)
    assert 0.65 < once < 0.85, once  # 0.75 expected
    # 1 - 0.25 ** 2 = 0.94 expected. The repeats must cut what was lost by more than a third (a
    # quarter of it is expected to remain): a busy machine shifts both shares, so the test asks
    # for the loss's ratio, not a fixed gap (CI read 0.827 and 0.926 under load, a gap of 0.099).
    assert twice > 0.88 and (1 - twice) < 0.6 * (1 - once), (once, twice)


def test_the_judge_does_not_take_a_cut_for_congestion() -> None:
    """The link went for five seconds (no reports came) and came back: the first report counts
    what was lost meanwhile, and the picture stays."""
    judge = links.LinkJudge(["full", "small", None])
    received = 0
    for second in range(1, 6):
        received += 50
        judge.report(float(second), {"audio": links.Counts(0, received)}, 0.1)
    for second in range(6, 11):  # nothing new
        assert judge.report(float(second), {"audio": links.Counts(0, received)}, 0.1) is False
    received += 50
    assert judge.report(11.0, {"audio": links.Counts(250, received)}, 0.1) is False
    received += 50
    assert judge.report(12.0, {"audio": links.Counts(250, received)}, 0.1) is False
    assert judge.picture == "full"


def test_a_listener_of_a_weak_school_starts_on_the_small_picture() -> None:
    """Its school's last check said the link carries the small picture: the first picture it
    decodes is the small one, while another listener's is the full one."""
    passthrough.install()
    passthrough.gather_only(["127.0.0.1"])

    async def scenario() -> tuple[set[tuple[int, int]], set[tuple[int, int]], int]:
        room = MediaRoom(ice_servers=[])
        publisher = await start_two_encoding_publisher(room)
        await _until(lambda: room.sources["main"].small is not None, 5)
        weak, clean = Collector(), Collector()
        offer = await room.subscribe("weak", "main", ("audio", "video"), "small")
        await weak.answer(room, "weak", offer)
        await clean.join(room, "clean")
        await asyncio.sleep(3)
        sizes = {(w, h) for _t, w, h in weak.decoded_sizes()}
        clean_sizes = {(w, h) for _t, w, h in clean.decoded_sizes()}
        counters = await room.counters()
        for listener in (weak, clean):
            await listener.close()
        await room.close()
        await publisher.close()
        return sizes, clean_sizes, counters["small_pictures"]

    sizes, clean_sizes, small = run_in_loop(scenario)
    assert sizes == {(320, 180)} and clean_sizes == {(640, 360)} and small == 1


def test_a_listener_reporting_every_five_seconds_is_judged_all_the_same() -> None:
    """A browser that receives sound only reports every 5 s: after the first few, those reports
    are not taken for outages, and a spell of them tries the small picture again."""
    judge = links.LinkJudge(["full", "small", None], level=2)
    changed_at = None
    for look in range(1, 40):
        if judge.report(look * 5.0, {"audio": links.Counts(0, 250 * look)}, 0.1):
            changed_at = look * 5.0
            break
    assert judge.picture == "small" and changed_at is not None and changed_at <= 60


def test_a_listener_on_sound_only_may_try_the_picture_now() -> None:
    """Started on sound only (its school's check), the listener asks to try the picture: the small
    one comes at once, and the web process is told; asked again on the small picture, it tries the
    full one; a listener the room does not know is a KeyError (the page's "no-source")."""
    passthrough.install()
    passthrough.gather_only(["127.0.0.1"])
    told: list[dict[str, Any]] = []

    async def scenario() -> dict[str, Any]:
        room = MediaRoom(ice_servers=[], notify=lambda event, data: told.append(data))
        publisher = await start_two_encoding_publisher(room)
        await _until(lambda: room.sources["main"].small is not None, 5)
        listener = Collector()
        await listener.answer(room, "pupil", await room.subscribe("pupil", "main", KINDS, "none"))
        await asyncio.sleep(2)
        before = len(listener.decoded_sizes())
        tried = time.monotonic()
        picture = await room.try_picture("pupil", "main")
        await asyncio.sleep(3)
        sizes = {(w, h) for _t, w, h in listener.decoded_sizes(since=tried)}
        again = await room.try_picture("pupil", "main")
        try:
            await room.try_picture("stranger", "main")
            stranger = "answered"
        except KeyError:
            stranger = "KeyError"
        await listener.close()
        await room.close()
        await publisher.close()
        return {"before": before, "picture": picture, "sizes": sizes, "again": again,
                "stranger": stranger}  # fmt: skip

    result = run_in_loop(scenario)
    assert result == {"before": 0, "picture": "small", "sizes": {(320, 180)}, "again": "full",
                      "stranger": "KeyError"}, result  # fmt: skip
    assert {"listener": "pupil", "source": "main", "picture": "small"} in told


def test_a_try_up_that_the_link_does_not_carry_goes_back_down_and_waits_longer() -> None:
    judge = links.LinkJudge(["full", "small", None], level=2)
    assert judge.try_up(100.0) and judge.picture == "small"
    judge.report(101.0, {"video": links.Counts(0, 100)}, 0.1)
    assert judge.report(102.0, {"video": links.Counts(40, 160)}, 0.1)  # 40% lost: back down
    assert judge.picture is None and judge.wait_up == 2 * links.UP_AFTER
    assert not links.LinkJudge(["full", None]).try_up(0.0)  # on the full picture already
