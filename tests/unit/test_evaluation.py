"""Programme evaluation: baseline-to-latest change per competency and rater, with its n."""

from __future__ import annotations

import csv
import datetime as dt
import io

import sqlalchemy as sa

from insights_lms.assessment.models import AssessmentOccasion, SelfRating
from insights_lms.cohorts.models import Enrolment
from insights_lms.competencies.models import Competency, Level
from insights_lms.dashboard.evaluation import change_label, cohort_evaluation, evaluation_csv
from insights_lms.enums import CohortRole
from insights_lms.ratings.models import CompetencyRating, RatingKind
from tests.factories import utc


def _levels(db) -> dict[int, Level]:
    return {level.value: level for level in db.scalars(sa.select(Level))}


def test_change_is_first_to_last_and_counts_who_it_covers(db, demo):
    levels = _levels(db)
    competency = db.scalar(sa.select(Competency).where(Competency.code == "L2.3"))
    enrolments = list(
        db.scalars(
            sa.select(Enrolment)
            .where(Enrolment.cohort_id == demo.id, Enrolment.role == CohortRole.PARTICIPANT)
            .order_by(Enrolment.id)
        )
    )
    a, b, c = enrolments[:3]
    day = utc(2026, 9, 24, 12)

    def self_rating(enrolment, value, days):
        db.add(
            SelfRating(
                enrolment=enrolment,
                competency=competency,
                level=levels[value],
                occasion=AssessmentOccasion.START if days == 0 else AssessmentOccasion.END,
                rated_dt=day + dt.timedelta(days=days),
            )
        )

    self_rating(a, 1, 0)
    self_rating(a, 2, 50)
    self_rating(a, 3, 100)  # a: 1 -> 3
    self_rating(b, 3, 0)
    self_rating(b, 2, 100)  # b: 3 -> 2
    self_rating(c, 2, 0)  # c: baseline only
    for enrolment, values in ((a, (1, 2)), (b, (2, 2))):
        for n, value in enumerate(values):
            db.add(
                CompetencyRating(
                    enrolment=enrolment,
                    competency=competency,
                    level=levels[value],
                    kind=RatingKind.AGREED,
                    rated_dt=day + dt.timedelta(days=10 * n),
                )
            )
    db.flush()

    ev = cohort_evaluation(db, demo)
    own = ev.changes[competency.id]
    assert own["self"].participants == 2
    assert own["self"].baseline_only == 1
    assert own["self"].mean_change == 0.5  # (+2 - 1) / 2
    assert (own["self"].mean_baseline, own["self"].mean_latest) == (2, 2.5)
    assert dict(own["self"].distribution) == {2: 1, -1: 1}
    assert own["agreed"].participants == 2 and own["agreed"].mean_change == 0.5
    assert own["coach"].participants == 0 and own["coach"].mean_change is None
    untouched = next(c for c in ev.competencies if c.id != competency.id)
    assert ev.changes[untouched.id]["self"].participants == 0

    rows = list(csv.DictReader(io.StringIO(evaluation_csv(ev))))
    self_row = next(
        r
        for r in rows
        if r["section"] == "rating_change" and r["item"] == "L2.3" and r["measure"] == "self"
    )
    assert self_row["participants"] == "2"
    assert self_row["mean_change"] == "0.50"
    assert self_row["distribution"] == "down 1: 1; up 2: 1"
    sections = {r["section"] for r in rows}
    assert sections == {"rating_change", "module_feedback", "module_completion", "task_completion"}
    assert [change_label(n) for n in (-2, 0, 1)] == ["down 2", "same", "up 1"]
