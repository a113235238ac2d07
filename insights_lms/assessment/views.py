"""Self-assessment pages: the participant's chart and history, and the form to rate themselves.

Every page is about the signed-in participant's own ratings: no URL carries a user id, and a
``?cohort=`` the user is not a participant of is a 404.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from insights_lms.assessment import charts, services
from insights_lms.assessment.forms import SelfAssessmentForm, level_name, self_assessment_form
from insights_lms.cohorts.models import Enrolment
from insights_lms.cohorts.services import participant_enrolments
from insights_lms.competencies.services import load_outline
from insights_lms.db import session
from insights_lms.web import refuse

bp = Blueprint("assessment", __name__, url_prefix="/self-assessment")


def _enrolment() -> tuple[Enrolment | None, list[Enrolment]]:
    """The participant enrolment the page is about (``?cohort=``, else the newest)."""
    enrolments = participant_enrolments(session, current_user)
    if not enrolments:
        return None, []
    code = request.args.get("cohort")
    if not code:
        return enrolments[0], enrolments
    for enrolment in enrolments:
        if enrolment.cohort.code == code:
            return enrolment, enrolments
    abort(404)


def _not_a_participant() -> tuple[str, int]:
    return render_template("lms/assessment/not_participant.html"), 403


@bp.get("/")
@login_required
def index() -> str | tuple[str, int]:
    enrolment, enrolments = _enrolment()
    if enrolment is None:
        return _not_a_participant()
    history = services.rating_history(session, enrolment)
    competencies = services.framework_competencies(enrolment)
    programme = enrolment.cohort.programme
    return render_template(
        "lms/assessment/index.html",
        enrolment=enrolment,
        enrolments=enrolments,
        programme=programme,
        competencies=competencies,
        history=history,
        chart=charts.chart_for(session, enrolment),
        status=services.assessment_status(session, enrolment),
    )


def _form_page(enrolment: Enrolment) -> dict[str, Any]:
    """What the rating form shows, loaded: the framework's outline, the occasions open now
    and the participant's latest ratings."""
    programme = enrolment.cohort.programme
    framework = load_outline(session, programme.framework)
    return {
        "enrolment": enrolment,
        "programme": programme,
        "framework": framework,
        "competencies": services.framework_competencies(enrolment),
        "levels": framework.scale.levels,
        "occasions": services.available_occasions(session, enrolment),
        "latest": services.latest_self_ratings(session, enrolment),
    }


def _render_new(page: dict[str, Any], form: SelfAssessmentForm, error: str | None) -> str:
    return render_template(
        "lms/assessment/new.html",
        form=form,
        error=error,
        enrolment=page["enrolment"],
        programme=page["programme"],
        framework=page["framework"],
        levels=page["levels"],
        latest=page["latest"],
    )


def _form(page: dict[str, Any], data: dict[str, Any] | None) -> SelfAssessmentForm:
    return self_assessment_form(page["competencies"], page["levels"], page["occasions"], data)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> Response | str | tuple[str, int]:
    enrolment, _ = _enrolment()
    if enrolment is None:
        return _not_a_participant()
    page = _form_page(enrolment)
    if request.method == "GET":
        latest = page["latest"]
        suggested = services.suggested_occasion(session, enrolment, page["occasions"])
        data = {
            level_name(c): latest[c.id].level_id for c in page["competencies"] if c.id in latest
        }
        data["occasion"] = suggested.key if suggested else None
        return _render_new(page, _form(page, data), None)
    form = _form(page, None)
    if not form.validate_on_submit():
        return _render_new(page, form, None), 400
    occasion = services.occasion_for_key(page["occasions"], form.occasion.data or "")
    try:
        if occasion is None:
            raise services.AssessmentError("Choose one of the occasions listed.")
        created = services.record_self_assessment(
            session, enrolment, occasion.occasion, occasion.module, form.ratings()
        )
    except services.AssessmentError as exc:
        refuse(None, exc)
        # The refusal rolled the session back: load the page again (the form keeps what
        # was posted).
        enrolment, _ = _enrolment()
        assert enrolment is not None
        page = _form_page(enrolment)
        return _render_new(page, _form(page, None), exc.message), 400
    count = len(created)
    noun = "competency" if count == 1 else "competencies"
    flash(f"Saved your self-assessment of {count} {noun}.", "success")
    return redirect(url_for(".index", cohort=enrolment.cohort.code))
