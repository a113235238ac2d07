"""A facilitator's view of one cohort: schedule, participants and their coaches."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from insights_lms import access
from insights_lms.cohorts.models import CoachAssignment, Cohort
from insights_lms.db import session
from insights_lms.enums import CohortRole
from insights_lms.programmes.services import cohort_timeline

bp = Blueprint("cohorts", __name__, url_prefix="/cohorts")


@bp.get("/<code>")
@login_required
def show(code: str) -> str:
    cohort = session.scalar(sa.select(Cohort).where(Cohort.code == code)) or abort(404)
    if not access.can_facilitate(session, current_user, cohort):
        abort(403)
    coach_by_participant = {
        a.participant_id: a.coach
        for a in session.scalars(
            sa.select(CoachAssignment).where(CoachAssignment.cohort_id == cohort.id)
        )
    }
    return render_template(
        "lms/cohorts/show.html",
        cohort=cohort,
        timeline=cohort_timeline(cohort),
        participants=cohort.members(CohortRole.PARTICIPANT),
        coaches=cohort.members(CohortRole.COACH),
        facilitators=cohort.members(CohortRole.FACILITATOR),
        coach_by_participant=coach_by_participant,
    )
