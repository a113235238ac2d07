"""Registers for a cohort's module sessions (its facilitators), completing a module with a
reflection (each participant, for themself only), and the module page with the dates of the
user's cohorts and their own record (on the ``programmes`` blueprint, endpoint
``programmes.module``: the page is the programme's, what it shows beside the content is
the cohorts')."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers import Response

from insights_lms.attendance import services
from insights_lms.attendance.forms import CompletionForm, RegisterForm, register_form
from insights_lms.attendance.models import AttendanceStatus, ModuleCompletion
from insights_lms.auth.models import User
from insights_lms.cohorts import access
from insights_lms.cohorts import services as cohorts
from insights_lms.cohorts.models import Cohort, CohortModule
from insights_lms.cohorts.timeline import cohort_module_of
from insights_lms.db import session, utcnow
from insights_lms.enums import CohortRole
from insights_lms.programmes import views as programmes
from insights_lms.programmes.models import Module
from insights_lms.programmes.services import get_module, module_outline
from insights_lms.web import refuse

bp = Blueprint("attendance", __name__)

Page = str | tuple[str, int] | Response


def _cohort_or_404(code: str) -> Cohort:
    cohort: Cohort = session.scalar(
        sa.select(Cohort)
        .where(Cohort.code == code)
        .options(
            joinedload(Cohort.programme),
            selectinload(Cohort.cohort_modules).joinedload(CohortModule.module),
        )
    ) or abort(404)
    return cohort


def _facilitated_cohort(code: str) -> Cohort:
    cohort = _cohort_or_404(code)
    if not access.can_facilitate(session, current_user, cohort):
        abort(403)
    return cohort


def _cohort_module_or_404(cohort: Cohort, module_code: str) -> CohortModule:
    for cm in cohort.cohort_modules:
        if cm.module.code == module_code:
            return cm
    abort(404)


@bp.get("/cohorts/<cohort_code>/registers")
@login_required
def sessions(cohort_code: str) -> str:
    cohort = _facilitated_cohort(cohort_code)
    ordered = sorted(cohort.cohort_modules, key=lambda cm: (cm.module.sequence, cm.starts_at))
    return render_template(
        "lms/attendance/sessions.html",
        cohort=cohort,
        sessions=ordered,
        counts=services.cohort_completion_counts(session, cohort),
        participants=len(services.participant_ids(session, cohort)),
        now=utcnow(),
    )


def _register_cohort_module(cohort_code: str, module_code: str) -> tuple[Cohort, CohortModule]:
    """The cohort and its session of the module, for one of the cohort's facilitators."""
    cohort = _cohort_or_404(cohort_code)
    cm = _cohort_module_or_404(cohort, module_code)
    if not access.can_facilitate(session, current_user, cohort):
        abort(403)
    return cohort, cm


def _render_register(
    cohort: Cohort, cm: CohortModule, form: RegisterForm, error: str | None
) -> str:
    return render_template(
        "lms/attendance/register.html",
        cohort=cohort,
        cm=cm,
        module=cm.module,
        form=form,
        started=utcnow() >= cm.starts_at,
        error=error,
    )


@bp.route("/cohorts/<cohort_code>/sessions/<module_code>/register", methods=["GET", "POST"])
@login_required
def register(cohort_code: str, module_code: str) -> Page:
    cohort, cm = _register_cohort_module(cohort_code, module_code)
    rows = services.register_for(session, cm)
    form = register_form(rows, prefill=request.method == "GET")
    if request.method == "GET":
        return _render_register(cohort, cm, form, None)
    if not form.validate_on_submit():
        error = "The register was not saved: correct the marked rows below."
        return _render_register(cohort, cm, form, error), 400
    try:
        services.record_attendance(session, cm, form.marks(), current_user)
    except services.AttendanceError as exc:
        refuse(None, exc)
        # The refusal rolled the session back: load the page again (the form keeps the
        # marks as posted).
        cohort, cm = _register_cohort_module(cohort_code, module_code)
        form = register_form(services.register_for(session, cm), prefill=False)
        return _render_register(cohort, cm, form, exc.message), 400
    statuses = [
        r.attendance.status for r in services.register_for(session, cm) if r.attendance is not None
    ]
    late = statuses.count(AttendanceStatus.LATE)
    present = sum(1 for s in statuses if s.attended)
    flash(
        f"Register saved for {cm.module.title}: {present} present"
        + (f" ({late} late)." if late else "."),
        "success",
    )
    return redirect(url_for(".register", cohort_code=cohort.code, module_code=module_code))


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
            return _cohort_or_404(enrolment.cohort.code)
    abort(403)


def _completion_cohort_module(programme_code: str, module_code: str) -> CohortModule:
    """The session of the module, in the cohort the signed-in participant is completing."""
    module = get_module(session, programme_code, module_code) or abort(404)
    cohort = _participant_cohort(module)
    cm: CohortModule = cohort_module_of(cohort, module) or abort(404)
    return cm


def _render_complete(
    cm: CohortModule, completion: ModuleCompletion | None, form: CompletionForm, error: str | None
) -> str:
    user: User = current_user
    return render_template(
        "lms/attendance/complete.html",
        programme=cm.cohort.programme,
        module=cm.module,
        cohort=cm.cohort,
        cm=cm,
        form=form,
        record=services.ModuleRecord(
            cm, services.attendance_of(session, cm, user), completion, utcnow() >= cm.starts_at
        ),
        error=error,
    )


@bp.route("/programmes/<programme_code>/modules/<module_code>/complete", methods=["GET", "POST"])
@login_required
def complete(programme_code: str, module_code: str) -> Page:
    cm = _completion_cohort_module(programme_code, module_code)
    user: User = current_user
    completion = services.completion_of(session, cm, user)
    if request.method == "GET":
        return _render_complete(cm, completion, CompletionForm(obj=completion), None)
    form = CompletionForm()
    if not form.validate_on_submit():
        return _render_complete(cm, completion, form, None), 400
    try:
        services.complete_module(
            session, cm, user, form.learned.data or "", form.will_trial.data or ""
        )
    except services.CompletionError as exc:
        refuse(form if exc.field else None, exc)
        # The refusal rolled the session back: load the page again.
        cm = _completion_cohort_module(programme_code, module_code)
        completion = services.completion_of(session, cm, user)
        return _render_complete(cm, completion, form, None if exc.field else exc.message), 400
    if completion is None:
        flash(f"{cm.module.title} is recorded as completed, with your reflection.", "success")
    else:
        flash(f"Your reflection on {cm.module.title} is updated.", "success")
    return redirect(
        url_for("lms.programmes.module", programme_code=programme_code, module_code=module_code)
    )


@programmes.bp.get("/<programme_code>/modules/<module_code>")
@login_required
def module(programme_code: str, module_code: str) -> str:
    """A module of the programme, with when and where the user's cohorts meet for it, the
    user's own record of it and the windows of the practical task after it."""
    mod = module_outline(session, programme_code, module_code) or abort(404)
    if not access.can_view_programme(session, current_user, mod.programme):
        abort(403)
    in_cohorts = services.module_in_cohorts(session, current_user, mod)
    return render_template(
        "lms/programmes/module.html",
        module=mod,
        programme=mod.programme,
        sessions=in_cohorts.cohort_modules,
        task=mod.task_after,
        windows=in_cohorts.windows,
        records=in_cohorts.records,
    )
