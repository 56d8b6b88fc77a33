"""The resumable uploads' protocol headers, each given every hostile value (the others valid), as
every role, on the upload's creation, a chunk and the question where it stands: no 5xx, and a
refusal writes nothing (no row, no byte of the upload's file)."""

from __future__ import annotations

import base64

import pytest

from tests.fuzz.catalogue import CATALOGUE, CLASSES, Hostile
from tests.fuzz.conftest import check
from tests.fuzz.routes import PATH_VALUE_MAX
from tests.fuzz.world import ROLES, World

HEADER_MAX = 8 * 1024  # nginx's and gunicorn's limit on one header line
PROTOCOL = ("Tus-Resumable", "Upload-Length", "Upload-Offset", "Upload-Metadata", "Content-Type")
CHUNK = b"%PDF-1.4 more of it"


def _text(hostile: Hostile) -> str | None:
    """The value as a header carries it: text of one line, at most HEADER_MAX (a longer one, or
    a line break, never reaches the app behind a real server)."""
    form = hostile.form
    if isinstance(form, tuple):
        return None
    text = form.decode("latin-1") if isinstance(form, bytes) else form
    if "\r" in text or "\n" in text:
        return None
    return text[: min(HEADER_MAX, PATH_VALUE_MAX)]


def _meta(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode('utf-8', 'surrogatepass')).decode()}"
                    for k, v in values.items())  # fmt: skip


def _requests(world: World, role: str) -> list[tuple[str, str, dict[str, str], bytes | None]]:
    target = f"work:{world.made.ids['assignment_id']}"
    token = world.csrf[role]
    begin = {"Tus-Resumable": "1.0.0", "X-CSRFToken": token, "Upload-Length": "500",
             "Upload-Metadata": _meta(filename="a.pdf", **{"for": target})}  # fmt: skip
    chunk = {"Tus-Resumable": "1.0.0", "X-CSRFToken": token, "Upload-Offset": "100",
             "Content-Type": "application/offset+octet-stream"}  # fmt: skip
    where = f"/uploads/{world.made.upload_id}"
    return [("POST", "/uploads", begin, None), ("PATCH", where, chunk, CHUNK),
            ("HEAD", where, {"Tus-Resumable": "1.0.0"}, None)]  # fmt: skip


@pytest.mark.parametrize("cls", [c for c in CLASSES if c != "lists"])
def test_upload_headers(world: World, cls: str) -> None:
    first = len(world.failures)
    for method, path, valid, body in _requests(world, "pupil"):  # as sent, each is taken
        headers = dict(valid)
        taken = world.send("plain", "pupil", method, path, body=body, headers=headers,
                           content_type=headers.pop("Content-Type", None))  # fmt: skip
        assert taken.status_code in (200, 201, 204), (method, taken.get_data(as_text=True))
    for role in ROLES:
        for method, path, valid, body in _requests(world, role):
            for header in PROTOCOL:
                for hostile in CATALOGUE[cls]:
                    value = _text(hostile)
                    if value is None:
                        continue
                    sent = valid | {header: value}
                    world.send(cls, role, method, path, header, hostile.label, body=body,
                               content_type=sent.pop("Content-Type", None), headers=sent,
                               where=path.rsplit("/", 1)[0])  # fmt: skip
            if method == "POST":  # hostile text in the file's name and in what it is for
                for hostile in CATALOGUE[cls]:
                    value = _text(hostile)
                    if value is None:
                        continue
                    for key in ("filename", "for"):
                        meta = {"filename": "a.pdf", "for": "work:1", key: value}
                        world.send(cls, role, method, path, f"metadata {key}", hostile.label,
                                   headers=valid | {"Upload-Metadata": _meta(**meta)}, where=path)  # fmt: skip
    check(world, first, f"upload headers, {cls}")
