"""Pages of the conversations feature.

Participants: their conversations, each record (acknowledge and comment), their agreed actions
(mark their own done) and their preparation for the next conversation. Coaches: a coachee's
conversations, recording one, correcting it until it is acknowledged. Facilitators: their
cohorts' conversations, read only. Private notes are fetched only for the coach who wrote
them (``access.private_notes_for``); every other page and viewer never receives them.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from insights_lms.cohorts.access import participant_enrolment
from insights_lms.cohorts.models import Enrolment
from insights_lms.cohorts.services import participant_enrolments
from insights_lms.conversations import access, commands, queries
from insights_lms.conversations.fields import focus_name, notes_name
from insights_lms.conversations.forms import (
    AcknowledgeForm,
    PreparationForm,
    conversation_form,
    correction_form,
)
from insights_lms.conversations.models import Conversation
from insights_lms.conversations.validation import (
    ConversationError,
    ConversationInput,
    CorrectionInput,
)
from insights_lms.db import session
from insights_lms.ratings.services import framework_of
from insights_lms.web import ConfirmForm, refuse, signed_in_user

bp = Blueprint("conversations", __name__, url_prefix="/conversations")


def _own_enrolment() -> tuple[Enrolment, list[Enrolment]]:
    """The signed-in participant's enrolment the page is about (``?cohort=``, else the
    newest); 404 for anyone who is not a participant (there is nothing of theirs to show)."""
    enrolments = participant_enrolments(session, signed_in_user())
    code = request.args.get("cohort")
    chosen = [e for e in enrolments if e.cohort.code == code] if code else enrolments[:1]
    if not chosen:
        abort(404)
    return chosen[0], enrolments


def _coachee_or_404(cohort_code: str, participant_id: str) -> Enrolment:
    enrolment = access.coachee_for_viewer(session, signed_in_user(), cohort_code, participant_id)
    if enrolment is None:
        abort(404)
    return enrolment


def _reloaded(public_id: str) -> Conversation:
    """The conversation loaded again after a refusal rolled back (and expired) the request's
    objects, so that the page shown again runs no SQL from its template."""
    return _conversation_or_404(public_id)


def _conversation_or_404(public_id: str) -> Conversation:
    conversation = access.conversation_for_viewer(session, public_id, signed_in_user())
    if conversation is None:
        abort(404)
    return conversation


# --- the participant's pages --------------------------------------------------------------


@bp.get("/")
@login_required
def index() -> str:
    enrolment, enrolments = _own_enrolment()
    status = queries.status_of(session, enrolment)
    return render_template(
        "lms/conversations/index.html",
        enrolment=enrolment,
        enrolments=enrolments,
        conversations=queries.conversations_of(session, enrolment),
        status=status,
        preparation=queries.open_preparation(session, enrolment),
        has_coach=access.coach_assignment(session, enrolment) is not None,
        today=queries.today_for(enrolment),
    )


@bp.get("/actions")
@login_required
def actions() -> str:
    enrolment, enrolments = _own_enrolment()
    return render_template(
        "lms/conversations/actions.html",
        enrolment=enrolment,
        enrolments=enrolments,
        open_actions=queries.open_actions(session, enrolment),
        closed=queries.closed_actions(session, enrolment),
        confirm=ConfirmForm(),
        today=queries.today_for(enrolment),
    )


@bp.post("/actions/<public_id>/done")
@login_required
def complete(public_id: str) -> Response:
    action = access.action_for_viewer(session, public_id, signed_in_user())
    if action is None:
        abort(404)
    if not access.may_complete(session, action, signed_in_user()):
        abort(403)
    enrolment = action.conversation.enrolment
    if ConfirmForm().validate_on_submit():
        try:
            commands.complete_action(session, action, signed_in_user())
        except ConversationError as exc:
            refuse(None, exc)
            flash(exc.message, "error")
        else:
            flash(f"Marked “{action.description}” done.", "success")
    if signed_in_user().id == enrolment.user_id:
        return redirect(url_for(".actions", cohort=enrolment.cohort.code))
    return redirect(
        url_for(
            ".coachee",
            cohort_code=enrolment.cohort.code,
            participant_id=enrolment.user.public_id,
        )
    )


@bp.route("/prepare", methods=["GET", "POST"])
@login_required
def prepare() -> Response | str | tuple[str, int]:
    enrolment, _ = _own_enrolment()
    code = enrolment.cohort.code
    preparation = queries.open_preparation(session, enrolment)
    form = PreparationForm(obj=preparation if request.method == "GET" else None)
    competencies = list(enrolment.cohort.programme.framework.competencies)
    form.competencies.choices = [(c.id, f"{c.code} {c.title}") for c in competencies]
    if request.method == "GET" and preparation is not None:
        form.competencies.data = [c.id for c in preparation.competencies]
    if form.validate_on_submit():
        try:
            commands.save_preparation(
                session,
                enrolment,
                signed_in_user(),
                form.reflection.data or "",
                form.competencies.data or [],
            )
        except ConversationError as exc:
            refuse(form, exc)
            # The refusal rolled back (and expired) what was loaded: load the page again.
            enrolment = participant_enrolment(session, code, signed_in_user().public_id) or abort(
                404
            )
        else:
            flash("Saved your preparation: your coach will see it.", "success")
            return redirect(url_for(".index", cohort=enrolment.cohort.code))
    html = render_template(
        "lms/conversations/prepare.html",
        form=form,
        enrolment=enrolment,
        status=queries.status_of(session, enrolment),
        has_coach=access.coach_assignment(session, enrolment) is not None,
    )
    return (html, 400) if request.method == "POST" else html


# --- one conversation ---------------------------------------------------------------------


def render_show(conversation: Conversation, ack_form: AcknowledgeForm | None = None) -> str:
    """The record as the signed-in viewer may see it (private notes for their coach only)."""
    user = signed_in_user()
    enrolment = conversation.enrolment
    is_participant = user.id == enrolment.user_id
    if is_participant and not conversation.is_acknowledged and ack_form is None:
        ack_form = AcknowledgeForm()
    # The preparation is written for the coach: facilitators do not see it.
    sees_preparation = is_participant or access.is_coach_of(session, enrolment, user)
    sees_preparation = sees_preparation or conversation.coach_id == user.id
    return render_template(
        "lms/conversations/show.html",
        conversation=conversation,
        enrolment=enrolment,
        is_participant=is_participant,
        private_notes=access.private_notes_for(session, conversation, user),
        preparation=queries.preparation_for(session, conversation) if sees_preparation else None,
        reviews=queries.reviews_in(session, conversation),
        ack_form=ack_form if is_participant and not conversation.is_acknowledged else None,
        may_correct=access.may_correct(conversation, user),
        today=queries.today_for(enrolment),
    )


@bp.get("/<public_id>")
@login_required
def show(public_id: str) -> str:
    return render_show(_conversation_or_404(public_id))


@bp.post("/<public_id>/acknowledge")
@login_required
def acknowledge(public_id: str) -> Response | tuple[str, int]:
    conversation = _conversation_or_404(public_id)
    if conversation.enrolment.user_id != signed_in_user().id:
        abort(403)
    form = AcknowledgeForm()
    if form.validate_on_submit():
        try:
            commands.acknowledge_conversation(
                session, conversation, signed_in_user(), form.comment.data or ""
            )
        except ConversationError as exc:
            refuse(form, exc)
            conversation = _reloaded(public_id)
            if conversation.is_acknowledged:
                flash(exc.message, "error")
                return redirect(url_for(".show", public_id=conversation.public_id))
        else:
            flash("Thank you: you have acknowledged the record.", "success")
            return redirect(url_for(".show", public_id=conversation.public_id))
    return render_show(conversation, ack_form=form), 400


@bp.route("/<public_id>/edit", methods=["GET", "POST"])
@login_required
def edit(public_id: str) -> Response | str | tuple[str, int]:
    conversation = _conversation_or_404(public_id)
    if conversation.coach_id != signed_in_user().id:
        abort(403)
    if conversation.is_acknowledged:
        flash(
            "The participant has acknowledged this record: it can no longer be corrected.", "error"
        )
        return redirect(url_for(".show", public_id=conversation.public_id))
    competencies = conversation.competencies
    data: dict[str, Any] | None = None
    if request.method == "GET":
        data = {
            "held_on": conversation.held_on,
            "minutes": conversation.minutes,
            "mode": conversation.mode.value,
            "shared_notes": conversation.shared_notes,
            "private_notes": access.private_notes_for(session, conversation, signed_in_user())
            or "",
            "next_on": conversation.next_on,
            **{notes_name(f.competency_id): f.notes for f in conversation.focus},
        }
    form = correction_form(competencies, data)
    if form.validate_on_submit():
        try:
            commands.correct_conversation(
                session,
                conversation,
                signed_in_user(),
                CorrectionInput(
                    held_on=form["held_on"].data,
                    minutes=form["minutes"].data,
                    mode=form["mode"].data or "",
                    shared_notes=form["shared_notes"].data or "",
                    private_notes=form["private_notes"].data or "",
                    focus_notes=form.focus_notes(),
                    next_on=form["next_on"].data,
                ),
            )
        except ConversationError as exc:
            refuse(form, exc)
            conversation = _reloaded(public_id)
        else:
            flash("Saved your corrections.", "success")
            return redirect(url_for(".show", public_id=conversation.public_id))
    html = render_template("lms/conversations/edit.html", form=form, conversation=conversation)
    return (html, 400) if request.method == "POST" else html


# --- a coachee's conversations (coach and facilitator) ------------------------------------


@bp.get("/coachee/<cohort_code>/<participant_id>")
@login_required
def coachee(cohort_code: str, participant_id: str) -> str:
    enrolment = _coachee_or_404(cohort_code, participant_id)
    user = signed_in_user()
    is_coach = access.is_coach_of(session, enrolment, user)
    return render_template(
        "lms/conversations/coachee.html",
        enrolment=enrolment,
        participant=enrolment.user,
        conversations=queries.conversations_of(session, enrolment),
        status=queries.status_of(session, enrolment),
        is_coach=is_coach,
        preparation=queries.open_preparation(session, enrolment) if is_coach else None,
        confirm=ConfirmForm(),
        today=queries.today_for(enrolment),
    )


@bp.route("/coachee/<cohort_code>/<participant_id>/new", methods=["GET", "POST"])
@login_required
def new(cohort_code: str, participant_id: str) -> Response | str | tuple[str, int]:
    enrolment = _coachee_or_404(cohort_code, participant_id)
    coach = signed_in_user()
    if not access.is_coach_of(session, enrolment, coach):
        abort(403)
    framework = framework_of(session, enrolment)
    competencies = list(framework.competencies)
    levels = list(framework.scale.levels)
    open_actions = queries.open_actions(session, enrolment)
    preparation = queries.open_preparation(session, enrolment)
    data: dict[str, Any] | None = None
    if request.method == "GET":
        data = {"held_on": queries.today_for(enrolment)}
        if preparation is not None:
            data |= {focus_name(c.id): True for c in preparation.competencies}
    form = conversation_form(competencies, levels, open_actions, enrolment.user.name, data)
    if form.validate_on_submit():
        try:
            conversation = commands.record_conversation(
                session,
                enrolment,
                coach,
                ConversationInput(
                    held_on=form["held_on"].data,
                    minutes=form["minutes"].data,
                    mode=form["mode"].data or "",
                    focus=form.focus_inputs(),
                    shared_notes=form["shared_notes"].data or "",
                    private_notes=form["private_notes"].data or "",
                    actions=form.action_inputs(),
                    reviews=form.review_inputs(),
                    next_on=form["next_on"].data,
                ),
            )
        except ConversationError as exc:
            refuse(form, exc)
            # The refusal rolled back (and expired) what was loaded: load the page again.
            enrolment = _coachee_or_404(cohort_code, participant_id)
            framework = framework_of(session, enrolment)
            levels = list(framework.scale.levels)
            open_actions = queries.open_actions(session, enrolment)
            preparation = queries.open_preparation(session, enrolment)
        else:
            flash(
                f"Saved your conversation with {enrolment.user.name}. "
                "They can now read the shared record and acknowledge it.",
                "success",
            )
            return redirect(url_for(".show", public_id=conversation.public_id))
    html = render_template(
        "lms/conversations/form.html",
        form=form,
        enrolment=enrolment,
        participant=enrolment.user,
        framework=framework,
        levels=levels,
        open_actions=open_actions,
        preparation=preparation,
        today=queries.today_for(enrolment),
    )
    return (html, 400) if request.method == "POST" else html
