"""The board in real Chromium: the advisor (in Kazakh) gives a three-page PDF on the lesson's page,
the worker renders it, the advisor shows it in the room, turns to page 2 and draws; two pupils (in
Russian) see page 2 with the stroke, the same to the pixel; a pupil who joins later and one who
reloads land there too; then both answer the advisor's poll, which the lesson's page keeps."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy
import pytest
from PIL import Image, ImageChops

from tests.board import pdfs
from tests.e2e.conftest import ARTIFACTS, choose_language
from tests.e2e.test_coordinator_setup import shot
from tests.e2e.test_lessons import sign_in

pytestmark = pytest.mark.browser

SECOND = "Жұмабаева Аружан"


def open_room(new_page: Any, live_server: str, login: str, lesson_id: int, language: str) -> Any:
    page = new_page(locale="ru-RU")
    sign_in(page, live_server, login)
    choose_language(page, language)
    page.goto(f"{live_server}/lessons/{lesson_id}/room")
    return page


def board_picture(page: Any) -> Image.Image:
    return Image.open(io.BytesIO(page.locator("#board-view").screenshot())).convert("RGB")


def red_pixels(picture: Image.Image) -> int:
    pixels = numpy.asarray(picture).astype(int)
    red = (pixels[..., 0] > 180) & (pixels[..., 1] < 90) & (pixels[..., 2] < 90)
    return int(red.sum())


def answer_a_poll(advisor: Any, first: Any, second: Any) -> None:
    """The advisor (kk) asks, both pupils (ru) answer, the advisor sees both and publishes."""
    advisor.click("#poll-ask summary")
    advisor.fill("#poll-question", "Түбірі қайсы: x² = 4, x > 0?")
    advisor.fill("#poll-options", "x = 1\nx = 2\nx = −2")
    advisor.click("#poll-send")
    for pupil, option in ((first, "x = 2"), (second, "x = 1")):
        pupil.wait_for_selector("#poll-answer button")
        pupil.get_by_role("button", name=option, exact=True).click()
        pupil.wait_for_selector("text=Ответ отправлен")
    advisor.wait_for_function("window.roomPoll.get().results.answered === 2")
    assert "2 жауап" in advisor.inner_text("#poll-results")
    advisor.locator("#poll").scroll_into_view_if_needed()
    shot(advisor, "poll-room-advisor-kk")
    advisor.click("#poll-publish")
    for pupil in (first, second):
        pupil.wait_for_function("window.roomPoll.get().state === 'published'")
        assert "2 ответа" in pupil.inner_text("#poll-results")
    assert "Ваш ответ: x = 2" in first.inner_text("#poll")
    first.locator("#poll").scroll_into_view_if_needed()
    shot(first, "poll-room-pupil-ru")


def voice(seconds: int) -> bytes:
    """A quiet tone, as the finishing task writes the light voice track (Opus in WebM)."""
    import av

    out = io.BytesIO()
    with av.open(out, "w", format="webm") as container:
        stream = container.add_stream("libopus", rate=48000, layout="mono")
        samples = numpy.sin(numpy.arange(48000 * seconds) / 48000 * 2 * numpy.pi * 220) * 0.05
        for start in range(0, len(samples), 960):
            frame = av.AudioFrame.from_ndarray(
                samples[start : start + 960].astype(numpy.float32).reshape(1, -1),
                format="flt",
                layout="mono",
            )
            frame.rate, frame.pts = 48000, start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return out.getvalue()


def play_the_light_recording(live_app: Any, lesson_id: int, pupil: Any) -> None:
    """The lesson recorded from two seconds before the board's first page: its slides-and-sound
    playback shows page 1, then page 2 from the second its turn came, with the line."""
    turns = live_app.record_board(lesson_id, voice(20), 20.0, lead=2.0)
    second_page = turns[1]  # page 1 at 2 s, then page 2 (the arrow key) two seconds later
    assert second_page > 3.5
    pupil.goto(pupil.url.split("/lessons/")[0] + f"/lessons/{lesson_id}/recording")
    pupil.click("#slides-and-sound")
    pupil.wait_for_function(
        "window.roomPlayback && document.getElementById('recording-player').readyState >= 1"
    )
    pupil.evaluate(
        f"(function (p) {{ p.muted = true; p.currentTime = {second_page - 0.4}; }})(document.getElementById('recording-player'))"
    )
    pupil.wait_for_function("window.roomPlayback.page === 1")
    pupil.evaluate("document.getElementById('recording-player').play()")
    pupil.wait_for_function("window.roomPlayback.page === 2")
    now = pupil.evaluate("document.getElementById('recording-player').currentTime")
    assert second_page - 0.05 <= now <= second_page + 0.8, (now, second_page)
    pupil.wait_for_function("window.roomPlayback.strokes > 0", timeout=15000)
    pupil.evaluate("document.getElementById('recording-player').pause()")
    assert "Страница 2 из 3" in pupil.inner_text("#playback-page")
    shot(pupil, "board-playback-pupil-ru")


def test_slides_turned_and_drawn_reach_two_pupils(
    live_server: str, new_page: Any, live_app: Any, tmp_path: Path
) -> None:
    live_app.add_pupil("pup5", SECOND)
    # began 25 minutes ago, so its end is told apart from the lessons of the tests that follow
    lesson_id = live_app.lesson_now(starts_in_seconds=-1500)
    deck = tmp_path / "Квадрат теңдеулер.pdf"
    deck.write_bytes(pdfs.deck(3))
    advisor = new_page(locale="ru-RU")
    sign_in(advisor, live_server, "adv")
    choose_language(advisor, "kk")
    advisor.goto(f"{live_server}/lessons/{lesson_id}")
    advisor.set_input_files("#files", str(deck))
    advisor.click("main form button:has-text('Файлдарды қосу')")
    advisor.wait_for_selector("#slides")
    for _ in range(60):  # the worker renders it in a second or two
        if "бөлмеге дайын" in advisor.inner_text("#slides"):
            break
        advisor.wait_for_timeout(500)
        advisor.reload()
    assert "Квадрат теңдеулер" in advisor.inner_text("#slides")
    shot(advisor, "board-lesson-slides-kk")

    advisor.goto(f"{live_server}/lessons/{lesson_id}/room")
    advisor.wait_for_function("document.getElementById('board-deck').options.length === 2")
    advisor.select_option("#board-deck", index=1)
    advisor.click("#board-open")
    advisor.wait_for_function("window.roomBoard.state.page === 1")
    advisor.wait_for_timeout(2000)  # page 1 a while: the light recording shows it, then page 2
    advisor.keyboard.press("ArrowRight")  # the keyboard turns pages
    advisor.wait_for_function("window.roomBoard.state.page === 2")
    advisor.wait_for_function("document.getElementById('board-picture').naturalWidth === 1280")
    advisor.locator("#board-canvas").scroll_into_view_if_needed()  # below the fold at 800 px
    area = advisor.locator("#board-canvas").bounding_box()
    advisor.mouse.move(area["x"] + area["width"] * 0.2, area["y"] + area["height"] * 0.6)
    advisor.mouse.down()
    for step in range(1, 21):
        advisor.mouse.move(area["x"] + area["width"] * (0.2 + step * 0.03),
                           area["y"] + area["height"] * (0.6 + step * 0.01))  # fmt: skip
        advisor.wait_for_timeout(30)
    advisor.mouse.up()
    advisor.wait_for_function("window.roomBoard.strokes.length > 0")
    advisor.wait_for_timeout(500)
    assert advisor.inner_text("#board-page") == "3 беттің 2-беті"
    shot(advisor, "board-room-advisor-kk")

    first = open_room(new_page, live_server, "pup", lesson_id, "ru")
    second = open_room(new_page, live_server, "pup5", lesson_id, "ru")
    pictures = []
    for pupil in (first, second):
        pupil.wait_for_function(
            "window.roomBoard.state.page === 2 && window.roomBoard.strokes.length > 0"
        )
        pupil.wait_for_function("document.getElementById('board-picture').complete && "
                                "document.getElementById('board-picture').naturalWidth > 0")  # fmt: skip
        pupil.wait_for_timeout(300)
        assert pupil.is_hidden("#board-tools")  # not allowed to draw
        pictures.append(board_picture(pupil))
    shot(first, "board-room-pupil-ru")
    assert red_pixels(pictures[0]) > 200  # the advisor's red line is on the page
    assert pictures[0].size == pictures[1].size
    difference = numpy.asarray(ImageChops.difference(pictures[0], pictures[1])).max(axis=2)
    assert int((difference > 40).sum()) < 0.001 * pictures[0].width * pictures[0].height
    # A reload lands on page 2 with the line; a second stroke reaches both.
    second.reload()
    second.wait_for_function(
        "window.roomBoard && window.roomBoard.state.page === 2 && window.roomBoard.strokes.length > 0"
    )
    before = red_pixels(board_picture(first))
    advisor.mouse.move(area["x"] + area["width"] * 0.3, area["y"] + area["height"] * 0.3)
    advisor.mouse.down()
    advisor.mouse.move(area["x"] + area["width"] * 0.7, area["y"] + area["height"] * 0.32, steps=15)
    advisor.mouse.up()
    first.wait_for_timeout(1000)
    assert red_pixels(board_picture(first)) > before
    # Undo takes it back for everyone.
    advisor.click("#board-undo")
    first.wait_for_function(
        "window.roomBoard.strokes.every(function (s) { return s.line === window.roomBoard.strokes[0].line; })"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    pictures[0].save(ARTIFACTS / "board-pupil-page2.png")
    answer_a_poll(advisor, first, second)
    advisor.goto(f"{live_server}/lessons/{lesson_id}")
    kept = advisor.inner_text("#polls")
    assert "Түбірі қайсы" in kept and "2 жауап" in kept and "50%" in kept
    shot(advisor, "poll-lesson-page-kk")
    play_the_light_recording(live_app, lesson_id, first)
    # At 375 px the page and its line fit the phone's width.
    phone = new_page(locale="ru-RU", viewport={"width": 375, "height": 740})
    sign_in(phone, live_server, "pup")
    choose_language(phone, "ru")
    phone.goto(f"{live_server}/lessons/{lesson_id}/room")
    phone.wait_for_function("window.roomBoard && window.roomBoard.state.page === 2")
    phone.wait_for_timeout(500)
    width = phone.evaluate("document.getElementById('board-view').getBoundingClientRect().right")
    assert width <= 375
    shot(phone, "board-room-pupil-ru-375")
