"""Programme evaluation for one cohort: did leaders' competencies move, which modules served
and which stretched, and how much of the programme was completed.

For each competency and each kind of rating (self, coach, agreed), a participant's *baseline*
is their first rating of that kind and their *latest* their last; only participants with two or
more ratings of a kind count towards its change, and every figure carries that number.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from statistics import mean

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from insights_lms.assessment.models import SelfRating
from insights_lms.cohorts.models import Cohort, Enrolment
from insights_lms.competencies.models import Competency
from insights_lms.dashboard.services import Dashboard, cohort_dashboard
from insights_lms.enums import CohortRole
from insights_lms.feedback.models import Stretch
from insights_lms.feedback.services import ModuleResult, module_results
from insights_lms.ratings.models import CompetencyRating, RatingKind

#: The kinds of rating compared, in the order they are shown.
KINDS = ("self", RatingKind.COACH.value, RatingKind.AGREED.value)
KIND_LABELS = {"self": "Self", "coach": "Coach", "agreed": "Agreed"}


@dataclass
class Change:
    """Baseline-to-latest change of one kind of rating on one competency across the cohort."""

    #: Participants with two or more ratings (the ones the change is computed over).
    participants: int = 0
    #: Participants with exactly one rating so far (a baseline, no change yet).
    baseline_only: int = 0
    mean_baseline: float | None = None
    mean_latest: float | None = None
    #: change in levels -> number of participants
    distribution: Counter[int] = field(default_factory=Counter)

    @property
    def mean_change(self) -> float | None:
        if not self.participants:
            return None
        return sum(k * n for k, n in self.distribution.items()) / self.participants


@dataclass
class Evaluation:
    cohort: Cohort
    competencies: list[Competency]
    #: competency id -> kind -> Change
    changes: dict[int, dict[str, Change]]
    feedback: list[ModuleResult]
    dashboard: Dashboard

    @property
    def participants(self) -> int:
        return len(self.dashboard.participants)


def _changes(series: dict[tuple[int, int], list[int]]) -> dict[int, Change]:
    """``series``: (enrolment id, competency id) -> level values oldest first."""
    by_competency: dict[int, list[list[int]]] = defaultdict(list)
    for (_enrolment_id, competency_id), values in series.items():
        by_competency[competency_id].append(values)
    result: dict[int, Change] = {}
    for competency_id, all_values in by_competency.items():
        change = Change()
        pairs = [(v[0], v[-1]) for v in all_values if len(v) >= 2]
        change.baseline_only = sum(1 for v in all_values if len(v) == 1)
        change.participants = len(pairs)
        if pairs:
            change.mean_baseline = mean(b for b, _ in pairs)
            change.mean_latest = mean(latest for _, latest in pairs)
            change.distribution = Counter(latest - b for b, latest in pairs)
        result[competency_id] = change
    return result


def cohort_evaluation(session: Session, cohort: Cohort) -> Evaluation:
    enrolment_ids = sa.select(Enrolment.id).where(
        Enrolment.cohort_id == cohort.id, Enrolment.role == CohortRole.PARTICIPANT
    )
    series: dict[str, dict[tuple[int, int], list[int]]] = {
        kind: defaultdict(list) for kind in KINDS
    }
    for rating in session.scalars(
        sa.select(SelfRating)
        .where(SelfRating.enrolment_id.in_(enrolment_ids))
        .options(selectinload(SelfRating.level))
        .order_by(SelfRating.rated_dt, SelfRating.id)
    ):
        series["self"][(rating.enrolment_id, rating.competency_id)].append(rating.level.value)
    for other in session.scalars(
        sa.select(CompetencyRating)
        .where(
            CompetencyRating.enrolment_id.in_(enrolment_ids),
            CompetencyRating.kind.in_([RatingKind.COACH, RatingKind.AGREED]),
        )
        .options(selectinload(CompetencyRating.level))
        .order_by(CompetencyRating.rated_dt, CompetencyRating.id)
    ):
        key = (other.enrolment_id, other.competency_id)
        series[other.kind.value][key].append(other.level.value)
    per_kind = {kind: _changes(values) for kind, values in series.items()}
    dashboard = cohort_dashboard(session, cohort)
    changes = {
        c.id: {kind: per_kind[kind].get(c.id, Change()) for kind in KINDS}
        for c in dashboard.competencies
    }
    return Evaluation(
        cohort, dashboard.competencies, changes, module_results(session, cohort), dashboard
    )


def change_label(levels: int) -> str:
    """How a change in levels reads: "up 2", "same", "down 1"."""
    if levels == 0:
        return "same"
    return f"{'up' if levels > 0 else 'down'} {abs(levels)}"


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def evaluation_csv(evaluation: Evaluation) -> str:
    """The evaluation as one CSV table: a ``section`` column says which part a row belongs to."""
    out = io.StringIO()
    writer = _SafeWriter(out)
    writer.writerow(
        [
            "section",
            "item",
            "title",
            "measure",
            "participants",
            "baseline_only",
            "mean_baseline",
            "mean_latest",
            "mean_change",
            "distribution",
        ]
    )
    for competency in evaluation.competencies:
        for kind in KINDS:
            change = evaluation.changes[competency.id][kind]
            distribution = "; ".join(
                f"{change_label(k)}: {n}" for k, n in sorted(change.distribution.items())
            )
            writer.writerow(
                [
                    "rating_change",
                    competency.code,
                    competency.title,
                    kind,
                    change.participants,
                    change.baseline_only,
                    _fmt(change.mean_baseline),
                    _fmt(change.mean_latest),
                    _fmt(change.mean_change),
                    distribution,
                ]
            )
    for result in evaluation.feedback:
        module = result.cohort_module.module
        stretch = " ".join(f"{s.value}:{result.stretch[s]}" for s in Stretch)
        for measure, value in (
            ("relevance", result.mean_relevance),
            ("impact", result.mean_impact),
        ):
            writer.writerow(
                [
                    "module_feedback",
                    module.code,
                    module.title,
                    measure,
                    result.responses,
                    "",
                    "",
                    _fmt(value),
                    "",
                    stretch if measure == "relevance" else "",
                ]
            )
    for figures in evaluation.dashboard.modules:
        module = figures.cohort_module.module
        writer.writerow(
            [
                "module_completion",
                module.code,
                module.title,
                "completed",
                figures.completed,
                "",
                "",
                "",
                "",
                f"attended:{figures.attended} of:{evaluation.participants}",
            ]
        )
    for task in evaluation.dashboard.tasks:
        writer.writerow(
            [
                "task_completion",
                task.window.task.code,
                task.window.task.title,
                "submitted",
                task.submitted,
                "",
                "",
                "",
                "",
                f"drafts:{task.drafts} overdue:{task.overdue} of:{evaluation.participants}",
            ]
        )
    return out.getvalue()


def csv_safe(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, quoted so it stays text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


class _SafeWriter:
    """``csv.writer`` that neutralises formula-like text cells (numbers are left alone)."""

    def __init__(self, out: io.StringIO):
        self._writer = csv.writer(out)

    def writerow(self, row: list[object]) -> None:
        self._writer.writerow([csv_safe(cell) for cell in row])
