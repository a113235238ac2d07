"""The coach's pages: coachees at a glance, one coachee's evidence, and reviewing evidence."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from insights_lms.coaching import services
from insights_lms.db import session
from insights_lms.evidence import reviews
from insights_lms.evidence import services as evidence_services
from insights_lms.evidence.forms import ReviewForm
from insights_lms.evidence.models import ReviewOutcome
from insights_lms.evidence.reviews import ReviewError
from insights_lms.evidence.views import render_show
from insights_lms.web import refuse, signed_in_user

bp = Blueprint("coaching", __name__, url_prefix="/coaching")


@bp.get("/")
@login_required
def index() -> str:
    coached = services.coachee_overview(session, signed_in_user())
    facilitated = [
        s
        for s in services.summarise(
            session, services.facilitated_assignments(session, signed_in_user())
        )
        if s.assignment.coach_id != signed_in_user().id
    ]
    if not coached and not facilitated:
        abort(403)
    return render_template("lms/coaching/index.html", coached=coached, facilitated=facilitated)


@bp.get("/<cohort_code>/<participant_id>")
@login_required
def coachee(cohort_code: str, participant_id: str) -> str:
    summary = services.coachee_for_viewer(session, signed_in_user(), cohort_code, participant_id)
    if summary is None:
        abort(404)
    return render_template("lms/coaching/coachee.html", s=summary)


@bp.post("/evidence/<public_id>/review")
@login_required
def review(public_id: str) -> Response | tuple[str, int]:
    evidence = evidence_services.evidence_for_viewer(session, public_id, signed_in_user())
    if evidence is None:
        abort(404)
    if not reviews.can_review(session, signed_in_user(), evidence):
        abort(403)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            reviews.review_evidence(
                session,
                evidence,
                signed_in_user(),
                ReviewOutcome(form.outcome.data),
                form.comment.data or "",
            )
        except ReviewError as exc:
            refuse(form, exc)
        else:
            flash(f"Saved your review of “{evidence.title}”.", "success")
            return redirect(url_for("lms.evidence.show", public_id=evidence.public_id))
    return render_show(evidence, review_form=form), 400
