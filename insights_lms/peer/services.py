"""The peer feature's services, by concern:

- :mod:`insights_lms.peer.access`: membership, who may see and do what, and the loaders that
  check it;
- :mod:`insights_lms.peer.validation`: the shared checks, limits and :class:`PeerError`;
- :mod:`insights_lms.peer.challenges`: goldfish-bowl challenges and what they count for;
- :mod:`insights_lms.peer.case_studies`: case studies, shared and featured.

This module keeps the names that code outside the peer package (the progress map, the
portfolio provider and the demo) still imports from here; new code imports the module that
holds the name.
"""

from __future__ import annotations

from insights_lms.peer.case_studies import (
    CaseStudyInput,
    case_studies_by,
    create_case_study,
    set_featured,
    share_case_study,
)
from insights_lms.peer.challenges import (
    ChallengeEvidence,
    ChallengeInput,
    add_contribution,
    answer_question,
    challenges_for_progress,
    contribution_count,
    post_challenge,
    record_decision,
    record_outcome,
    session_choices,
)

__all__ = [
    "CaseStudyInput",
    "ChallengeEvidence",
    "ChallengeInput",
    "add_contribution",
    "answer_question",
    "case_studies_by",
    "challenges_for_progress",
    "contribution_count",
    "create_case_study",
    "post_challenge",
    "record_decision",
    "record_outcome",
    "session_choices",
    "set_featured",
    "share_case_study",
]
