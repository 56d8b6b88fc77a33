"""Commands: `flask demo`, `flask seed-if-empty`, `flask create-hub`, `flask backup`,
`flask restore`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import OperationalError

from intersession.core.db import db


def register_cli(app: Flask) -> None:
    @app.cli.command("demo")
    def demo() -> None:
        """Load the demo hub into an empty database."""
        from intersession.demo import DEMO_PASSWORD, load_demo

        counts = load_demo()
        click.echo(f"Demo hub loaded: {counts}. Password for every demo login: {DEMO_PASSWORD}")

    @app.cli.command("seed-if-empty")
    def seed_if_empty() -> None:
        """Load the demo hub when the database has nobody in it yet."""
        from intersession.auth.models import User
        from intersession.demo import load_demo

        if not db.session.scalar(select(func.count()).select_from(User)):
            load_demo()
            click.echo("Demo data loaded.")

    @app.cli.command("create-hub")
    @click.option("--hub", required=True, help="Name of the hub school")
    @click.option("--district", required=True)
    @click.option("--timezone", default="Asia/Almaty", show_default=True)
    @click.option("--login", default="coordinator", show_default=True)
    @click.option("--name", "full_name", required=True, help="The coordinator's full name")
    def create_hub(hub: str, district: str, timezone: str, login: str, full_name: str) -> None:
        """Create a hub school and its first coordinator (for a real installation)."""
        from intersession.auth.models import Role, User
        from intersession.auth.passwords import generate_password, hash_password
        from intersession.schools.models import School, SchoolKind
        from intersession.schools.services import check_timezone

        check_timezone(timezone)
        password = generate_password()
        school = School(name=hub, kind=SchoolKind.HUB, district=district, timezone=timezone)
        db.session.add(school)
        db.session.add(
            User(
                login=login.lower(),
                full_name=full_name,
                role=Role.COORDINATOR,
                school=school,
                password_hash=hash_password(password),
            )
        )
        db.session.commit()
        click.echo(f"Hub created. Coordinator login: {login.lower()}  password: {password}")

    @app.cli.command("backup")
    @click.argument("dest", type=click.Path(path_type=Path))
    @click.option(
        "--keep", type=click.IntRange(min=1), help="Then keep only the newest N intersession-*.tar"
    )
    def backup(dest: Path, keep: int | None) -> None:
        """Back up the running platform (database, media files, secret key) into one archive:
        DEST is a folder (the archive is named by the UTC time) or a .tar file."""
        from intersession.core.backup import BackupError, exit_on_terminate, make_backup

        try:
            with exit_on_terminate():
                made = make_backup(dest, keep)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        except OperationalError as error:
            raise click.ClickException(f"The database cannot be reached: {error.orig}") from None
        click.echo(
            f"Backup written: {made.path} (database: {made.database}, media files: {made.files}, "
            f"bytes: {made.bytes})."
        )
        for old in made.removed:
            click.echo(f"Removed old backup: {old}")

    @app.cli.command("restore")
    @click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--force", is_flag=True, help="Restore even if the database already has users")
    def restore(archive: Path, force: bool) -> None:
        """Restore a backup into this instance's database, MEDIA_ROOT and instance folder (with
        the platform stopped). Every member is checked against the manifest first."""
        from intersession.core import restore as restoring
        from intersession.core.backup import BackupError

        try:
            opened = restoring.read_archive(archive)
            restoring.check_target(opened)
            if not force and _has_users():
                raise click.ClickException(
                    "The database at DATABASE_URL already has users; nothing was restored. "
                    "Use --force to replace its contents with the backup's."
                )
            restoring.verify_archive(opened)
            click.echo(f"Archive checked: {len(opened.manifest['members'])} members.")
            restored = restoring.restore_archive(opened)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        except OperationalError as error:
            raise click.ClickException(f"The database cannot be reached: {error.orig}") from None
        click.echo(
            f"Restored from {archive}: the database ({opened.kind}), the secret key and the media "
            f"files (files: {restored.files}, bytes: {restored.bytes})."
        )
        if restored.key_overridden:
            click.echo(
                "Warning: SECRET_KEY is set in the environment and differs from the restored "
                "instance/secret_key; unset it (or set it to the restored key) or sessions and "
                "signed links of the old platform will not work."
            )
        head = restoring.code_head()
        if opened.revision != head:
            click.echo(
                f"The backup's schema is at revision {opened.revision or 'none'}, the code's at "
                f"{head}: run `flask --app wsgi db upgrade` before starting the platform."
            )


def _has_users() -> bool:
    from intersession.auth.models import User

    if not inspect(db.engine).has_table(User.__tablename__):
        return False
    return bool(db.session.scalar(select(func.count()).select_from(User)))
