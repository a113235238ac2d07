"""The participant's progress map page."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from insights_lms.auth.models import User
from insights_lms.cohorts.services import participant_enrolments
from insights_lms.db import session, utcnow
from insights_lms.progress.services import progress_map

bp = Blueprint("progress", __name__, url_prefix="/progress")


@bp.get("/")
@login_required
def index() -> str:
    user: User = current_user
    enrolments = participant_enrolments(session, user)
    if request.args.get("cohort"):
        enrolments = [e for e in enrolments if e.cohort.code == request.args["cohort"]]
    if not enrolments:
        return render_template("lms/progress/index.html", progress=None)
    return render_template(
        "lms/progress/index.html", progress=progress_map(session, enrolments[0]), now_utc=utcnow()
    )
