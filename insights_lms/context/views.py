"""The participant's own school context profile: edit it, and see how it changed over time.

There is one URL and it always shows the signed-in participant's own profile, so no one can
reach another participant's. (Read-only views for coaches and facilitators come later.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from insights_lms.auth.models import User
from insights_lms.context import services
from insights_lms.context.forms import context_form
from insights_lms.context.models import (
    WEIGHTS,
    SchoolChallenge,
    SchoolChallengeRating,
    SchoolContext,
)
from insights_lms.db import session
from insights_lms.state import settings
from insights_lms.web import refuse

bp = Blueprint("context", __name__, url_prefix="/school-context")


def _initial(
    user: User, context: SchoolContext | None, current: dict[int, SchoolChallengeRating]
) -> dict[str, Any]:
    """What the form shows before any edit: the saved profile, else the user's account."""
    data: dict[str, Any] = {"phase": user.school_phase.value if user.school_phase else ""}
    if context is not None:
        data.update(
            phase=context.phase.value if context.phase else "",
            pupils=context.pupils,
            staff=context.staff,
            notes=context.notes,
        )
    for challenge_id, rating in current.items():
        data[f"weight_{challenge_id}"] = rating.weight
        data[f"comment_{challenge_id}"] = rating.comment
    return data


def _time_zone(user: User) -> str:
    programmes = services.participant_programmes(session, user)
    return programmes[0].time_zone if programmes else settings().time_zone


@dataclass
class _Page:
    """What the page shows: the challenges to weigh, the saved profile and its history."""

    challenges: list[SchoolChallenge]
    context: SchoolContext | None
    history: dict[int, list[SchoolChallengeRating]]

    @property
    def current(self) -> dict[int, SchoolChallengeRating]:
        return {challenge_id: ratings[-1] for challenge_id, ratings in self.history.items()}


def _load(user: User) -> _Page:
    context = services.find_context(session, user)
    return _Page(
        challenges=services.challenges_for_user(session, user),
        context=context,
        history=services.weight_history(session, context) if context is not None else {},
    )


def _render(user: User, page: _Page, form: FlaskForm, error: str | None) -> tuple[str, int]:
    return render_template(
        "lms/context/edit.html",
        form=form,
        challenges=page.challenges,
        context=page.context,
        history=[(c, page.history[c.id]) for c in page.challenges if c.id in page.history],
        weights=WEIGHTS,
        error=error,
        tz=_time_zone(user),
    ), (400 if request.method == "POST" else 200)


@bp.route("/", methods=["GET", "POST"])
@login_required
def edit() -> Response | tuple[str, int]:
    user: User = current_user
    if not services.is_participant(session, user):
        return render_template("lms/context/not_participant.html"), 403
    page = _load(user)
    if request.method == "POST":
        form = context_form(page.challenges)
    else:
        form = context_form(page.challenges, data=_initial(user, page.context, page.current))
    if not form.validate_on_submit():
        return _render(user, page, form, None)
    try:
        services.update_context(
            session,
            user,
            form.phase.data,
            form.pupils.data,
            form.staff.data,
            form.notes.data or "",
            form.weights(),
        )
    except services.ContextError as exc:
        refuse(None, exc)
        # The refusal rolled the session back: load the page again (the form keeps what
        # was posted).
        page = _load(user)
        return _render(user, page, context_form(page.challenges), exc.message)
    flash("Your school context has been saved.", "success")
    return redirect(url_for(".edit"))
