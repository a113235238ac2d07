"""Recording developmental conversations, reviewing agreed actions, preparing and acknowledging,
and who may see what of them.

Who sees a conversation: the participant, the coach who recorded it, the participant's current
coach in that cohort, and the cohort's facilitators (and site administrators). Private notes are
read only through :func:`private_notes_for`, which answers for the coach who wrote them alone.

A record can be corrected by its coach (date, length, way of meeting, notes, next date) until
the participant acknowledges it. The competencies in focus, the ratings and the agreed levels
cannot be corrected: they are ratings, which are history (a later conversation records new
ones), and the agreed actions change only through their status.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from insights_lms import signals
from insights_lms.auth.models import User
from insights_lms.cohorts.access import can_facilitate
from insights_lms.cohorts.models import CoachAssignment, Cohort, Enrolment
from insights_lms.competencies.models import Competency, Level
from insights_lms.conversations.models import (
    ACTION_MAX,
    NOTES_MAX,
    SHORT_MAX,
    ActionOwner,
    ActionStatus,
    ActionUpdate,
    AgreedAction,
    Conversation,
    ConversationFocus,
    ConversationMode,
    Preparation,
    PrivateNote,
)
from insights_lms.db import utcnow
from insights_lms.enums import CohortRole
from insights_lms.errors import DomainError
from insights_lms.ratings.models import CompetencyRating, RatingKind
from insights_lms.ratings.services import RatingError, record_rating

#: The longest conversation that can be recorded, in minutes (a working day).
MAX_MINUTES = 480


class ConversationError(DomainError):
    """The conversation (or action, or preparation) cannot be saved as given; ``field`` names
    the form field at fault."""


# --- form field names (shared with the forms, so that errors land beside their field) -----


def focus_name(competency_id: int) -> str:
    return f"focus_{competency_id}"


def coach_level_name(competency_id: int) -> str:
    return f"coach_level_{competency_id}"


def agreed_level_name(competency_id: int) -> str:
    return f"agreed_level_{competency_id}"


def notes_name(competency_id: int) -> str:
    return f"notes_{competency_id}"


def action_name(row: int, part: str) -> str:
    """``part`` is description, owner, due or competency; rows count from 1."""
    return f"action_{row}_{part}"


def review_name(action_id: int) -> str:
    return f"review_{action_id}"


def review_comment_name(action_id: int) -> str:
    return f"review_{action_id}_comment"


# --- input --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FocusInput:
    """A competency in focus: shared notes, and optionally the coach's rating and the level
    coach and participant agreed (level ids of the framework's scale)."""

    competency_id: int
    notes: str = ""
    coach_level_id: int | None = None
    agreed_level_id: int | None = None


@dataclass(frozen=True)
class ActionInput:
    """One row of the agreed actions; a row with nothing in it is skipped."""

    description: str = ""
    owner: ActionOwner | str = ActionOwner.PARTICIPANT
    due_on: dt.date | None = None
    competency_id: int | None = None

    @property
    def is_blank(self) -> bool:
        return not self.description.strip() and self.due_on is None and not self.competency_id


@dataclass(frozen=True)
class ActionReview:
    """What was decided about an open action from an earlier conversation."""

    action_id: int
    decision: ActionStatus | str = ActionStatus.OPEN
    comment: str = ""


@dataclass(frozen=True)
class ConversationInput:
    held_on: dt.date
    minutes: int
    mode: ConversationMode | str
    focus: Sequence[FocusInput]
    shared_notes: str = ""
    private_notes: str = ""
    actions: Sequence[ActionInput] = ()
    reviews: Sequence[ActionReview] = ()
    next_on: dt.date | None = None


@dataclass(frozen=True)
class CorrectionInput:
    """What a coach may correct before the participant acknowledges the record."""

    held_on: dt.date
    minutes: int
    mode: ConversationMode | str
    shared_notes: str = ""
    private_notes: str = ""
    focus_notes: dict[int, str] = field(default_factory=dict)  # by competency id
    next_on: dt.date | None = None


# --- who is who ---------------------------------------------------------------------------


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


def can_view_enrolment(session: Session, viewer: User, enrolment: Enrolment) -> bool:
    """The participant, their current coach, the cohort's facilitators (and administrators)."""
    if enrolment.role != CohortRole.PARTICIPANT:
        return False
    if viewer.id == enrolment.user_id or is_coach_of(session, enrolment, viewer):
        return True
    return can_facilitate(session, viewer, enrolment.cohort)


def can_view(session: Session, viewer: User, conversation: Conversation) -> bool:
    """Everyone who may see the participant's conversations, and the coach who recorded it."""
    if conversation.coach_id is not None and viewer.id == conversation.coach_id:
        return True
    return can_view_enrolment(session, viewer, conversation.enrolment)


def conversation_for_viewer(session: Session, public_id: str, viewer: User) -> Conversation | None:
    """The conversation if ``viewer`` may see it, else None (the view answers 404 either way)."""
    conversation = session.scalar(
        sa.select(Conversation).where(Conversation.public_id == public_id)
    )
    if conversation is None or not can_view(session, viewer, conversation):
        return None
    return conversation


def participant_enrolment_in(
    session: Session, cohort_code: str, participant_public_id: str
) -> Enrolment | None:
    return session.scalar(
        sa.select(Enrolment)
        .join(Enrolment.cohort)
        .join(Enrolment.user)
        .where(
            Cohort.code == cohort_code,
            User.public_id == participant_public_id,
            Enrolment.role == CohortRole.PARTICIPANT,
        )
    )


def coachee_for_viewer(
    session: Session, viewer: User, cohort_code: str, participant_public_id: str
) -> Enrolment | None:
    """A participant's enrolment if ``viewer`` is their coach there or facilitates the cohort
    (the participant themself uses their own pages, so they get None here)."""
    enrolment = participant_enrolment_in(session, cohort_code, participant_public_id)
    if enrolment is None or viewer.id == enrolment.user_id:
        return None
    if not can_view_enrolment(session, viewer, enrolment):
        return None
    return enrolment


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


# --- checks -------------------------------------------------------------------------------


def _today(enrolment: Enrolment) -> dt.date:
    return dt.datetime.now(ZoneInfo(enrolment.cohort.programme.time_zone)).date()


def _check_text(text: str, limit: int, message: str, name: str) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        raise ConversationError(f"{message} to {limit:,} characters or fewer.", name)
    return text


def _check_meeting(
    enrolment: Enrolment,
    held_on: dt.date | None,
    minutes: int | None,
    mode: ConversationMode | str,
    next_on: dt.date | None,
) -> tuple[dt.date, int, ConversationMode]:
    if held_on is None:
        raise ConversationError("Enter the date of the conversation.", "held_on")
    if held_on > _today(enrolment):
        raise ConversationError(
            "The conversation's date cannot be in the future: record it once it has happened.",
            "held_on",
        )
    if minutes is None or not 1 <= minutes <= MAX_MINUTES:
        raise ConversationError(
            f"Enter how long the conversation lasted, in minutes (1 to {MAX_MINUTES}).", "minutes"
        )
    try:
        checked_mode = ConversationMode(mode)
    except ValueError:
        raise ConversationError("Choose in person or online.", "mode") from None
    if next_on is not None and next_on <= held_on:
        raise ConversationError(
            "The next conversation must be after this one: choose a later date.", "next_on"
        )
    return held_on, minutes, checked_mode


def _framework_competencies(session: Session, enrolment: Enrolment) -> dict[int, Competency]:
    framework_id = enrolment.cohort.programme.framework_id
    return {
        c.id: c
        for c in session.scalars(
            sa.select(Competency).where(Competency.framework_id == framework_id)
        )
    }


def _scale_levels(enrolment: Enrolment) -> dict[int, Level]:
    return {level.id: level for level in enrolment.cohort.programme.framework.scale.levels}


@dataclass
class _CheckedFocus:
    competency: Competency
    notes: str
    coach_level: Level | None
    agreed_level: Level | None


def _check_focus(
    session: Session, enrolment: Enrolment, focus: Sequence[FocusInput]
) -> list[_CheckedFocus]:
    if not focus:
        raise ConversationError(
            "Choose at least one competency in focus: tick “In focus” beside it."
        )
    competencies = _framework_competencies(session, enrolment)
    levels = _scale_levels(enrolment)
    checked: list[_CheckedFocus] = []
    seen: set[int] = set()
    for item in focus:
        competency = competencies.get(item.competency_id)
        if competency is None:
            raise ConversationError("Choose competencies from the participant's framework.")
        if competency.id in seen:
            continue
        seen.add(competency.id)
        notes = _check_text(
            item.notes, SHORT_MAX, f"Keep the notes on {competency.code}", notes_name(competency.id)
        )
        found: list[Level | None] = []
        for level_id, name in (
            (item.coach_level_id, coach_level_name(competency.id)),
            (item.agreed_level_id, agreed_level_name(competency.id)),
        ):
            if level_id is not None and level_id not in levels:
                raise ConversationError(f"Choose one of the levels for {competency.code}.", name)
            found.append(levels[level_id] if level_id is not None else None)
        checked.append(_CheckedFocus(competency, notes, found[0], found[1]))
    checked.sort(key=lambda f: f.competency.position)
    return checked


@dataclass
class _CheckedAction:
    description: str
    owner: ActionOwner
    due_on: dt.date | None
    competency: Competency | None


def _check_actions(
    session: Session, enrolment: Enrolment, held_on: dt.date, actions: Sequence[ActionInput]
) -> list[_CheckedAction]:
    competencies = _framework_competencies(session, enrolment)
    checked: list[_CheckedAction] = []
    for row, item in enumerate(actions, start=1):
        if item.is_blank:
            continue
        description = item.description.strip()
        if not description:
            raise ConversationError(
                f"Say what action {row} is, or clear its due date and competency.",
                action_name(row, "description"),
            )
        if len(description) > ACTION_MAX:
            raise ConversationError(
                f"Keep action {row} to {ACTION_MAX} characters or fewer.",
                action_name(row, "description"),
            )
        try:
            owner = ActionOwner(item.owner)
        except ValueError:
            raise ConversationError(
                f"Choose who will do action {row}.", action_name(row, "owner")
            ) from None
        if item.due_on is not None and item.due_on < held_on:
            raise ConversationError(
                f"Action {row} cannot be due before the conversation.", action_name(row, "due")
            )
        competency = None
        if item.competency_id:
            competency = competencies.get(item.competency_id)
            if competency is None:
                raise ConversationError(
                    "Link actions to competencies of the participant's framework.",
                    action_name(row, "competency"),
                )
        checked.append(_CheckedAction(description, owner, item.due_on, competency))
    return checked


def _check_reviews(
    session: Session, enrolment: Enrolment, reviews: Sequence[ActionReview]
) -> list[tuple[AgreedAction, ActionStatus, str]]:
    if not reviews:
        return []
    actions = {a.id: a for a in open_actions(session, enrolment)}
    checked: list[tuple[AgreedAction, ActionStatus, str]] = []
    for review in reviews:
        action = actions.get(review.action_id)
        if action is None:
            raise ConversationError(
                "One of the actions under review is no longer open: reload the page and review "
                "the actions again."
            )
        try:
            decision = ActionStatus(review.decision)
        except ValueError:
            raise ConversationError(
                "Choose done, keep open or drop for each action.", review_name(action.id)
            ) from None
        comment = _check_text(
            review.comment, SHORT_MAX, "Keep the comment", review_comment_name(action.id)
        )
        if decision == ActionStatus.DROPPED and not comment:
            raise ConversationError(
                "Say why the action is dropped.", review_comment_name(action.id)
            )
        checked.append((action, decision, comment))
    return checked


# --- recording ----------------------------------------------------------------------------


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
    held_on, minutes, mode = _check_meeting(
        enrolment, data.held_on, data.minutes, data.mode, data.next_on
    )
    focus = _check_focus(session, enrolment, data.focus)
    shared = _check_text(data.shared_notes, NOTES_MAX, "Keep the shared notes", "shared_notes")
    private = _check_text(data.private_notes, NOTES_MAX, "Keep the private notes", "private_notes")
    actions = _check_actions(session, enrolment, held_on, data.actions)
    reviews = _check_reviews(session, enrolment, data.reviews)

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
    held_on, minutes, mode = _check_meeting(
        enrolment, data.held_on, data.minutes, data.mode, data.next_on
    )
    if any(a.due_on is not None and a.due_on < held_on for a in conversation.actions):
        raise ConversationError(
            "An agreed action would then be due before the conversation: keep the date on or "
            "before the earliest due date.",
            "held_on",
        )
    shared = _check_text(data.shared_notes, NOTES_MAX, "Keep the shared notes", "shared_notes")
    private = _check_text(data.private_notes, NOTES_MAX, "Keep the private notes", "private_notes")
    focus_notes = {
        f.competency_id: _check_text(
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
    conversation.participant_comment = _check_text(
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
    comment = _check_text(comment, SHORT_MAX, "Keep the comment", "comment")
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
    framework = _framework_competencies(session, enrolment)
    if any(i not in framework for i in ids):
        raise ConversationError("Choose competencies from your framework.", "competencies")
    reflection = _check_text(reflection, SHORT_MAX, "Keep your reflection", "reflection")
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


# --- reading ------------------------------------------------------------------------------


def _with_details() -> list[Any]:
    return [
        selectinload(Conversation.focus).selectinload(ConversationFocus.competency),
        selectinload(Conversation.focus)
        .selectinload(ConversationFocus.coach_rating)
        .selectinload(CompetencyRating.level),
        selectinload(Conversation.focus)
        .selectinload(ConversationFocus.agreed_rating)
        .selectinload(CompetencyRating.level),
        selectinload(Conversation.actions).selectinload(AgreedAction.competency),
        selectinload(Conversation.coach),
    ]


def conversations_of(session: Session, enrolment: Enrolment) -> list[Conversation]:
    """The participant's conversations in one enrolment, newest first."""
    return list(
        session.scalars(
            sa.select(Conversation)
            .where(Conversation.enrolment_id == enrolment.id)
            .options(*_with_details())
            .order_by(Conversation.held_on.desc(), Conversation.id.desc())
        )
    )


def _actions_query(enrolment_ids: Iterable[int]) -> sa.Select[AgreedAction]:
    return (
        sa.select(AgreedAction)
        .join(AgreedAction.conversation)
        .where(Conversation.enrolment_id.in_(list(enrolment_ids)))
        .options(
            selectinload(AgreedAction.competency),
            selectinload(AgreedAction.conversation),
            selectinload(AgreedAction.updates).selectinload(ActionUpdate.by),
        )
    )


def _by_due(action: AgreedAction) -> tuple[bool, dt.date, dt.date, int]:
    return (
        action.due_on is None,
        action.due_on or dt.date.max,
        action.conversation.held_on,
        action.position,
    )


def open_actions(session: Session, enrolment: Enrolment) -> list[AgreedAction]:
    """The participant's open actions, soonest due first (those with no due date last)."""
    rows = session.scalars(
        _actions_query([enrolment.id]).where(AgreedAction.status == ActionStatus.OPEN)
    )
    return sorted(rows, key=_by_due)


def closed_actions(session: Session, enrolment: Enrolment) -> list[AgreedAction]:
    """The participant's done and dropped actions, most recently closed first."""
    rows = session.scalars(
        _actions_query([enrolment.id]).where(AgreedAction.status != ActionStatus.OPEN)
    )
    return sorted(rows, key=lambda a: (a.status_dt, a.id), reverse=True)


def open_preparation(session: Session, enrolment: Enrolment) -> Preparation | None:
    """The participant's preparation for their next conversation, if they wrote one."""
    return session.scalar(
        sa.select(Preparation)
        .where(Preparation.enrolment_id == enrolment.id, Preparation.conversation_id.is_(None))
        .options(selectinload(Preparation.competencies))
    )


def preparation_for(session: Session, conversation: Conversation) -> Preparation | None:
    """The preparation the participant wrote for this conversation, if any."""
    return session.scalar(
        sa.select(Preparation)
        .where(Preparation.conversation_id == conversation.id)
        .options(selectinload(Preparation.competencies))
    )


def reviews_in(session: Session, conversation: Conversation) -> list[ActionUpdate]:
    """The decisions about earlier actions taken in this conversation."""
    return list(
        session.scalars(
            sa.select(ActionUpdate)
            .where(ActionUpdate.conversation_id == conversation.id)
            .options(selectinload(ActionUpdate.action))
            .order_by(ActionUpdate.id)
        )
    )


@dataclass
class ConversationStatus:
    """A participant's conversations at a glance: the last one, the next date, open actions."""

    last: Conversation | None = None
    open_actions: list[AgreedAction] = field(default_factory=list)
    count: int = 0

    @property
    def next_on(self) -> dt.date | None:
        return self.last.next_on if self.last is not None else None

    def overdue_actions(self, today: dt.date) -> list[AgreedAction]:
        return [a for a in self.open_actions if a.is_overdue(today)]


def statuses(session: Session, enrolments: Iterable[Enrolment]) -> dict[int, ConversationStatus]:
    """The conversation status of each enrolment, by enrolment id (two queries in all)."""
    ids = [e.id for e in enrolments]
    result: dict[int, ConversationStatus] = {i: ConversationStatus() for i in ids}
    if not ids:
        return result
    counts: dict[int, int] = defaultdict(int)
    rows = session.scalars(
        sa.select(Conversation)
        .where(Conversation.enrolment_id.in_(ids))
        .order_by(Conversation.held_on, Conversation.id)
    )
    for conversation in rows:  # oldest first, so each ends with its latest
        result[conversation.enrolment_id].last = conversation
        counts[conversation.enrolment_id] += 1
    for enrolment_id, count in counts.items():
        result[enrolment_id].count = count
    for action in sorted(
        session.scalars(_actions_query(ids).where(AgreedAction.status == ActionStatus.OPEN)),
        key=_by_due,
    ):
        result[action.conversation.enrolment_id].open_actions.append(action)
    return result


def status_of(session: Session, enrolment: Enrolment) -> ConversationStatus:
    return statuses(session, [enrolment])[enrolment.id]


def action_for_viewer(session: Session, public_id: str, viewer: User) -> AgreedAction | None:
    action = session.scalar(sa.select(AgreedAction).where(AgreedAction.public_id == public_id))
    if action is None or not can_view(session, viewer, action.conversation):
        return None
    return action


def today_for(enrolment: Enrolment) -> dt.date:
    """Today in the programme's time zone (for due and overdue)."""
    return _today(enrolment)
