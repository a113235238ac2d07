"""The dashboard's figures and its "needs attention" rules."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from insights_lms.cohorts.models import CoachAssignment
from insights_lms.cohorts.services import assign_coach
from insights_lms.competencies.models import Competency
from insights_lms.conversations.models import Conversation, ConversationMode
from insights_lms.dashboard.services import cohort_dashboard
from insights_lms.db import utcnow
from insights_lms.enums import CohortRole
from insights_lms.evidence.models import Evidence
from insights_lms.programmes.models import Programme
from insights_lms.tasks.models import ResponseStatus, TaskResponse
from tests.factories import enrolled, make_cohort


def test_rules_for_who_needs_attention(db, content):
    now = utcnow()
    programme = db.scalar(sa.select(Programme))
    cohort = make_cohort(db, programme, first_module_start=now - dt.timedelta(days=100))
    coach = enrolled(db, cohort, CohortRole.COACH, name="Coach")
    active = enrolled(db, cohort, CohortRole.PARTICIPANT, name="Active Alice")
    quiet = enrolled(db, cohort, CohortRole.PARTICIPANT, name="Quiet Quentin")
    for person in (active, quiet):
        assign_coach(db, cohort, coach, person)
    competency = db.scalars(sa.select(Competency)).first()
    past_windows = [w for w in cohort.task_windows if w.due_at < now]
    assert past_windows, "the cohort started 100 days ago: some tasks are past due"
    enrolment = next(e for e in cohort.enrolments if e.user is active)
    db.add(
        Evidence(
            enrolment=enrolment,
            owner=active,
            title="Fresh",
            occurred_on=now.date(),
            competencies=[competency],
            created_dt=now - dt.timedelta(days=2),
            updated_dt=now - dt.timedelta(days=2),
        )
    )
    for window in past_windows:
        db.add(
            TaskResponse(enrolment=enrolment, cohort_task=window, status=ResponseStatus.SUBMITTED)
        )
    db.add(
        Conversation(
            enrolment=enrolment,
            coach=coach,
            held_on=now.date() - dt.timedelta(days=1),
            minutes=60,
            mode=ConversationMode.ONLINE,
        )
    )
    db.flush()

    board = cohort_dashboard(db, cohort, now)
    rows = {row.user.name: row for row in board.participants}
    assert rows["Active Alice"].risks == []
    assert rows["Active Alice"].evidence == {competency.id: 1}
    quiet_risks = rows["Quiet Quentin"].risks
    assert "No activity for 3 weeks or more" in quiet_risks
    assert f"{len(past_windows)} overdue task{'s' if len(past_windows) != 1 else ''}" in quiet_risks
    assert any(r.startswith("No coaching conversation since") for r in quiet_risks)
    assert [row.user.name for row in board.at_risk] == ["Quiet Quentin"]
    assert board.coverage(competency) == 1
    first_task = min(board.tasks, key=lambda t: t.window.opens_at)
    assert (first_task.submitted, first_task.overdue) == (1, 1)

    db.execute(sa.delete(CoachAssignment).where(CoachAssignment.participant_id == quiet.id))
    db.flush()
    db.expire_all()
    board = cohort_dashboard(db, cohort, now)
    assert (
        "No coach yet"
        in next(r for r in board.participants if r.user.name == "Quiet Quentin").risks
    )
