"""The xAPI forwarding status page for facilitators and administrators.

Facilitators (of any cohort) see how delivery to the LRS is going and the alert when it is
paused; administrators also see the statements set aside, and can re-queue dead letters and
resume sending after a pause. Everyone else gets 403.

Who counts as a facilitator is a rule of the cohorts, which this library does not import: the
web wiring registers it with :func:`allow_status_page`. Until then only administrators see the
page. The views change nothing themselves: the request's unit of work commits
(``insights_lms.web``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from insights_lms.db import session
from insights_lms.state import settings
from insights_lms.web import refuse, signed_in_user
from insights_lms.xapi import services
from insights_lms.xapi.forms import RequeueForm, ResumeForm
from insights_lms.xapi.models import XapiStatement, XapiStatementStatus

if TYPE_CHECKING:
    from insights_lms.auth.models import User

bp = Blueprint("xapi", __name__, url_prefix="/admin/xapi")

#: Who may see the page (the registered rule; administrators always may).
_viewer_rule: list[Callable[[User], bool]] = []


def allow_status_page(rule: Callable[[User], bool]) -> None:
    """Let the users for whom ``rule(user)`` is true see the status page (registering again
    replaces the rule)."""
    _viewer_rule[:] = [rule]


def _require_viewer() -> User:
    user = signed_in_user()
    if not (user.is_admin or any(rule(user) for rule in _viewer_rule)):
        abort(403)
    return user


def _require_admin() -> User:
    user = signed_in_user()
    if not user.is_admin:
        abort(403)
    return user


@bp.get("/")
@login_required
def status() -> str:
    user = _require_viewer()
    return render_template(
        "lms/xapi/status.html",
        status=services.forwarding_status(session),
        endpoint=settings().lrs_endpoint,
        set_aside=services.set_aside_statements(session) if user.is_admin else [],
        is_admin=user.is_admin,
        requeue_form=RequeueForm(),
        resume_form=ResumeForm(),
        Status=XapiStatementStatus,
    )


@bp.post("/requeue")
@login_required
def requeue_dead() -> Response:
    _require_admin()
    if RequeueForm().validate_on_submit():
        count = services.requeue(session)
        if count:
            flash(f"Re-queued {count} dead letter{'s' if count != 1 else ''}.", "success")
        else:
            flash("There were no dead letters to re-queue.", "info")
    return redirect(url_for("lms.xapi.status"))


@bp.post("/statements/<statement_id>/requeue")
@login_required
def requeue_one(statement_id: str) -> Response:
    _require_admin()
    row = session.scalar(sa.select(XapiStatement).where(XapiStatement.statement_id == statement_id))
    if row is None:
        abort(404)
    if RequeueForm().validate_on_submit():
        event = row.event
        try:
            services.requeue(session, statement_ids=[statement_id], statuses=services.SET_ASIDE)
        except services.XapiError as exc:
            refuse(None, exc)
            flash(exc.message, "error")
        else:
            flash(f"Re-queued statement {statement_id} ({event}).", "success")
    return redirect(url_for("lms.xapi.status"))


@bp.post("/resume")
@login_required
def resume() -> Response:
    _require_admin()
    if ResumeForm().validate_on_submit():
        try:
            services.resume(session)
        except services.XapiError as exc:
            refuse(None, exc)
            flash(exc.message, "info")
        else:
            flash("Sending to the LRS resumes with the worker's next pass.", "success")
    return redirect(url_for("lms.xapi.status"))
