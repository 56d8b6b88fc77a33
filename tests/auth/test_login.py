"""Sign-in, sessions that really end, throttling, safe redirects, passwords."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from intersession.auth.models import LoginFailure
from intersession.core.db import db
from tests.conftest import AuthActions, csrf_token
from tests.factories import PASSWORD, HubPeople

ONE_MESSAGE = "Wrong login or password, or too many attempts"


def test_login_opens_home_and_logout_ends_it(
    client: FlaskClient, auth: AuthActions, hub: HubPeople
) -> None:
    response = auth.login("PUP")  # logins are case-insensitive
    assert response.status_code == 302 and response.location == "/"
    assert "Сәрсенбаев Әлихан" in client.get("/").get_data(as_text=True)
    auth.logout()
    assert client.get("/").status_code == 302


def test_wrong_password_unknown_login_and_no_password_share_one_message(
    client: FlaskClient, auth: AuthActions, hub: HubPeople
) -> None:
    hub.pupil.password_hash = None
    db.session.commit()
    for login, password in (("tut", "wrong"), ("nobody", PASSWORD), ("pup", PASSWORD)):
        response = auth.login(login, password)
        assert response.status_code == 401
        assert ONE_MESSAGE in response.get_data(as_text=True)


def test_session_cookie_flags(client: FlaskClient, auth: AuthActions, hub: HubPeople) -> None:
    response = auth.login("tut")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_secure_cookie_when_configured(tmp_path, hub: HubPeople) -> None:  # type: ignore[no-untyped-def]
    from flask import current_app

    current_app.config["SESSION_COOKIE_SECURE"] = True
    client = current_app.test_client()
    response = AuthActions(client).login("tut")
    assert "Secure" in response.headers["Set-Cookie"]


def test_cookie_copied_before_logout_is_refused_after(
    app: Flask, auth: AuthActions, hub: HubPeople
) -> None:
    auth.login("tut")
    copied = auth.client.get_cookie("session")
    assert copied is not None
    thief = app.test_client()
    thief.set_cookie("session", copied.value)
    assert thief.get("/").status_code == 200  # the copy works while the session lives
    auth.logout()
    assert thief.get("/").status_code == 302  # and is dead once its owner signed out


def test_new_session_at_login(app: Flask, auth: AuthActions, hub: HubPeople) -> None:
    auth.client.get("/login")
    before = auth.client.get_cookie("session")
    auth.login("tut")
    after = auth.client.get_cookie("session")
    assert before is not None and after is not None and before.value != after.value


def test_deactivated_person_is_thrown_out(app: Flask, auth: AuthActions, hub: HubPeople) -> None:
    pupil_client = app.test_client()
    AuthActions(pupil_client).login("pup")
    assert pupil_client.get("/").status_code == 200
    auth.login("coord")
    response = auth.post(f"/people/{hub.pupil.id}/active", {"active": "0"})
    assert response.status_code == 302
    assert pupil_client.get("/").status_code == 302
    assert AuthActions(app.test_client()).login("pup").status_code == 401


def test_account_throttling_locks_briefly_with_the_same_message(
    app: Flask, client: FlaskClient, auth: AuthActions, hub: HubPeople
) -> None:
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        assert auth.login("pup", "wrong").status_code == 401
    locked = auth.login("pup", PASSWORD)  # even the right password is refused now
    assert locked.status_code == 401 and ONE_MESSAGE in locked.get_data(as_text=True)
    assert auth.login("tut").status_code == 302  # other accounts from the same address still work
    auth.logout()
    # When the window has passed the lock lapses by itself.
    past = timedelta(seconds=app.config["LOGIN_WINDOW_SECONDS"] + 1)
    for failure in db.session.scalars(select(LoginFailure)):
        failure.at -= past
    db.session.commit()
    assert auth.login("pup").status_code == 302


def test_address_throttling(app: Flask, auth: AuthActions, hub: HubPeople) -> None:
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    for login in ("a1", "a2", "a3"):
        auth.login(login, "wrong")
    assert auth.login("tut").status_code == 401
    other_address = app.test_client()
    other_address.environ_base["REMOTE_ADDR"] = "127.0.0.2"
    assert AuthActions(other_address).login("tut").status_code == 302


def test_next_goes_only_to_local_paths(auth: AuthActions, hub: HubPeople) -> None:
    assert auth.login("coord", next_path="/schools").location == "/schools"
    for bad in (
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
    ):
        auth.logout()
        assert auth.login("coord", next_path=bad).location == "/"


def test_login_required_redirects_with_next(client: FlaskClient, hub: HubPeople) -> None:
    response = client.get("/schools")
    assert response.status_code == 302 and "/login?next=%2Fschools" in response.location


def test_csrf_missing_or_wrong_is_refused(
    client: FlaskClient, auth: AuthActions, hub: HubPeople
) -> None:
    response = client.post("/login", data={"login": "tut", "password": PASSWORD})
    assert response.status_code == 400 and "The form has expired" in response.get_data(as_text=True)
    auth.login("coord")
    response = client.post("/subjects", data={"name": "Физика", "csrf_token": "forged"})
    assert response.status_code == 400


def test_password_change_keeps_this_browser_and_ends_others(
    app: Flask, client: FlaskClient, auth: AuthActions, hub: HubPeople
) -> None:
    other = app.test_client()
    AuthActions(other).login("tut")
    auth.login("tut")
    token = csrf_token(client, "/password")
    bad = client.post(
        "/password",
        data={
            "current_password": "nope",
            "new_password": "new-pass-123",
            "confirm": "new-pass-123",
            "csrf_token": token,
        },
    )
    assert bad.status_code == 400 and "The current password is not right." in bad.get_data(
        as_text=True
    )
    short = client.post(
        "/password",
        data={
            "current_password": PASSWORD,
            "new_password": "short",
            "confirm": "short",
            "csrf_token": token,
        },
    )
    assert short.status_code == 400 and "at least 8 characters" in short.get_data(as_text=True)
    ok = client.post(
        "/password",
        data={
            "current_password": PASSWORD,
            "new_password": "new-pass-123",
            "confirm": "new-pass-123",
            "csrf_token": token,
        },
    )
    assert ok.status_code == 302
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302
    auth.logout()
    assert auth.login("tut", "new-pass-123").status_code == 302


def test_coordinator_resets_a_password_shown_once(
    client: FlaskClient, auth: AuthActions, hub: HubPeople
) -> None:
    auth.login("coord")
    page = auth.post(f"/people/{hub.pupil.id}/password")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    import re

    password = re.search(r'id="new-password">([a-z0-9]+)<', page.get_data(as_text=True))
    assert password
    auth.logout()
    assert auth.login("pup", PASSWORD).status_code == 401
    assert auth.login("pup", password.group(1)).status_code == 302


def test_old_login_records_are_purged(app: Flask, auth: AuthActions, hub: HubPeople) -> None:
    from intersession.auth.models import LoginSession
    from intersession.auth.tasks import purge_login_records

    auth.login("tut", "wrong")
    auth.login("tut")
    auth.logout()
    long_ago = timedelta(days=31)
    for failure in db.session.scalars(select(LoginFailure)):
        failure.at -= long_ago
    for ended in db.session.scalars(select(LoginSession)):
        assert ended.ended_at is not None
        ended.ended_at -= long_ago
    db.session.commit()
    # The success cleared the account's failure; the address's failure and the session remain.
    assert purge_login_records.run() == 2
    assert db.session.scalars(select(LoginSession)).all() == []
