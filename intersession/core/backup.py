"""Backups of a running platform: the database, the media files and the secret key in one tar
archive, with a manifest of what it holds (restoring one is core/restore.py).

A backup is consistent in this sense. The database is copied first, as one state of it (SQLite's
online backup API reads one snapshot of the live file; pg_dump reads in one transaction), and the
media files after it. The platform writes a file under a temporary name and renames it into place
before the row that names it is committed, and never rewrites a file in place (a recording's
tracks only grow), so every file a row of the snapshot names is whole on disk before the copy
starts, and goes into the archive. Files written after the snapshot may go in too: no restored row
names them, which is harmless. A file deleted between the snapshot and the copy (an expired
export or recording being purged) is missing; its row was about to go as well. Files still under
a temporary name (`storage.is_temporary`) are left out.

The archive: `manifest.json` (format, time, database kind and Alembic revision, media files and
bytes, each member's size and sha256), `database/intersession.sqlite` or
`database/intersession.pgdump` (pg_dump's custom format), `instance/secret_key`, and
`media/<path under MEDIA_ROOT>`.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import shutil
import signal
import sqlite3
import subprocess
import tarfile
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from flask import current_app
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL

from intersession.core import storage
from intersession.core.db import db

FORMAT = 1
MANIFEST = "manifest.json"
KEY_MEMBER = "instance/secret_key"
MEDIA = "media"
DATABASE_MEMBERS = {
    "sqlite": "database/intersession.sqlite",
    "postgresql": "database/intersession.pgdump",
}
ARCHIVES = "intersession-*.tar"  # what --keep counts and removes
CHUNK = 1024 * 1024


class BackupError(Exception):
    """What the operator is told; whatever was half-written has been removed."""


@dataclass
class Made:
    path: Path
    database: str
    files: int
    bytes: int
    removed: list[Path] = field(default_factory=list)


def database_kind(url: URL) -> str:
    kind = url.get_backend_name()
    if kind not in DATABASE_MEMBERS:
        raise BackupError(f"Backups of a {kind} database are not supported.")
    if kind == "sqlite" and url.database in (None, "", ":memory:"):
        raise BackupError("DATABASE_URL names no SQLite file.")
    return kind


def libpq_environment(url: URL) -> dict[str, str]:
    """The URL's parts as libpq's variables, so that no password is ever on a command line."""
    query = {key: value for key, value in url.query.items() if isinstance(value, str)}
    parts = {
        "PGHOST": url.host or query.get("host"),
        "PGPORT": str(url.port) if url.port else query.get("port"),
        "PGUSER": url.username or query.get("user"),
        "PGPASSWORD": url.password or query.get("password"),
        "PGDATABASE": url.database or query.get("dbname"),
        "PGSSLMODE": query.get("sslmode"),
    }
    return dict(os.environ) | {name: value for name, value in parts.items() if value}


def run_pg(tool: str, args: list[str], url: URL) -> None:
    program = shutil.which(tool)
    if program is None:
        raise BackupError(f"{tool} was not found on PATH (install the PostgreSQL client programs).")
    done = subprocess.run(
        [program, "--no-password", *args],
        env=libpq_environment(url), capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode:
        raise BackupError(f"{tool} failed: {done.stderr.strip()}")


def private_file(path: Path) -> IO[bytes]:
    """A new file only its owner can read: the database and the key are in what goes there."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def sync_folder(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


class _Hashing:
    """A reader that hashes what is read through it, so a member is read once."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.sha.update(data)
        return data


# Making a backup


def _snapshot(target: Path) -> tuple[str, str | None]:
    """The database as it is at one moment, into `target`; returns its kind and Alembic revision."""
    url = db.engine.url
    kind = database_kind(url)
    private_file(target).close()
    if kind == "postgresql":
        with db.engine.connect() as connection:
            revision = _revision(connection)
        run_pg("pg_dump", ["--format=custom", f"--file={target}"], url)
        return kind, revision
    live = Path(url.database or "")
    if not live.is_file():  # sqlite3.connect would make an empty one
        raise BackupError(f"There is no SQLite database at {live}.")
    with (
        closing(sqlite3.connect(live, timeout=30)) as source,
        closing(sqlite3.connect(target)) as copy,
    ):
        source.backup(copy)  # in one step: one read transaction, one state
        copy.execute("PRAGMA journal_mode=DELETE")  # the file whole by itself, no -wal beside it
        listed = copy.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        rows = copy.execute("SELECT version_num FROM alembic_version").fetchall() if listed else []
    return kind, ",".join(sorted(row[0] for row in rows)) or None


def _revision(connection: Any) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
    return ",".join(sorted(rows)) or None


def _media_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(path under the root, path) of every regular file but those still being written."""
    for folder, subfolders, names in os.walk(root):
        subfolders.sort()
        for name in sorted(names):
            path = Path(folder, name)
            if not storage.is_temporary(name) and not path.is_symlink() and path.is_file():
                yield path.relative_to(root).as_posix(), path


def _add(tar: tarfile.TarFile, name: str, handle: IO[bytes], size: int, mtime: float,
         mode: int) -> dict[str, Any]:  # fmt: skip
    """One member of exactly `size` bytes (a track still growing is cut where it was)."""
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(mtime), mode
    reader = _Hashing(handle)
    tar.addfile(info, reader)
    return {"size": size, "sha256": reader.sha.hexdigest()}


def _write_archive(out: IO[bytes], snapshot: Path, kind: str, revision: str | None,
                   now: datetime) -> tuple[int, int]:  # fmt: skip
    """The members, hashed as they go in, then the manifest; returns the media files and bytes."""
    members: dict[str, dict[str, Any]] = {}
    files = total = 0
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        name = DATABASE_MEMBERS[kind]
        with snapshot.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            members[name] = _add(tar, name, handle, size, now.timestamp(), 0o600)
        key = str(current_app.config["SECRET_KEY"]).encode()
        members[KEY_MEMBER] = _add(
            tar, KEY_MEMBER, io.BytesIO(key), len(key), now.timestamp(), 0o600
        )
        for relative, path in _media_files(Path(current_app.config["MEDIA_ROOT"])):
            try:
                handle = path.open("rb")
            except FileNotFoundError:  # removed since the snapshot (see the module's docstring)
                continue
            with handle:
                stat = os.fstat(handle.fileno())
                name = f"{MEDIA}/{relative}"
                members[name] = _add(
                    tar, name, handle, stat.st_size, stat.st_mtime, stat.st_mode & 0o644
                )
            files, total = files + 1, total + stat.st_size
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(timespec="seconds"),
            "database": {"kind": kind, "alembic_revision": revision},
            "secret_key": {
                "from_environment": bool(current_app.config.get("SECRET_KEY_FROM_ENVIRONMENT"))
            },
            "media": {"files": files, "bytes": total},
            "members": members,
        }
        data = json.dumps(manifest, indent=2, sort_keys=True).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(data), int(now.timestamp()), 0o600
        tar.addfile(info, io.BytesIO(data))
    return files, total


def _target(dest: Path, now: datetime) -> Path:
    if dest.is_dir():
        target = dest / now.strftime("intersession-%Y%m%d-%H%M%S.tar")
    elif dest.suffix == ".tar" and dest.parent.is_dir():
        target = dest
    else:
        raise BackupError(f"{dest} is neither a folder nor a .tar file in an existing folder.")
    if target.exists():
        raise BackupError(f"{target} already exists.")
    if target.parent.resolve().is_relative_to(Path(current_app.config["MEDIA_ROOT"]).resolve()):
        raise BackupError("A backup cannot be written inside MEDIA_ROOT.")
    return target


def make_backup(dest: Path, keep: int | None = None) -> Made:
    """One archive of the platform as it runs, into the folder `dest` (named by the UTC time) or
    the .tar file `dest`. It is written under a hidden temporary name and renamed when whole, so
    an archive under its final name is always complete; on any failure nothing is left. Then, with
    `keep`, the oldest archives of the folder beyond that many are removed."""
    now = datetime.now(UTC)
    target = _target(dest, now)
    stem = f".{target.name}.{secrets.token_hex(4)}"
    partial, snapshot = target.with_name(stem + ".partial"), target.with_name(stem + ".db")
    try:
        kind, revision = _snapshot(snapshot)  # before the files: see the module's docstring
        with private_file(partial) as out:
            files, total = _write_archive(out, snapshot, kind, revision, now)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            snapshot.with_name(snapshot.name + suffix).unlink(missing_ok=True)
    sync_folder(target.parent)
    removed = prune(target.parent, keep) if keep else []
    return Made(target, kind, files, total, removed)


def prune(folder: Path, keep: int) -> list[Path]:
    """Remove the backups of the folder beyond the newest `keep`. Their names hold the UTC time
    they were made at, so the order of the names is the order of their age."""
    archives = sorted(path for path in folder.glob(ARCHIVES) if path.is_file())
    old = archives[:-keep] if keep > 0 else archives
    for path in old:
        path.unlink(missing_ok=True)
    return old


@contextmanager
def exit_on_terminate() -> Iterator[None]:
    """SIGTERM (systemd stopping the service) raised as SystemExit, so the cleanup above runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
