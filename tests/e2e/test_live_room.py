"""The live room in real Chromium: the advisor's fake camera goes through the media engine (encoded
forwarding) to two pupils' browsers; a pupil gets the floor and is heard; a dropped connection comes
back by itself; a removed pupil stays out; a classroom computer's ticks reach the register."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.conftest import ARTIFACTS, choose_language
from tests.e2e.test_coordinator_setup import shot
from tests.e2e.test_lessons import sign_in

pytestmark = pytest.mark.browser

SECOND = "Жұмабаева Аружан"


def open_room(new_page: Any, live_server: str, login: str, lesson_id: int) -> Any:
    page = new_page(locale="en-US")
    sign_in(page, live_server, login)
    choose_language(page, "en")
    page.goto(f"{live_server}/lessons/{lesson_id}/room")
    return page


def frames(page: Any) -> int:
    return int(page.evaluate("window.roomStats.framesDecoded"))


def test_a_lesson_with_two_pupils(live_server: str, new_page: Any, live_app: Any) -> None:
    live_app.add_pupil("pup5", SECOND)
    lesson_id = live_app.lesson_now()
    advisor = open_room(new_page, live_server, "adv", lesson_id)
    advisor.wait_for_selector("#participants li")
    assert advisor.inner_text("#room-status") == "Check your camera and microphone, then start."
    advisor.click("#start-camera")
    advisor.wait_for_function(
        "document.getElementById('room-status').textContent === 'You are on air.'", timeout=20_000
    )
    first = open_room(new_page, live_server, "pup", lesson_id)
    second = open_room(new_page, live_server, "pup5", lesson_id)
    for pupil in (first, second):
        pupil.wait_for_function("window.roomStats.framesDecoded > 20", timeout=30_000)
        assert pupil.evaluate("document.getElementById('main-video').videoWidth") > 0
        before = pupil.evaluate("document.getElementById('main-video').currentTime")
        pupil.wait_for_timeout(500)
        assert pupil.evaluate("document.getElementById('main-video').currentTime") > before
        assert pupil.inner_text("#room-status") == "Connected."
        if pupil.is_visible("#sound-on"):  # no click on the page yet: the browser held the sound
            pupil.click("#sound-on")
        assert not pupil.evaluate("document.getElementById('main-video').muted")
    # The advisor's camera goes out twice, full and small; pupils on a good link get the full one.
    assert live_app.counters(lesson_id)["small_sources"] == 1
    # (Chromium starts its encodings small and lets them grow as its bandwidth estimate does.)
    advisor.wait_for_function(
        "(window.roomStats.sentWidths || [0, 0])[0] > window.roomStats.sentWidths[1]",
        timeout=30_000,
    )
    full, small = advisor.evaluate("window.roomStats.sentWidths")
    assert small > 0
    first.wait_for_function(
        f"document.getElementById('main-video').videoWidth === {full}", timeout=10_000
    )
    # A pupil whose link the engine judged too slow is told so, and told again when it is back.
    live_app.tell_picture(lesson_id, "pup5", None)
    second.wait_for_selector("#picture-notice:not([hidden])")
    assert "you hear the lesson without it" in second.inner_text("#picture-notice")
    assert first.is_hidden("#picture-notice")
    advisor.wait_for_function(
        "document.getElementById('participants').textContent.indexOf('slow connection: sound only') > 0"
    )
    live_app.tell_picture(lesson_id, "pup5", "small")
    second.wait_for_function(
        "document.getElementById('picture-notice').textContent.indexOf('smaller picture') > 0"
    )
    live_app.tell_picture(lesson_id, "pup5", "full")
    second.wait_for_selector("#picture-notice", state="hidden")
    # The connection check: measured, kept as the school's, and said in words.
    first.click("#preflight summary")
    first.click("#check-link")
    first.wait_for_function(
        "window.roomStats.link && window.roomStats.link.picture", timeout=20_000
    )
    assert first.evaluate("window.roomStats.link.picture") == "full"  # loopback
    assert "Enough for the lesson’s picture and sound." in first.inner_text("#link-result")
    shot(first, "39-live-room-connection-checked-en")
    # A school whose last check was slow: its pupil starts on the small picture, and says so.
    live_app.add_link_check("pup5", down_kbps=300)
    second.reload()
    second.wait_for_selector("#picture-notice:not([hidden])", timeout=20_000)
    assert "smaller picture" in second.inner_text("#picture-notice")
    second.wait_for_function(
        f"document.getElementById('main-video').videoWidth === {small}", timeout=20_000
    )
    advisor.wait_for_function(
        "document.getElementById('participants').textContent.indexOf('slow connection: small picture') > 0"
    )
    shot(second, "40-live-room-small-picture-en")
    shot(advisor, "41-live-room-advisor-sees-slow-connection-en")

    # Chat arrives as text.
    first.fill("#chat-text", "<script>alert(1)</script> Сұрақ бар")
    first.click("#chat-form button")
    advisor.wait_for_selector("#chat-lines li")
    assert (
        advisor.inner_text("#chat-lines li")
        == "Сәрсенбаев Әлихан: <script>alert(1)</script> Сұрақ бар"
    )

    # A hand, the floor, and the other pupil hears the first.
    first.click("#raise-hand")
    entry = advisor.locator("#participants li", has_text="Сәрсенбаев Әлихан")
    entry.filter(has_text="raises a hand").wait_for(timeout=10_000)
    shot(advisor, "32-live-room-hand-raised-en")
    entry.get_by_role("button", name="Give the floor").click()
    first.wait_for_function(
        "document.getElementById('room-status').textContent.indexOf('You have the floor') === 0",
        timeout=15_000,
    )
    second.wait_for_function(
        "(window.roomStats.audio['Сәрсенбаев Әлихан'] || 0) > 50", timeout=30_000
    )
    entry.filter(has_text="has the floor").wait_for(timeout=10_000)
    # No camera with this floor: the other pupil sees the speaker's name, not an empty picture.
    tile = second.locator("#speakers figure.no-picture")
    tile.wait_for(timeout=10_000)
    assert tile.inner_text() == "Сәрсенбаев Әлихан" and not tile.locator("video").is_visible()
    assert not first.is_visible("#raise-hand") and first.is_visible("#toggle-mic")
    shot(first, "30-live-room-pupil-floor-en")
    shot(second, "30b-live-room-speaker-without-camera-en")
    entry.get_by_role("button", name="Take the floor back").click()
    first.wait_for_function(
        "document.getElementById('room-status').textContent === 'The advisor took the floor back.'",
        timeout=10_000,
    )
    second.wait_for_function("!document.querySelector('#speakers figure')", timeout=10_000)

    # The engine drops the second pupil's connection: the page takes a new one by itself.
    pid = second.evaluate("window.roomStats.me")
    assert live_app.drop_listener(lesson_id, pid) >= 1
    second.wait_for_function("window.roomStats.resubscribed >= 1", timeout=15_000)
    decoded = frames(second)
    second.wait_for_function(f"window.roomStats.framesDecoded > {decoded + 20}", timeout=30_000)
    second.wait_for_function(
        "document.getElementById('room-status').textContent === 'Connected.'", timeout=10_000
    )

    # The media worker dies: it is started again, the advisor's page publishes again by itself
    # and the pupils' pages take the new source.
    live_app.kill_media_worker(lesson_id)
    decoded = frames(first)
    for pupil in (first, second):
        pupil.wait_for_function(
            f"window.roomStats.framesDecoded > {frames(pupil) + 30}", timeout=40_000
        )
    assert frames(first) > decoded
    advisor.wait_for_function(
        "document.getElementById('room-status').textContent === 'You are on air.'", timeout=10_000
    )

    # Removed, and kept out.
    shot(advisor, "31-live-room-advisor-en")
    advisor.once("dialog", lambda dialog: dialog.accept())
    advisor.locator("#participants li", has_text=SECOND).get_by_role(
        "button", name="Remove"
    ).click()
    second.wait_for_function(
        "document.getElementById('room-status').textContent === "
        "'The advisor removed you from this lesson.'",
        timeout=10_000,
    )
    second.reload()
    second.wait_for_function(
        "document.getElementById('room-status').textContent === "
        "'The advisor removed you from this lesson.'",
        timeout=10_000,
    )
    advisor.locator("#participants li", has_text=SECOND).wait_for(state="detached")

    outsider = new_page(locale="en-US")
    sign_in(outsider, live_server, "pup2")  # not in this cohort
    assert outsider.goto(f"{live_server}/lessons/{lesson_id}/room").status == 404

    # The screen, shared, reaches the pupil beside the camera.
    advisor.click("#share-screen")
    first.wait_for_function(
        "!document.getElementById('screen-video').hidden"
        " && document.getElementById('screen-video').videoWidth > 0",
        timeout=20_000,
    )
    shot(first, "34-live-room-screen-en")

    # The server's clock, not the computer's, says when the planned end is near and when it came.
    assert live_app.tell_lesson_time(lesson_id, 5) == 1
    first.locator("#lesson-time").wait_for(timeout=10_000)
    ends = live_app.ends_at(lesson_id).astimezone(ZoneInfo("Asia/Almaty")).strftime("%H:%M")
    assert first.inner_text("#lesson-time") == (
        f"5 minutes left until the planned end of the lesson ({ends})."
    )  # in the school's time zone, as the page's other times
    assert live_app.tell_lesson_time(lesson_id, 0) == 1
    advisor.wait_for_function(
        "document.getElementById('lesson-time').textContent.indexOf('End the lesson when') > 0",
        timeout=10_000,
    )
    shot(advisor, "35-live-room-planned-end-en")

    # The advisor ends the lesson: everyone is let go, the advisor goes on to the register.
    advisor.once("dialog", lambda dialog: dialog.accept())
    advisor.click("#end-lesson")
    advisor.wait_for_url(f"{live_server}/lessons/{lesson_id}", timeout=10_000)
    first.wait_for_function(
        "document.getElementById('room-status').textContent === 'The lesson has ended.'",
        timeout=10_000,
    )


def test_a_classroom_computer_ticks_pupils_present(
    live_server: str, new_page: Any, live_app: Any
) -> None:
    live_app.add_pupil("pup5", SECOND)
    lesson_id = live_app.lesson_now()
    live_app.app.config["ATTENDANCE_PRESENT_SHARE"] = 0.0  # a few seconds count as present here
    try:
        classroom = open_room(new_page, live_server, "tut", lesson_id)
        classroom.wait_for_selector("#classroom-pupils input")
        assert "Classroom of" in classroom.inner_text("#participants")
        for box in classroom.locator("#classroom-pupils input").all():
            box.check()
        classroom.wait_for_function(
            "document.querySelectorAll('#classroom-pupils input:checked').length === 2"
        )
        shot(classroom, "33-live-room-classroom-en")
        classroom.goto(f"{live_server}/lessons/{lesson_id}")  # leaving the room closes the ticks
        classroom.wait_for_timeout(500)
        classroom.reload()
        for name in ("Сәрсенбаев Әлихан", SECOND):
            row = classroom.locator("table.register tr", has_text=name)
            detected = row.locator("td").nth(1).inner_text()
            assert detected.split("\n") == ["present", "behind the classroom computer"]
    finally:
        live_app.app.config["ATTENDANCE_PRESENT_SHARE"] = 0.8


def test_the_room_on_a_phone_lets_the_pupil_in_by_itself_and_the_advisor_turns_off_their_own(
    live_server: str, new_page: Any, live_app: Any
) -> None:
    lesson_id = live_app.lesson_now(starts_in_seconds=8)
    pupil = new_page(locale="en-US", viewport={"width": 375, "height": 740})
    sign_in(pupil, live_server, "pup")
    choose_language(pupil, "en")
    pupil.goto(f"{live_server}/lessons/{lesson_id}/room")
    assert "lets you in by itself" in pupil.inner_text("#room-waiting")
    assert pupil.evaluate("document.getElementById('site-menu').open") is False  # folded
    advisor = open_room(new_page, live_server, "adv", lesson_id)  # 15 minutes early is allowed
    assert advisor.evaluate("document.getElementById('site-menu').open") is True
    advisor.wait_for_selector("#participants li")
    advisor.click("#start-camera")
    advisor.wait_for_function(
        "document.getElementById('room-status').textContent === 'You are on air.'", timeout=20_000
    )
    pupil.wait_for_selector("#room", timeout=30_000)  # the start came: it let itself in
    pupil.wait_for_function("window.roomStats.framesDecoded > 20", timeout=30_000)

    # On the phone: the stage full width, the hand within reach without scrolling.
    stage = pupil.locator("#main-video").bounding_box()
    hand = pupil.locator("#raise-hand").bounding_box()
    assert stage["width"] >= 330 and hand["y"] + hand["height"] <= 740, (stage, hand)
    ARTIFACTS.mkdir(exist_ok=True)
    pupil.screenshot(path=str(ARTIFACTS / "36-live-room-phone-en.png"))
    # Its link judged too slow for the picture: the phone says so, and the hand stays in reach.
    live_app.tell_picture(lesson_id, "pup", None)
    pupil.wait_for_selector("#picture-notice:not([hidden])")
    hand = pupil.locator("#raise-hand").bounding_box()
    assert hand["y"] + hand["height"] <= 740, hand
    notice = pupil.locator("#picture-notice").bounding_box()
    assert notice["y"] + notice["height"] <= hand["y"], (notice, hand)  # read without scrolling
    assert "sound-only" in pupil.get_attribute("#main-video", "class")  # the last picture dimmed
    pupil.screenshot(path=str(ARTIFACTS / "42-live-room-phone-sound-only-en.png"))
    live_app.tell_picture(lesson_id, "pup", "full")
    pupil.wait_for_selector("#picture-notice", state="hidden")

    # The advisor turns their own microphone, then camera, off: the pupil's list and stage say so.
    advisor.click("#toggle-mic")
    assert advisor.inner_text("#toggle-mic") == "Turn my microphone on"
    pupil.locator("#participants li", has_text="microphone off").wait_for(timeout=10_000)
    advisor.click("#toggle-camera")
    pupil.locator("#camera-off").wait_for(timeout=10_000)
    assert pupil.inner_text("#camera-off") == "Adv · camera off"
    pupil.screenshot(path=str(ARTIFACTS / "37-live-room-phone-camera-off-en.png"))
    advisor.click("#toggle-camera")
    pupil.locator("#camera-off").wait_for(state="hidden", timeout=10_000)
    advisor.click("#toggle-mic")
    pupil.locator("#participants li", has_text="microphone off").wait_for(
        state="detached", timeout=10_000
    )

    # The advisor ends the lesson: the pupil's list says so.
    advisor.once("dialog", lambda dialog: dialog.accept())
    advisor.click("#end-lesson")
    pupil.wait_for_function(
        "document.getElementById('participants').textContent === 'The lesson has ended.'",
        timeout=10_000,
    )

    # The folded menu opens on a tap and holds the site's links.
    pupil.click("#site-menu summary")
    pupil.get_by_role("link", name="Calendar").wait_for(timeout=5_000)
    pupil.screenshot(path=str(ARTIFACTS / "38-menu-open-phone-en.png"))
