"""Sign in, sign out, change one's password, choose the language."""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from intersession.auth import devices, services
from intersession.auth.forms import LanguageForm, LoginForm, PasswordChangeForm
from intersession.auth.models import User
from intersession.core.errors import DomainError
from intersession.core.web import is_local_path
from intersession.extensions import login_manager

bp = Blueprint("auth", __name__, template_folder="templates")
TOKEN_KEY = "auth_token"


def init_login(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = ""
    login_manager.session_protection = None  # sessions are ended server-side instead

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        return services.session_user(int(user_id), session.get(TOKEN_KEY))


def _address() -> str | None:
    return request.remote_addr


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        device_cookie = request.cookies.get(devices.COOKIE)
        user = services.authenticate(
            form.login.data or "", form.password.data or "", _address(), device_cookie
        )
        if user is None:
            form.password.errors = [
                _(
                    "Wrong login or password, or too many attempts. Check them and try again in a few minutes."
                )
            ]
        else:
            language = session.get("language")
            session.clear()  # a fresh session at every sign-in
            token = services.start_session(user, _address())
            session[TOKEN_KEY] = token
            if language:
                session["language"] = language
            login_user(user)
            target = form.next.data
            response = redirect(target if is_local_path(target) else url_for("home.index"))
            response.set_cookie(
                devices.COOKIE,
                services.device_cookie_after_sign_in(user, device_cookie),
                max_age=devices.lifetime_seconds(),
                path=url_for("auth.login"),  # sent with sign-in tries only
                secure=current_app.config["SESSION_COOKIE_SECURE"],
                httponly=True,
                samesite="Lax",
            )
            return response
    status = 401 if form.password.errors and request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    services.end_session(session.get(TOKEN_KEY))
    language = str(get_locale() or "")  # the signed-out pages keep speaking the person's language
    logout_user()
    session.clear()
    session["language"] = language
    flash(_("You have signed out."), "info")
    response = redirect(url_for("auth.login"))
    # The browser drops what it kept of this site (pages, the back-and-forward cache, storage),
    # so the next person at a shared computer finds nothing of this one. Not "cookies": that
    # would also remove the session cookie set here (the language, the flash) and the device
    # cookie that keeps this person's own sign-in open while others try their password.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user,
                form.current_password.data or "",
                form.new_password.data or "",
                keep_token=session.get(TOKEN_KEY),
            )
        except DomainError as error:
            getattr(form, error.field or "new_password").errors.append(error.message)
        else:
            flash(_("Your password has been changed. Other browsers were signed out."), "success")
            return redirect(url_for("home.index"))
    return render_template("auth/password.html", form=form), 400 if form.errors else 200


@bp.post("/language")
def set_language() -> ResponseReturnValue:
    form = LanguageForm()
    target = form.next.data if is_local_path(form.next.data) else url_for("home.index")
    language = form.language.data
    if not form.validate_on_submit() or language not in current_app.config["LANGUAGES"]:
        flash(_("This language is not available."), "error")
        return redirect(target), 303
    session["language"] = language
    if current_user.is_authenticated:
        services.set_language(current_user, language)
    return redirect(target), 303
