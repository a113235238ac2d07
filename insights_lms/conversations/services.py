"""The conversations feature's services, one name for each (kept for the callers outside the
feature: the home pages, the demo, the portfolio section and the tests).

The code lives by concern: :mod:`~insights_lms.conversations.fields` (form field names),
:mod:`~insights_lms.conversations.access` (who may see and do what),
:mod:`~insights_lms.conversations.validation` (the input and its checks),
:mod:`~insights_lms.conversations.commands` (recording, correcting, acknowledging, completing,
preparing) and :mod:`~insights_lms.conversations.queries` (reading). New code imports from
those modules.
"""

from __future__ import annotations

from insights_lms.conversations.access import (
    action_for_viewer,
    can_view,
    coach_assignment,
    coachee_for_viewer,
    conversation_for_viewer,
    is_coach_of,
    may_complete,
    may_correct,
    private_notes_for,
)
from insights_lms.conversations.commands import (
    acknowledge_conversation,
    complete_action,
    correct_conversation,
    record_conversation,
    save_preparation,
)
from insights_lms.conversations.queries import (
    ConversationStatus,
    closed_actions,
    conversations_of,
    open_actions,
    open_preparation,
    preparation_for,
    reviews_in,
    status_of,
    statuses,
    today_for,
)
from insights_lms.conversations.validation import (
    MAX_MINUTES,
    ActionInput,
    ActionReview,
    ConversationError,
    ConversationInput,
    CorrectionInput,
    FocusInput,
)

__all__ = [
    "MAX_MINUTES",
    "ActionInput",
    "ActionReview",
    "ConversationError",
    "ConversationInput",
    "ConversationStatus",
    "CorrectionInput",
    "FocusInput",
    "acknowledge_conversation",
    "action_for_viewer",
    "can_view",
    "closed_actions",
    "coach_assignment",
    "coachee_for_viewer",
    "complete_action",
    "conversation_for_viewer",
    "conversations_of",
    "correct_conversation",
    "is_coach_of",
    "may_complete",
    "may_correct",
    "open_actions",
    "open_preparation",
    "preparation_for",
    "private_notes_for",
    "record_conversation",
    "reviews_in",
    "save_preparation",
    "status_of",
    "statuses",
    "today_for",
]
