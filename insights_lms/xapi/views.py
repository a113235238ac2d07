"""The xAPI forwarding status page for facilitators and administrators.

Facilitators (of any cohort) see how delivery to the LRS is going and the alert when it is
paused; administrators also see the statements set aside, and can re-queue dead letters and
resume sending after a pause. Everyone else gets 403.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from insights_lms.auth.models import User
from insights_lms.cohorts.models import Enrolment
from insights_lms.db import session
from insights_lms.enums import CohortRole
from insights_lms.state import settings
from insights_lms.web import signed_in_user
from insights_lms.xapi import services
from insights_lms.xapi.forms import RequeueForm, ResumeForm
from insights_lms.xapi.models import XapiStatement, XapiStatementStatus

bp = Blueprint("xapi", __name__, url_prefix="/admin/xapi")


def _facilitates_any(user: User) -> bool:
    return (
        session.scalar(
            sa.select(Enrolment.id)
            .where(Enrolment.user_id == user.id, Enrolment.role == CohortRole.FACILITATOR)
            .limit(1)
        )
        is not None
    )


def _require_viewer() -> User:
    user = signed_in_user()
    if not (user.is_admin or _facilitates_any(user)):
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
        session.commit()
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
        try:
            services.requeue(session, statement_ids=[statement_id], statuses=services.SET_ASIDE)
        except services.XapiError as exc:
            session.rollback()
            flash(str(exc), "error")
        else:
            session.commit()
            flash(f"Re-queued statement {statement_id} ({row.event}).", "success")
    return redirect(url_for("lms.xapi.status"))


@bp.post("/resume")
@login_required
def resume() -> Response:
    _require_admin()
    if ResumeForm().validate_on_submit():
        try:
            services.resume(session)
        except services.XapiError as exc:
            session.rollback()
            flash(str(exc), "info")
        else:
            session.commit()
            flash("Sending to the LRS resumes with the worker's next pass.", "success")
    return redirect(url_for("lms.xapi.status"))
