"""The practical task page: instructions, the window, and the participant's response."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from insights_lms.cohorts.access import own_participant_enrolment
from insights_lms.cohorts.models import CohortTask, Enrolment
from insights_lms.cohorts.services import participant_enrolments
from insights_lms.db import session
from insights_lms.evidence.services import (
    evidence_of,
    school_challenges_of_programme,
)
from insights_lms.tasks import services
from insights_lms.tasks.forms import ResponseForm
from insights_lms.tasks.services import TaskError
from insights_lms.web import refuse, signed_in_user

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


def _window_and_enrolment(window_id: int) -> tuple[CohortTask, Enrolment]:
    """The task window (with what its page shows) and the signed-in participant's enrolment
    in its cohort, else 404."""
    window = services.window_for_page(session, window_id)
    if window is None:
        abort(404)
    enrolment = own_participant_enrolment(session, signed_in_user(), window.cohort.code)
    if enrolment is None:
        abort(404)
    return window, enrolment


@bp.get("/")
@login_required
def index() -> str:
    enrolments = services.with_task_windows(
        session, participant_enrolments(session, signed_in_user())
    )
    rows = []
    for enrolment in enrolments:
        responses = services.responses_for(session, enrolment)
        for window in sorted(enrolment.cohort.task_windows, key=lambda w: w.opens_at):
            response = responses.get(window.id)
            rows.append((enrolment, window, services.task_state(window, response)))
    return render_template("lms/tasks/index.html", rows=rows)


@bp.route("/<int:window_id>", methods=["GET", "POST"])
@login_required
def show(window_id: int) -> Response | str | tuple[str, int]:
    window, enrolment = _window_and_enrolment(window_id)
    response = services.get_response(session, enrolment, window)
    state = services.task_state(window, response)
    form = ResponseForm(obj=None)
    own_evidence = evidence_of(session, enrolment)
    form.evidence.choices = [(e.id, e.title) for e in own_evidence]
    form.challenges.choices = [
        (c.id, c.title)
        for c in school_challenges_of_programme(session, enrolment.cohort.programme_id)
    ]
    if request.method == "GET" and response is not None:
        form.response.data = response.response
        form.evidence.data = [e.id for e in response.evidence]
        form.challenges.data = [c.id for c in response.challenges]
    if request.method == "POST" and form.validate_on_submit():
        submit = bool(form.submit.data)
        try:
            services.save_response(
                session,
                enrolment,
                window,
                signed_in_user(),
                text=form.response.data or "",
                evidence_ids=form.evidence.data or [],
                challenge_ids=form.challenges.data or [],
                submit=submit,
            )
        except TaskError as exc:
            refuse(form, exc)
            # The request was rolled back: load again what the page shows.
            window, enrolment = _window_and_enrolment(window_id)
            response = services.get_response(session, enrolment, window)
        else:
            if submit:
                flash(f"Submitted “{window.task.title}”. Well done.", "success")
            else:
                flash(
                    "Saved your draft. You can come back to it any time before you submit.",
                    "success",
                )
            return redirect(url_for(".show", window_id=window.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "lms/tasks/show.html",
        window=window,
        task=window.task,
        enrolment=enrolment,
        response=response,
        state=state,
        form=form,
        has_evidence=bool(own_evidence),
    ), status
