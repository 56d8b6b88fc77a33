"""A phone photo of an answer is shown on the grading page as a preview sized for the page, made
once and removed with the file; the original stays a click away, both behind the same check."""

from __future__ import annotations

import io
from pathlib import Path

import numpy
from flask import Flask
from PIL import Image

from intersession.assignments.models import Submission
from intersession.core import storage
from intersession.core.db import db
from intersession.core.files import discard
from intersession.core.previews import PREVIEW_SIDE, PREVIEWS
from tests.assignments.test_pages import multipart, published_work, signed_in
from tests.conftest import csrf_token
from tests.factories import HubPeople


def photo(width: int, height: int, kind: str = "JPEG", mode: str = "RGB") -> bytes:
    """A grainy picture (as a phone's is: it does not compress to nothing)."""
    pixels = numpy.random.default_rng(1).integers(0, 255, (height, width, len(mode)), "uint8")
    out = io.BytesIO()
    Image.fromarray(pixels, mode).save(out, kind, quality=90)
    return out.getvalue()


def sent(app: Flask, hub: HubPeople, name: str, data: bytes) -> tuple[Submission, str]:
    """The pupil sends `data` as their answer's one file; the submission and the file's address."""
    work = published_work(hub)
    pupil = signed_in(app, "pup")
    token = csrf_token(pupil.client, "/")
    body, kind = multipart({"text": "Жауап суретте.", "save": "1", "csrf_token": token}, name, data)
    saved = pupil.client.post(f"/work/{work.id}/draft", data=body, content_type=kind)
    assert saved.status_code == 303
    draft = db.session.query(Submission).one()
    send = {"text": "Жауап суретте.", "send": "1", "version": str(draft.version)}
    assert pupil.post(f"/work/{work.id}/draft", send).status_code == 303  # type: ignore[attr-defined]
    return draft, f"/submissions/{draft.id}/files/{draft.files[0].id}"


def test_the_grading_page_shows_a_photo_sized_for_it(app: Flask, hub: HubPeople) -> None:
    original = photo(3000, 2000)
    submission, href = sent(app, hub, "Есеп 3.jpg", original)
    advisor = signed_in(app, "adv")
    page = advisor.client.get(f"/submissions/{submission.id}").get_data(as_text=True)
    assert f'<a href="{href}"><img src="{href}/preview"' in page
    preview = advisor.client.get(f"{href}/preview")
    assert preview.status_code == 200 and preview.mimetype == "image/jpeg"
    shown = Image.open(io.BytesIO(preview.data))
    assert shown.size == (PREVIEW_SIDE, PREVIEW_SIDE * 2000 // 3000)
    assert len(preview.data) < len(original) / 3
    assert advisor.client.get(href).data == original  # the original, a click away
    kept = storage.media_path(PREVIEWS, submission.files[0].stored_name)
    made = kept.stat().st_mtime_ns
    assert advisor.client.get(f"{href}/preview").data == preview.data
    assert kept.stat().st_mtime_ns == made  # made once
    # The same check as the file's: another pupil, or another advisor, gets nothing.
    for stranger in ("pup2", "adv2"):
        assert signed_in(app, stranger).client.get(f"{href}/preview").status_code == 404
    discard(submission.files)  # removing the file removes its preview
    assert not kept.exists()


def test_what_needs_no_preview_is_sent_as_it_is(app: Flask, hub: HubPeople) -> None:
    small = photo(800, 600, "PNG", "RGBA")
    _submission, href = sent(app, hub, "сызба.png", small)
    advisor = signed_in(app, "adv")
    preview = advisor.client.get(f"{href}/preview")
    assert preview.status_code == 200 and preview.data == small
    assert not any(Path(storage.media_path(PREVIEWS)).iterdir())


def test_a_transparent_picture_is_previewed_on_white(app: Flask, hub: HubPeople) -> None:
    clear = Image.new("RGBA", (2600, 1300), (0, 0, 0, 0))
    clear.paste((200, 0, 0, 255), (0, 0, 1300, 1300))
    out = io.BytesIO()
    clear.save(out, "PNG")
    _submission, href = sent(app, hub, "график.png", out.getvalue())
    preview = signed_in(app, "adv").client.get(f"{href}/preview")
    shown = Image.open(io.BytesIO(preview.data)).convert("RGB")
    assert shown.size == (PREVIEW_SIDE, PREVIEW_SIDE // 2)
    red, white = shown.getpixel((10, 10)), shown.getpixel((PREVIEW_SIDE - 10, 10))
    assert red[0] > 180 and red[1] < 40 and min(white) > 240, (red, white)
