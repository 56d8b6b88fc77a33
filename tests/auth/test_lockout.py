"""A classmate who tries a pupil's password in a loop must not keep the pupil out: device cookies
(OWASP), failures counted per account, per device and per address, refused tries counted against
the address, and the same answer in the same time whether locked or not."""

from __future__ import annotations

import time
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intersession.auth.models import LoginFailure
from intersession.auth.passwords import hash_password
from intersession.core.db import db
from tests.conftest import AuthActions
from tests.factories import PASSWORD, HubPeople

ONE_MESSAGE = "Wrong login or password, or too many attempts"
DEVICE_COOKIE = "device"


def client_at(app: Flask, address: str = "127.0.0.1") -> AuthActions:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return AuthActions(client)


def usual_device(app: Flask, login: str) -> AuthActions:
    """A browser where the person has signed in before (and then signed out)."""
    device = client_at(app)
    assert device.login(login).status_code == 302  # type: ignore[attr-defined]
    device.logout()
    return device


def refused(response: object) -> bool:
    return response.status_code == 401 and ONE_MESSAGE in response.get_data(as_text=True)  # type: ignore[attr-defined]


def test_sign_in_gives_a_device_cookie_for_the_sign_in_page_only(
    app: Flask, hub: HubPeople
) -> None:
    device = client_at(app)
    response = device.login("pup")
    cookie = next(
        value
        for value in response.headers.getlist("Set-Cookie")  # type: ignore[attr-defined]
        if value.startswith(f"{DEVICE_COOKIE}=")
    )
    assert "HttpOnly" in cookie and "Path=/login" in cookie and "SameSite=Lax" in cookie
    days = app.config["LOGIN_DEVICE_COOKIE_DAYS"]
    assert f"Max-Age={days * 86400}" in cookie
    assert device.client.get_cookie(DEVICE_COOKIE, path="/login") is not None


def test_a_loop_from_elsewhere_does_not_keep_the_pupil_out_on_their_device(
    app: Flask, hub: HubPeople
) -> None:
    pupil = usual_device(app, "pup")
    classmate = client_at(app)  # the same classroom, the same address behind the school's NAT
    for _round in range(3):  # a loop of five tries, again and again
        for _try in range(5):
            assert refused(classmate.login("pup", "guess"))
    assert refused(classmate.login("pup", PASSWORD))  # the account is locked for strangers
    assert pupil.login("pup").status_code == 302  # type: ignore[attr-defined]
    pupil.logout()
    assert refused(classmate.login("pup", PASSWORD))  # and stays locked for the classmate
    # A fresh browser elsewhere is a stranger too.
    assert refused(client_at(app, "10.0.0.9").login("pup", PASSWORD))


def test_failures_on_a_device_are_counted_against_that_device(app: Flask, hub: HubPeople) -> None:
    pupil = usual_device(app, "pup")
    for _try in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        assert refused(pupil.login("pup", "guess"))
    assert refused(pupil.login("pup", PASSWORD))  # this device is locked now
    assert client_at(app, "10.0.0.9").login("pup").status_code == 302  # type: ignore[attr-defined]
    keys = {failure.key for failure in db.session.scalars(select(LoginFailure))}
    assert not any(key.startswith("account:") for key in keys)


def test_a_device_cookie_helps_only_its_own_login_and_only_when_signed(
    app: Flask, hub: HubPeople
) -> None:
    tutor_device = usual_device(app, "tut")
    genuine = usual_device(app, "pup").client.get_cookie(DEVICE_COOKIE, path="/login")
    assert genuine is not None
    stranger = client_at(app)
    for _try in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        stranger.login("pup", "guess")
    assert refused(tutor_device.login("pup", PASSWORD))  # the tutor's cookie is not the pupil's
    forged = client_at(app)
    # The signature's first character: its last ones may carry only padding bits, and a change
    # there can leave the signature as it was (a CI run failed on that).
    payload, _dot, signature = genuine.value.rpartition(".")
    other = "A" if signature[0] != "A" else "B"
    forged.client.set_cookie(DEVICE_COOKIE, f"{payload}.{other}{signature[1:]}", path="/login")
    assert refused(forged.login("pup", PASSWORD))
    copied = client_at(app)
    copied.client.set_cookie(DEVICE_COOKIE, genuine.value, path="/login")
    app.config["LOGIN_DEVICE_COOKIE_DAYS"] = 0  # an old cookie no longer counts
    assert refused(copied.login("pup", PASSWORD))
    app.config["LOGIN_DEVICE_COOKIE_DAYS"] = 30
    assert copied.login("pup").status_code == 302  # type: ignore[attr-defined]


def test_a_shared_computer_keeps_a_device_cookie_for_each_of_its_pupils(
    app: Flask, hub: HubPeople
) -> None:
    computer = client_at(app)
    for login in ("pup", "tut", "adv"):
        assert computer.login(login).status_code == 302  # type: ignore[attr-defined]
        computer.logout()
    stranger = client_at(app, "10.0.0.9")
    for login in ("pup", "tut"):
        for _try in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
            stranger.login(login, "guess")
    for login in ("pup", "tut"):
        assert computer.login(login).status_code == 302, login  # type: ignore[attr-defined]
        computer.logout()


def test_the_address_limit_counts_refused_tries(
    app: Flask, client: FlaskClient, hub: HubPeople
) -> None:
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 8
    attacker = client_at(app)
    for _try in range(5):
        assert refused(attacker.login("pup", "guess"))
    for _try in range(3):  # refused at once: the account is locked
        assert refused(attacker.login("pup", "guess"))
    # Eight tries from this address: a stranger's sign-in from here is refused, any account.
    assert refused(client_at(app).login("tut"))
    assert client_at(app, "10.0.0.9").login("tut").status_code == 302  # type: ignore[attr-defined]
    # When the window has passed without tries, the address is free again.
    past = timedelta(seconds=app.config["LOGIN_WINDOW_SECONDS"] + 1)
    for failure in db.session.scalars(select(LoginFailure)):
        failure.at -= past
    db.session.commit()
    assert client_at(app).login("tut").status_code == 302  # type: ignore[attr-defined]


def test_a_trusted_device_behind_a_throttled_address_still_signs_in(
    app: Flask, hub: HubPeople
) -> None:
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    pupil = usual_device(app, "pup")
    attacker = client_at(app)
    for login in ("a1", "a2", "a3", "a4"):
        attacker.login(login, "guess")
    assert refused(client_at(app).login("tut"))
    assert pupil.login("pup").status_code == 302  # type: ignore[attr-defined]


def _median_seconds(actions: AuthActions, login: str, password: str) -> float:
    times = []
    for _try in range(3):
        started = time.perf_counter()
        actions.login(login, password)
        times.append(time.perf_counter() - started)
    return sorted(times)[1]


def test_a_locked_answer_takes_as_long_as_a_wrong_password(app: Flask, hub: HubPeople) -> None:
    # A hash slow enough to stand out of the request's own time on a busy machine.
    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:400000"
    hub.pupil.password_hash = hash_password(PASSWORD)
    db.session.commit()
    app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] = 3
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 1000
    wrong = _median_seconds(client_at(app), "pup", "guess")  # three failures: locked now
    locked = _median_seconds(client_at(app), "pup", "guess")
    assert locked > 0.6 * wrong, (locked, wrong)
