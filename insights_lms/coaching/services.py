"""What a coach needs to see of each coachee at a glance (a read model: evidence awaiting
review, tasks, gaps, and from the conversations feature the last and next conversation and the
open agreed actions)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session, contains_eager, selectinload

from insights_lms.auth.models import User
from insights_lms.cohorts.access import can_facilitate
from insights_lms.cohorts.models import CoachAssignment, Cohort, CohortTask, Enrolment
from insights_lms.cohorts.services import coachees_of, cohorts_facilitated_by
from insights_lms.cohorts.timeline import TimelineEntry, cohort_timeline
from insights_lms.conversations.models import AgreedAction
from insights_lms.conversations.queries import ConversationStatus, today_for
from insights_lms.conversations.queries import statuses as conversation_statuses
from insights_lms.db import utcnow
from insights_lms.enums import CohortRole
from insights_lms.evidence.models import Evidence
from insights_lms.evidence.reviews import AWAITING
from insights_lms.progress.services import CompetencyProgress, progress_map
from insights_lms.tasks.services import responses_for, task_state


@dataclass
class CoacheeSummary:
    """One coachee at a glance, for their coach."""

    assignment: CoachAssignment
    enrolment: Enrolment
    evidence: list[Evidence]
    statuses: dict[int, str]  # review status by evidence id
    overdue: list[CohortTask] = field(default_factory=list)
    gaps: list[CompetencyProgress] = field(default_factory=list)
    last_self_assessment: dt.datetime | None = None
    next_module: TimelineEntry | None = None
    #: Last and next conversation and the open agreed actions.
    conversations: ConversationStatus = field(default_factory=ConversationStatus)

    @property
    def participant(self) -> User:
        return self.assignment.participant

    @property
    def cohort(self) -> Cohort:
        return self.assignment.cohort

    @property
    def awaiting_review(self) -> list[Evidence]:
        return [e for e in self.evidence if self.statuses.get(e.id) == AWAITING]

    def status_of(self, evidence: Evidence) -> str:
        return self.statuses.get(evidence.id, AWAITING)

    @property
    def open_actions(self) -> list[AgreedAction]:
        return self.conversations.open_actions

    @property
    def overdue_actions(self) -> list[AgreedAction]:
        return self.conversations.overdue_actions(today_for(self.enrolment))


def _participant_enrolments(
    session: Session, assignments: list[CoachAssignment]
) -> dict[tuple[int, int], Enrolment]:
    if not assignments:
        return {}
    rows = session.scalars(
        sa.select(Enrolment).where(
            Enrolment.role == CohortRole.PARTICIPANT,
            Enrolment.cohort_id.in_({a.cohort_id for a in assignments}),
            Enrolment.user_id.in_({a.participant_id for a in assignments}),
        )
    )
    return {(e.cohort_id, e.user_id): e for e in rows}


def summarise(
    session: Session, assignments: list[CoachAssignment], now: dt.datetime | None = None
) -> list[CoacheeSummary]:
    """A summary per coach assignment: a fixed number of queries per coachee, none per item
    (deleted evidence is left out: it is hidden from everyone but its owner)."""
    now = now or utcnow()
    enrolments = _participant_enrolments(session, assignments)
    conversations = conversation_statuses(session, enrolments.values())
    summaries: list[CoacheeSummary] = []
    for assignment in assignments:
        enrolment = enrolments.get((assignment.cohort_id, assignment.participant_id))
        if enrolment is None:
            continue
        progress = progress_map(session, enrolment, now)
        evidence = {e.id: e for row in progress.rows for e in row.evidence}
        responses = responses_for(session, enrolment)
        windows = sorted(enrolment.cohort.task_windows, key=lambda w: w.due_at)
        ratings = [row.self_rating.rated_dt for row in progress.rows if row.self_rating]
        summaries.append(
            CoacheeSummary(
                assignment=assignment,
                enrolment=enrolment,
                evidence=sorted(
                    evidence.values(), key=lambda e: (e.occurred_on, e.id), reverse=True
                ),
                statuses=progress.review_statuses,
                overdue=[w for w in windows if task_state(w, responses.get(w.id), now).is_overdue],
                gaps=progress.gaps,
                last_self_assessment=max(ratings, default=None),
                next_module=cohort_timeline(enrolment.cohort, now).next_module,
                conversations=conversations[enrolment.id],
            )
        )
    return summaries


def coachee_overview(
    session: Session, coach: User, now: dt.datetime | None = None
) -> list[CoacheeSummary]:
    """Each of the coach's coachees at a glance (by name)."""
    return summarise(session, coachees_of(session, coach), now)


def facilitated_assignments(session: Session, user: User) -> list[CoachAssignment]:
    """Every coach assignment in the cohorts ``user`` facilitates (by participant name)."""
    cohort_ids = [c.id for c in cohorts_facilitated_by(session, user)]
    if not cohort_ids:
        return []
    return list(
        session.scalars(
            sa.select(CoachAssignment)
            .join(CoachAssignment.participant)
            .where(CoachAssignment.cohort_id.in_(cohort_ids))
            .options(
                contains_eager(CoachAssignment.participant), selectinload(CoachAssignment.coach)
            )
            .order_by(User.name)
        )
    )


def coachee_for_viewer(
    session: Session, viewer: User, cohort_code: str, participant_public_id: str
) -> CoacheeSummary | None:
    """One coachee's summary if ``viewer`` is their coach in that cohort or facilitates it."""
    assignment = session.scalar(
        sa.select(CoachAssignment)
        .join(CoachAssignment.cohort)
        .join(CoachAssignment.participant)
        .where(Cohort.code == cohort_code, User.public_id == participant_public_id)
    )
    if assignment is None:
        return None
    if assignment.coach_id != viewer.id and not can_facilitate(session, viewer, assignment.cohort):
        return None
    found = summarise(session, [assignment])
    return found[0] if found else None
