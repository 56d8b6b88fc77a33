"""Commands: `flask demo`, `flask seed-if-empty`, `flask create-hub`."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import func, select

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
