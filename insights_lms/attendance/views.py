"""Registers for a cohort's module sessions (its facilitators) and completing a module with a
reflection (each participant, for themself only)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from insights_lms.attendance import services
from insights_lms.attendance.forms import CompletionForm, register_form
from insights_lms.attendance.models import AttendanceStatus
from insights_lms.auth.models import User
from insights_lms.cohorts import access
from insights_lms.cohorts import services as cohorts
from insights_lms.cohorts.models import Cohort, CohortModule
from insights_lms.cohorts.timeline import module_session
from insights_lms.db import session, utcnow
from insights_lms.enums import CohortRole
from insights_lms.programmes.models import Module
from insights_lms.programmes.services import get_module

bp = Blueprint("attendance", __name__)

Page = str | tuple[str, int] | Response


def _cohort_or_404(code: str) -> Cohort:
    cohort: Cohort = session.scalar(sa.select(Cohort).where(Cohort.code == code)) or abort(404)
    return cohort


def _facilitated_cohort(code: str) -> Cohort:
    cohort = _cohort_or_404(code)
    if not access.can_facilitate(session, current_user, cohort):
        abort(403)
    return cohort


def _session_or_404(cohort: Cohort, module_code: str) -> CohortModule:
    for cm in cohort.sessions:
        if cm.module.code == module_code:
            return cm
    abort(404)


@bp.get("/cohorts/<cohort_code>/registers")
@login_required
def sessions(cohort_code: str) -> str:
    cohort = _facilitated_cohort(cohort_code)
    ordered = sorted(cohort.sessions, key=lambda cm: (cm.module.sequence, cm.starts_at))
    return render_template(
        "lms/attendance/sessions.html",
        cohort=cohort,
        sessions=ordered,
        counts=services.cohort_completion_counts(session, cohort),
        participants=len(services.participant_ids(session, cohort)),
        now=utcnow(),
    )


@bp.route("/cohorts/<cohort_code>/sessions/<module_code>/register", methods=["GET", "POST"])
@login_required
def register(cohort_code: str, module_code: str) -> Page:
    cohort = _cohort_or_404(cohort_code)
    cm = _session_or_404(cohort, module_code)
    if not access.can_facilitate(session, current_user, cohort):
        abort(403)
    rows = services.register_for(session, cm)
    form = register_form(rows, prefill=request.method == "GET")
    started = utcnow() >= cm.starts_at
    error = None
    if form.validate_on_submit():
        try:
            services.record_attendance(session, cm, form.marks(), current_user)
        except services.AttendanceError as exc:
            error = str(exc)
        else:
            session.commit()
            register = services.register_for(session, cm)
            statuses = [r.attendance.status for r in register if r.attendance is not None]
            late = statuses.count(AttendanceStatus.LATE)
            present = sum(1 for s in statuses if s.attended)
            flash(
                f"Register saved for {cm.module.title}: {present} present"
                + (f" ({late} late)." if late else "."),
                "success",
            )
            return redirect(url_for(".register", cohort_code=cohort.code, module_code=module_code))
    elif request.method == "POST":
        error = "The register was not saved: correct the marked rows below."
    page = render_template(
        "lms/attendance/register.html",
        cohort=cohort,
        cm=cm,
        module=cm.module,
        form=form,
        started=started,
        error=error,
    )
    return (page, 400) if request.method == "POST" else page


def _participant_cohort(module: Module) -> Cohort:
    """The cohort whose record the signed-in participant is completing.

    ``?cohort=<code>`` picks one; otherwise their newest participant enrolment in a cohort
    of the module's programme. Only ever the signed-in user's own enrolment.
    """
    user: User = current_user
    code = request.args.get("cohort")
    if code:
        cohort = _cohort_or_404(code)
        if cohort.programme_id != module.programme_id:
            abort(404)
        if not cohorts.has_role(session, user, cohort, CohortRole.PARTICIPANT):
            abort(403)
        return cohort
    for enrolment in cohorts.enrolments_of(session, user, CohortRole.PARTICIPANT):
        if enrolment.cohort.programme_id == module.programme_id:
            return enrolment.cohort
    abort(403)


@bp.route("/programmes/<programme_code>/modules/<module_code>/complete", methods=["GET", "POST"])
@login_required
def complete(programme_code: str, module_code: str) -> Page:
    module = get_module(session, programme_code, module_code) or abort(404)
    cohort = _participant_cohort(module)
    cm = module_session(cohort, module) or abort(404)
    user: User = current_user
    completion = services.completion_of(session, cm, user)
    form = CompletionForm(obj=completion) if request.method == "GET" else CompletionForm()
    started = utcnow() >= cm.starts_at
    error = None
    if form.validate_on_submit():
        try:
            services.complete_module(
                session, cm, user, form.learned.data or "", form.will_trial.data or ""
            )
        except services.CompletionError as exc:
            field = getattr(form, exc.field) if exc.field else None
            if field is not None:
                field.errors.append(str(exc))
            else:
                error = str(exc)
        else:
            session.commit()
            if completion is None:
                flash(f"{module.title} is recorded as completed, with your reflection.", "success")
            else:
                flash(f"Your reflection on {module.title} is updated.", "success")
            return redirect(
                url_for(
                    "lms.programmes.module", programme_code=programme_code, module_code=module_code
                )
            )
    page = render_template(
        "lms/attendance/complete.html",
        programme=module.programme,
        module=module,
        cohort=cohort,
        cm=cm,
        form=form,
        record=services.ModuleRecord(
            cm, services.attendance_of(session, cm, user), completion, started
        ),
        error=error,
    )
    return (page, 400) if request.method == "POST" else page
