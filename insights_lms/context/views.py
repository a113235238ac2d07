"""The participant's own school context profile: edit it, and see how it changed over time.

There is one URL and it always shows the signed-in participant's own profile, so no one can
reach another participant's. (Read-only views for coaches and facilitators come later.)
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from insights_lms.auth.models import User
from insights_lms.context import services
from insights_lms.context.forms import context_form
from insights_lms.context.models import WEIGHTS, ContextChallengeRating, SchoolContext
from insights_lms.db import session
from insights_lms.state import settings

bp = Blueprint("context", __name__, url_prefix="/school-context")


def _initial(
    user: User, context: SchoolContext | None, current: dict[int, ContextChallengeRating]
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


@bp.route("/", methods=["GET", "POST"])
@login_required
def edit() -> Response | tuple[str, int]:
    user: User = current_user
    if not services.is_participant(session, user):
        return render_template("lms/context/not_participant.html"), 403
    challenges = services.challenges_for_user(session, user)
    context = services.find_context(session, user)
    history = services.weight_history(session, context) if context is not None else {}
    current = {challenge_id: ratings[-1] for challenge_id, ratings in history.items()}
    if request.method == "POST":
        form = context_form(challenges)
    else:
        form = context_form(challenges, data=_initial(user, context, current))
    error = None
    if form.validate_on_submit():
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
            session.rollback()
            error = str(exc)
        else:
            session.commit()
            flash("Your school context has been saved.", "success")
            return redirect(url_for(".edit"))
    return render_template(
        "lms/context/edit.html",
        form=form,
        challenges=challenges,
        context=context,
        history=[(c, history[c.id]) for c in challenges if c.id in history],
        weights=WEIGHTS,
        error=error,
        tz=_time_zone(user),
    ), (400 if request.method == "POST" else 200)
