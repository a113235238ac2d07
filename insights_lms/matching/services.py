"""The matching feature's services, one name for each (kept for the callers outside the
feature: the demo and the tests).

The code lives by concern: :mod:`~insights_lms.matching.ranking` (the ranking, pure),
:mod:`~insights_lms.matching.profiles` (coach profiles), :mod:`~insights_lms.matching.board`
(the facilitator's board and confirming a match) and :mod:`~insights_lms.matching.errors`.
New code imports from those modules.
"""

from __future__ import annotations

from insights_lms.matching.board import (
    Match,
    MatchingBoard,
    coach_loads,
    coach_offers,
    confirm_match,
    matching_board,
    participant_need,
)
from insights_lms.matching.errors import MatchingError
from insights_lms.matching.profiles import (
    ProfileInput,
    challenge_choices,
    coach_cohorts,
    coach_in_cohort,
    is_coach,
    may_edit_profile,
    profile_of,
    profiles_of,
    save_profile,
    strength_choices,
)
from insights_lms.matching.ranking import (
    CoachOffer,
    ContextNeed,
    LowRating,
    Need,
    Reason,
    Suggestion,
    rank,
    suggest,
)

__all__ = [
    "CoachOffer",
    "ContextNeed",
    "LowRating",
    "Match",
    "MatchingBoard",
    "MatchingError",
    "Need",
    "ProfileInput",
    "Reason",
    "Suggestion",
    "challenge_choices",
    "coach_cohorts",
    "coach_in_cohort",
    "coach_loads",
    "coach_offers",
    "confirm_match",
    "is_coach",
    "matching_board",
    "may_edit_profile",
    "participant_need",
    "profile_of",
    "profiles_of",
    "rank",
    "save_profile",
    "strength_choices",
    "suggest",
]
