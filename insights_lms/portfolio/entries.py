"""The entries of the portfolio's sections whose data belongs to other features.

The templates read only these attributes, so a provider that passes richer objects (an ORM row
with private notes, say) still prints only what is listed here. Text fields marked Markdown go
through the ``lms_markdown`` filter (sanitised); everything else is escaped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


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
