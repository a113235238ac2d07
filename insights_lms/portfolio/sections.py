"""Portfolio sections whose data belongs to other features, and who provides each one.

Each section has a template include point in ``templates/lms/portfolio/portfolio.html`` and a
provider: a function ``provider(session, enrolment, options) -> list[entry]`` in
:mod:`insights_lms.portfolio.providers`, listed in :data:`PROVIDERS`. A section without a
provider is left out of the document; a section with one appears (with its line in the table
of contents), with "none yet" text when the list is empty.

The entries are the dataclasses of :mod:`insights_lms.portfolio.entries` (re-exported here), or
any objects with the same attributes: the templates read only those attributes, so a provider
that passes richer objects (an ORM row with private notes, say) still prints only what is
listed there. Text fields marked Markdown go through the ``lms_markdown`` filter (sanitised);
everything else is escaped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from insights_lms.portfolio.entries import (
    ActionEntry,
    CaseStudyEntry,
    ChallengeEntry,
    ConversationEntry,
    FocusEntry,
)
from insights_lms.portfolio.providers.conversations import conversation_log
from insights_lms.portfolio.providers.peer import case_studies, goldfish_bowl_challenges

if TYPE_CHECKING:
    from insights_lms.cohorts.models import Enrolment
    from insights_lms.portfolio.services import Portfolio, PortfolioOptions

__all__ = [
    "PROVIDERS",
    "ActionEntry",
    "CaseStudyEntry",
    "ChallengeEntry",
    "ConversationEntry",
    "FocusEntry",
    "Provider",
    "extra_sections",
]

Provider = Callable[[Session, "Enrolment", "PortfolioOptions"], list[Any]]

#: Section name -> its provider. The order is the order in the document.
PROVIDERS: dict[str, Provider] = {
    "conversations": conversation_log,
    "challenges": goldfish_bowl_challenges,
    "case_studies": case_studies,
}


def extra_sections(session: Session, portfolio: Portfolio) -> dict[str, list[Any]]:
    """The data of every section that has a provider, by section name."""
    return {
        name: list(provider(session, portfolio.enrolment, portfolio.options))
        for name, provider in PROVIDERS.items()
    }
