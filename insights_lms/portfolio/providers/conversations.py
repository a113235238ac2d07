"""The portfolio's developmental conversation log (a provider in
``portfolio.sections.PROVIDERS``).

Entries carry only what coach and participant both see: private notes are never loaded here
(they live in their own table, read only by ``conversations.access.private_notes_for`` for
their coach).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from insights_lms.cohorts.models import Enrolment
from insights_lms.conversations.models import ActionStatus, Conversation, ConversationMode
from insights_lms.conversations.queries import conversations_of
from insights_lms.portfolio.entries import ActionEntry, ConversationEntry, FocusEntry

if TYPE_CHECKING:
    from insights_lms.portfolio.services import PortfolioOptions

MODES = {ConversationMode.IN_PERSON: "In person", ConversationMode.ONLINE: "Online"}
STATUSES = {ActionStatus.OPEN: "Open", ActionStatus.DONE: "Done", ActionStatus.DROPPED: "Dropped"}


def _entry(conversation: Conversation, competency_ids: frozenset[int] | None) -> ConversationEntry:
    focus = [
        f for f in conversation.focus if competency_ids is None or f.competency_id in competency_ids
    ]
    return ConversationEntry(
        held_on=conversation.held_on,
        coach_name=conversation.coach.name if conversation.coach else "A former coach",
        mode=MODES[conversation.mode],
        minutes=conversation.minutes,
        shared_notes=conversation.shared_notes,
        focus=[
            FocusEntry(
                competency_code=f.competency.code,
                competency_title=f.competency.title,
                notes=f.notes,
                agreed_level=f.agreed_rating.level_label if f.agreed_rating else "",
            )
            for f in focus
        ],
        actions=[
            ActionEntry(
                description=a.description,
                owner="Participant" if a.owner.value == "participant" else "Coach",
                due_on=a.due_on,
                status=STATUSES[a.status],
            )
            for a in conversation.actions
        ],
        participant_comment=conversation.participant_comment,
    )


def conversation_log(
    session: Session, enrolment: Enrolment, options: PortfolioOptions
) -> list[ConversationEntry]:
    """The participant's conversations in the portfolio's period, oldest first; with a
    competency filter, those that focused on one of the competencies (and only those rows)."""
    chosen = options.competency_ids
    return [
        _entry(c, chosen)
        for c in reversed(conversations_of(session, enrolment))
        if options.covers(c.held_on)
        and (chosen is None or any(f.competency_id in chosen for f in c.focus))
    ]
