"""Restoring a backup (core/backup.py) onto a fresh instance, with the platform stopped: the archive
is checked against its manifest before anything is written, then its media files, the secret key
and the database are put in place. Nothing else runs: an archive from older code leaves the schema
at its revision until the operator runs the migrations.
"""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from flask import current_app

from intersession.core import storage
from intersession.core.backup import (
    CHUNK,
    DATABASE_MEMBERS,
    FORMAT,
    KEY_MEMBER,
    MANIFEST,
    MEDIA,
    BackupError,
    database_kind,
    private_file,
    run_pg,
    sync_folder,
)
from intersession.core.db import db


@dataclass
class Archive:
    path: Path
    manifest: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.manifest["database"]["kind"])

    @property
    def revision(self) -> str | None:
        return self.manifest["database"]["alembic_revision"]

    def sha256(self, name: str) -> str:
        return str(self.manifest["members"][name]["sha256"])


@dataclass
class Restored:
    files: int
    bytes: int
    key_overridden: bool  # SECRET_KEY in the environment, not the restored file, is in use


def _safe_name(name: str) -> bool:
    """A plain relative path under one of the archive's folders, that writes nowhere else."""
    path = PurePosixPath(name)
    if str(path) != name or path.is_absolute() or ".." in path.parts or "\\" in name:
        return False
    if name in (KEY_MEMBER, *DATABASE_MEMBERS.values()):
        return True
    return path.parts[0] == MEDIA and len(path.parts) > 1


def read_archive(path: Path) -> Archive:
    """The archive's manifest, once its members are found to be the manifest's, by name and size,
    and plain files that write only where a restore writes."""
    try:
        with tarfile.open(path, "r:") as tar:
            found = tar.getmembers()
            handle = tar.extractfile(MANIFEST)
            manifest = json.loads(handle.read()) if handle else None
    except (tarfile.TarError, OSError, KeyError, ValueError) as error:
        raise BackupError(f"{path} is not a readable Intersession backup ({error}).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} has no manifest of backup format {FORMAT}.")
    listed, database = manifest.get("members"), manifest.get("database")
    if (
        not isinstance(listed, dict) or not isinstance(database, dict)
        or database.get("kind") not in DATABASE_MEMBERS or "alembic_revision" not in database
        or not all(isinstance(entry, dict) and isinstance(entry.get("sha256"), str)
                   for entry in listed.values())
    ):  # fmt: skip
        raise BackupError(f"The manifest of {path} is not one a backup writes.")
    names = [member.name for member in found if member.name != MANIFEST]
    if (len(set(names)) != len(names) or set(names) != set(listed)
            or DATABASE_MEMBERS[database["kind"]] not in listed or KEY_MEMBER not in listed):  # fmt: skip
        raise BackupError(f"The members of {path} are not those its manifest lists.")
    for member in found:
        if member.name != MANIFEST and (
            not member.isfile() or not _safe_name(member.name)
            or listed[member.name].get("size") != member.size
        ):  # fmt: skip
            raise BackupError(f"{path} holds {member.name!r}, which a restore does not write.")
    return Archive(path, manifest)


def check_target(archive: Archive) -> None:
    """Whether this instance's database is of the archive's kind."""
    kind = database_kind(db.engine.url)
    if kind != archive.kind:
        raise BackupError(f"The archive holds a {archive.kind} database; DATABASE_URL is {kind}.")


def _copy_hashing(source: IO[bytes], out: IO[bytes] | None) -> str:
    sha = hashlib.sha256()
    while chunk := source.read(CHUNK):
        sha.update(chunk)
        if out is not None:
            out.write(chunk)
    return sha.hexdigest()


def verify_archive(archive: Archive) -> None:
    """Every member's content against its sha256 in the manifest, before anything is written."""
    with tarfile.open(archive.path, "r:") as tar:
        for member in tar:
            source = tar.extractfile(member)
            if member.name == MANIFEST or source is None:
                continue
            if _copy_hashing(source, None) != archive.sha256(member.name):
                raise BackupError(
                    f"{member.name} in {archive.path} does not match its checksum: the archive "
                    "is damaged. Nothing was restored."
                )


def _write_temporary(tar: tarfile.TarFile, name: str, archive: Archive, target: Path,
                     mode: int) -> Path:  # fmt: skip
    """The member beside `target` under a temporary name, checked again as it is written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}{storage.TEMPORARY_SUFFIX}")
    temporary.unlink(missing_ok=True)  # left by a restore that was killed
    member = tar.getmember(name)
    source = tar.extractfile(member)
    assert source is not None  # read_archive let only plain files through
    try:
        with private_file(temporary) as out:
            digest = _copy_hashing(source, out)
            out.flush()
            os.fsync(out.fileno())
        if digest != archive.sha256(name):
            raise BackupError(f"{name} changed in {archive.path} while it was being restored.")
        os.chmod(temporary, mode)
        os.utime(temporary, (member.mtime, member.mtime))
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def restore_archive(archive: Archive) -> Restored:
    """Write the archive's media files, secret key and database into this instance, each under a
    temporary name and renamed into place. The database comes last: until it is in place, no row
    names a file not yet there."""
    media_root = Path(current_app.config["MEDIA_ROOT"])
    instance = Path(current_app.config["INSTANCE_PATH"])
    files = total = 0
    with tarfile.open(archive.path, "r:") as tar:
        for member in tar.getmembers():
            parts = PurePosixPath(member.name).parts
            if parts[0] == MEDIA:
                target = media_root.joinpath(*parts[1:])
                os.replace(
                    _write_temporary(tar, member.name, archive, target, member.mode & 0o644), target
                )
                files, total = files + 1, total + member.size
        key_file = instance / "secret_key"
        os.replace(_write_temporary(tar, KEY_MEMBER, archive, key_file, 0o600), key_file)
        url = db.engine.url
        if archive.kind == "sqlite":
            live = Path(url.database or "")
            temporary = _write_temporary(tar, DATABASE_MEMBERS["sqlite"], archive, live, 0o600)
            db.session.remove()
            db.engine.dispose()
            # The old file's journal would be played onto the restored one when it is opened.
            for suffix in ("-wal", "-shm", "-journal"):
                live.with_name(live.name + suffix).unlink(missing_ok=True)
            os.replace(temporary, live)
        else:
            dump = _write_temporary(
                tar, DATABASE_MEMBERS["postgresql"], archive, instance / "restore.pgdump", 0o600
            )
            db.session.remove()
            db.engine.dispose()
            try:
                # Roles and grants are the old machine's; the restoring role owns what it makes.
                run_pg("pg_restore", ["--clean", "--if-exists", "--no-owner", "--no-privileges",
                                       "--single-transaction", f"--dbname={url.database}", str(dump)], url)  # fmt: skip
            finally:
                dump.unlink(missing_ok=True)
    sync_folder(instance)
    key = key_file.read_text().strip()
    overridden = bool(current_app.config.get("SECRET_KEY_FROM_ENVIRONMENT")) and (
        key != current_app.config["SECRET_KEY"]
    )
    return Restored(files, total, overridden)


def code_head() -> str | None:
    """The Alembic revision the code's migrations end at."""
    from alembic.script import ScriptDirectory

    directory = current_app.extensions["migrate"].directory
    return ",".join(sorted(ScriptDirectory(directory).get_heads())) or None
