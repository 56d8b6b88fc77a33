"""Configuration from the environment, with defaults that run on one machine without servers."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _instance_dir() -> Path:
    path = Path(os.environ.get("INTERSESSION_INSTANCE", ROOT / "instance"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the instance folder."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


class Config:
    """Production-shaped defaults; every value can be overridden from the environment."""

    def __init__(self) -> None:
        instance = _instance_dir()
        self.INSTANCE_PATH = str(instance)
        self.SECRET_KEY = _secret_key(instance)
        # A restored instance/secret_key is not the key in use while this is set (core/backup.py).
        self.SECRET_KEY_FROM_ENVIRONMENT = bool(os.environ.get("SECRET_KEY"))
        self.SQLALCHEMY_DATABASE_URI = os.environ.get(
            "DATABASE_URL", f"sqlite:///{instance / 'intersession.sqlite'}"
        )
        # The database pool of each process (PostgreSQL; SQLite keeps SQLAlchemy's own): enough
        # connections for the render slots, the Socket.IO threads that touch the database and
        # the heartbeat, and a check before reuse, so a connection the server or a firewall
        # dropped overnight does not fail the first page of the morning.
        if self.SQLALCHEMY_DATABASE_URI.startswith("postgresql"):
            self.SQLALCHEMY_ENGINE_OPTIONS = {
                "pool_size": int(os.environ.get("DATABASE_POOL_SIZE", 10)),
                "max_overflow": int(os.environ.get("DATABASE_POOL_OVERFLOW", 20)),
                "pool_pre_ping": _flag("DATABASE_POOL_PRE_PING", True),
                "pool_recycle": int(os.environ.get("DATABASE_POOL_RECYCLE", 1800)),
            }
        # Page renders let into the app at once (core/gate.py); 0 turns the gate off.
        self.RENDER_SLOTS = int(os.environ.get("RENDER_SLOTS", 2))
        # Rendered page fragments kept in memory while their data is unchanged (core/fragments.py);
        # 0 keeps none.
        self.FRAGMENT_CACHE_MB = int(os.environ.get("FRAGMENT_CACHE_MB", 64))
        self.MEDIA_ROOT = os.environ.get("MEDIA_ROOT", str(ROOT / "media"))
        self.MAX_CONTENT_LENGTH = int(os.environ.get("MAX_UPLOAD_BYTES", 20 * 1024 * 1024))
        # A resumable upload's chunk: a dropped link costs at most the part of one in flight,
        # and each costs a round trip (0.4 s on a rural link; 256 KB take 8 s at 256 kbit/s).
        self.RESUMABLE_CHUNK_BYTES = int(os.environ.get("RESUMABLE_CHUNK_BYTES", 256 * 1024))

        # Proxies in front of the app (nginx: 1) whose X-Forwarded-For/-Proto/-Host/-Port are
        # believed: the client's address for sign-in throttling, https for links and cookies.
        # 0 (no proxy) believes none, so nobody can claim another address by a header.
        self.TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", 0))
        # Redis for what several web instances share: the live rooms (rooms/store.py) and
        # Socket.IO's message queue. Empty: one instance, the rooms in its memory.
        self.REDIS_URL = os.environ.get("REDIS_URL", "")
        # This instance's name, sent back in an X-Intersession-Instance header when set (several
        # instances behind nginx: which one answered).
        self.INSTANCE_NAME = os.environ.get("INSTANCE_NAME", "")

        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE")
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.WTF_CSRF_TIME_LIMIT = None  # a form left open during a long lesson must still submit

        # Failed sign-ins: per account a short lock, so a classmate cannot shut a pupil out for long;
        # per address a high bar, since a whole classroom shares one address behind the school's NAT.
        self.LOGIN_WINDOW_SECONDS = int(os.environ.get("LOGIN_WINDOW_SECONDS", 300))
        self.LOGIN_MAX_FAILURES_PER_ACCOUNT = int(
            os.environ.get("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5)
        )
        self.LOGIN_MAX_FAILURES_PER_ADDRESS = int(
            os.environ.get("LOGIN_MAX_FAILURES_PER_ADDRESS", 50)
        )
        # A browser where a person has signed in keeps a signed device cookie this long; failures
        # from it are counted against it alone, so a lock made elsewhere does not shut them out.
        self.LOGIN_DEVICE_COOKIE_DAYS = int(os.environ.get("LOGIN_DEVICE_COOKIE_DAYS", 180))
        self.PASSWORD_HASH_METHOD = os.environ.get("PASSWORD_HASH_METHOD", "scrypt")

        self.LANGUAGES = ("ru", "kk", "en")
        self.BABEL_DEFAULT_LOCALE = "ru"
        self.BABEL_DEFAULT_TIMEZONE = "Asia/Almaty"
        self.BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "intersession" / "translations")

        # What browsers are handed for their connections to the media engine (rooms/turn.py):
        # STUN URLs, and TURN URLs (UDP, TCP, and TLS on 443: `turns:host:443?transport=tcp`) with
        # the secret shared with coturn (static-auth-secret). Without TURN, a school whose network
        # drops UDP cannot receive the lesson, and its page says so.
        self.STUN_URLS = _list(os.environ.get("STUN_URLS", ""))
        self.TURN_URLS = _list(os.environ.get("TURN_URLS", ""))
        self.TURN_SECRET = os.environ.get("TURN_SECRET", "")
        # ICE servers for the media engine (STUN/TURN URLs, comma-separated) and, where wanted, the
        # only host addresses it offers (tests: 127.0.0.1).
        self.MEDIA_ICE_SERVERS = _list(os.environ.get("MEDIA_ICE_SERVERS", ""))
        self.MEDIA_HOST_ADDRESSES = _list(os.environ.get("MEDIA_HOST_ADDRESSES", ""))
        # Media-worker processes (each room on one); 0 runs the engine on a thread of the web
        # process instead, as the tests do.
        self.MEDIA_WORKERS = int(os.environ.get("MEDIA_WORKERS", os.cpu_count() or 1))
        # The secret shared with the region's media nodes (python -m intersession.rooms.media.node):
        # with it and REDIS_URL the rooms' media go to the nodes, and no worker is started here.
        self.MEDIA_NODE_KEY = os.environ.get("MEDIA_NODE_KEY", "")
        # Below this share of the lesson spent in the room a pupil counts as partly present.
        self.ATTENDANCE_PRESENT_SHARE = float(os.environ.get("ATTENDANCE_PRESENT_SHARE", "0.8"))
        # A socket in a live room not heard from (its heartbeat) for this long is taken for gone:
        # its time in the room ends when it was last seen.
        self.PRESENCE_TIMEOUT_SECONDS = int(os.environ.get("PRESENCE_TIMEOUT_SECONDS", "60"))
        # The live room tells everyone this many minutes before the lesson's planned end.
        self.LESSON_END_WARNING_MINUTES = int(os.environ.get("LESSON_END_WARNING_MINUTES", "5"))
        # Work graded at or above this share of the maximum becomes a draft portfolio entry.
        self.PORTFOLIO_GRADED_SHARE = float(os.environ.get("PORTFOLIO_GRADED_SHARE", "0.8"))
        # Days an exported portfolio file is kept (a new one is a click away).
        self.PORTFOLIO_EXPORT_DAYS = int(os.environ.get("PORTFOLIO_EXPORT_DAYS", "7"))
        # Lessons are recorded; the recording stops cleanly when the disk has less free than this.
        self.RECORDING_MIN_FREE_MB = int(os.environ.get("RECORDING_MIN_FREE_MB", "500"))
        # An absent pupil who watched this share of the recording counts as caught up.
        self.CATCHUP_SHARE = float(os.environ.get("CATCHUP_SHARE", "0.8"))
        # How long a link to a recording's file works (the player asks for a new one on reload).
        self.RECORDING_LINK_SECONDS = int(os.environ.get("RECORDING_LINK_SECONDS", "21600"))

        broker = os.environ.get("CELERY_BROKER_URL", "filesystem://")
        broker_folder = Path(os.environ.get("CELERY_BROKER_FOLDER", instance / "broker"))
        self.CELERY = celery_settings(broker, broker_folder, instance)
        # E-mail (digests, the readiness report): nothing is sent while SMTP_HOST is empty.
        self.SMTP_HOST = os.environ.get("SMTP_HOST", "")
        self.SMTP_PORT = int(os.environ.get("SMTP_PORT", "25"))
        self.SMTP_STARTTLS = _flag("SMTP_STARTTLS")
        self.SMTP_SSL = _flag("SMTP_SSL")
        self.SMTP_USER = os.environ.get("SMTP_USER", "")
        self.SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
        self.SMTP_TIMEOUT = float(os.environ.get("SMTP_TIMEOUT", "20"))
        self.MAIL_RETRY_SECONDS = float(os.environ.get("MAIL_RETRY_SECONDS", "60"))
        self.MAIL_FROM = os.environ.get("MAIL_FROM", "Intersession <intersession@localhost>")
        # Where the links in an e-mail lead: the address people open the platform at.
        self.PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")
        # The weekly digests go out on this weekday (0 is Monday) from this hour, hub time.
        self.DIGEST_WEEKDAY = int(os.environ.get("DIGEST_WEEKDAY", "0"))
        self.DIGEST_HOUR = int(os.environ.get("DIGEST_HOUR", "7"))


def celery_settings(broker: str, broker_folder: Path, instance: Path) -> dict[str, object]:
    """Celery settings: an embedded filesystem broker by default, Redis when a URL says so."""
    settings: dict[str, object] = {
        "broker_url": broker,
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_time_limit": 600,
        "task_soft_time_limit": 540,
        "worker_prefetch_multiplier": 1,
        "broker_connection_retry_on_startup": True,
        "beat_schedule_filename": str(instance / "celerybeat-schedule"),
        # One beat for the whole platform, whatever runs: core/beat.py (a Redis lock).
        "beat_scheduler": "intersession.core.beat:SingleBeatScheduler",
        "beat_schedule": {
            "purge-login-records": {"task": "auth.purge-login-records", "schedule": 3600.0},
            "send-lesson-reminders": {"task": "rooms.send-lesson-reminders", "schedule": 60.0},
            "close-unseen-presence": {"task": "rooms.close-unseen-presence", "schedule": 30.0},
            "tell-lesson-time": {"task": "rooms.tell-lesson-time", "schedule": 60.0},
            "purge-import-files": {"task": "schools.purge-import-files", "schedule": 3600.0},
            "send-due-reminders": {"task": "assignments.send-due-reminders", "schedule": 300.0},
            "purge-portfolio-exports": {"task": "portfolio.purge-exports", "schedule": 3600.0},
            "sweep-recordings": {"task": "recordings.sweep", "schedule": 300.0},
            "purge-recordings": {"task": "recordings.purge", "schedule": 3600.0},
            "purge-abandoned-uploads": {"task": "uploads.purge-abandoned", "schedule": 3600.0},
            "build-readiness-reports": {"task": "reports.build-readiness", "schedule": 3600.0},
            "send-digests": {"task": "reports.send-digests", "schedule": 900.0},
            "purge-report-exports": {"task": "reports.purge-exports", "schedule": 3600.0},
        },
    }
    if broker.startswith("filesystem://"):
        for sub in ("queue", "processed", "control"):
            (broker_folder / sub).mkdir(parents=True, exist_ok=True)
        settings["broker_transport_options"] = {
            "data_folder_in": str(broker_folder / "queue"),
            "data_folder_out": str(broker_folder / "queue"),
            "processed_folder": str(broker_folder / "processed"),
            "store_processed": False,
            # Kombu's default is ./control, wherever the process happens to start.
            "control_folder": str(broker_folder / "control"),
        }
    return settings


class TestConfig(Config):
    """Fast hashing and no CSRF exemptions: tests exercise the real rules."""

    TESTING = True

    def __init__(self, **overrides: object) -> None:
        super().__init__()
        self.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
        self.MEDIA_HOST_ADDRESSES = ["127.0.0.1"]
        self.MEDIA_WORKERS = 0
        for key, value in overrides.items():
            setattr(self, key, value)
