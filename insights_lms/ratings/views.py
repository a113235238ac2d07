"""Pages of the ratings feature: a coach or facilitator rates a participant's competencies.

The participant's progress map (``lms.progress.participant``) shows the result, with every
rater side by side; the history of each rater is there too.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from insights_lms.cohorts.access import participant_enrolment_for_viewer
from insights_lms.db import session
from insights_lms.ratings import services
from insights_lms.ratings.forms import rating_form
from insights_lms.ratings.models import RatingKind
from insights_lms.web import refuse, signed_in_user

bp = Blueprint("ratings", __name__, url_prefix="/ratings")


@bp.route("/<cohort_code>/<participant_id>/new", methods=["GET", "POST"])
@login_required
def new(cohort_code: str, participant_id: str) -> Response | str | tuple[str, int]:
    viewer = signed_in_user()
    enrolment = participant_enrolment_for_viewer(session, viewer, cohort_code, participant_id)
    if enrolment is None:
        abort(404)
    kinds = services.ratable_kinds(session, enrolment, viewer)
    if not kinds:
        abort(403)  # may see the map (the participant, an administrator) but not rate
    framework = services.framework_of(session, enrolment)
    levels = framework.scale.levels
    competencies = list(framework.competencies)
    form = rating_form(competencies, levels, kinds)
    error = None
    if form.validate_on_submit():
        try:
            created = services.record_ratings(
                session, enrolment, viewer, RatingKind(form.kind.data), form.ratings()
            )
        except services.RatingError as exc:
            refuse(None, exc)
            error = exc.message
            # The refusal rolled back (and expired) what was loaded: load the page again.
            enrolment = participant_enrolment_for_viewer(
                session, viewer, cohort_code, participant_id
            ) or abort(404)
            framework = services.framework_of(session, enrolment)
            levels = framework.scale.levels
        else:
            count = len(created)
            noun = "competency" if count == 1 else "competencies"
            flash(
                f"Saved your {created[0].kind.label.lower()} rating of {count} {noun} "
                f"for {enrolment.user.name}.",
                "success",
            )
            return redirect(
                url_for(
                    "lms.progress.participant",
                    cohort_code=enrolment.cohort.code,
                    participant_id=enrolment.user.public_id,
                )
            )
    html = render_template(
        "lms/ratings/new.html",
        form=form,
        error=error,
        enrolment=enrolment,
        framework=framework,
        levels=levels,
        kinds=kinds,
        overview=services.ratings_overview(session, enrolment),
    )
    return (html, 400) if request.method == "POST" else html
