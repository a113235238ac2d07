"""Everything a facilitator's cohort dashboard shows, read in a fixed number of queries.

The number of SQL statements does not grow with the cohort: every figure is read for the whole
cohort at once (grouped in SQL, or a bounded set of rows arranged in Python), never per
participant. ``tests/http/test_dashboard.py`` counts them for cohorts of 10 and 200.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from insights_lms.assessment.models import SelfRating
from insights_lms.attendance.models import ModuleCompletion
from insights_lms.attendance.services import cohort_completion_counts
from insights_lms.auth.models import User
from insights_lms.cohorts.models import CoachAssignment, Cohort, CohortModule, CohortTask, Enrolment
from insights_lms.competencies.models import Competency, Level
from insights_lms.conversations.models import Conversation
from insights_lms.db import utcnow
from insights_lms.enums import CohortRole
from insights_lms.evidence.models import Evidence, evidence_competency
from insights_lms.ratings.models import CompetencyRating, RatingKind
from insights_lms.tasks.models import ResponseStatus, TaskResponse

#: Weeks without any activity after which a participant is flagged.
DEFAULT_INACTIVE_WEEKS = 3


@dataclass
class ModuleFigures:
    cohort_module: CohortModule
    completed: int
    attended: int
    held: bool


@dataclass
class TaskFigures:
    window: CohortTask
    submitted: int
    drafts: int
    overdue: int
    is_open: bool
    is_past: bool


@dataclass
class ParticipantRow:
    enrolment: Enrolment
    coach: User | None
    #: competency id -> evidence items tagged to it (not deleted)
    evidence: dict[int, int] = field(default_factory=dict)
    #: competency id -> the latest agreed level
    agreed: dict[int, Level] = field(default_factory=dict)
    last_activity: dt.datetime | None = None
    overdue: list[CohortTask] = field(default_factory=list)
    last_conversation: dt.date | None = None
    risks: list[str] = field(default_factory=list)

    @property
    def user(self) -> User:
        return self.enrolment.user


@dataclass
class Dashboard:
    cohort: Cohort
    competencies: list[Competency]
    modules: list[ModuleFigures]
    tasks: list[TaskFigures]
    participants: list[ParticipantRow]
    inactive_weeks: int

    @property
    def at_risk(self) -> list[ParticipantRow]:
        return [row for row in self.participants if row.risks]

    def coverage(self, competency: Competency) -> int:
        """How many participants have at least one piece of evidence for ``competency``."""
        return sum(1 for row in self.participants if row.evidence.get(competency.id))


def _latest(values: dict[int, dt.datetime | None], user_id: int, value: dt.datetime | None) -> None:
    if value is not None and (values.get(user_id) is None or value > values[user_id]):  # type: ignore[operator]
        values[user_id] = value


def _last_activity(
    session: Session, cohort: Cohort, enrolment_ids: list[int]
) -> dict[int, dt.datetime | None]:
    """Per enrolment id, the latest thing the participant did in the cohort."""
    latest: dict[int, dt.datetime | None] = {}
    grouped = [
        sa.select(Evidence.enrolment_id, sa.func.max(Evidence.updated_dt))
        .where(Evidence.enrolment_id.in_(enrolment_ids))
        .group_by(Evidence.enrolment_id),
        sa.select(TaskResponse.enrolment_id, sa.func.max(TaskResponse.updated_dt))
        .where(TaskResponse.enrolment_id.in_(enrolment_ids))
        .group_by(TaskResponse.enrolment_id),
        sa.select(SelfRating.enrolment_id, sa.func.max(SelfRating.rated_dt))
        .where(SelfRating.enrolment_id.in_(enrolment_ids))
        .group_by(SelfRating.enrolment_id),
    ]
    for query in grouped:
        for enrolment_id, value in session.execute(query):
            _latest(latest, enrolment_id, value)
    by_user = dict(
        session.execute(
            sa.select(Enrolment.user_id, Enrolment.id).where(Enrolment.id.in_(enrolment_ids))
        ).all()
    )
    for user_id, value in session.execute(
        sa.select(ModuleCompletion.participant_id, sa.func.max(ModuleCompletion.updated_dt))
        .join(CohortModule, CohortModule.id == ModuleCompletion.cohort_module_id)
        .where(CohortModule.cohort_id == cohort.id)
        .group_by(ModuleCompletion.participant_id)
    ):
        if user_id in by_user:
            _latest(latest, by_user[user_id], value)
    return latest


def cohort_dashboard(
    session: Session,
    cohort: Cohort,
    now: dt.datetime | None = None,
    inactive_weeks: int = DEFAULT_INACTIVE_WEEKS,
) -> Dashboard:
    now = now or utcnow()
    enrolments = list(
        session.scalars(
            sa.select(Enrolment)
            .where(Enrolment.cohort_id == cohort.id, Enrolment.role == CohortRole.PARTICIPANT)
            .options(selectinload(Enrolment.user))
        )
    )
    enrolments.sort(key=lambda e: e.user.name.casefold())
    ids = [e.id for e in enrolments]
    sessions = sorted(
        session.scalars(
            sa.select(CohortModule)
            .where(CohortModule.cohort_id == cohort.id)
            .options(selectinload(CohortModule.module))
        ),
        key=lambda cm: (cm.module.sequence, cm.starts_at),
    )
    windows = sorted(
        session.scalars(
            sa.select(CohortTask)
            .where(CohortTask.cohort_id == cohort.id)
            .options(selectinload(CohortTask.task))
        ),
        key=lambda w: w.opens_at,
    )
    competencies = list(
        session.scalars(
            sa.select(Competency)
            .where(Competency.framework_id == cohort.programme.framework_id)
            .order_by(Competency.position)
        )
    )
    coaches = {
        a.participant_id: a.coach
        for a in session.scalars(
            sa.select(CoachAssignment)
            .where(CoachAssignment.cohort_id == cohort.id)
            .options(selectinload(CoachAssignment.coach))
        )
    }
    rows = {e.id: ParticipantRow(e, coaches.get(e.user_id)) for e in enrolments}

    counts = cohort_completion_counts(session, cohort)
    modules = [
        ModuleFigures(cm, *counts.get(cm.id, (0, 0)), held=cm.starts_at <= now) for cm in sessions
    ]

    states: dict[tuple[int, int], ResponseStatus] = {
        (enrolment_id, window_id): status
        for enrolment_id, window_id, status in session.execute(
            sa.select(
                TaskResponse.enrolment_id, TaskResponse.cohort_task_id, TaskResponse.status
            ).where(TaskResponse.enrolment_id.in_(ids))
        )
    }
    tasks = []
    for window in windows:
        submitted = drafts = overdue = 0
        for enrolment_id, row in rows.items():
            status = states.get((enrolment_id, window.id))
            if status in (ResponseStatus.SUBMITTED, ResponseStatus.REVIEWED):
                submitted += 1
            else:
                drafts += status == ResponseStatus.DRAFT
                if window.due_at < now:
                    overdue += 1
                    row.overdue.append(window)
        tasks.append(
            TaskFigures(
                window,
                submitted,
                drafts,
                overdue,
                is_open=window.opens_at <= now < window.due_at,
                is_past=window.due_at < now,
            )
        )

    for enrolment_id, competency_id, n in session.execute(
        sa.select(Evidence.enrolment_id, evidence_competency.c.competency_id, sa.func.count())
        .join(evidence_competency, evidence_competency.c.evidence_id == Evidence.id)
        .where(Evidence.enrolment_id.in_(ids), Evidence.is_deleted.is_(False))
        .group_by(Evidence.enrolment_id, evidence_competency.c.competency_id)
    ):
        rows[enrolment_id].evidence[competency_id] = n

    for rating in session.scalars(
        sa.select(CompetencyRating)
        .where(CompetencyRating.enrolment_id.in_(ids), CompetencyRating.kind == RatingKind.AGREED)
        .options(selectinload(CompetencyRating.level))
        .order_by(CompetencyRating.rated_dt, CompetencyRating.id)
    ):
        rows[rating.enrolment_id].agreed[rating.competency_id] = rating.level

    for enrolment_id, held_on in session.execute(
        sa.select(Conversation.enrolment_id, sa.func.max(Conversation.held_on))
        .where(Conversation.enrolment_id.in_(ids))
        .group_by(Conversation.enrolment_id)
    ):
        rows[enrolment_id].last_conversation = held_on

    for enrolment_id, value in _last_activity(session, cohort, ids).items():
        rows[enrolment_id].last_activity = value

    last_held = max(
        (cm for cm in sessions if cm.ends_at <= now), key=lambda cm: cm.ends_at, default=None
    )
    quiet_since = now - dt.timedelta(weeks=inactive_weeks)
    for row in rows.values():
        if row.last_activity is None or row.last_activity < quiet_since:
            row.risks.append(f"No activity for {inactive_weeks} weeks or more")
        if row.overdue:
            n = len(row.overdue)
            row.risks.append(f"{n} overdue task{'s' if n != 1 else ''}")
        if row.coach is None:
            row.risks.append("No coach yet")
        elif last_held is not None and (
            row.last_conversation is None or row.last_conversation < last_held.ends_at.date()
        ):
            row.risks.append(f"No coaching conversation since {last_held.module.title}")
    return Dashboard(cohort, competencies, modules, tasks, list(rows.values()), inactive_weeks)
