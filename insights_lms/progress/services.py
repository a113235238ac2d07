"""Building a participant's progress map from their evidence, tasks, modules and ratings.

The map is the participant's, and also their coach's and their cohort's facilitators' view of
them (``cohorts.access.participant_enrolment_for_viewer`` says who may see whose). Ratings
come from every rater side by side: self, coach, facilitator and the agreed level
(``ratings.services``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from insights_lms.assessment.models import SelfRating
from insights_lms.attendance.services import ModuleRecord, participant_module_records
from insights_lms.cohorts import access
from insights_lms.cohorts.models import CohortModule, CohortTask, Enrolment
from insights_lms.competencies.models import Competency, Domain
from insights_lms.db import utcnow
from insights_lms.evidence.models import Evidence
from insights_lms.evidence.reviews import latest_reviews, review_status
from insights_lms.evidence.services import evidence_of
from insights_lms.peer.challenges import (
    ChallengeEvidence,
    challenges_for_progress,
    contribution_count,
)
from insights_lms.ratings.services import CompetencyRatings, RatingsOverview, ratings_overview
from insights_lms.tasks.services import TaskState, responses_for, task_state


@dataclass
class CompetencyProgress:
    """One row of the map."""

    competency: Competency
    evidence: list[Evidence] = field(default_factory=list)
    tasks: list[tuple[CohortTask, TaskState]] = field(default_factory=list)
    modules: list[tuple[CohortModule, ModuleRecord | None]] = field(default_factory=list)
    self_rating: SelfRating | None = None
    #: Every rater's ratings of the competency (self, coach, facilitator, agreed).
    ratings: CompetencyRatings | None = None
    #: The participant's own goldfish-bowl challenges on this competency (they count as
    #: evidence of it), newest first.
    challenges: list[ChallengeEvidence] = field(default_factory=list)

    @property
    def is_gap(self) -> bool:
        """No evidence yet: the participant should see it at a glance."""
        return not self.evidence and not self.challenges


@dataclass
class ProgressMap:
    enrolment: Enrolment
    domains: list[tuple[Domain, list[CompetencyProgress]]]
    #: "Accepted", "Needs more" or "Awaiting review", by evidence id.
    review_statuses: dict[int, str] = field(default_factory=dict)
    #: Self, coach, facilitator and agreed ratings of every competency (and the chart's rows).
    ratings: RatingsOverview | None = None
    #: Questions and suggestions the participant gave on peers' goldfish-bowl challenges.
    contributions: int = 0

    @property
    def rows(self) -> list[CompetencyProgress]:
        return [row for _, rows in self.domains for row in rows]

    @property
    def gaps(self) -> list[CompetencyProgress]:
        return [row for row in self.rows if row.is_gap]

    @property
    def evidence_count(self) -> int:
        return len({e.id for row in self.rows for e in row.evidence})


def progress_map(
    session: Session, enrolment: Enrolment, now: dt.datetime | None = None
) -> ProgressMap:
    """The map for one participant enrolment (competencies in framework order)."""
    now = now or utcnow()
    cohort = enrolment.cohort
    framework = cohort.programme.framework
    rows = {c.id: CompetencyProgress(c) for c in framework.competencies}

    items = evidence_of(session, enrolment)
    latest = latest_reviews(session, [e.id for e in items])
    for item in items:
        for comp in item.competencies:
            if comp.id in rows:
                rows[comp.id].evidence.append(item)

    responses = responses_for(session, enrolment)
    for window in sorted(cohort.task_windows, key=lambda w: w.opens_at):
        state = task_state(window, responses.get(window.id), now)
        for comp in window.task.competencies:
            if comp.id in rows:
                rows[comp.id].tasks.append((window, state))

    records = participant_module_records(session, enrolment.user, cohort)
    for cm in sorted(cohort.cohort_modules, key=lambda s: s.module.sequence):
        for comp in cm.module.competencies:
            if comp.id in rows:
                rows[comp.id].modules.append((cm, records.get(cm.id)))

    for competency_id, owned in challenges_for_progress(session, enrolment).items():
        if competency_id in rows:
            rows[competency_id].challenges = owned

    overview = ratings_overview(session, enrolment)
    for rated in overview.rows:
        row = rows.get(rated.competency.id)
        if row is not None:
            row.ratings = rated
            row.self_rating = rated.latest_self_rating

    domains = [
        (domain, [rows[c.id] for c in domain.competencies if c.id in rows])
        for domain in framework.domains
    ]
    statuses = {e.id: review_status(e, latest.get(e.id)) for e in items}
    return ProgressMap(
        enrolment, domains, statuses, overview, contribution_count(session, enrolment)
    )


#: Kept for ``portfolio.services`` (the helper now lives with the other access rules).
participant_enrolment_for_viewer = access.participant_enrolment_for_viewer
