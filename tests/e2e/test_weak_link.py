"""A pupil's Chromium behind a rural link (the user-space relay of the media tests: 256 kbit/s,
200 ms each way, 5% lost, a 40-packet queue), another on a clean one: the engine's link judge,
reading the pupil's own receiver reports, moves the weak one to the advisor's small picture and
leaves the other on the full one; the page and the advisor's list say so."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.test_coordinator_setup import shot
from tests.e2e.test_live_room import open_room
from tests.media.peers import LinkRelay

pytestmark = pytest.mark.browser


class RuralLink:
    """A LinkRelay on an event loop of its own, put between the engine and one listener: the
    engine's offer to it and its answer are rewritten on their way through the web app's calls
    to the media engine, so each side knows only the relay's address."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.relay = LinkRelay(kbps=256, delay=0.2, loss=0.05, queue_packets=40)
        asyncio.run_coroutine_threadsafe(self.relay.start(), self.loop).result(10)
        self.catching = False
        self.listener: str | None = None  # the participant whose connections it carries

    def put_before(self, workers: Any) -> None:
        request = workers.request

        def through_the_link(room_id: int, operation: str, *args: Any, **options: Any) -> Any:
            if operation == "subscribe" and (self.catching or args[0] == self.listener):
                self.listener, self.catching = args[0], False
                return self.relay.stand_in_for_engine(request(room_id, operation, *args, **options))
            if operation == "accept_answer" and args[0] == self.listener:
                args = (args[0], self.relay.stand_in_for_listener(args[1]), *args[2:])
            return request(room_id, operation, *args, **options)

        workers.request = through_the_link

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.relay.close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@pytest.fixture()
def rural_link(live_app: Any) -> Iterator[RuralLink]:
    from intersession.rooms.events import engine

    with live_app.app.app_context():
        workers = engine()  # started on first use
    link = RuralLink()
    link.put_before(workers)
    yield link
    del workers.request  # the instance's own stand-in goes; the class's method is back
    link.close()


def test_a_pupil_behind_a_rural_link_gets_the_small_picture(
    live_server: str, new_page: Any, live_app: Any, rural_link: RuralLink
) -> None:
    live_app.add_pupil("pup6", "Оспанов Дәурен")
    live_app.add_link_check("pup", down_kbps=5000)  # the school's last check: a good link
    lesson_id = live_app.lesson_now()
    advisor = open_room(new_page, live_server, "adv", lesson_id)
    advisor.wait_for_selector("#participants li")
    advisor.click("#start-camera")
    advisor.wait_for_function(
        "document.getElementById('room-status').textContent === 'You are on air.'", timeout=20_000
    )
    rural_link.catching = True  # the next connection to the advisor's camera is the weak pupil's
    weak = open_room(new_page, live_server, "pup6", lesson_id)
    weak.wait_for_function("window.roomStats.framesDecoded > 0", timeout=30_000)
    assert rural_link.listener is not None and not rural_link.catching
    clean = open_room(new_page, live_server, "pup", lesson_id)
    clean.wait_for_function("window.roomStats.framesDecoded > 20", timeout=30_000)
    # The full picture does not fit the link: its queue overflows, the reports say so, and the
    # engine moves this pupil to the small one at its next key frame.
    seen = _until_the_pictures_are(advisor, weak, clean, seconds=45)
    assert seen["weak"] == seen["small"] < seen["full"] == seen["clean"], seen
    assert "smaller picture" in weak.inner_text("#picture-notice")
    advisor.wait_for_function(
        "document.getElementById('participants').textContent"
        ".indexOf('slow connection: small picture') > 0",
        timeout=10_000,
    )
    # The small picture keeps coming through the link, and the other pupil keeps the full one.
    before = int(weak.evaluate("window.roomStats.framesDecoded"))
    weak.wait_for_function(f"window.roomStats.framesDecoded > {before + 20}", timeout=20_000)
    seen = _until_the_pictures_are(advisor, weak, clean, seconds=10)
    assert seen["weak"] == seen["small"] < seen["full"] == seen["clean"], seen
    assert clean.is_hidden("#picture-notice")
    # The link did its part: its queue overflowed, and what it carried was the weak pupil's media.
    assert rural_link.relay.overflowed > 0 and rural_link.relay.lost > 20
    assert live_app.counters(lesson_id)["small_pictures"] == 1
    shot(weak, "43-live-room-rural-link-small-picture-en")


def _until_the_pictures_are(advisor: Any, weak: Any, clean: Any, seconds: float) -> dict[str, int]:
    """The widths the advisor sends (full, small) and each pupil decodes, once the weak pupil
    shows the small one and the clean one the full one (or as they are when `seconds` are up).
    Chromium starts its encodings small and lets them grow with its bandwidth estimate, and may
    scale them down again under load: what each pupil shows is compared with what is sent now."""
    deadline = time.monotonic() + seconds
    while True:
        full, small = advisor.evaluate("window.roomStats.sentWidths || [0, 0]")
        seen = {
            "full": full, "small": small,
            "weak": weak.evaluate("document.getElementById('main-video').videoWidth"),
            "clean": clean.evaluate("document.getElementById('main-video').videoWidth"),
        }  # fmt: skip
        if seen["weak"] == small < full == seen["clean"] or time.monotonic() > deadline:
            return seen
        weak.wait_for_timeout(300)


def test_a_pupil_started_on_sound_only_tries_the_picture(
    live_server: str, new_page: Any, live_app: Any
) -> None:
    """The school's last check said its link carries no picture: the pupil starts on sound only,
    is told so with a button to try the picture now, and gets the small one when pressing it."""
    live_app.add_pupil("pup6", "Оспанов Дәурен")
    live_app.add_link_check("pup6", down_kbps=150)
    lesson_id = live_app.lesson_now()
    advisor = open_room(new_page, live_server, "adv", lesson_id)
    advisor.wait_for_selector("#participants li")
    advisor.click("#start-camera")
    advisor.wait_for_function(
        "document.getElementById('room-status').textContent === 'You are on air.'", timeout=20_000
    )
    pupil = open_room(new_page, live_server, "pup6", lesson_id)
    pupil.wait_for_selector("#picture-try", state="visible", timeout=30_000)
    assert "you hear the lesson without it" in pupil.inner_text("#picture-notice")
    pupil.wait_for_function("Object.keys(window.roomStats.audio).length > 0", timeout=30_000)
    assert pupil.evaluate("window.roomStats.framesDecoded") == 0
    shot(pupil, "44-live-room-sound-only-try-the-picture-en")
    advisor.wait_for_function(
        "(window.roomStats.sentWidths || [0, 0])[0] > window.roomStats.sentWidths[1]",
        timeout=30_000,
    )
    _full, small = advisor.evaluate("window.roomStats.sentWidths")
    pupil.click("#picture-try")
    pupil.wait_for_function(
        f"document.getElementById('main-video').videoWidth === {small}", timeout=20_000
    )
    assert "smaller picture" in pupil.inner_text("#picture-notice")
    assert pupil.is_hidden("#picture-try")
    advisor.wait_for_function(
        "document.getElementById('participants').textContent"
        ".indexOf('slow connection: small picture') > 0",
        timeout=10_000,
    )
    live_app.add_link_check("pup6", down_kbps=5000)  # the school's link as the other tests have it
