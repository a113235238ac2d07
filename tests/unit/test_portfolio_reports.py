"""The facilitators' cohort report: completion per module and task, evidence coverage, and
baseline-to-latest change in self-ratings; and the same data as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import sqlalchemy as sa

from insights_lms.assessment.models import AssessmentOccasion
from insights_lms.assessment.services import record_self_assessment
from insights_lms.cohorts.models import Cohort
from insights_lms.competencies.models import Competency, Level
from insights_lms.enums import CohortRole
from insights_lms.evidence.services import EvidenceInput, create_evidence, delete_evidence
from insights_lms.portfolio.reports import cohort_report, report_csv
from insights_lms.programmes.models import Programme
from tests.factories import enrolled, make_cohort, participant_enrolment, utc

LATER = utc(2031, 1, 1)  # every module of the small cohort has ended by then


@pytest.fixture
def demo_cohort(rich_demo) -> Cohort:
    return rich_demo


def by_code(db, code: str) -> Competency:
    found = db.scalar(sa.select(Competency).where(Competency.code == code))
    assert found is not None
    return found


def test_completion_per_module_and_task(db, demo_cohort):
    report = cohort_report(db, demo_cohort)
    assert [p.user.name for p in report.participants] == sorted(
        p.user.name for p in report.participants
    )
    held = [m for m in report.modules if m.has_started]
    # The demo: Amina reflected on every module so far, Tom on two, Priya on one.
    assert [m.completed for m in held] == [3, 2, 1, 1]
    # Sam was absent from the third module and Daniel sent apologies for the fourth.
    assert [m.attended for m in held] == [6, 6, 5, 5]
    assert all(m.participants == 6 for m in report.modules)
    first_task = report.tasks[0]
    assert (first_task.submitted, first_task.participants) == (1, 6)
    assert sum(t.in_progress for t in report.tasks) == 1  # Tom's draft


def test_coverage_counts_evidence_per_participant_and_competency(db, demo_cohort):
    amina = participant_enrolment(db, "participant1@example.org")
    l11 = by_code(db, "L1.1")
    extra = create_evidence(
        db,
        None,
        enrolment=amina,
        user=amina.user,
        data=EvidenceInput("Values assembly", dt.date(2026, 11, 1), "", [l11.id]),
        max_file_size=1024,
    )
    gone = create_evidence(
        db,
        None,
        enrolment=amina,
        user=amina.user,
        data=EvidenceInput("Deleted", dt.date(2026, 11, 1), "", [l11.id]),
        max_file_size=1024,
    )
    delete_evidence(db, gone.evidence, amina.user)
    db.commit()
    report = cohort_report(db, demo_cohort)
    row = next(p for p in report.participants if p.user.id == amina.user_id)
    assert row.evidence_count(l11) == 1  # the deleted piece does not count
    assert extra.evidence.id
    assert row.evidence_count(by_code(db, "L1.2")) == 1
    assert row.evidence_count(by_code(db, "L2.3")) == 0
    sam = next(p for p in report.participants if p.user.email == "participant6@example.org")
    assert sam.evidence_total == 0 and sam.heat(l11) == 0
    # L1.1: Amina now, and Priya's letter to families.
    assert report.coverage(l11) == 2


def test_heat_is_capped(db, demo_cohort):
    amina = participant_enrolment(db, "participant1@example.org")
    l32 = by_code(db, "L3.2")
    for n in range(6):
        create_evidence(
            db,
            None,
            enrolment=amina,
            user=amina.user,
            data=EvidenceInput(f"Change log {n}", dt.date(2026, 11, 1), "", [l32.id]),
            max_file_size=1024,
        )
    db.commit()
    row = next(p for p in cohort_report(db, demo_cohort).participants if p.user.id == amina.user_id)
    assert row.evidence_count(l32) == 6 and row.heat(l32) == 4


@pytest.fixture
def small_cohort(db, content) -> Cohort:
    """Three participants with a baseline and a later self-rating each, on L1.1 (and L1.2
    for two of them)."""
    programme = db.scalar(sa.select(Programme))
    cohort = make_cohort(db, programme, first_module_start=utc(2026, 9, 1, 9))
    levels = {lv.value: lv.id for lv in db.scalars(sa.select(Level))}
    l11, l12 = by_code(db, "L1.1"), by_code(db, "L1.2")
    first_module = sorted(cohort.cohort_modules, key=lambda s: s.module.sequence)[0].module
    plan = {"Ann": ((1, 3), (2, 2)), "Bob": ((2, 2), (1, 2)), "Cat": ((3, 2), None)}
    for name, (on_l11, on_l12) in plan.items():
        user = enrolled(db, cohort, CohortRole.PARTICIPANT, name=name)
        enrolment = next(e for e in cohort.enrolments if e.user_id == user.id)
        start = {l11.id: (levels[on_l11[0]], "")}
        later = {l11.id: (levels[on_l11[1]], "")}
        if on_l12:
            start[l12.id] = (levels[on_l12[0]], "")
            later[l12.id] = (levels[on_l12[1]], "")
        record_self_assessment(
            db, enrolment, AssessmentOccasion.START, None, start, now=utc(2026, 8, 20)
        )
        record_self_assessment(
            db, enrolment, AssessmentOccasion.AFTER_MODULE, first_module, later, now=LATER
        )
    db.commit()
    return cohort


def test_change_from_baseline_to_latest(db, small_cohort):
    report = cohort_report(db, small_cohort, now=LATER)
    change = {c.competency.code: c for c in report.changes}
    l11 = change["L1.1"]
    assert l11.rated == 3
    assert l11.baseline_mean == pytest.approx(2.0)  # (1 + 2 + 3) / 3
    assert l11.latest_mean == pytest.approx(7 / 3)  # (3 + 2 + 2) / 3
    assert l11.change == pytest.approx(1 / 3)
    assert (l11.improved, l11.same, l11.declined) == (1, 1, 1)
    l12 = change["L1.2"]
    assert (l12.rated, l12.baseline_mean, l12.latest_mean) == (2, 1.5, 2.0)
    assert (l12.improved, l12.same, l12.declined) == (1, 1, 0)
    unrated = change["L4.2"]
    assert unrated.rated == 0 and unrated.change is None


def test_csv_has_a_row_per_participant_with_the_same_figures(db, small_cohort):
    report = cohort_report(db, small_cohort, now=LATER)
    rows = list(csv.DictReader(io.StringIO(report_csv(report))))
    assert [r["Participant"] for r in rows] == ["Ann", "Bob", "Cat"]
    ann = rows[0]
    assert (ann["Baseline self-rating L1.1"], ann["Latest self-rating L1.1"]) == ("1", "3")
    assert rows[2]["Baseline self-rating L1.2"] == ""  # Cat never rated it
    assert ann["Evidence L1.1"] == "0"
    module_columns = [k for k in ann if k.startswith("Completed ")]
    task_columns = [k for k in ann if k.startswith("Task ")]
    assert len(module_columns) == len(report.modules)
    assert len(task_columns) == len(report.tasks)
    assert {ann[k] for k in module_columns} == {"no"}
    assert ann[task_columns[0]] == "Not started — overdue"


def test_csv_cells_never_run_as_spreadsheet_formulas(db, small_cohort):
    enrolled(
        db,
        small_cohort,
        CohortRole.PARTICIPANT,
        name='=HYPERLINK("https://evil.example","click")',
        school="@SUM(1+1)",
    )
    db.commit()
    text = report_csv(cohort_report(db, small_cohort, now=LATER))
    row = next(r for r in csv.DictReader(io.StringIO(text)) if "HYPERLINK" in r["Participant"])
    assert row["Participant"].startswith("'=")
    assert row["School"] == "'@SUM(1+1)"
