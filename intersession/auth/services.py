"""Sign-in, sessions and passwords: the only code that writes them."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import cast

from blinker import Namespace
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import bindparam, delete, func, inspect, select, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from intersession.auth import devices
from intersession.auth.models import LoginFailure, LoginSession, User
from intersession.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, password_matches
from intersession.core.db import db, utcnow
from intersession.core.errors import DomainError
from intersession.core.fragments import remembered
from intersession.schools.models import School

signals = Namespace()
# Sent with the person's id and either `ended`, the hash of the one token that ended, or `keep`,
# the hash of the one still live (None: every session of theirs ended).
# Live connections (the room's sockets) listen, so a signed-out browser is cut off at once.
sessions_ended = signals.signal("sessions-ended")


def normalize_login(login: str) -> str:
    return login.strip().lower()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _account_key(login: str) -> str:
    return f"account:{normalize_login(login)}"[:120]


def _address_key(address: str | None) -> str:
    return f"address:{address or '-'}"[:120]


def _device_key(nonce: str) -> str:
    return f"device:{nonce}"


def _recent_failures(key: str) -> int:
    since = utcnow() - timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    query = select(func.count()).where(LoginFailure.key == key, LoginFailure.at >= since)
    return db.session.scalar(query) or 0


def _is_throttled(login: str, address: str | None, device: str | None) -> bool:
    cfg = current_app.config
    if device is not None:
        # A browser where this person signed in before answers only for its own failures: not
        # for the account's (strangers may have locked it) nor for the address's (a classroom
        # shares one behind the school's NAT, and a classmate's loop would trip it).
        return _recent_failures(_device_key(device)) >= cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    return (
        _recent_failures(_account_key(login)) >= cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        or _recent_failures(_address_key(address)) >= cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    )


def authenticate(
    login: str, password: str, address: str | None, device_cookie: str | None = None
) -> User | None:
    """The person for these credentials, or None — for a wrong password, an unknown or inactive
    login and a throttled attempt alike, so the caller shows one message for all of them.

    `device_cookie` is what the browser holds from earlier sign-ins (`auth.devices`): with an
    entry for this account, failures count against that entry instead of the account. Every try
    counts against the address, refused ones too, so a loop from one address stays throttled as
    long as it runs; refused tries do not count against the account, whose lock lapses by itself
    at the end of the window. The password's hash is worked out for every try, refused ones too:
    a locked answer takes as long as any other.
    """
    user = db.session.scalar(select(User).where(User.login == normalize_login(login)))
    matches = password_matches(user.password_hash if user is not None else None, password)
    device = devices.device_of(device_cookie, user.id) if user is not None else None
    own_key = _device_key(device) if device is not None else _account_key(login)
    if _is_throttled(login, address, device):
        db.session.add(LoginFailure(key=_address_key(address)))
        db.session.commit()
        return None
    if user is not None and user.active and matches:
        # Only this browser's (or a stranger's) own count is cleared: the person signing in on
        # their device leaves the lock strangers made on the account in place.
        db.session.execute(delete(LoginFailure).where(LoginFailure.key == own_key))
        db.session.commit()
        return user
    db.session.add_all([LoginFailure(key=own_key), LoginFailure(key=_address_key(address))])
    db.session.commit()
    return None


def device_cookie_after_sign_in(user: User, device_cookie: str | None) -> str:
    """The device cookie for the browser the person has just signed in on."""
    return devices.issue(device_cookie, user.id)


ENDED_SESSIONS_KEPT = timedelta(days=30)


def purge_login_records() -> int:
    """Forget failures older than the window and sessions ended a month ago; returns the count."""
    since = utcnow() - timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    failures = db.session.execute(delete(LoginFailure).where(LoginFailure.at < since))
    sessions = db.session.execute(
        delete(LoginSession).where(LoginSession.ended_at < utcnow() - ENDED_SESSIONS_KEPT)
    )
    db.session.commit()
    return sum(int(getattr(r, "rowcount", 0) or 0) for r in (failures, sessions))


def start_session(user: User, address: str | None) -> str:
    """Record a new signed-in browser and return the token its cookie will carry."""
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user_id=user.id, token_hash=token_hash(token), address=address))
    db.session.commit()
    return token


# Built once: this runs on every request, and building the expression cost more than running it.
_SESSION_USER = (
    select(User)
    .join(LoginSession, LoginSession.user_id == User.id)
    .where(
        User.id == bindparam("user_id"),
        User.active.is_(True),
        LoginSession.token_hash == bindparam("token_hash"),
        LoginSession.ended_at.is_(None),
    )
)


def session_user(user_id: int, token: str | None) -> User | None:
    """The person of a live session: the token must be current, the person active.

    Every request asks, so the answer is kept (`core.fragments.remembered`) as the person's and
    their school's columns until the user, school or login-session tables change (a sign-out, a
    deactivation, a new sign-in anywhere), and the objects are put back into the request's session
    without a query, as SQLAlchemy's caching recipes do."""
    if not token:
        return None
    digest = token_hash(token)
    found = remembered(
        ("session-user", user_id, digest),
        lambda: (_session_user_columns(user_id, digest), None),
        own_reads=True,
    )
    return None if found is None else _attached(*found)


Columns = tuple[tuple[str, object], ...]


def _session_user_columns(user_id: int, digest: str) -> tuple[Columns, Columns] | None:
    user = db.session.scalar(_SESSION_USER, {"user_id": user_id, "token_hash": digest})
    if user is None:
        return None
    return _columns(user), _columns(user.school)


def _columns(instance: object) -> Columns:
    return tuple((a.key, getattr(instance, a.key)) for a in inspect(type(instance)).column_attrs)


def _attached(user_columns: Columns, school_columns: Columns) -> User:
    """The person (and school) in this request's session: the loaded ones if the query ran in
    this request, else new instances from the kept columns, as if just loaded."""
    session = db.session()
    user_values, school_values = dict(user_columns), dict(school_columns)
    present = session.identity_map.get(session.identity_key(User, user_values["id"]))
    if present is not None:
        return cast(User, present)
    school = session.identity_map.get(session.identity_key(School, school_values["id"]))
    if school is None:
        school = School(**school_values)
        make_transient_to_detached(school)
        session.add(school)
    user = User(**user_values)
    make_transient_to_detached(user)
    session.add(user)
    set_committed_value(user, "school", school)
    return user


def end_session(token: str | None) -> None:
    if not token:
        return
    ended = db.session.scalar(
        update(LoginSession)
        .where(LoginSession.token_hash == token_hash(token), LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
        .returning(LoginSession.user_id)
    )
    db.session.commit()
    if ended is not None:
        sessions_ended.send(ended, ended=token_hash(token))


def end_all_sessions(user: User) -> None:
    """Sign the person out of every browser (their sockets check the same record)."""
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    sessions_ended.send(user.id, keep=None)


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            ngettext(
                "The password must be at least %(num)d character long.",
                "The password must be at least %(num)d characters long.",
                MIN_PASSWORD_LENGTH,
            ),
            field="new_password",
        )


def change_password(user: User, current: str, new: str, keep_token: str | None) -> None:
    """Change one's own password; every other signed-in browser of the person is signed out."""
    if not password_matches(user.password_hash, current):
        raise DomainError(_("The current password is not right."), field="current_password")
    check_new_password(new)
    user.password_hash = hash_password(new)
    db.session.execute(
        update(LoginSession)
        .where(
            LoginSession.user_id == user.id,
            LoginSession.ended_at.is_(None),
            LoginSession.token_hash != token_hash(keep_token or ""),
        )
        .values(ended_at=utcnow())
    )
    db.session.commit()
    sessions_ended.send(user.id, keep=token_hash(keep_token or ""))


def set_language(user: User, language: str) -> None:
    from intersession.auth.models import Language

    user.language = Language(language)
    db.session.commit()
