"""Who may see and do what in the conversations feature.

Who sees a conversation: the participant, the coach who recorded it, the participant's current
coach in that cohort, and the cohort's facilitators (and site administrators). Private notes are
read only through :func:`private_notes_for`, which answers for the coach who wrote them alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from insights_lms.auth.models import User
from insights_lms.cohorts.access import can_view_enrolment, participant_enrolment_for_viewer
from insights_lms.cohorts.models import CoachAssignment, Enrolment
from insights_lms.conversations.models import (
    ActionOwner,
    AgreedAction,
    Conversation,
    PrivateNote,
)
from insights_lms.conversations.queries import conversation_by_public_id


def coach_assignment(session: Session, enrolment: Enrolment) -> CoachAssignment | None:
    return session.scalar(
        sa.select(CoachAssignment).where(
            CoachAssignment.cohort_id == enrolment.cohort_id,
            CoachAssignment.participant_id == enrolment.user_id,
        )
    )


def is_coach_of(session: Session, enrolment: Enrolment, user: User) -> bool:
    """Whether ``user`` is the participant's current coach in the enrolment's cohort."""
    assignment = coach_assignment(session, enrolment)
    return assignment is not None and assignment.coach_id == user.id


def can_view(session: Session, viewer: User, conversation: Conversation) -> bool:
    """Everyone who may see the participant's conversations, and the coach who recorded it."""
    if conversation.coach_id is not None and viewer.id == conversation.coach_id:
        return True
    return can_view_enrolment(session, viewer, conversation.enrolment)


def conversation_for_viewer(session: Session, public_id: str, viewer: User) -> Conversation | None:
    """The conversation if ``viewer`` may see it, else None (the view answers 404 either way)."""
    conversation = conversation_by_public_id(session, public_id)
    if conversation is None or not can_view(session, viewer, conversation):
        return None
    return conversation


def coachee_for_viewer(
    session: Session, viewer: User, cohort_code: str, participant_public_id: str
) -> Enrolment | None:
    """A participant's enrolment if ``viewer`` is their coach there or facilitates the cohort
    (the participant themself uses their own pages, so they get None here)."""
    enrolment = participant_enrolment_for_viewer(
        session, viewer, cohort_code, participant_public_id
    )
    if enrolment is None or viewer.id == enrolment.user_id:
        return None
    return enrolment


def action_for_viewer(session: Session, public_id: str, viewer: User) -> AgreedAction | None:
    action = session.scalar(sa.select(AgreedAction).where(AgreedAction.public_id == public_id))
    if action is None or not can_view(session, viewer, action.conversation):
        return None
    return action


def may_complete(session: Session, action: AgreedAction, user: User) -> bool:
    """The participant may mark their own actions done; their coach may mark any of them."""
    enrolment = action.conversation.enrolment
    if user.id == enrolment.user_id:
        return action.owner == ActionOwner.PARTICIPANT
    return is_coach_of(session, enrolment, user)


def may_correct(conversation: Conversation, user: User) -> bool:
    return conversation.coach_id == user.id and not conversation.is_acknowledged


def private_notes_for(session: Session, conversation: Conversation, viewer: User) -> str | None:
    """The private notes, for the coach who wrote them; None for everyone else (whatever
    their other roles: a facilitator or administrator never reads them)."""
    note = session.scalar(
        sa.select(PrivateNote).where(PrivateNote.conversation_id == conversation.id)
    )
    if note is None or note.coach_id is None or note.coach_id != viewer.id:
        return None
    return note.text
