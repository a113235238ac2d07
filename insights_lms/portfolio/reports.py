"""The facilitators' cohort report: completion, evidence coverage and change, as PDF and CSV.

:func:`cohort_report` reads the whole cohort in a fixed number of queries (none per
participant); the PDF template (``lms/portfolio/cohort_report.html``) and :func:`report_csv`
both print from the same :class:`CohortReport`, so the CSV is the same data, one row per
participant.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from insights_lms.assessment.models import SelfRating
from insights_lms.attendance.models import Attendance, ModuleCompletion
from insights_lms.auth.models import User
from insights_lms.cohorts.models import CoachAssignment, Cohort, CohortModule, CohortTask, Enrolment
from insights_lms.competencies.models import Competency, Framework, Level, Scale
from insights_lms.db import utcnow
from insights_lms.enums import CohortRole
from insights_lms.evidence.models import Evidence, evidence_competency
from insights_lms.programmes.models import Programme
from insights_lms.tasks.models import TaskResponse
from insights_lms.tasks.services import TaskState, task_state

#: Heat map shades: 0, 1, 2, 3 and 4 or more pieces of evidence.
HEAT_STEPS = 4


@dataclass
class ParticipantRow:
    """Everything the report knows about one participant."""

    user: User
    coach_name: str
    completed: set[int] = field(default_factory=set)  # cohort module ids
    attended: set[int] = field(default_factory=set)  # cohort module ids
    tasks: dict[int, TaskState] = field(default_factory=dict)  # by cohort task id
    evidence: dict[int, int] = field(default_factory=dict)  # pieces by competency id
    baseline: dict[int, Level] = field(default_factory=dict)  # first self-rating
    latest: dict[int, Level] = field(default_factory=dict)  # latest self-rating

    def evidence_count(self, competency: Competency) -> int:
        return self.evidence.get(competency.id, 0)

    def heat(self, competency: Competency) -> int:
        """The heat map shade for this cell, 0 to ``HEAT_STEPS``."""
        return min(self.evidence_count(competency), HEAT_STEPS)

    @property
    def evidence_total(self) -> int:
        """Evidence-competency links (a piece tagged to two competencies counts twice)."""
        return sum(self.evidence.values())


@dataclass(frozen=True)
class ModuleRow:
    session: CohortModule
    completed: int
    attended: int
    participants: int
    has_started: bool

    @property
    def completed_share(self) -> float:
        return self.completed / self.participants if self.participants else 0.0


@dataclass(frozen=True)
class TaskRow:
    window: CohortTask
    submitted: int
    in_progress: int
    participants: int
    is_open: bool

    @property
    def submitted_share(self) -> float:
        return self.submitted / self.participants if self.participants else 0.0


@dataclass(frozen=True)
class ChangeRow:
    """Baseline-to-latest self-rating change on one competency across the cohort."""

    competency: Competency
    rated: int  # participants with at least one self-rating
    baseline_mean: float | None
    latest_mean: float | None
    improved: int
    same: int
    declined: int

    @property
    def change(self) -> float | None:
        if self.baseline_mean is None or self.latest_mean is None:
            return None
        return self.latest_mean - self.baseline_mean


@dataclass
class CohortReport:
    cohort: Cohort
    printed_dt: dt.datetime
    competencies: list[Competency]
    participants: list[ParticipantRow]
    modules: list[ModuleRow]
    tasks: list[TaskRow]
    changes: list[ChangeRow]
    #: The cohort's facilitators, by name.
    facilitators: list[User] = field(default_factory=list)

    @property
    def time_zone(self) -> str:
        return self.cohort.programme.time_zone

    @property
    def max_level(self) -> int:
        return max(
            (level.value for level in self.cohort.programme.framework.scale.levels), default=0
        )

    def coverage(self, competency: Competency) -> int:
        """How many participants have at least one piece of evidence for the competency."""
        return sum(1 for p in self.participants if p.evidence_count(competency))


def _participants(session: Session, cohort: Cohort) -> dict[int, Enrolment]:
    rows = session.scalars(
        sa.select(Enrolment)
        .join(Enrolment.user)
        .where(Enrolment.cohort_id == cohort.id, Enrolment.role == CohortRole.PARTICIPANT)
        .order_by(User.name, User.id)
    )
    return {e.id: e for e in rows}


def cohort_report(session: Session, cohort: Cohort, now: dt.datetime | None = None) -> CohortReport:
    """The report on ``cohort`` as it stands ``now``."""
    now = now or utcnow()
    # What the report prints of the cohort itself: its tasks and its framework's scale.
    session.scalars(
        sa.select(Cohort)
        .where(Cohort.id == cohort.id)
        .options(
            selectinload(Cohort.task_windows).selectinload(CohortTask.task),
            selectinload(Cohort.programme)
            .selectinload(Programme.framework)
            .selectinload(Framework.scale)
            .selectinload(Scale.levels),
        )
    ).all()
    enrolments = _participants(session, cohort)
    by_user = {e.user_id: e.id for e in enrolments.values()}
    coaches = {
        a.participant_id: a.coach.name
        for a in session.scalars(
            sa.select(CoachAssignment).where(CoachAssignment.cohort_id == cohort.id)
        )
    }
    rows = {
        eid: ParticipantRow(e.user, coaches.get(e.user_id, "")) for eid, e in enrolments.items()
    }
    sessions = sorted(cohort.cohort_modules, key=lambda s: (s.module.sequence, s.starts_at))
    session_ids = [s.id for s in sessions]
    user_ids = list(by_user)

    for cm_id, user_id in session.execute(
        sa.select(ModuleCompletion.cohort_module_id, ModuleCompletion.participant_id).where(
            ModuleCompletion.cohort_module_id.in_(session_ids),
            ModuleCompletion.participant_id.in_(user_ids),
        )
    ):
        rows[by_user[user_id]].completed.add(cm_id)
    for cm_id, user_id, status in session.execute(
        sa.select(Attendance.cohort_module_id, Attendance.participant_id, Attendance.status).where(
            Attendance.cohort_module_id.in_(session_ids), Attendance.participant_id.in_(user_ids)
        )
    ):
        if status.attended:
            rows[by_user[user_id]].attended.add(cm_id)

    windows = sorted(cohort.task_windows, key=lambda w: w.opens_at)
    responses = {
        (r.enrolment_id, r.cohort_task_id): r
        for r in session.scalars(
            sa.select(TaskResponse).where(TaskResponse.enrolment_id.in_(list(enrolments)))
        )
    }
    for eid, row in rows.items():
        for window in windows:
            row.tasks[window.id] = task_state(window, responses.get((eid, window.id)), now)

    for eid, competency_id, count in session.execute(
        sa.select(Evidence.enrolment_id, evidence_competency.c.competency_id, sa.func.count())
        .join(evidence_competency, evidence_competency.c.evidence_id == Evidence.id)
        .where(Evidence.enrolment_id.in_(list(enrolments)), Evidence.is_deleted.is_(False))
        .group_by(Evidence.enrolment_id, evidence_competency.c.competency_id)
    ):
        rows[eid].evidence[competency_id] = count

    for rating in session.scalars(
        sa.select(SelfRating)
        .where(SelfRating.enrolment_id.in_(list(enrolments)))
        .order_by(SelfRating.rated_dt, SelfRating.id)
    ):
        row = rows[rating.enrolment_id]
        row.baseline.setdefault(rating.competency_id, rating.level)
        row.latest[rating.competency_id] = rating.level

    participants = list(rows.values())
    total = len(participants)
    modules = [
        ModuleRow(
            s,
            sum(1 for p in participants if s.id in p.completed),
            sum(1 for p in participants if s.id in p.attended),
            total,
            now >= s.starts_at,
        )
        for s in sessions
    ]
    tasks = [
        TaskRow(
            w,
            sum(1 for p in participants if p.tasks[w.id].code in ("submitted", "reviewed")),
            sum(1 for p in participants if p.tasks[w.id].code == "in_progress"),
            total,
            now >= w.opens_at,
        )
        for w in windows
    ]
    competencies = list(cohort.programme.framework.competencies)
    return CohortReport(
        cohort,
        now,
        competencies,
        participants,
        modules,
        tasks,
        _changes(competencies, participants),
        cohort.members(CohortRole.FACILITATOR),
    )


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


def _changes(competencies: list[Competency], participants: list[ParticipantRow]) -> list[ChangeRow]:
    changes = []
    for c in competencies:
        pairs = [
            (p.baseline[c.id].value, p.latest[c.id].value) for p in participants if c.id in p.latest
        ]
        deltas: dict[str, int] = defaultdict(int)
        for first, last in pairs:
            deltas["up" if last > first else "down" if last < first else "same"] += 1
        changes.append(
            ChangeRow(
                c,
                len(pairs),
                _mean([first for first, _ in pairs]),
                _mean([last for _, last in pairs]),
                deltas["up"],
                deltas["same"],
                deltas["down"],
            )
        )
    return changes


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (names are user text)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def report_csv(report: CohortReport) -> str:
    """The report's data, one row per participant (UTF-8 text; the view adds a BOM)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    sessions = [m.session for m in report.modules]
    windows = [t.window for t in report.tasks]
    header = ["Participant", "Email", "School", "Coach"]
    header += [f"Completed {s.module.code} {s.module.title}" for s in sessions]
    header += [f"Task {w.task.code} {w.task.title}" for w in windows]
    header += [f"Evidence {c.code}" for c in report.competencies]
    header += [f"Baseline self-rating {c.code}" for c in report.competencies]
    header += [f"Latest self-rating {c.code}" for c in report.competencies]
    writer.writerow([_cell(h) for h in header])
    for p in report.participants:
        row: list[object] = [p.user.name, p.user.email, p.user.school, p.coach_name]
        row += ["yes" if s.id in p.completed else "no" for s in sessions]
        row += [p.tasks[w.id].label for w in windows]
        row += [p.evidence_count(c) for c in report.competencies]
        row += [p.baseline[c.id].value if c.id in p.baseline else "" for c in report.competencies]
        row += [p.latest[c.id].value if c.id in p.latest else "" for c in report.competencies]
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()
