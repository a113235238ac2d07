"""Module feedback: a participant answers after a session; facilitators read the results."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from insights_lms.cohorts import access
from insights_lms.cohorts.models import Cohort, CohortModule
from insights_lms.cohorts.services import has_role
from insights_lms.db import session, utcnow
from insights_lms.enums import CohortRole
from insights_lms.feedback import services
from insights_lms.feedback.forms import FeedbackForm
from insights_lms.feedback.models import Stretch
from insights_lms.web import refuse, signed_in_user

bp = Blueprint("feedback", __name__)

Page = str | tuple[str, int] | Response


def _cohort_or_404(code: str) -> Cohort:
    cohort: Cohort = session.scalar(
        sa.select(Cohort).where(Cohort.code == code).options(selectinload(Cohort.programme))
    ) or abort(404)
    return cohort


def _cohort_module_or_404(cohort: Cohort, module_code: str) -> CohortModule:
    for cm in cohort.cohort_modules:
        if cm.module.code == module_code:
            return cm
    abort(404)


@bp.route("/cohorts/<cohort_code>/modules/<module_code>/feedback", methods=["GET", "POST"])
@login_required
def give(cohort_code: str, module_code: str) -> Page:
    cohort = _cohort_or_404(cohort_code)
    user = signed_in_user()
    if not has_role(session, user, cohort, CohortRole.PARTICIPANT):
        abort(404)
    cm = _cohort_module_or_404(cohort, module_code)
    existing = services.feedback_of(session, cm, user)
    if request.method == "GET" and existing is not None:
        form = FeedbackForm(
            data={
                "relevance": str(existing.relevance),
                "stretch": existing.stretch.value,
                "impact": str(existing.impact),
                "comment": existing.comment,
            }
        )
    else:
        form = FeedbackForm()
    if form.validate_on_submit():
        try:
            services.give_feedback(
                session,
                cm,
                user,
                relevance=form.relevance.data,
                stretch=form.stretch.data,
                impact=form.impact.data,
                comment=form.comment.data or "",
            )
        except services.FeedbackError as exc:
            refuse(form, exc)
            # The refusal rolled back and expired what was loaded: load the page's rows again.
            cohort = _cohort_or_404(cohort_code)
            cm = _cohort_module_or_404(cohort, module_code)
            existing = services.feedback_of(session, cm, user)
        else:
            flash(f"Thank you: your feedback on {cm.module.title} is saved.", "success")
            return redirect(url_for(".give", cohort_code=cohort.code, module_code=module_code))
    page = render_template(
        "lms/feedback/give.html",
        cohort=cohort,
        cm=cm,
        module=cm.module,
        form=form,
        existing=existing,
        is_open=services.is_open(cm, utcnow()),
    )
    return (page, 400) if request.method == "POST" else page


@bp.get("/cohorts/<cohort_code>/feedback")
@login_required
def results(cohort_code: str) -> str:
    cohort = access.facilitated_cohort_or_404(cohort_code)
    return render_template(
        "lms/feedback/results.html",
        cohort=cohort,
        time_zone=cohort.programme.time_zone,
        results=services.module_results(session, cohort),
        stretches=list(Stretch),
        stretch_labels=services.STRETCH_LABELS,
        relevance_labels=services.RELEVANCE_LABELS,
        impact_labels=services.IMPACT_LABELS,
    )
