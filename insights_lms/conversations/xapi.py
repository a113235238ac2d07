"""xAPI statements for the conversations feature's domain signals (connected by ``connect()``).

A developmental conversation is stated from the participant's side: the participant
``attended`` the conversation (an ADL ``meeting``) with their coach as ``context.instructor``.
The participant is the actor because the statement is about their learning: the agreed levels
in the result are *their* levels (a result belongs to the actor; with the coach as actor of
TinCan ``mentored`` they would read as the coach's), the registration is their enrolment, and a
query for the participant's record finds the conversation. The coach stays identified, as the
instructor.

No statement carries any free text the coach or participant wrote: not the private notes
(never), and not the shared notes, the notes per competency, the participant's comment or
their preparation either, since an LRS keeps statements for ever and shares them more widely
than the app. The statements carry dates, the length, the way of meeting, the competencies in
focus, the agreed levels and the agreed actions (their wording is the name of the action).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import tincan

from insights_lms import signals
from insights_lms.auth.models import User
from insights_lms.conversations.models import ActionOwner, AgreedAction, Conversation
from insights_lms.ratings.models import CompetencyRating
from insights_lms.xapi import outbox
from insights_lms.xapi.options import XapiOptions, options_for
from insights_lms.xapi.receivers import connect_receivers, session_of
from insights_lms.xapi.statements import (
    activity,
    agent,
    competency_activity,
    competency_iri,
    context,
    result_extensions,
    statement,
    to_json,
    voiding,
)
from insights_lms.xapi.vocabulary import (
    ActivityStreamsVerbs,
    ADLActivityTypes,
    ADLVerbs,
    Extensions,
)

# The ``event`` recorded with each statement.
CONVERSATION_RECORDED = "conversation.recorded"
CONVERSATION_ACKNOWLEDGED = "conversation.acknowledged"
ACTION_AGREED = "action.agreed"
ACTION_COMPLETED = "action.completed"

#: Context extension: how the conversation was held (``in_person`` or ``online``).
MODE = "conversation-mode"
#: Result extension: the levels agreed, by competency IRI, each in the ``level`` shape.
AGREED_LEVELS = "agreed-levels"
#: Context extension: who will do an agreed action (``participant`` or ``coach``).
ACTION_OWNER = "action-owner"
#: Context extension: the day an agreed action is due (ISO date).
DUE_ON = "due-on"


# --- identifiers and activities -----------------------------------------------------------


def conversation_iri(base_iri: str, conversation: Conversation) -> str:
    return f"{base_iri}conversations/{conversation.public_id}"


def action_iri(base_iri: str, action: AgreedAction) -> str:
    return f"{conversation_iri(base_iri, action.conversation)}/actions/{action.public_id}"


def conversation_activity(conversation: Conversation, options: XapiOptions) -> tincan.Activity:
    when = conversation.held_on.strftime("%-d %B %Y")
    return activity(
        conversation_iri(options.base_iri, conversation),
        ADLActivityTypes.MEETING,
        f"Developmental conversation, {when}",
    )


def action_activity(action: AgreedAction, options: XapiOptions) -> tincan.Activity:
    """An agreed action is something to do in practice: an ADL ``performance``."""
    return activity(
        action_iri(options.base_iri, action), ADLActivityTypes.PERFORMANCE, action.description
    )


def _level(rating: CompetencyRating) -> dict[str, Any]:
    level = rating.level
    return {"value": level.value, "code": level.code, "title": level.title}


def _coach_agent(conversation: Conversation, options: XapiOptions) -> tincan.Agent | None:
    return agent(conversation.coach, options) if conversation.coach is not None else None


# --- statements ---------------------------------------------------------------------------


def conversation_held(conversation: Conversation, options: XapiOptions) -> tincan.Statement:
    """The participant attended the conversation; the coach is the instructor; the length is
    the duration; the agreed levels are a result extension."""
    enrolment = conversation.enrolment
    agreed = {
        competency_iri(options.base_iri, f.competency): _level(f.agreed_rating)
        for f in conversation.focus
        if f.agreed_rating is not None
    }
    result = tincan.Result(duration=dt.timedelta(minutes=conversation.minutes))
    if agreed:
        result.extensions = result_extensions(options, {AGREED_LEVELS: agreed})
    return statement(
        agent(enrolment.user, options),
        ADLVerbs.ATTENDED,
        conversation_activity(conversation, options),
        conversation.recorded_dt,
        result=result,
        context=context(
            options,
            enrolment.cohort,
            registration=enrolment.registration,
            other=[competency_activity(f.competency, options) for f in conversation.focus],
            instructor=_coach_agent(conversation, options),
            extensions={
                Extensions.OCCURRED_ON: conversation.held_on.isoformat(),
                MODE: conversation.mode.value,
            },
        ),
    )


def conversation_acknowledged(conversation: Conversation, options: XapiOptions) -> tincan.Statement:
    """The participant acknowledged the record (their comment is not stated)."""
    enrolment = conversation.enrolment
    return statement(
        agent(enrolment.user, options),
        ActivityStreamsVerbs.ACKNOWLEDGE,
        conversation_activity(conversation, options),
        conversation.acknowledged_dt,
        context=context(
            options,
            enrolment.cohort,
            registration=enrolment.registration,
            other=[competency_activity(f.competency, options) for f in conversation.focus],
            instructor=_coach_agent(conversation, options),
        ),
    )


def _action_context(
    action: AgreedAction, options: XapiOptions, *, instructor: tincan.Agent | None
) -> tincan.Context:
    conversation = action.conversation
    enrolment = conversation.enrolment
    extensions: dict[str, Any] = {ACTION_OWNER: action.owner.value}
    if action.due_on is not None:
        extensions[DUE_ON] = action.due_on.isoformat()
    return context(
        options,
        enrolment.cohort,
        registration=enrolment.registration,
        parent=[conversation_activity(conversation, options)],
        other=[competency_activity(action.competency, options)] if action.competency else [],
        instructor=instructor,
        extensions=extensions,
    )


def action_agreed(action: AgreedAction, options: XapiOptions) -> tincan.Statement:
    """The participant agreed the action with their coach (whoever will do it)."""
    conversation = action.conversation
    return statement(
        agent(conversation.enrolment.user, options),
        ActivityStreamsVerbs.AGREE,
        action_activity(action, options),
        conversation.recorded_dt,
        context=_action_context(action, options, instructor=_coach_agent(conversation, options)),
    )


def completed_by(action: AgreedAction, marked_by: User | None = None) -> User:
    """Who did the action: the participant, or the coach for the coach's own actions (whoever
    marked it done in the app)."""
    conversation = action.conversation
    participant = conversation.enrolment.user
    if action.owner == ActionOwner.PARTICIPANT:
        return participant
    return conversation.coach or marked_by or participant


def action_completed(
    action: AgreedAction, options: XapiOptions, marked_by: User | None = None
) -> tincan.Statement:
    """Whoever the action was for completed it: the participant (the coach as instructor), or
    the coach (then the actor; the registration stays the participant's)."""
    conversation = action.conversation
    actor = completed_by(action, marked_by)
    instructor = None
    if actor.id == conversation.enrolment.user_id:
        instructor = _coach_agent(conversation, options)
    return statement(
        agent(actor, options),
        ADLVerbs.COMPLETED,
        action_activity(action, options),
        action.status_dt,
        result=tincan.Result(completion=True),
        context=_action_context(action, options, instructor=instructor),
    )


# --- receivers ----------------------------------------------------------------------------


def _stated(data: dict[str, Any]) -> tuple[Any, Any, Any]:
    """What a correction can change in the statement of a conversation."""
    stated_context = data.get("context", {})
    other = [a["id"] for a in stated_context.get("contextActivities", {}).get("other", [])]
    return data.get("result"), stated_context.get("extensions"), other


def on_conversation_recorded(sender: Conversation, **kwargs: Any) -> None:
    """State the conversation; after a correction, void the statement it replaces and state
    it again, unless only the notes changed (which no statement carries)."""
    session = session_of(sender)
    options = options_for(session)
    held = conversation_held(sender, options)
    participant = sender.enrolment.user
    if kwargs.get("corrected"):
        standing = outbox.standing_statements(
            session,
            conversation_iri(options.base_iri, sender),
            [ADLVerbs.ATTENDED.iri],
            registration=sender.enrolment.registration,
        )
        fresh = _stated(to_json(held))
        if [_stated(row.statement) for row in standing] == [fresh]:
            return
        corrector = kwargs.get("user") or sender.coach or participant
        for row in reversed(standing):
            void = voiding(
                row.statement_id,
                corrector,
                options,
                registration=sender.enrolment.registration,
                timestamp=sender.updated_dt,
            )
            outbox.queue(session, void, event=CONVERSATION_RECORDED, actor_name=corrector.public_id)
    outbox.queue(session, held, event=CONVERSATION_RECORDED, actor_name=participant.public_id)


def on_conversation_acknowledged(sender: Conversation, **_: Any) -> None:
    session = session_of(sender)
    acknowledged = conversation_acknowledged(sender, options_for(session))
    outbox.queue(
        session,
        acknowledged,
        event=CONVERSATION_ACKNOWLEDGED,
        actor_name=sender.enrolment.user.public_id,
    )


def on_action_agreed(sender: AgreedAction, **_: Any) -> None:
    session = session_of(sender)
    agreed = action_agreed(sender, options_for(session))
    outbox.queue(
        session,
        agreed,
        event=ACTION_AGREED,
        actor_name=sender.conversation.enrolment.user.public_id,
    )


def on_action_completed(sender: AgreedAction, **kwargs: Any) -> None:
    session = session_of(sender)
    actor = completed_by(sender, kwargs.get("user"))
    completed = action_completed(sender, options_for(session), actor)
    outbox.queue(session, completed, event=ACTION_COMPLETED, actor_name=actor.public_id)


RECEIVERS = (
    (signals.conversation_recorded, on_conversation_recorded),
    (signals.conversation_acknowledged, on_conversation_acknowledged),
    (signals.action_agreed, on_action_agreed),
    (signals.action_completed, on_action_completed),
)


def connect() -> None:
    """Connect the conversation statements to their signals (safe to call again)."""
    connect_receivers(RECEIVERS)
