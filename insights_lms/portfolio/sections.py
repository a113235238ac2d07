"""Portfolio sections whose data belongs to other features, and the shape each one expects.

Each section has a template include point in ``templates/lms/portfolio/portfolio.html`` and a
provider: a function ``provider(session, enrolment, options) -> list[entry]`` named in
:data:`PROVIDERS` as ``"module:function"``. A provider whose module does not exist yet is
skipped and its section left out of the document; once the module exists, the section (and
its line in the table of contents) appears, with "none yet" text when the list is empty.

The entries are the dataclasses below, or any objects with the same attributes: the templates
read only these attributes, so a provider that passes richer objects (an ORM row with private
notes, say) still prints only what is listed here. Text fields marked Markdown go through the
``lms_markdown`` filter (sanitised); everything else is escaped.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from insights_lms.cohorts.models import Enrolment
    from insights_lms.portfolio.services import Portfolio, PortfolioOptions

#: Section name -> "module:function". The order is the order in the document.
PROVIDERS: dict[str, str] = {
    "conversations": "insights_lms.conversations.portfolio:conversation_log",
    "challenges": "insights_lms.peer.portfolio:goldfish_bowl_challenges",
    "case_studies": "insights_lms.peer.portfolio:case_studies",
}

Provider = Callable[[Session, "Enrolment", "PortfolioOptions"], list[Any]]


@dataclass(frozen=True)
class ActionEntry:
    """An action agreed in a developmental conversation."""

    description: str
    owner: str = ""  # who does it, as people read it: "Participant", "Coach"…
    due_on: dt.date | None = None
    status: str = ""  # as people read it: "Open", "Done"…


@dataclass(frozen=True)
class FocusEntry:
    """A competency the conversation focused on, and the level agreed for it (if any)."""

    competency_code: str
    competency_title: str
    notes: str = ""  # Markdown; shared notes only
    agreed_level: str = ""  # e.g. "3 Established"


@dataclass(frozen=True)
class ConversationEntry:
    """One developmental conversation: shared notes and agreed actions, NEVER private notes.

    The provider passes only what coach and participant both see; there is no field for a
    coach's private notes, so the template cannot print them.
    """

    held_on: dt.date
    coach_name: str
    mode: str = ""  # e.g. "In person", "Video call"
    minutes: int | None = None
    shared_notes: str = ""  # Markdown
    focus: list[FocusEntry] = field(default_factory=list)
    actions: list[ActionEntry] = field(default_factory=list)
    participant_comment: str = ""  # Markdown: the participant's reply on acknowledging


@dataclass(frozen=True)
class ChallengeEntry:
    """A goldfish-bowl challenge the participant brought to their peers."""

    title: str
    created_dt: dt.datetime
    state: str  # as people read it: "Open", "Decided", "Outcome recorded"
    module_title: str = ""
    context: str = ""  # Markdown
    decision_to_make: str = ""  # Markdown
    resolution: str = ""  # Markdown: what the participant decided
    outcome: str = ""  # Markdown: what happened afterwards
    questions: int = 0  # how many clarifying questions peers asked
    suggestions: int = 0  # how many suggestions peers made
    competency_codes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CaseStudyEntry:
    """A case study the participant wrote (drafts are the provider's choice to leave out)."""

    title: str
    shared_dt: dt.datetime | None
    context: str = ""  # Markdown
    what_i_did: str = ""  # Markdown
    impact: str = ""  # Markdown
    transferable: str = ""  # Markdown
    is_featured: bool = False
    competency_codes: list[str] = field(default_factory=list)


def load_provider(spec: str) -> Provider | None:
    """The provider named by ``"module:function"``, or None while the module does not exist.

    Only a missing module is tolerated: an existing module that fails to import, or lacks the
    function, is a bug and raises.
    """
    module_name, _, function = spec.partition(":")
    if module_name not in sys.modules:
        try:
            found = importlib.util.find_spec(module_name)
        except ModuleNotFoundError:  # the parent package itself is missing
            return None
        if found is None:
            return None
    provider: Provider = getattr(importlib.import_module(module_name), function)
    return provider


def extra_sections(session: Session, portfolio: Portfolio) -> dict[str, list[Any]]:
    """The data of every section whose provider exists, by section name."""
    sections: dict[str, list[Any]] = {}
    for name, spec in PROVIDERS.items():
        provider = load_provider(spec)
        if provider is not None:
            sections[name] = list(provider(session, portfolio.enrolment, portfolio.options))
    return sections
