"""A resumable upload through nginx, its chunks landing on either instance: where it stands is
in the database they share, so each chunk follows the last whichever instance took it; a chunk
cut off halfway keeps what reached the app (nginx passes uploads on as they arrive)."""

from __future__ import annotations

import base64
import os
import socket
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from intersession.assignments import services
from intersession.assignments.models import Submission
from intersession.core import storage
from intersession.core.db import db
from intersession.core.files import AREA
from intersession.schools.models import TeachingAssignment
from tests.conftest import make_app
from tests.scaled.conftest import Region
from tests.servers import visitor

pytestmark = pytest.mark.scaled

ANSWER = b"%PDF-1.4\n" + os.urandom(600_000) + b"\n%%EOF\n"
CHUNK = 100_000


def _work(region: Region) -> int:
    app = make_app(region.tmp, SQLALCHEMY_DATABASE_URI=region.database)
    with app.app_context():
        teaching = db.session.scalars(select(TeachingAssignment)).first()
        assert teaching is not None
        now = datetime.now(UTC)
        plan = services.WorkPlan(cohort=teaching.cohort, subject=teaching.subject, title="Жоба",
                                 instructions="", opens_at=now - timedelta(days=1), due_at=now + timedelta(days=3))  # fmt: skip
        work = services.create_assignment(teaching.advisor, plan)
        services.publish(teaching.advisor, work)
        work_id = work.id
        db.session.remove()
        db.engine.dispose()
    return work_id


def _cut_off_chunk(url: str, path: str, cookies: str, token: str, offset: int, sent: bytes, claimed: int) -> None:  # fmt: skip
    """A PATCH that says `claimed` bytes and sends `sent`, then the link goes."""
    address = urlsplit(url)
    with socket.create_connection((address.hostname, address.port)) as raw:
        head = (
            f"PATCH {path} HTTP/1.1\r\nHost: {address.netloc}\r\nCookie: {cookies}\r\n"
            f"X-CSRFToken: {token}\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: {offset}\r\n"
            f"Content-Type: application/offset+octet-stream\r\nContent-Length: {claimed}\r\n\r\n"
        )
        raw.sendall(head.encode() + sent)
        time.sleep(1)  # the half on its way through nginx to the app, then the link goes


def test_an_upload_s_chunks_cross_the_instances(region: Region) -> None:
    assert region.nginx is not None
    url = region.nginx.url
    work_id = _work(region)
    with visitor(url) as pupil:
        assert pupil.login("pup").status_code == 302
        token = pupil.csrf(f"/work/{work_id}")
        meta = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}"
                        for k, v in {"filename": "Жоба.pdf", "for": f"work:{work_id}"}.items())  # fmt: skip
        tus = {"Tus-Resumable": "1.0.0", "X-CSRFToken": token}
        made = pupil.http.post(url + "/uploads", headers={**tus, "Upload-Length": str(len(ANSWER)),
                                                          "Upload-Metadata": meta}, timeout=10)  # fmt: skip
        assert made.status_code == 201, made.text
        where = made.headers["Location"]
        instances = set()
        offset = 0
        cookies = "; ".join(f"{c.name}={c.value}" for c in pupil.http.cookies)
        while offset < len(ANSWER):
            piece = ANSWER[offset : offset + CHUNK]
            if offset == 2 * CHUNK:  # half of this one arrives, then the link goes
                _cut_off_chunk(url, where, cookies, token, offset, piece[: CHUNK // 2], len(piece))
                for _ in range(100):  # the app finishes the cut-off request in its own time
                    head = pupil.http.head(url + where, headers=tus, timeout=10)
                    if int(head.headers["Upload-Offset"]) > offset:
                        break
                    time.sleep(0.1)
                assert int(head.headers["Upload-Offset"]) == offset + CHUNK // 2
                offset += CHUNK // 2
                continue
            sent = pupil.http.patch(url + where, data=piece, timeout=10, headers={
                **tus, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream",
            })  # fmt: skip
            assert sent.status_code == 204, sent.text
            instances.add(sent.headers["X-Intersession-Instance"])
            offset = int(sent.headers["Upload-Offset"])
        assert instances == {"web-a", "web-b"}
        saved = pupil.http.post(url + f"/work/{work_id}/draft", timeout=10, allow_redirects=False, data={
            "csrf_token": token, "text": "", "save": "1", "files-resumed": where.rsplit("/", 1)[-1],
        })  # fmt: skip
        assert saved.status_code == 303, saved.text
    app = make_app(region.tmp, SQLALCHEMY_DATABASE_URI=region.database)
    with app.app_context():
        draft = db.session.scalars(select(Submission)).one()
        assert storage.read_bytes(AREA, draft.files[0].stored_name) == ANSWER
        db.session.remove()
        db.engine.dispose()
