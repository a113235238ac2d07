"""The progress map: the participant's own, and one participant's for their coach and the
cohort's facilitators."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from insights_lms.auth.models import User
from insights_lms.cohorts.access import participant_enrolment_for_viewer
from insights_lms.cohorts.models import Enrolment
from insights_lms.cohorts.services import participant_enrolments
from insights_lms.db import session, utcnow
from insights_lms.progress.services import progress_map
from insights_lms.ratings.services import ratable_kinds
from insights_lms.web import signed_in_user

bp = Blueprint("progress", __name__, url_prefix="/progress")


def _render(enrolment: Enrolment, *, is_own: bool) -> str:
    viewer = signed_in_user()
    return render_template(
        "lms/progress/index.html",
        progress=progress_map(session, enrolment),
        now_utc=utcnow(),
        is_own=is_own,
        rating_kinds=[] if is_own else ratable_kinds(session, enrolment, viewer),
    )


@bp.get("/")
@login_required
def index() -> str:
    user: User = current_user
    enrolments = participant_enrolments(session, user)
    if request.args.get("cohort"):
        enrolments = [e for e in enrolments if e.cohort.code == request.args["cohort"]]
    if not enrolments:
        return render_template("lms/progress/index.html", progress=None, is_own=True)
    return _render(enrolments[0], is_own=True)


@bp.get("/<cohort_code>/<participant_id>")
@login_required
def participant(cohort_code: str, participant_id: str) -> str:
    """One participant's map, for them, their coach in the cohort and its facilitators."""
    viewer = signed_in_user()
    enrolment = participant_enrolment_for_viewer(session, viewer, cohort_code, participant_id)
    if enrolment is None:
        abort(404)
    return _render(enrolment, is_own=enrolment.user_id == viewer.id)
