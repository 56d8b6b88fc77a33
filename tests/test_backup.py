"""Backup and restore (`flask backup`, `flask restore`): a platform in use backed up while rows and
a file are being written, restored whole into an empty instance; damaged archives and occupied
databases refused before anything is written; old backups pruned by --keep. On SQLite, or on
PostgreSQL when INTERSESSION_TEST_DATABASE_URL names one (the restore then goes into a database of
its own, made with createdb)."""

from __future__ import annotations

import io
import json
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import URL, make_url

from intersession.auth.models import User
from intersession.core.backup import libpq_environment
from intersession.core.db import db
from intersession.core.restore import code_head
from intersession.lessons import scheduling
from intersession.notifications.models import Notification
from intersession.recordings.models import Recording
from tests.conftest import AuthActions, LessonHub, make_app
from tests.servers import ROOT

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TEMPORARY = ("files/0123456789abcdef0123456789abcdefpart", "video.webm.tmp")


def flask(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The operator's command line, in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def instance_environment(instance: Path, database_url: str, media: Path) -> dict[str, str]:
    return dict(
        os.environ,
        INTERSESSION_INSTANCE=str(instance),
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(media),
        CELERY_BROKER_FOLDER=str(instance / "broker"),
        PYTHONPATH=str(ROOT),
    )


def row_counts() -> dict[str, int]:
    """Rows of every table of the models, in the current app's database."""
    with db.engine.connect() as connection:
        return {
            table.name: int(connection.scalar(select(func.count()).select_from(table)) or 0)
            for table in db.metadata.sorted_tables
        }


def files_under(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _createdb(name: str, owner: str, url: URL, env: dict[str, str]) -> str:
    """Make an empty database; returns why it could not be made, or ""."""
    host = url.host or ""
    local = host in ("", "127.0.0.1", "localhost", "::1") or host.startswith("/")
    tries: list[list[str]] = [["createdb", "--no-password", "-O", owner, name]]
    try:
        pwd.getpwnam("postgres")
        if local and os.geteuid() == 0 and shutil.which("su"):
            # As the server's own user over its socket (peer authentication), as set up here.
            port = f"-p {url.port} " if url.port else ""
            tries.insert(0, ["su", "postgres", "-c", f"createdb {port}-O {owner} {name}"])
    except KeyError:
        pass
    reasons = []
    for command in tries:
        as_server = command[0] == "su"  # its own defaults, not the test role's variables
        own = {k: v for k, v in os.environ.items() if not k.startswith("PG")} if as_server else env
        done = subprocess.run(command, env=own, capture_output=True, text=True, check=False)
        if done.returncode == 0:
            return ""
        reasons.append(done.stderr.strip())
    return "; ".join(reasons)


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """An empty database to restore into: a new SQLite file, or on PostgreSQL a new database
    named intersession_backup_restore_<pid>, made with createdb and dropped afterwards."""
    source = os.environ.get("INTERSESSION_TEST_DATABASE_URL", "")
    if not source.startswith("postgresql"):
        (tmp_path / "restored").mkdir(exist_ok=True)
        yield f"sqlite:///{tmp_path / 'restored' / 'intersession.sqlite'}"
        return
    url = make_url(source)
    name = f"intersession_backup_restore_{os.getpid()}"
    env = libpq_environment(url.set(database="postgres"))
    subprocess.run(
        ["dropdb", "--no-password", "--if-exists", name], env=env, capture_output=True, check=False
    )
    reason = _createdb(name, url.username or "", url, env)
    if reason:
        pytest.skip(f"no second PostgreSQL database to restore into: createdb failed ({reason})")
    yield url.set(database=name).render_as_string(hide_password=False)
    subprocess.run(["dropdb", "--no-password", "--force", name], env=env, check=True)


@pytest.fixture
def restored_paths(tmp_path: Path) -> tuple[Path, Path]:
    """An empty instance folder and media folder of a second instance."""
    instance, media = tmp_path / "restored", tmp_path / "restored-media"
    instance.mkdir(exist_ok=True)
    return instance, media


def keep_writing(app: Flask, user_id: int, stop: threading.Event, written: list[int]) -> None:
    """Notifications, one committed row after another, as a busy platform writes them."""
    with app.app_context():
        number = 0
        while not stop.is_set():
            note = Notification(user_id=user_id, kind="backup.test", dedup_key=f"backup-{number}")
            db.session.add(note)
            db.session.commit()
            written.append(note.id)
            number += 1
        db.session.remove()


def keep_growing(path: Path, stop: threading.Event) -> None:
    """A recording's track as the media engine writes it: appended to, flushed as it goes."""
    with path.open("ab") as out:
        while not stop.is_set():
            out.write(secrets.token_bytes(4096))
            out.flush()
            stop.wait(0.005)


def test_a_platform_in_use_comes_back_whole(
    app: Flask,
    auth: AuthActions,
    lessons: LessonHub,
    tmp_path: Path,
    empty_database: str,
    restored_paths: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    people = lessons.people
    lesson = scheduling.schedule_lesson(people.advisor, lessons.plan()).lesson
    auth.login("adv")
    response = auth.post(
        f"/lessons/{lesson.id}/materials",
        {"files": [(io.BytesIO(PDF), "Тапсырма.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    (material,) = lesson.materials
    material_url = f"/lessons/{lesson.id}/materials/{material.id}"
    advisor_cookie = auth.client.get_cookie("session")
    assert advisor_cookie is not None
    recording = Recording(lesson_id=lesson.id, folder=secrets.token_hex(16))
    db.session.add(recording)
    db.session.commit()
    media = Path(app.config["MEDIA_ROOT"])
    track_folder = media / "recordings" / recording.folder
    track_folder.mkdir(parents=True)
    (track_folder / "0000000000-camera-video-a1b2c3.mkv").write_bytes(secrets.token_bytes(300_000))
    growing = track_folder / "0000004000-screen-video-d4e5f6.mkv"
    (media / TEMPORARY[0]).write_bytes(b"half an upload")
    (track_folder / TEMPORARY[1]).write_bytes(b"half a finished video")

    stop, written = threading.Event(), []
    threads = [
        threading.Thread(target=keep_writing, args=(app, people.pupil.id, stop, written)),
        threading.Thread(target=keep_growing, args=(growing, stop)),
    ]
    for thread in threads:
        thread.start()
    try:
        while len(written) < 20 or not growing.exists() or growing.stat().st_size < 40_000:
            stop.wait(0.01)
        before, grown_before = len(written), growing.stat().st_size
        dest = tmp_path / "backups"
        dest.mkdir()
        source_env = instance_environment(
            Path(os.environ["INTERSESSION_INSTANCE"]), app.config["SQLALCHEMY_DATABASE_URI"], media
        )
        made = flask("backup", str(dest), env=source_env)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert made.returncode == 0, made.stderr
    (archive,) = dest.iterdir()  # nothing half-written beside it
    assert archive.name.startswith("intersession-") and archive.suffix == ".tar"
    assert f"Backup written: {archive}" in made.stdout
    assert archive.stat().st_mode & 0o077 == 0
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert "manifest.json" in names and "instance/secret_key" in names
    assert not any(name.endswith(TEMPORARY) for name in names)

    db.session.remove()
    counts = row_counts()
    logins = sorted(db.session.scalars(select(User.login)))
    notes = list(db.session.scalars(select(Notification.id).order_by(Notification.id)))
    source_files = {k: v for k, v in files_under(media).items() if not k.endswith(TEMPORARY)}
    assert counts["notification"] == len(notes) > before  # rows went on coming during the backup

    instance, restored_media = restored_paths
    done = flask(
        "restore", str(archive), env=instance_environment(instance, empty_database, restored_media)
    )
    assert done.returncode == 0, done.stderr
    assert "Restored from" in done.stdout
    # create_all makes no alembic_version: then the schema is older than the code's, as told.
    with tarfile.open(archive) as tar:
        handle = tar.extractfile("manifest.json")
        assert handle is not None
        revision = json.load(handle)["database"]["alembic_revision"]
    assert ("flask --app wsgi db upgrade" in done.stdout) is (revision != code_head())

    monkeypatch.setenv("INTERSESSION_INSTANCE", str(instance))  # its key read from its folder
    second = make_app(
        tmp_path / "second", SQLALCHEMY_DATABASE_URI=empty_database, MEDIA_ROOT=str(restored_media)
    )
    try:
        assert second.config["SECRET_KEY"] == app.config["SECRET_KEY"]
        with second.app_context():
            restored_counts = row_counts()
            assert sorted(db.session.scalars(select(User.login))) == logins
            restored_notes = list(
                db.session.scalars(select(Notification.id).order_by(Notification.id))
            )
            db.session.remove()
        # One state of the database: every row before the snapshot, none of a later one.
        assert before <= len(restored_notes) <= len(notes)
        assert restored_notes == notes[: len(restored_notes)]
        assert {k: v for k, v in restored_counts.items() if k != "notification"} == {
            k: v for k, v in counts.items() if k != "notification"
        }

        restored_files = files_under(restored_media)
        assert restored_files.keys() == source_files.keys()
        growing_name = growing.relative_to(media).as_posix()
        for name, content in source_files.items():
            if name == growing_name:  # cut where the copy reached it
                assert len(restored_files[name]) >= grown_before
                assert content.startswith(restored_files[name])
            else:
                assert restored_files[name] == content, name

        pupil = second.test_client()
        response = AuthActions(pupil).login("pup")
        assert response.status_code == 302 and response.location == "/"
        served = pupil.get(material_url)
        assert served.status_code == 200 and served.data == PDF
        advisor = second.test_client()  # still signed in: the same key, the same session rows
        advisor.set_cookie("session", advisor_cookie.value)
        assert advisor.get("/").status_code == 200
    finally:
        with second.app_context():
            db.engine.dispose()


def test_a_damaged_archive_is_refused_before_anything_is_written(
    app: Flask, lessons: LessonHub, tmp_path: Path, empty_database: str,
    restored_paths: tuple[Path, Path],
) -> None:  # fmt: skip
    media = Path(app.config["MEDIA_ROOT"])
    (media / "files").mkdir(parents=True)
    (media / "files" / "abcdef").write_bytes(secrets.token_bytes(5000))
    archive = tmp_path / "backup.tar"
    made = app.test_cli_runner().invoke(args=["backup", str(archive)])
    assert made.exit_code == 0, made.output
    with tarfile.open(archive) as tar:
        member = tar.getmember("media/files/abcdef")
    with archive.open("r+b") as raw:  # one byte of the file's content flipped
        raw.seek(member.offset_data + 1234)
        byte = raw.read(1)
        raw.seek(-1, io.SEEK_CUR)
        raw.write(bytes([byte[0] ^ 0x01]))

    instance, restored_media = restored_paths
    target = make_app(
        tmp_path / "second", SQLALCHEMY_DATABASE_URI=empty_database,
        MEDIA_ROOT=str(restored_media), INSTANCE_PATH=str(instance),
    )  # fmt: skip
    with target.app_context():  # the command runs on the current app: this one, not the source
        result = target.test_cli_runner().invoke(args=["restore", str(archive)])
        assert result.exit_code == 1
        assert "media/files/abcdef" in result.output
        assert "does not match its checksum" in result.output
        assert not restored_media.exists()
        assert not (instance / "secret_key").exists()
        assert inspect(db.engine).get_table_names() == []
        db.engine.dispose()


def test_an_archive_with_an_unlisted_member_is_refused(app: Flask, tmp_path: Path) -> None:
    archive = tmp_path / "backup.tar"
    assert app.test_cli_runner().invoke(args=["backup", str(archive)]).exit_code == 0
    with tarfile.open(archive, "a") as tar:
        info = tarfile.TarInfo("media/../../../etc/cron.d/evil")
        info.size = 4
        tar.addfile(info, io.BytesIO(b"evil"))
    result = app.test_cli_runner().invoke(args=["restore", "--force", str(archive)])
    assert result.exit_code == 1
    assert "not those its manifest lists" in result.output


def test_a_database_with_users_is_kept_unless_forced(
    app: Flask, lessons: LessonHub, tmp_path: Path
) -> None:
    archive = tmp_path / "backup.tar"
    assert app.test_cli_runner().invoke(args=["backup", str(archive)]).exit_code == 0
    pupil = db.session.scalars(select(User).where(User.login == "pup")).one()
    pupil.full_name = "Changed After The Backup"
    db.session.commit()
    db.session.remove()  # no transaction of ours in the way of pg_restore's

    refused = app.test_cli_runner().invoke(args=["restore", str(archive)])
    assert refused.exit_code == 1
    assert "already has users; nothing was restored" in refused.output
    assert "--force" in refused.output
    assert db.session.scalar(select(User.full_name).where(User.login == "pup")) == (
        "Changed After The Backup"
    )
    db.session.remove()

    forced = app.test_cli_runner().invoke(args=["restore", "--force", str(archive)])
    assert forced.exit_code == 0, forced.output
    assert db.session.scalar(select(User.full_name).where(User.login == "pup")) == (
        "Сәрсенбаев Әлихан"
    )


def test_keep_leaves_the_newest(app: Flask, lessons: LessonHub, tmp_path: Path) -> None:
    dest = tmp_path / "backups"
    dest.mkdir()
    older = [dest / f"intersession-2026010{day}-023000.tar" for day in (1, 2, 3)]
    for path in older:
        path.write_bytes(b"an old backup")
    others = [dest / "notes.txt", dest / "before-upgrade.tar"]
    for path in others:
        path.write_text("not one of the nightly backups")

    result = app.test_cli_runner().invoke(args=["backup", str(dest), "--keep", "2"])
    assert result.exit_code == 0, result.output
    new = next(p for p in dest.glob("intersession-*.tar") if p not in older)
    assert sorted(dest.iterdir()) == sorted([older[2], new, *others])
    assert f"Removed old backup: {older[0]}" in result.output
    assert f"Removed old backup: {older[1]}" in result.output
    refused = app.test_cli_runner().invoke(args=["backup", str(dest), "--keep", "0"])
    assert refused.exit_code == 2  # a usage error: keeping none would remove every backup


def test_a_failed_backup_leaves_nothing(tmp_path: Path) -> None:
    broken = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'missing.sqlite'}")
    dest = tmp_path / "backups"
    dest.mkdir()
    with broken.app_context():  # its own, whatever context an earlier test left behind
        result = broken.test_cli_runner().invoke(args=["backup", str(dest)])
    assert result.exit_code == 1
    assert "There is no SQLite database" in result.output
    assert list(dest.iterdir()) == []
    assert not (tmp_path / "missing.sqlite").exists()
