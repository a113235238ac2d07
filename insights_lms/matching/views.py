"""Pages of the matching feature: a coach's profile, and the facilitator's matching page.

``/matching/<cohort code>`` lists each participant of the cohort without a coach with every
coach ranked by fit and the reasons; the facilitator confirms the suggestion or picks another
coach. ``/matching/profile`` is the signed-in coach's own profile; a facilitator edits the
profile of a coach of their cohort at ``/matching/<cohort code>/coaches/<coach id>``.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from insights_lms.auth.models import User
from insights_lms.cohorts import access
from insights_lms.cohorts.models import Cohort
from insights_lms.db import session
from insights_lms.enums import CohortRole
from insights_lms.matching import board as boards
from insights_lms.matching import profiles
from insights_lms.matching.board import MatchingBoard
from insights_lms.matching.errors import MatchingError
from insights_lms.matching.forms import AssignForm, ProfileForm
from insights_lms.matching.profiles import ProfileInput
from insights_lms.matching.ranking import Suggestion
from insights_lms.web import refuse, signed_in_user

bp = Blueprint("matching", __name__, url_prefix="/matching")


# --- the facilitator's matching page -------------------------------------------------------


def _facilitated_cohort_or_abort(cohort_code: str) -> Cohort:
    cohort = session.scalar(sa.select(Cohort).where(Cohort.code == cohort_code)) or abort(404)
    if not access.can_facilitate(session, signed_in_user(), cohort):
        abort(403)
    return cohort


def _assign_form(cohort: Cohort, *, proposed: Suggestion | None = None, posted: bool) -> AssignForm:
    """The form for one participant (the page has one per participant; the URL says whose):
    the posted one, or (on GET) one proposing a coach."""
    if posted:
        form = AssignForm()
    else:
        coach = proposed.coach.public_id if proposed is not None else None
        form = AssignForm(formdata=None, data={"coach": coach})
    form.coach.choices = [
        SelectChoice(c.public_id, c.name) for c in cohort.members(CohortRole.COACH)
    ]
    return form


def _render_board(
    board: MatchingBoard, posted: AssignForm | None = None, posted_for: int | None = None
) -> str:
    forms = {}
    for match in board.unmatched:
        if posted is not None and match.enrolment.id == posted_for:
            forms[match.enrolment.id] = posted
        else:
            # Propose the best-ranked coach with a place free (none if every coach is full).
            best = next((s for s in match.suggestions if not s.is_full), None)
            forms[match.enrolment.id] = _assign_form(board.cohort, proposed=best, posted=False)
    return render_template("lms/matching/board.html", board=board, forms=forms)


@bp.get("/<cohort_code>")
@login_required
def board(cohort_code: str) -> str:
    cohort = _facilitated_cohort_or_abort(cohort_code)
    return _render_board(boards.matching_board(session, cohort))


@bp.post("/<cohort_code>/<participant_id>/assign")
@login_required
def assign(cohort_code: str, participant_id: str) -> Response | tuple[str, int]:
    cohort = _facilitated_cohort_or_abort(cohort_code)
    enrolment = access.participant_enrolment(session, cohort.code, participant_id) or abort(404)
    form = _assign_form(cohort, posted=True)
    if form.validate_on_submit():
        coach = profiles.coach_in_cohort(session, cohort, form.coach.data or "")
        try:
            if coach is None:
                raise MatchingError("Choose one of the cohort's coaches.", "coach")
            boards.confirm_match(
                session, cohort, enrolment.user, coach, assigned_by=signed_in_user()
            )
        except MatchingError as exc:
            refuse(form, exc)
        else:
            flash(f"{coach.name} is now {enrolment.user.name}'s coach.", "success")
            return redirect(url_for(".board", cohort_code=cohort.code))
    board = boards.matching_board(session, cohort)
    if all(m.enrolment.id != enrolment.id for m in board.unmatched):
        # Matched meanwhile (by another facilitator): their form is no longer on the page.
        for message in [*form.form_errors, *form.coach.errors]:
            flash(message, "error")
        return redirect(url_for(".board", cohort_code=cohort.code))
    return _render_board(board, form, enrolment.id), 400


# --- coach profiles ------------------------------------------------------------------------


def _profile_page(
    coach: User, *, action_url: str, done_url: str, cancel_url: str
) -> Response | str:
    form = ProfileForm()
    profile = profiles.profile_of(session, coach)
    # Codes on the profile that the coach's programmes no longer offer stay choosable.
    strengths = dict(profiles.strength_choices(session, coach))
    challenges = dict(profiles.challenge_choices(session, coach))
    if profile is not None:
        strengths |= {code: code for code in profile.strengths if code not in strengths}
        challenges |= {code: code for code in profile.challenges if code not in challenges}
    form.strengths.choices = [SelectChoice(code, label) for code, label in strengths.items()]
    form.challenges.choices = [SelectChoice(code, label) for code, label in challenges.items()]
    if request.method == "GET":
        form.capacity.data = profile.capacity if profile else 3
        if profile is not None:
            form.phases.data = [p.value for p in profile.phases]
            form.strengths.data = profile.strengths
            form.challenges.data = profile.challenges
            form.bio.data = profile.bio
    elif form.validate_on_submit():
        data = ProfileInput(
            capacity=form.capacity.data,
            phases=form.phases.data or [],
            strengths=form.strengths.data or [],
            challenges=form.challenges.data or [],
            bio=form.bio.data or "",
        )
        try:
            profiles.save_profile(session, coach, data, editor=signed_in_user())
        except MatchingError as exc:
            refuse(form, exc)
            # The refusal rolled back (and expired) what was loaded: load the profile again.
            profile = profiles.profile_of(session, coach)
        else:
            whose = "your" if coach.id == signed_in_user().id else f"{coach.name}'s"
            flash(f"Saved {whose} coach profile.", "success")
            return redirect(done_url)
    html = render_template(
        "lms/matching/profile.html",
        form=form,
        coach=coach,
        profile=profile,
        is_own=coach.id == signed_in_user().id,
        cancel_url=cancel_url,
        action_url=action_url,
    )
    return html if request.method == "GET" else Response(html, status=400)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile() -> Response | str:
    """The signed-in coach's own profile."""
    user = signed_in_user()
    if not profiles.is_coach(session, user):
        abort(403)
    url = url_for(".profile")
    return _profile_page(user, action_url=url, done_url=url, cancel_url=url_for("lms.core.home"))


@bp.route("/<cohort_code>/coaches/<coach_id>", methods=["GET", "POST"])
@login_required
def coach_profile(cohort_code: str, coach_id: str) -> Response | str:
    """A facilitator edits the profile of one of their cohort's coaches."""
    cohort = _facilitated_cohort_or_abort(cohort_code)
    coach = profiles.coach_in_cohort(session, cohort, coach_id) or abort(404)
    board_url = url_for(".board", cohort_code=cohort.code)
    return _profile_page(
        coach,
        action_url=url_for(".coach_profile", cohort_code=cohort.code, coach_id=coach.public_id),
        done_url=board_url,
        cancel_url=board_url,
    )
