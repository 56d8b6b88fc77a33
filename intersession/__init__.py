"""Intersession: lessons, work and portfolios between the on-site sessions of hub schools."""

from __future__ import annotations

import zoneinfo
from typing import Any

from flask import Flask

from intersession.config import Config


def create_app(config: Any = None) -> Flask:
    # The tzdata package, not the system's files, so every machine has the same, current rules
    # (Kazakhstan moved to UTC+5 everywhere on 2024-03-01).
    zoneinfo.reset_tzpath(to=())

    app = Flask(__name__, static_folder="../static", static_url_path="/static")
    app.config.from_object(config or Config())

    from intersession.core.guard import install_guard

    install_guard(app)  # the int converter and the request class, before any route

    from intersession.celery_app import celery_init_app
    from intersession.core import generations, i18n
    from intersession.core.collation import by_name_filter
    from intersession.core.formatting import install_gettext
    from intersession.core.gate import RenderGate
    from intersession.extensions import babel, csrf, db, login_manager, migrate, socketio

    db.init_app(app)
    generations.install()
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    install_gettext(app)
    app.add_template_filter(by_name_filter, "by_name")
    if app.config.get("RENDER_SLOTS"):
        app.wsgi_app = RenderGate(app.wsgi_app, app.config["RENDER_SLOTS"])  # type: ignore[method-assign]
    # After the gate: its transport goes around it. With Redis, an emit reaches the sockets of
    # every instance (and a Celery task's emit reaches them too).
    socketio.init_app(
        app, message_queue=app.config.get("REDIS_URL") or None, channel="intersession-socketio"
    )
    if app.config.get("TRUSTED_PROXIES"):  # outermost, so Socket.IO sees the client's address too
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)  # type: ignore[method-assign]
    if app.config.get("INSTANCE_NAME"):
        from intersession.core.instance import InstanceHeader

        app.wsgi_app = InstanceHeader(app.wsgi_app, app.config["INSTANCE_NAME"])  # type: ignore[method-assign]
    login_manager.init_app(app)
    celery_init_app(app)

    from intersession.assignments import models as _assignment_models  # noqa: F401
    from intersession.assignments import tasks as _assignment_tasks  # noqa: F401
    from intersession.assignments.views import bp as assignments_bp
    from intersession.auth import tasks as _auth_tasks  # noqa: F401  registers the tasks
    from intersession.auth.views import bp as auth_bp
    from intersession.auth.views import init_login
    from intersession.board import models as _board_models  # noqa: F401
    from intersession.board import tasks as _board_tasks  # noqa: F401
    from intersession.board.views import bp as board_bp
    from intersession.core import seen as _seen_models  # noqa: F401
    from intersession.core.health import bp as health_bp
    from intersession.core.resumable import models as _upload_models  # noqa: F401
    from intersession.core.resumable import tasks as _upload_tasks  # noqa: F401
    from intersession.core.web import init_web
    from intersession.home.views import bp as home_bp
    from intersession.lessons import tasks as _lesson_tasks  # noqa: F401
    from intersession.lessons.views import bp as lessons_bp
    from intersession.notifications.views import bp as notifications_bp
    from intersession.notifications.views import init_notifications
    from intersession.polls import models as _poll_models  # noqa: F401
    from intersession.polls.views import bp as polls_bp
    from intersession.portfolio import hooks as portfolio_hooks
    from intersession.portfolio import models as _portfolio_models  # noqa: F401
    from intersession.portfolio import tasks as _portfolio_tasks  # noqa: F401
    from intersession.recordings import models as _recording_models  # noqa: F401
    from intersession.recordings import tasks as _recording_tasks  # noqa: F401
    from intersession.rooms import models as _room_models  # noqa: F401
    from intersession.rooms import tasks as _room_tasks  # noqa: F401
    from intersession.rooms.views import bp as rooms_bp
    from intersession.schools import tasks as _school_tasks  # noqa: F401
    from intersession.schools.views import bp as schools_bp

    init_login(app)
    init_web(app)
    app.register_blueprint(health_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(schools_bp)
    app.register_blueprint(lessons_bp)
    app.register_blueprint(rooms_bp)
    app.register_blueprint(board_bp)
    app.register_blueprint(polls_bp)
    app.register_blueprint(assignments_bp)
    from intersession.portfolio.labels import labels as portfolio_labels
    from intersession.portfolio.views import bp as portfolio_bp

    app.register_blueprint(portfolio_bp)
    from intersession.recordings.views import bp as recordings_bp

    app.register_blueprint(recordings_bp)
    app.context_processor(portfolio_labels)
    from intersession.assignments.views.doing import upload_limit

    app.before_request_funcs.setdefault(None, []).insert(0, upload_limit)  # before the CSRF check
    app.register_blueprint(notifications_bp)
    from intersession.methodics.views import bp as methodics_bp
    from intersession.reports import models as _report_models  # noqa: F401
    from intersession.reports import tasks as _report_tasks  # noqa: F401
    from intersession.reports.views import bp as reports_bp

    app.register_blueprint(reports_bp)
    app.register_blueprint(methodics_bp)
    init_notifications(app)
    portfolio_hooks.connect()

    from intersession.assignments import uploads as assignment_uploads
    from intersession.core.resumable.services import register_kind
    from intersession.core.resumable.views import bp as uploads_bp
    from intersession.lessons.materials import materials_limit
    from intersession.portfolio import uploads as portfolio_uploads

    app.register_blueprint(uploads_bp)
    from intersession.core.offline import install_offline

    install_offline(app)
    assignment_uploads.register()
    portfolio_uploads.register()
    register_kind("materials", materials_limit)
    from intersession.methodics.materials import step_materials_limit

    register_kind("step", step_materials_limit)
    from intersession.methodics.views.bank import bank_upload_limit

    register_kind("bank", bank_upload_limit)

    from intersession.polls.events import PollNamespace

    # The room's events: rooms/ (joining, media, moderation), board/ and polls/ extend them.
    room_namespace = PollNamespace("/room", app)
    socketio.on_namespace(room_namespace)
    app.extensions["room_namespaces"] = [room_namespace]  # told when a media worker is lost

    from intersession.core.static import install_static

    install_static(app)  # after the blueprints: it reads their static folders
    from intersession.cli import register_cli

    register_cli(app)
    return app
