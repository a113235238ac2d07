"""Sign in (throttled), sign out (here or everywhere) and the account page (change password).

Signing out revokes the user's session token (:meth:`User.revoke_sessions`): the session
cookie and the "keep me signed in" cookie both carry it, so every copy of either is refused
afterwards, on every device.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask import session as http_session
from flask_login import current_user, login_remembered, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from insights_lms.auth.forms import ChangePasswordForm, LoginForm, LogoutForm
from insights_lms.auth.models import User
from insights_lms.auth.services import (
    MIN_PASSWORD_LENGTH,
    LoginThrottled,
    ThrottlePolicy,
    UserError,
    authenticate,
    change_password,
)
from insights_lms.db import session
from insights_lms.state import settings
from insights_lms.timeutil import format_local
from insights_lms.web import keep_despite_error_status, refuse, signed_in_user

bp = Blueprint("auth", __name__)


def load_user(token: str) -> User | None:
    """Flask-Login's loader: the session holds the user's session token, not their id."""
    return session.scalar(sa.select(User).where(User.session_token == token, User.is_active))


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: never redirect a user to another site after signing in."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("lms.core.home"))
    form = LoginForm()
    error = None
    status = 200
    if form.validate_on_submit():
        conf = settings()
        policy = ThrottlePolicy(
            conf.login_max_attempts, dt.timedelta(minutes=conf.login_window_minutes)
        )
        try:
            user = authenticate(
                session,
                form.email.data or "",
                form.password.data or "",
                remote_addr=request.remote_addr or "",
                policy=policy,
            )
        except LoginThrottled as exc:
            # The refusal is an answer like any other: the attempts so far stay recorded.
            keep_despite_error_status()
            when = format_local(exc.retry_after, conf.time_zone, "%H:%M")
            error = (
                "Too many failed sign-in attempts for this email address. "
                f"For your security, try again after {when}."
            )
            status = 429
        else:
            if user is None:
                error = (
                    "That email address and password do not match an account. "
                    "Check them and try again."
                )
            else:
                http_session.clear()
                login_user(user, remember=bool(form.remember.data))
                flash(f"Welcome, {user.name}.", "success")
                return redirect(_safe_next(request.args.get("next")) or url_for("lms.core.home"))
    elif request.method == "POST":
        status = 400
    return render_template("lms/auth/login.html", form=form, error=error), status


def _sign_out() -> None:
    """End every session of the signed-in user and this one's cookies.

    The session is emptied *before* ``logout_user``, which leaves in it the flag that makes
    Flask-Login delete the remember cookie in this response.
    """
    signed_in_user().revoke_sessions()
    http_session.clear()
    logout_user()


@bp.post("/logout")
@login_required
def logout() -> Response:
    form = LogoutForm()
    if form.validate_on_submit():
        _sign_out()
        flash("You have signed out.", "info")
    return redirect(url_for("lms.auth.login"))


@bp.post("/logout/everywhere")
@login_required
def logout_everywhere() -> Response:
    form = LogoutForm()
    if not form.validate_on_submit():
        return redirect(url_for("lms.auth.account"))
    _sign_out()
    flash("You have signed out on every device.", "info")
    return redirect(url_for("lms.auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> Response | tuple[str, int]:
    """The signed-in user's account: change password, sign out everywhere."""
    user = signed_in_user()
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            change_password(session, user, form.current.data or "", form.password.data or "")
        except UserError as exc:
            refuse(form, exc)
            status = 400
        else:
            # Every other device is signed out; this one carries on with the new token
            # (and a new remember cookie if it had one).
            login_user(user, remember=login_remembered())
            flash("Your password is changed. Every other device has been signed out.", "success")
            return redirect(url_for("lms.auth.account"))
    elif request.method == "POST":
        status = 400
    page = render_template(
        "lms/auth/account.html",
        user=user,
        form=form,
        min_length=MIN_PASSWORD_LENGTH,
    )
    return page, status
