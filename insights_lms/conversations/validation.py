"""What a coach (or participant) submits, and how it is checked before anything is written.

The checks raise :class:`ConversationError` with the form field at fault (names from
:mod:`insights_lms.conversations.fields`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from insights_lms.cohorts.models import Enrolment
from insights_lms.competencies.models import Competency, Level
from insights_lms.conversations.fields import (
    action_name,
    agreed_level_name,
    coach_level_name,
    notes_name,
    review_comment_name,
    review_name,
)
from insights_lms.conversations.models import (
    ACTION_MAX,
    SHORT_MAX,
    ActionOwner,
    ActionStatus,
    AgreedAction,
    ConversationMode,
)
from insights_lms.conversations.queries import open_actions, today_for
from insights_lms.errors import DomainError

#: The longest conversation that can be recorded, in minutes (a working day).
MAX_MINUTES = 480


class ConversationError(DomainError):
    """The conversation (or action, or preparation) cannot be saved as given; ``field`` names
    the form field at fault."""


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


# --- checks -------------------------------------------------------------------------------


def check_text(text: str, limit: int, message: str, name: str) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        raise ConversationError(f"{message} to {limit:,} characters or fewer.", name)
    return text


def check_meeting(
    enrolment: Enrolment,
    held_on: dt.date | None,
    minutes: int | None,
    mode: ConversationMode | str,
    next_on: dt.date | None,
) -> tuple[dt.date, int, ConversationMode]:
    if held_on is None:
        raise ConversationError("Enter the date of the conversation.", "held_on")
    if held_on > today_for(enrolment):
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


def framework_competencies(session: Session, enrolment: Enrolment) -> dict[int, Competency]:
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
class CheckedFocus:
    competency: Competency
    notes: str
    coach_level: Level | None
    agreed_level: Level | None


def check_focus(
    session: Session, enrolment: Enrolment, focus: Sequence[FocusInput]
) -> list[CheckedFocus]:
    if not focus:
        raise ConversationError(
            "Choose at least one competency in focus: tick “In focus” beside it."
        )
    competencies = framework_competencies(session, enrolment)
    levels = _scale_levels(enrolment)
    checked: list[CheckedFocus] = []
    seen: set[int] = set()
    for item in focus:
        competency = competencies.get(item.competency_id)
        if competency is None:
            raise ConversationError("Choose competencies from the participant's framework.")
        if competency.id in seen:
            continue
        seen.add(competency.id)
        notes = check_text(
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
        checked.append(CheckedFocus(competency, notes, found[0], found[1]))
    checked.sort(key=lambda f: f.competency.position)
    return checked


@dataclass
class CheckedAction:
    description: str
    owner: ActionOwner
    due_on: dt.date | None
    competency: Competency | None


def check_actions(
    session: Session, enrolment: Enrolment, held_on: dt.date, actions: Sequence[ActionInput]
) -> list[CheckedAction]:
    competencies = framework_competencies(session, enrolment)
    checked: list[CheckedAction] = []
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
        checked.append(CheckedAction(description, owner, item.due_on, competency))
    return checked


def check_reviews(
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
        comment = check_text(
            review.comment, SHORT_MAX, "Keep the comment", review_comment_name(action.id)
        )
        if decision == ActionStatus.DROPPED and not comment:
            raise ConversationError(
                "Say why the action is dropped.", review_comment_name(action.id)
            )
        checked.append((action, decision, comment))
    return checked
