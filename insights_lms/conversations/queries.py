"""Reading conversations, agreed actions and preparations, with what their pages show loaded.

:func:`statuses` gives each participant's conversations at a glance (the coach's overview and
the home pages use it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from insights_lms.cohorts.models import Cohort, Enrolment
from insights_lms.conversations.models import (
    ActionStatus,
    ActionUpdate,
    AgreedAction,
    Conversation,
    ConversationFocus,
    Preparation,
)
from insights_lms.ratings.models import CompetencyRating


def today_for(enrolment: Enrolment) -> dt.date:
    """Today in the programme's time zone (for due and overdue)."""
    return dt.datetime.now(ZoneInfo(enrolment.cohort.programme.time_zone)).date()


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


def conversation_by_public_id(session: Session, public_id: str) -> Conversation | None:
    """One conversation with everything its pages show loaded (the participant, the cohort,
    the focus with its ratings, the actions with their updates); whoever asks."""
    return session.scalar(
        sa.select(Conversation)
        .where(Conversation.public_id == public_id)
        .options(
            *_with_details(),
            joinedload(Conversation.enrolment).joinedload(Enrolment.user),
            joinedload(Conversation.enrolment)
            .joinedload(Enrolment.cohort)
            .joinedload(Cohort.programme),
            selectinload(Conversation.actions)
            .selectinload(AgreedAction.updates)
            .selectinload(ActionUpdate.by),
        )
    )


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
