"""Recording developmental conversations, reviewing agreed actions, preparing and acknowledging.

A record can be corrected by its coach (date, length, way of meeting, notes, next date) until
the participant acknowledges it. The competencies in focus, the ratings and the agreed levels
cannot be corrected: they are ratings, which are history (a later conversation records new
ones), and the agreed actions change only through their status.

Everything is checked (:mod:`insights_lms.conversations.validation`) before anything is
written; the commands flush and send their signals, and never commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from insights_lms import signals
from insights_lms.auth.models import User
from insights_lms.cohorts.models import Enrolment
from insights_lms.competencies.models import Competency, Level
from insights_lms.conversations.access import coach_assignment, is_coach_of, may_complete
from insights_lms.conversations.fields import notes_name
from insights_lms.conversations.models import (
    NOTES_MAX,
    SHORT_MAX,
    ActionStatus,
    ActionUpdate,
    AgreedAction,
    Conversation,
    ConversationFocus,
    Preparation,
    PrivateNote,
)
from insights_lms.conversations.queries import open_preparation
from insights_lms.conversations.validation import (
    ConversationError,
    ConversationInput,
    CorrectionInput,
    check_actions,
    check_focus,
    check_meeting,
    check_reviews,
    check_text,
    framework_competencies,
)
from insights_lms.db import utcnow
from insights_lms.enums import CohortRole
from insights_lms.ratings.models import CompetencyRating, RatingKind
from insights_lms.ratings.services import RatingError, record_rating


def _rating_note(held_on: dt.date) -> str:
    return f"From the developmental conversation of {held_on.strftime('%-d %B %Y')}."


def _rate(
    session: Session,
    enrolment: Enrolment,
    competency: Competency,
    level: Level | None,
    coach: User,
    kind: RatingKind,
    note: str,
    now: dt.datetime,
) -> CompetencyRating | None:
    if level is None:
        return None
    try:
        return record_rating(session, enrolment, competency, level, coach, kind, note=note, now=now)
    except RatingError as exc:  # checked above; kept for rules the ratings service adds later
        raise ConversationError(str(exc)) from exc


def _apply_review(
    session: Session,
    action: AgreedAction,
    decision: ActionStatus,
    comment: str,
    user: User,
    now: dt.datetime,
    conversation: Conversation | None = None,
) -> ActionUpdate | None:
    """Record a decision about an open action; keeping it open without a comment records
    nothing (there is nothing to say)."""
    if decision == ActionStatus.OPEN and not comment:
        return None
    update = ActionUpdate(
        action=action,
        conversation=conversation,
        status=decision,
        comment=comment,
        by=user,
        updated_dt=now,
    )
    session.add(update)
    if decision != action.status:
        action.status = decision
        action.status_dt = now
    return update


def record_conversation(
    session: Session,
    enrolment: Enrolment,
    coach: User,
    data: ConversationInput,
    now: dt.datetime | None = None,
) -> Conversation:
    """Record a conversation with everything agreed in it, in one go.

    Everything is checked before anything is written, so a refusal changes nothing. The
    coach's ratings and agreed levels are recorded through the ratings service (and linked
    from the focus rows); the participant's open preparation is attached; open actions under
    review are updated. Sends ``conversation_recorded``, ``action_agreed`` for each new action
    and ``action_completed`` for each action reviewed as done.
    """
    if enrolment.role != CohortRole.PARTICIPANT or not is_coach_of(session, enrolment, coach):
        raise ConversationError("Only the participant's coach can record a conversation.")
    now = now or utcnow()
    held_on, minutes, mode = check_meeting(
        enrolment, data.held_on, data.minutes, data.mode, data.next_on
    )
    focus = check_focus(session, enrolment, data.focus)
    shared = check_text(data.shared_notes, NOTES_MAX, "Keep the shared notes", "shared_notes")
    private = check_text(data.private_notes, NOTES_MAX, "Keep the private notes", "private_notes")
    actions = check_actions(session, enrolment, held_on, data.actions)
    reviews = check_reviews(session, enrolment, data.reviews)

    conversation = Conversation(
        enrolment=enrolment,
        coach=coach,
        held_on=held_on,
        minutes=minutes,
        mode=mode,
        shared_notes=shared,
        next_on=data.next_on,
        recorded_dt=now,
        updated_dt=now,
    )
    session.add(conversation)
    session.flush()
    session.add(
        PrivateNote(
            conversation_id=conversation.id, coach_id=coach.id, text=private, updated_dt=now
        )
    )
    note = _rating_note(held_on)
    for position, item in enumerate(focus):
        conversation.focus.append(
            ConversationFocus(
                competency=item.competency,
                position=position,
                notes=item.notes,
                coach_rating=_rate(
                    session,
                    enrolment,
                    item.competency,
                    item.coach_level,
                    coach,
                    RatingKind.COACH,
                    note,
                    now,
                ),
                agreed_rating=_rate(
                    session,
                    enrolment,
                    item.competency,
                    item.agreed_level,
                    coach,
                    RatingKind.AGREED,
                    note,
                    now,
                ),
            )
        )
    for position, action in enumerate(actions):
        conversation.actions.append(
            AgreedAction(
                position=position,
                description=action.description,
                owner=action.owner,
                due_on=action.due_on,
                competency=action.competency,
                status=ActionStatus.OPEN,
                status_dt=now,
            )
        )
    completed: list[AgreedAction] = []
    for reviewed, decision, comment in reviews:
        _apply_review(session, reviewed, decision, comment, coach, now, conversation)
        if decision == ActionStatus.DONE:
            completed.append(reviewed)
    preparation = open_preparation(session, enrolment)
    if preparation is not None:
        preparation.conversation = conversation
    session.flush()
    signals.conversation_recorded.send(conversation, user=coach)
    for new_action in conversation.actions:
        signals.action_agreed.send(new_action, user=coach)
    for done in completed:
        signals.action_completed.send(done, user=coach)
    return conversation


def correct_conversation(
    session: Session,
    conversation: Conversation,
    coach: User,
    data: CorrectionInput,
    now: dt.datetime | None = None,
) -> Conversation:
    """Correct a record (its coach only, until the participant acknowledges it); sends
    ``conversation_recorded`` again with ``corrected=True``."""
    if conversation.coach_id != coach.id:
        raise ConversationError("Only the coach who recorded this conversation can correct it.")
    if conversation.is_acknowledged:
        raise ConversationError(
            "The participant has acknowledged this record, so it can no longer be corrected."
        )
    enrolment = conversation.enrolment
    held_on, minutes, mode = check_meeting(
        enrolment, data.held_on, data.minutes, data.mode, data.next_on
    )
    if any(a.due_on is not None and a.due_on < held_on for a in conversation.actions):
        raise ConversationError(
            "An agreed action would then be due before the conversation: keep the date on or "
            "before the earliest due date.",
            "held_on",
        )
    shared = check_text(data.shared_notes, NOTES_MAX, "Keep the shared notes", "shared_notes")
    private = check_text(data.private_notes, NOTES_MAX, "Keep the private notes", "private_notes")
    focus_notes = {
        f.competency_id: check_text(
            data.focus_notes.get(f.competency_id, f.notes),
            SHORT_MAX,
            f"Keep the notes on {f.competency.code}",
            notes_name(f.competency_id),
        )
        for f in conversation.focus
    }
    now = now or utcnow()
    conversation.held_on, conversation.minutes, conversation.mode = held_on, minutes, mode
    conversation.shared_notes, conversation.next_on = shared, data.next_on
    conversation.updated_dt = now
    for item in conversation.focus:
        item.notes = focus_notes[item.competency_id]
    note = session.scalar(
        sa.select(PrivateNote).where(PrivateNote.conversation_id == conversation.id)
    )
    if note is None:
        session.add(
            PrivateNote(
                conversation_id=conversation.id, coach_id=coach.id, text=private, updated_dt=now
            )
        )
    else:
        note.text, note.updated_dt = private, now
    session.flush()
    signals.conversation_recorded.send(conversation, user=coach, corrected=True)
    return conversation


def acknowledge_conversation(
    session: Session,
    conversation: Conversation,
    participant: User,
    comment: str = "",
    now: dt.datetime | None = None,
) -> Conversation:
    """The participant acknowledges the record (once), optionally commenting on it."""
    if conversation.enrolment.user_id != participant.id:
        raise ConversationError("Only the participant can acknowledge the record.")
    if conversation.is_acknowledged:
        raise ConversationError("You have already acknowledged this record.")
    conversation.participant_comment = check_text(
        comment, SHORT_MAX, "Keep your comment", "comment"
    )
    conversation.acknowledged_dt = now or utcnow()
    session.flush()
    signals.conversation_acknowledged.send(conversation, user=participant)
    return conversation


def complete_action(
    session: Session,
    action: AgreedAction,
    user: User,
    comment: str = "",
    now: dt.datetime | None = None,
) -> AgreedAction:
    """Mark an open action done: the participant their own actions, the coach any of them.
    Sends ``action_completed``."""
    if not may_complete(session, action, user):
        if user.id == action.conversation.enrolment.user_id:
            raise ConversationError(
                "This action is your coach's: they will review it with you at your next "
                "conversation."
            )
        raise ConversationError("Only the participant or their coach can mark an action done.")
    if not action.is_open:
        raise ConversationError(f"This action is already {action.status.label.lower()}.")
    comment = check_text(comment, SHORT_MAX, "Keep the comment", "comment")
    _apply_review(session, action, ActionStatus.DONE, comment, user, now or utcnow())
    session.flush()
    signals.action_completed.send(action, user=user)
    return action


def save_preparation(
    session: Session,
    enrolment: Enrolment,
    participant: User,
    reflection: str,
    competency_ids: Iterable[int],
    now: dt.datetime | None = None,
) -> Preparation:
    """Save the participant's preparation for their next conversation (changing it until the
    coach records that conversation)."""
    if enrolment.user_id != participant.id or enrolment.role != CohortRole.PARTICIPANT:
        raise ConversationError("Only the participant can prepare for their conversation.")
    if coach_assignment(session, enrolment) is None:
        raise ConversationError(
            "You do not have a coach yet: you can prepare once your facilitator matches you."
        )
    ids = set(competency_ids)
    framework = framework_competencies(session, enrolment)
    if any(i not in framework for i in ids):
        raise ConversationError("Choose competencies from your framework.", "competencies")
    reflection = check_text(reflection, SHORT_MAX, "Keep your reflection", "reflection")
    if not ids and not reflection:
        raise ConversationError(
            "Choose the competencies you want to discuss, or write a few lines about them.",
            "competencies",
        )
    now = now or utcnow()
    preparation = open_preparation(session, enrolment)
    if preparation is None:
        preparation = Preparation(enrolment=enrolment, created_dt=now)
        session.add(preparation)
    preparation.reflection = reflection
    preparation.competencies = sorted((framework[i] for i in ids), key=lambda c: c.position)
    preparation.updated_dt = now
    session.flush()
    return preparation
