"""Enrolling from CSV (a cohort's facilitators): upload → dry run → import; and the page where a
new user follows their one-time link to choose a password."""

from __future__ import annotations

import dataclasses
from email.message import EmailMessage

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user
from werkzeug.wrappers import Response as BaseResponse

from insights_lms.cohorts import access
from insights_lms.competencies.models import Competency
from insights_lms.db import session
from insights_lms.enrolment import services
from insights_lms.enrolment.forms import ImportConfirmForm, SetPasswordForm, UploadForm
from insights_lms.enrolment.models import INVITE_DAYS
from insights_lms.reminders.cli import smtp_settings
from insights_lms.reminders.mail import DeliveryError, SmtpSender
from insights_lms.security import external_url
from insights_lms.state import settings
from insights_lms.web import attach_error, refuse, signed_in_user

bp = Blueprint("enrolment", __name__)

Page = str | tuple[str, int] | BaseResponse
#: The largest enrolment file accepted (a few thousand rows fit easily).
MAX_FILE_BYTES = 2 * 1024 * 1024


@bp.get("/cohorts/<code>/import")
@login_required
def upload(code: str) -> str:
    cohort = access.facilitated_cohort_or_404(code)
    return render_template(
        "lms/enrolment/upload.html", cohort=cohort, form=UploadForm(), columns=services.COLUMNS
    )


@bp.get("/cohorts/<code>/import/sample.csv")
@login_required
def sample(code: str) -> Response:
    cohort = access.facilitated_cohort_or_404(code)
    codes = session.scalars(
        sa.select(Competency.code)
        .where(Competency.framework_id == cohort.programme.framework_id)
        .order_by(Competency.position)
    )
    return Response(
        services.sample_csv(codes),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="enrolment-sample.csv"'},
    )


@bp.post("/cohorts/<code>/import")
@login_required
def preview(code: str) -> Page:
    cohort = access.facilitated_cohort_or_404(code)
    form = UploadForm()
    if form.validate_on_submit():
        data = form.file.data.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            attach_error(form, "The file is larger than 2 MB: split it into several files.", "file")
        else:
            try:
                parsed = services.parse_csv(data)
            except services.CsvImportError as exc:
                # Reading the file wrote nothing: no work to undo, and the page shows the
                # cohort as loaded (a rollback would expire it).
                attach_error(form, exc.message, exc.field)
            else:
                plan = services.plan_import(session, cohort, parsed, signed_in_user())
                confirm = ImportConfirmForm(data={"csv_text": parsed.text})
                return render_template(
                    "lms/enrolment/preview.html",
                    cohort=cohort,
                    plan=plan,
                    form=confirm,
                    confirm_field=services.CONFIRM_FIELD,
                )
    page = render_template(
        "lms/enrolment/upload.html", cohort=cohort, form=form, columns=services.COLUMNS
    )
    return page, 400


def _send_invites(result: services.ImportResult) -> list[str]:
    """Email each new user their link; returns what could not be sent (the links are also
    shown to the facilitator, so nobody is left without one)."""
    problems: list[str] = []
    conf = settings()
    smtp = dataclasses.replace(smtp_settings(), timeout=5.0)
    with SmtpSender(smtp) as send:
        for invite in result.invites:
            message = EmailMessage()
            message["Subject"] = "Your Insights LMS account: choose a password"
            message["From"] = conf.mail_from
            message["To"] = invite.user.email
            link = external_url("lms.enrolment.welcome", token=invite.token)
            message.set_content(
                f"Dear {invite.user.name},\n\nYou have been enrolled in Insights LMS. "
                f"Choose your password here (the link works once, for "
                f"{INVITE_DAYS} days):\n\n{link}\n\n"
                "If you did not expect this email, you can ignore it.\n"
            )
            try:
                send(message)
            except DeliveryError as exc:
                problems.append(f"{invite.user.email}: {exc}")
                if exc.server_unavailable:
                    problems.append(
                        "No further emails were attempted: the mail server is unavailable."
                    )
                    break
    return problems


@bp.post("/cohorts/<code>/import/confirm")
@login_required
def confirm(code: str) -> Page:
    cohort = access.facilitated_cohort_or_404(code)
    form = ImportConfirmForm()
    if not form.validate_on_submit() or not form.csv_text.data:
        abort(400)
    skip_bad = request.form.get("mode") == "good-rows"
    try:
        parsed = services.parse_csv(form.csv_text.data.encode("utf-8"))
        plan = services.plan_import(
            session,
            cohort,
            parsed,
            signed_in_user(),
            confirmed=request.form.getlist(services.CONFIRM_FIELD),
        )
        result = services.apply_import(session, plan, signed_in_user(), skip_bad_rows=skip_bad)
    except services.CsvImportError as exc:
        refuse(None, exc)
        flash(exc.message, "error")
        return redirect(url_for(".upload", code=cohort.code))
    problems = _send_invites(result) if result.invites else []
    return render_template(
        "lms/enrolment/result.html",
        cohort=cohort,
        result=result,
        links=[
            (i.user, external_url("lms.enrolment.welcome", token=i.token)) for i in result.invites
        ],
        problems=problems,
        invite_days=INVITE_DAYS,
    )


@bp.route("/welcome/<token>", methods=["GET", "POST"])
def welcome(token: str) -> Page:
    """Choose a password from a one-time link (no sign-in needed: the link is the credential)."""
    invite = services.invite_for(session, token)
    if invite is None:
        return render_template("lms/enrolment/link_expired.html"), 404
    if current_user.is_authenticated and current_user.id != invite.user_id:
        abort(403)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.redeem_invite(session, token, form.password.data or "")
        except services.InviteError as exc:
            refuse(form, exc)
        else:
            login_user(user)
            flash(f"Welcome, {user.name}: your password is set.", "success")
            return redirect(url_for("lms.core.home"))
    response = Response(
        render_template("lms/enrolment/welcome.html", form=form, user=invite.user),
        status=400 if request.method == "POST" else 200,
    )
    # The link is a credential: never send it on to another site in a Referer header.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
