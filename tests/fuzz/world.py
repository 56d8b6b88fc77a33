"""The fuzz suite's app: built once, one signed-in client per role, and every request checked.

Every request starts from the same state: whatever a request writes (rows through the session,
files under MEDIA_ROOT) is put back as it was before the next one, and each client's cookies are
put back too, so the order of the requests does not change what they meet. A request is a failure
when it raises, answers 5xx, logs an ERROR, or is refused (4xx) and still leaves a row or a file
behind."""

from __future__ import annotations

import logging
import shutil
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Table, func, select, text

from intersession.core.db import db
from intersession.core.generations import TABLE as GENERATIONS
from tests.conftest import CSRF_RE, AuthActions
from tests.fuzz.catalogue import Hostile
from tests.fuzz.data import Made, media_files

ROLES: dict[str, str | None] = {
    "coordinator": "coord",
    "advisor": "adv",
    "tutor": "tut",
    "pupil": "pup",
    "outsider": "outsider",  # the coordinator of another hub
    "anonymous": None,
}
# Tables a refused request may write to on purpose: a failed sign-in is counted for throttling.
REFUSALS_MAY_WRITE = {"login_failure"}


@dataclass(frozen=True)
class Failure:
    cls: str  # the class of hostile value
    role: str
    method: str
    where: str  # the path, or the Socket.IO event
    field: str  # the field, query argument, path argument or payload key
    value: str  # the hostile value's label
    outcome: str  # status, exception or what was left behind

    def line(self) -> str:
        return (
            f"[{self.cls}] {self.role} {self.method} {self.where} {self.field}={self.value}: "
            f"{self.outcome}"
        )


class ErrorRecords(logging.Handler):
    """Every ERROR record (Flask logs an unhandled exception's traceback at ERROR)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def take(self) -> list[str]:
        found = []
        for record in self.records:
            kind = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else ""
            found.append(f"logged {record.levelname} {kind} {record.getMessage()[:120]}".strip())
        self.records.clear()
        return found


def quote(value: str | bytes) -> str:
    """Text percent-encoded as UTF-8; bytes are already percent-encoded (raw, possibly invalid)."""
    if isinstance(value, bytes):
        return value.decode("ascii")
    return urllib.parse.quote(value, safe="")


def urlencoded(pairs: list[tuple[str, str | bytes]]) -> bytes:
    return "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs).encode("ascii")


def multipart(pairs: list[tuple[str, Any]]) -> tuple[bytes, str]:
    """A multipart body built here, so raw (invalid) bytes reach the server as they are; a value
    that is (filename, bytes) is a file."""
    boundary = b"fuzzboundary7MA4YWxkTrZu0gW"
    parts = []
    for name, value in pairs:
        head = b"--" + boundary + b'\r\nContent-Disposition: form-data; name="' + name.encode()
        if isinstance(value, tuple):
            filename, body = value
            head += b'"; filename="' + filename + b'"\r\nContent-Type: application/octet-stream'
        else:
            body = (
                urllib.parse.unquote_to_bytes(value) if isinstance(value, bytes) else value.encode()
            )
            head += b'"'
        parts.append(head + b"\r\n\r\n" + body + b"\r\n")
    parts.append(b"--" + boundary + b"--\r\n")
    return b"".join(parts), "multipart/form-data; boundary=" + boundary.decode()


def expand(name: str, hostile: Hostile) -> list[tuple[str, str | bytes]]:
    """The pairs a field sends for a hostile value: a list is the field repeated."""
    if isinstance(hostile.form, tuple):
        return [(name, v) for v in hostile.form]
    return [(name, hostile.form)]


@dataclass
class World:
    app: Flask
    made: Made
    clients: dict[str, FlaskClient]
    cookies: dict[str, dict[Any, Any]]
    csrf: dict[str, str]
    rows: dict[str, list[dict[str, Any]]]
    counts: dict[str, int]
    files: dict[str, bytes]
    errors: ErrorRecords
    failures: list[Failure] = field(default_factory=list)
    plain: dict[tuple[str, str], int] = field(default_factory=dict)
    pages: dict[tuple[str, str], str] = field(default_factory=dict)  # the HTML of those of 200
    sent: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    started: float = field(default_factory=time.monotonic)

    # -- state ------------------------------------------------------------------------------------

    @property
    def media_root(self) -> Path:
        return Path(self.app.config["MEDIA_ROOT"])

    @staticmethod
    def tables() -> list[Table]:
        return [t for t in db.metadata.sorted_tables if t.name != GENERATIONS]

    @staticmethod
    def generations() -> dict[str, int]:
        table = db.metadata.tables[GENERATIONS]
        db.session.rollback()  # read what the request committed, not an older snapshot
        found = {r[0]: r[1] for r in db.session.execute(select(table.c.table_name, table.c.value))}
        db.session.rollback()
        return found

    @classmethod
    def read_rows(cls) -> dict[str, list[dict[str, Any]]]:
        rows = {}
        for table in cls.tables():
            ordered = select(table).order_by(*table.primary_key.columns)
            rows[table.name] = [dict(r) for r in db.session.execute(ordered).mappings()]
        db.session.rollback()
        return rows

    @classmethod
    def read_counts(cls) -> dict[str, int]:
        counts = {
            t.name: db.session.scalar(select(func.count()).select_from(t)) or 0
            for t in cls.tables()
        }
        db.session.rollback()
        return counts

    def restore(self) -> None:
        """Put every row and file back as it was when the world was made. Through the session, so
        the tables' counters go up and nothing kept from the undone writes is served again."""
        db.session.rollback()
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in self.tables())
            db.session.execute(text(f"TRUNCATE {names}"))
        else:  # rows referring to their own table (a magnet school to its hub) go in one DELETE
            db.session.execute(text("PRAGMA defer_foreign_keys = ON"))
        for table in reversed(self.tables()):
            db.session.execute(table.delete())  # noted, so every table's counter goes up
        for table in self.tables():
            if self.rows[table.name]:
                db.session.execute(table.insert(), self.rows[table.name])
        db.session.commit()
        db.session.expire_all()
        now = media_files(self.media_root)
        if now != self.files:
            if self.media_root.exists():
                shutil.rmtree(self.media_root)
            for name, body in self.files.items():
                path = self.media_root / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(body)

    # -- requests ---------------------------------------------------------------------------------

    def fail(self, cls: str, role: str, method: str, where: str, name: str, value: str,
             outcome: str) -> None:  # fmt: skip
        self.failures.append(Failure(cls, role, method, where, name, value, outcome))

    def send(
        self,
        cls: str,
        role: str,
        method: str,
        path: str,
        name: str = "",
        value: str = "",
        *,
        body: bytes | None = None,
        content_type: str | None = None,
        where: str = "",
        headers: dict[str, str] | None = None,
    ) -> Any:
        """One request as `role`, checked; the state put back after it if it wrote anything."""
        client = self.clients[role]
        client._cookies = dict(self.cookies[role])  # type: ignore[attr-defined]
        before = self.generations()
        self.errors.take()
        self.sent["http"] += 1
        response = None
        outcomes = []
        try:
            response = client.open(path, method=method, data=body, content_type=content_type,
                                   headers=headers)  # fmt: skip
        except Exception as error:  # the view raised: the server would answer 500
            outcomes.append(f"raised {type(error).__name__}: {str(error).splitlines()[0][:160]}"
                            if str(error) else f"raised {type(error).__name__}")  # fmt: skip
        outcomes += self.errors.take()
        status = response.status_code if response is not None else 0
        if status >= 500:
            outcomes.append(f"{status}")
        wrote = self.generations() != before
        now_files = media_files(self.media_root) if method != "GET" or wrote else self.files
        if 400 <= status < 500 and method != "GET":
            if wrote:
                counts = self.read_counts()
                changed = sorted(
                    f"{t} {self.counts[t]}->{counts[t]}"
                    for t in counts
                    if counts[t] != self.counts[t] and t not in REFUSALS_MAY_WRITE
                )
                if changed:
                    outcomes.append(f"{status} but rows left behind: {', '.join(changed)}")
            if now_files != self.files:
                extra = sorted(set(now_files) - set(self.files))
                outcomes.append(f"{status} but files left behind: {', '.join(extra)[:200]}")
        for outcome in outcomes:
            self.fail(cls, role, method, where or path.split("?")[0][:120], name, value, outcome)
        if wrote or now_files != self.files:
            self.restore()
        return response

    def plain_status(self, role: str, path: str) -> int:
        """The status of the page as `role` with nothing hostile (asked once, then remembered)."""
        key = (role, path)
        if key not in self.plain:
            response = self.send("plain", role, "GET", path)
            self.plain[key] = response.status_code if response is not None else 0
            if self.plain[key] == 200 and response.mimetype == "text/html":
                self.pages[key] = response.get_data(as_text=True)
        return self.plain[key]

    def report(self) -> str:
        """The failures grouped: one line per (where, field, value class, outcome), with how many
        roles and values met it."""
        groups: dict[tuple[str, str, str, str, str], list[Failure]] = defaultdict(list)
        for f in self.failures:
            outcome = f.outcome.split(" but ")[0] if "left behind" not in f.outcome else f.outcome
            groups[(f.cls, f.method, f.where, f.field, outcome)].append(f)
        lines = []
        for (cls, method, where, name, outcome), found in sorted(groups.items()):
            roles = sorted({f.role for f in found})
            values = sorted({f.value for f in found})
            lines.append(f"[{cls}] {method} {where} {name} ({', '.join(values)}) as "
                         f"{', '.join(roles)}: {outcome}")  # fmt: skip
        return "\n".join(lines)


def sign_in(app: Flask, role: str) -> tuple[FlaskClient, dict[Any, Any], str]:
    client = app.test_client()
    login = ROLES[role]
    if login is not None:
        response = AuthActions(client).login(login)
        assert response.status_code == 302, f"{role} could not sign in"  # type: ignore[attr-defined]
    page = client.get("/login" if login is None else "/password").get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match, f"no CSRF token for {role}"
    return client, dict(client._cookies), match.group(1)  # type: ignore[attr-defined]


def make_world(app: Flask, made: Made) -> World:
    signed = {role: sign_in(app, role) for role in ROLES}
    errors = ErrorRecords()
    logging.getLogger().addHandler(errors)
    return World(
        app=app,
        made=made,
        clients={r: s[0] for r, s in signed.items()},
        cookies={r: s[1] for r, s in signed.items()},
        csrf={r: s[2] for r, s in signed.items()},
        rows=World.read_rows(),
        counts=World.read_counts(),
        files=media_files(Path(app.config["MEDIA_ROOT"])),
        errors=errors,
    )
