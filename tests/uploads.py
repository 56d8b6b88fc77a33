"""A tus 1.0 client over Flask's test client, as the page's script (tus-js-client) speaks it."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import csrf_token

TUS = {"Tus-Resumable": "1.0.0"}


def metadata(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


@dataclass
class Tus:
    client: FlaskClient

    def __post_init__(self) -> None:
        self.token = csrf_token(self.client, "/")

    def headers(self, **more: str) -> dict[str, str]:
        return {**TUS, "X-CSRFToken": self.token, **more}

    def create(self, target: str, name: str, length: int | str) -> TestResponse:
        meta = metadata(filename=name, filetype="application/pdf", **{"for": target})
        return self.client.post("/uploads", headers=self.headers(**{
            "Upload-Length": str(length), "Upload-Metadata": meta,
        }))  # fmt: skip

    def begin(self, target: str, name: str, length: int) -> str:
        """A new upload's address."""
        made = self.create(target, name, length)
        assert made.status_code == 201, made.get_data(as_text=True)
        return made.headers["Location"]

    def send(self, where: str, offset: int, data: bytes) -> TestResponse:
        return self.client.patch(where, data=data, headers=self.headers(**{
            "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream",
        }))  # fmt: skip

    def offset(self, where: str) -> int:
        head = self.client.head(where, headers=TUS)
        assert head.status_code == 200, head.status_code
        return int(head.headers["Upload-Offset"])

    def upload(self, target: str, name: str, data: bytes, chunk: int = 4096) -> str:
        """The whole file in chunks; the id the form names it by."""
        where = self.begin(target, name, len(data))
        for start in range(0, len(data), chunk):
            sent = self.send(where, start, data[start : start + chunk])
            assert sent.status_code == 204, sent.get_data(as_text=True)
        return where.rsplit("/", 1)[-1]
