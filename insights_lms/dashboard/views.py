"""The cohort dashboard (its facilitators and administrators only)."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_login import login_required

from insights_lms.cohorts import access
from insights_lms.dashboard import evaluation as evaluation_service
from insights_lms.dashboard import services
from insights_lms.db import session, utcnow
from insights_lms.feedback.models import Stretch

bp = Blueprint("dashboard", __name__, url_prefix="/cohorts")


@bp.get("/<code>/dashboard")
@login_required
def show(code: str) -> str:
    cohort = access.facilitated_cohort_or_404(code)
    weeks = request.args.get("weeks", type=int) or services.DEFAULT_INACTIVE_WEEKS
    weeks = min(max(weeks, 1), 52)
    return render_template(
        "lms/dashboard/show.html",
        board=services.cohort_dashboard(session, cohort, utcnow(), weeks),
        cohort=cohort,
    )


@bp.get("/<code>/evaluation")
@login_required
def evaluation(code: str) -> str:
    cohort = access.facilitated_cohort_or_404(code)
    return render_template(
        "lms/dashboard/evaluation.html",
        cohort=cohort,
        ev=evaluation_service.cohort_evaluation(session, cohort),
        kinds=evaluation_service.KINDS,
        kind_labels=evaluation_service.KIND_LABELS,
        change_label=evaluation_service.change_label,
        stretches=list(Stretch),
    )


@bp.get("/<code>/evaluation.csv")
@login_required
def evaluation_csv(code: str) -> Response:
    cohort = access.facilitated_cohort_or_404(code)
    body = evaluation_service.evaluation_csv(evaluation_service.cohort_evaluation(session, cohort))
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="evaluation-{cohort.code}.csv"',
            "X-Content-Type-Options": "nosniff",
        },
    )
