"""What a pupil receives for a lesson taught from slides: on the board (each page a picture sent
once, strokes as small messages) against the same lesson by screen share (a video stream for as
long as it is shown), measured in the pupil's Chromium, and the light recording's size per hour.

The lesson is played faster than life: --slides pages of a realistic deck (headings, text, a
chart, a photograph on every other page), each shown for --seconds-per-slide with --lines of
drawing on it (a line drawn over two seconds, sent as the board sends it). What the board sends
depends on the slides and lines, not on time, so its bytes stand for the whole lesson, plus the
Socket.IO heartbeat for 45 minutes. The screen share's video is measured in its three states:
each page change (2 s), the page standing still (as a rate), and each line being drawn; the
lesson is the 20 changes, the lines, and stillness for the rest of the 45 minutes. The advisor shares a canvas with the very pages and lines (Chromium encodes it as
any shared screen, VP8 through our engine). The camera and the voice are the same either way and
are left out of both.

Browser figures: the board's are the pupil page's WebSocket frames received and the transfer size
of the pictures it loaded (DevTools protocol); the screen's, the inbound RTP bytes of the screen's
track (getStats: bytesReceived + headerBytesReceived).

    .venv/bin/python bench/board_bytes.py [--slides 20] [--seconds-per-slide 6] [--lines 6]

Prints one JSON line per way of teaching, then a summary.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy
from fpdf import FPDF
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import prepared, served  # noqa: E402
from intersession.demo import DEMO_PASSWORD  # noqa: E402

LESSON_MINUTES = 45
CHROMIUM_ARGS = ["--disable-gpu", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                 "--allow-loopback-in-peer-connection", "--autoplay-policy=no-user-gesture-required",
                 # both pages run as if in front: a background tab's timers would stop the screen
                 "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                 "--disable-backgrounding-occluded-windows"]  # fmt: skip
FONTS = ROOT / "static" / "vendor" / "fonts"

# The lesson in the room, made in the instance before the server starts: a lesson of the demo
# advisor's first class under way, a deck rendered from the PDF, the logins to sign in with.
PREPARE = """
import json, io, os
from datetime import timedelta
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from wsgi import app
from intersession.auth.models import User
from intersession.board import slides
from intersession.core.db import db, utcnow
from intersession.lessons import materials
from intersession.lessons.models import AttendanceRow, Lesson, LessonKind
from intersession.schools.models import TeachingAssignment
with app.app_context():
    teaching = db.session.scalars(select(TeachingAssignment)).first()
    lesson = Lesson(kind=LessonKind.LESSON, advisor_id=teaching.advisor_id, cohort_id=teaching.cohort_id,
                    subject_id=teaching.subject_id, title="Bench", starts_at=utcnow() - timedelta(minutes=1),
                    duration_minutes=45)
    lesson.register = [AttendanceRow(pupil=p) for p in teaching.cohort.pupils]
    db.session.add(lesson)
    db.session.commit()
    pdf = open(os.environ["BENCH_PDF"], "rb").read()
    advisor = db.session.get(User, teaching.advisor_id)
    materials.add_materials(advisor, lesson, [FileStorage(io.BytesIO(pdf), filename="slides.pdf")], True)
    deck = slides.decks_of(lesson)[0]
    slides.render(deck.id)
    print(json.dumps({"lesson": lesson.id, "deck": deck.id, "advisor": advisor.login,
                      "pupil": teaching.cohort.pupils[0].login}))
"""


def photograph(seed: int) -> bytes:
    """A photograph-like picture (smooth light, texture): what makes real slides heavy."""
    rng = numpy.random.default_rng(seed)
    y, x = numpy.mgrid[0:450, 0:800] / 450
    base = numpy.stack([0.4 + 0.4 * numpy.sin(x * 3 + seed), 0.5 + 0.3 * numpy.cos(y * 4),
                        0.6 - 0.3 * x / 2], axis=-1)  # fmt: skip
    noise = rng.normal(0, 0.06, base.shape)
    pixels = (numpy.clip(base + noise, 0, 1) * 255).astype(numpy.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG", quality=85)
    return out.getvalue()


def deck(slides: int) -> bytes:
    pdf = FPDF(orientation="L", unit="mm", format=(142.9, 254))
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    for number in range(1, slides + 1):
        pdf.add_page()
        pdf.set_font("DejaVu", "B", 26)
        pdf.cell(
            0, 16, f"{number}. Квадрат теңдеулер — тақырып {number}", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.set_font("DejaVu", "", 16)
        for line in ("ax² + bx + c = 0, a ≠ 0", "D = b² − 4ac", "x₁,₂ = (−b ± √D) / 2a",
                     "Мысал: x² − 5x + 6 = 0 → x = 2, x = 3"):  # fmt: skip
            pdf.cell(120, 11, "• " + line, new_x="LMARGIN", new_y="NEXT")
        if number % 2 == 0:
            pdf.image(io.BytesIO(photograph(number)), x=140, y=34, w=100)
        else:
            for bar in range(6):  # a chart
                height = 10 + (bar * 7 + number * 3) % 40
                pdf.set_fill_color(40 + bar * 30, 90, 200 - bar * 20)
                pdf.rect(150 + bar * 14, 110 - height, 10, height, style="F")
    return bytes(pdf.output())


def sign_in(page: Any, url: str, login: str) -> None:
    page.goto(url + "/login")
    page.fill("#login", login)
    page.fill("#password", DEMO_PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(url + "/")


class Received:
    """What the pupil's page received: WebSocket frames and loaded resources (DevTools)."""

    def __init__(self, page: Any) -> None:
        self.frames = self.http = 0
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.cdp.on("Network.webSocketFrameReceived", self._frame)
        self.cdp.on("Network.loadingFinished", self._loaded)

    def _frame(self, event: dict[str, Any]) -> None:
        size = len(event["response"]["payloadData"].encode())
        self.frames += size + (2 if size < 126 else 4 if size < 65536 else 10)  # and its header

    def _loaded(self, event: dict[str, Any]) -> None:
        self.http += int(event.get("encodedDataLength", 0))

    def reset(self) -> None:
        self.frames = self.http = 0


def draw_line(advisor: Any, seconds: float, seed: int) -> None:
    """A line drawn by hand for two seconds: the mouse moves at 60 Hz over the board's canvas."""
    area = advisor.locator("#board-canvas").bounding_box()
    rng = numpy.random.default_rng(seed)
    x, y = rng.uniform(0.15, 0.6), rng.uniform(0.3, 0.8)
    advisor.mouse.move(area["x"] + area["width"] * x, area["y"] + area["height"] * y)
    advisor.mouse.down()
    steps = int(seconds * 60)
    for step in range(steps):
        advisor.mouse.move(area["x"] + area["width"] * (x + 0.3 * step / steps),
                           area["y"] + area["height"] * (y + 0.05 * numpy.sin(step / 6)))  # fmt: skip
        advisor.wait_for_timeout(1000 / 60)
    advisor.mouse.up()


def by_board(browser: Any, url: str, args: argparse.Namespace) -> dict[str, Any]:
    advisor = browser.new_page(viewport={"width": 1280, "height": 1000}, bypass_csp=True)
    pupil = browser.new_page(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    sign_in(advisor, url, prepared["advisor"])
    sign_in(pupil, url, prepared["pupil"])
    room = f"{url}/lessons/{prepared['lesson']}/room"
    advisor.goto(room)
    advisor.wait_for_function("document.getElementById('board-deck').options.length === 2")
    received = Received(pupil)
    pupil.goto(room)
    pupil.wait_for_function("window.roomBoard && window.roomSocket && window.roomSocket.connected")
    pupil.wait_for_timeout(2000)
    received.reset()  # from here on: the lesson itself, not the page and its scripts
    started = time.monotonic()
    advisor.select_option("#board-deck", index=1)
    advisor.click("#board-open")
    for number in range(1, args.slides + 1):
        if number > 1:
            advisor.click("#board-next")
        advisor.wait_for_function(f"window.roomBoard.state.page === {number}")
        advisor.locator("#board-canvas").scroll_into_view_if_needed()
        slide_started = time.monotonic()
        for line in range(args.lines):
            draw_line(advisor, 2.0, number * 100 + line)
        advisor.wait_for_timeout(
            max(0, (args.seconds_per_slide - (time.monotonic() - slide_started)) * 1000)
        )
    pupil.wait_for_function(f"window.roomBoard.state.page === {args.slides}")
    pupil.wait_for_timeout(2000)
    spent = time.monotonic() - started
    content, socket_bytes = received.frames + received.http, received.frames
    # The idle heartbeat for the rest of the 45 minutes: measured on the quiet page for a while.
    received.reset()
    pupil.wait_for_timeout(30_000)
    idle_per_minute = (received.frames + received.http) * 2
    lesson_bytes = content + idle_per_minute * max(0.0, LESSON_MINUTES - spent / 60)
    strokes = pupil.evaluate("window.roomBoard.strokes.length")
    advisor.close()
    pupil.close()
    return {"way": "board", "slides": args.slides, "lines": args.lines * args.slides,
            "seconds": round(spent, 1), "socket_bytes": socket_bytes, "content_bytes": content,
            "idle_bytes_per_minute": idle_per_minute, "lesson_bytes": round(lesson_bytes),
            "lesson_mb": round(lesson_bytes / 1e6, 3), "strokes_on_last_page": strokes}  # fmt: skip


# The advisor's "screen": a canvas showing the deck's pages and the lines drawn on them, given to
# the room as getDisplayMedia would give a shared window.
SCREEN = """
(() => {
  const canvas = document.createElement('canvas');
  canvas.width = 1280; canvas.height = 720;
  const pen = canvas.getContext('2d');
  const picture = new Image();
  window.benchScreen = {canvas, pen, picture, line: null,
    show(url) { picture.src = url; },
    paint() { pen.fillStyle = '#fff'; pen.fillRect(0, 0, 1280, 720);
              if (picture.complete && picture.naturalWidth) { pen.drawImage(picture, 0, 0, 1280, 720); } }};
  picture.onload = () => window.benchScreen.paint();
  setInterval(() => { if (!window.benchScreen.drawing) { window.benchScreen.paint(); } }, 1000);
  navigator.mediaDevices.getDisplayMedia = () => Promise.resolve(canvas.captureStream(15));
})();
"""

SCREEN_BYTES = """async () => {
  const video = document.getElementById('screen-video');
  const track = video && video.srcObject && video.srcObject.getVideoTracks()[0];
  let bytes = 0;
  for (const pc of window.benchPeers || []) {
    const stats = await pc.getStats();
    stats.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video' && track && s.trackIdentifier === track.id) {
        bytes += (s.bytesReceived || 0) + (s.headerBytesReceived || 0);
      }
    });
  }
  return bytes;
}"""

KEEP_PEERS = """
(() => {
  const Original = window.RTCPeerConnection;
  window.benchPeers = [];
  window.RTCPeerConnection = function (...args) { const pc = new Original(...args); window.benchPeers.push(pc); return pc; };
  window.RTCPeerConnection.prototype = Original.prototype;
})();
"""


def by_screen(browser: Any, url: str, args: argparse.Namespace) -> dict[str, Any]:
    advisor = browser.new_page(viewport={"width": 1280, "height": 1000}, bypass_csp=True)
    pupil = browser.new_page(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    advisor.add_init_script(SCREEN)
    pupil.add_init_script(KEEP_PEERS)
    sign_in(advisor, url, prepared["advisor"])
    sign_in(pupil, url, prepared["pupil"])
    room = f"{url}/lessons/{prepared['lesson']}/room"
    advisor.goto(room)
    pupil.goto(room)
    advisor.click("#start-camera")
    advisor.wait_for_function("!document.getElementById('share-screen').disabled", timeout=60_000)
    page_url = f"{url}/lessons/{prepared['lesson']}/slides/{prepared['deck']}/1-large.webp"
    advisor.evaluate(f"window.benchScreen.show({json.dumps(page_url)})")
    advisor.click("#share-screen")
    pupil.wait_for_function("document.getElementById('screen-video').srcObject && "
                            "document.getElementById('screen-video').videoWidth > 0", timeout=60_000)  # fmt: skip
    # Each page: the change (2 s), the page standing still (4 s), then its lines drawn. A real
    # lesson stands still far longer than this one: its stillness is counted at the rate measured
    # here, for the lesson's minutes the changes and the drawing leave.
    burst = still = drawing = 0
    still_seconds = drawing_seconds = 0.0
    started = time.monotonic()
    for number in range(1, args.slides + 1):
        page_url = (
            f"{url}/lessons/{prepared['lesson']}/slides/{prepared['deck']}/{number}-large.webp"
        )
        before = pupil.evaluate(SCREEN_BYTES)
        advisor.evaluate(f"window.benchScreen.show({json.dumps(page_url)})")
        advisor.wait_for_timeout(2000)
        changed = pupil.evaluate(SCREEN_BYTES)
        calm = time.monotonic()
        advisor.wait_for_timeout(4000)
        stood = pupil.evaluate(SCREEN_BYTES)
        still_seconds += time.monotonic() - calm
        drawn = time.monotonic()
        for line in range(args.lines):  # the same lines, drawn on the shared canvas at 60 Hz
            advisor.evaluate(DRAW_ON_SCREEN, number * 100 + line)
        advisor.wait_for_timeout(500)
        drawing_seconds += time.monotonic() - drawn
        after = pupil.evaluate(SCREEN_BYTES)
        burst, still, drawing = (
            burst + changed - before,
            still + stood - changed,
            drawing + after - stood,
        )
    spent = time.monotonic() - started
    advisor.close()
    pupil.close()
    still_rate = still / still_seconds
    rest = max(0.0, LESSON_MINUTES * 60 - args.slides * 2 - drawing_seconds)
    lesson_bytes = burst + drawing + still_rate * rest
    return {"way": "screen share", "slides": args.slides, "seconds": round(spent, 1),
            "page_change_bytes": burst, "drawing_bytes": drawing,
            "drawing_seconds": round(drawing_seconds, 1),
            "still_kbit_per_s": round(still_rate * 8 / 1000, 1),
            "drawing_kbit_per_s": round(drawing / drawing_seconds * 8 / 1000, 1),
            "lesson_bytes": round(lesson_bytes), "lesson_mb": round(lesson_bytes / 1e6, 3)}  # fmt: skip


DRAW_ON_SCREEN = """(seed) => new Promise((done) => {
  const s = window.benchScreen; s.drawing = true; s.paint();
  let step = 0; const steps = 120; const x = 0.15 + (seed * 37 % 45) / 100, y = 0.3 + (seed * 53 % 50) / 100;
  s.pen.strokeStyle = '#d62828'; s.pen.lineWidth = 5; s.pen.beginPath();
  s.pen.moveTo(x * 1280, y * 720);
  const timer = setInterval(() => {
    step += 1;
    s.pen.lineTo((x + 0.3 * step / steps) * 1280, (y + 0.05 * Math.sin(step / 6)) * 720); s.pen.stroke();
    if (step >= steps) { clearInterval(timer); s.drawing = false; done(); }
  }, 1000 / 60);
})"""


def light_recording_per_hour(minutes: int = 2) -> dict[str, Any]:
    """The light recording's voice track as the finishing task makes it from recorded tracks
    (bench/recording_sizes.py's speech-like voice), per hour."""
    from bench.recording_sizes import write_tracks
    from intersession.recordings import finishing

    with tempfile.TemporaryDirectory() as folder:
        write_tracks(Path(folder), minutes)
        done = finishing.finish(Path(folder))
    per_hour = done.audio_bytes / done.duration * 3600
    return {"voice_bytes_per_hour": round(per_hour), "voice_mb_per_hour": round(per_hour / 1e6, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--slides", type=int, default=20)
    parser.add_argument("--seconds-per-slide", type=float, default=6.0)
    parser.add_argument("--lines", type=int, default=6, help="lines drawn on each slide")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
        pdf.write(deck(args.slides))
        pdf.flush()
        os.environ["BENCH_PDF"] = pdf.name
        os.environ["MEDIA_HOST_ADDRESSES"] = "127.0.0.1"  # the media on loopback, as in the tests
        with served(ROOT, prepare=PREPARE) as url, sync_playwright() as driver:
            browser = driver.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            board = by_board(browser, url, args)
            print(json.dumps(board), flush=True)
            screen = by_screen(browser, url, args)
            print(json.dumps(screen), flush=True)
            browser.close()
    light = light_recording_per_hour()
    pictures_and_timeline = board["content_bytes"]  # what the playback fetches besides the voice
    light_hour = light["voice_bytes_per_hour"] + pictures_and_timeline * 60 / LESSON_MINUTES
    print(json.dumps({"way": "light recording", **light,
                      "board_bytes_per_lesson": pictures_and_timeline,
                      "light_mb_per_hour": round(light_hour / 1e6, 2)}), flush=True)  # fmt: skip
    print(json.dumps({
        "summary": True, "lesson_minutes": LESSON_MINUTES, "slides": args.slides,
        "lines": args.slides * args.lines,
        "board_mb": board["lesson_mb"], "screen_share_mb": screen["lesson_mb"],
        "screen_over_board": round(screen["lesson_bytes"] / max(board["lesson_bytes"], 1), 1),
        "light_recording_mb_per_hour": round(light_hour / 1e6, 2),
        "load": os.getloadavg()[0],
    }), flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
