"""The cohort dashboard through the web: what a facilitator sees, who may see it, and a fixed
number of SQL statements whatever the cohort's size."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from markupsafe import escape

from insights_lms.auth.models import User
from insights_lms.cohorts.models import CoachAssignment, Cohort, Enrolment
from insights_lms.competencies.models import Competency
from insights_lms.db import utcnow
from insights_lms.enums import CohortRole
from insights_lms.evidence.models import Evidence
from insights_lms.programmes.models import Programme
from insights_lms.state import get_state
from insights_lms.tasks.models import ResponseStatus, TaskResponse
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD, enrolled, make_cohort


def logout(client) -> None:
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})


def test_the_facilitator_sees_completion_coverage_and_who_needs_attention(client, db, demo):
    login(client, "facilitator@example.org")
    cohort_page = client.get(f"/cohorts/{demo.code}")
    assert f"/cohorts/{demo.code}/dashboard" in cohort_page.text
    page = client.get(f"/cohorts/{demo.code}/dashboard")
    assert page.status_code == 200
    text = page.text
    assert "<h1>Cohort dashboard</h1>" in text
    for cm in demo.cohort_modules:
        assert str(escape(cm.module.title)) in text
    for window in demo.task_windows:
        assert str(escape(window.task.title)) in text
    for competency in db.scalars(sa.select(Competency)):
        assert f">{competency.code}</abbr>" in text
    # The minimal demo has no activity at all: everyone is flagged as quiet.
    assert text.count("No activity for 3 weeks or more") == len(
        demo.members(CohortRole.PARTICIPANT)
    )
    assert (
        "No activity for 6 weeks or more"
        in client.get(f"/cohorts/{demo.code}/dashboard?weeks=6").text
    )


def test_only_the_cohorts_facilitators_see_the_dashboard(client, db, demo):
    other = make_cohort(db, demo.programme)
    outsider = enrolled(db, other, CohortRole.FACILITATOR)
    db.commit()
    url = f"/cohorts/{demo.code}/dashboard"
    assert client.get(url).status_code == 302
    for email in ("participant1@example.org", "coach1@example.org"):
        login(client, email)
        assert client.get(url).status_code == 404
        logout(client)
    login(client, outsider.email, PASSWORD)
    assert client.get(url).status_code == 404
    assert client.get(f"/cohorts/{other.code}/dashboard").status_code == 200


def _fill(db, cohort: Cohort, size: int, coach: User) -> None:
    """``size`` participants, with evidence, task drafts and coaches for some of them."""
    competencies = list(db.scalars(sa.select(Competency)))
    windows = sorted(cohort.task_windows, key=lambda w: w.opens_at)
    for n in range(size):
        user = User(email=f"p{n}-{cohort.code}@school.example", name=f"Participant {n:03}")
        db.add(user)
        enrolment = Enrolment(cohort=cohort, user=user, role=CohortRole.PARTICIPANT)
        db.add(enrolment)
        db.flush()
        if n % 2:
            db.add(CoachAssignment(cohort=cohort, coach=coach, participant=user))
        db.add(
            Evidence(
                enrolment=enrolment,
                owner=user,
                title=f"Evidence {n}",
                occurred_on=dt.date(2026, 10, 1),
                competencies=competencies[: 1 + n % 3],
            )
        )
        db.add(
            TaskResponse(
                enrolment=enrolment,
                cohort_task=windows[n % len(windows)],
                status=ResponseStatus.DRAFT,
            )
        )
    db.commit()


@pytest.mark.parametrize("sizes", [(10, 200)])
def test_the_dashboard_costs_the_same_queries_for_10_or_200_participants(
    app, client, db, content, sizes
):
    programme = db.scalar(sa.select(Programme))
    facilitator = None
    counts = []
    for size in sizes:
        cohort = make_cohort(db, programme, first_module_start=utcnow() - dt.timedelta(days=60))
        if facilitator is None:
            facilitator = enrolled(db, cohort, CohortRole.FACILITATOR)
            coach = enrolled(db, cohort, CohortRole.COACH)
        else:
            db.add(Enrolment(cohort=cohort, user=facilitator, role=CohortRole.FACILITATOR))
            db.add(Enrolment(cohort=cohort, user=coach, role=CohortRole.COACH))
        db.commit()
        _fill(db, cohort, size, coach)
        counts.append((size, cohort.code))
    login(client, facilitator.email, PASSWORD)
    with app.app_context():
        engine = get_state().db.engine
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    measured = {}
    for size, code in counts:
        client.get(f"/cohorts/{code}/dashboard")  # warm up (first-request loads)
        statements.clear()
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            page = client.get(f"/cohorts/{code}/dashboard")
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        assert page.status_code == 200
        assert page.text.count("Participant 0") >= 1
        measured[size] = len(statements)
    assert measured[10] == measured[200], measured
    assert measured[200] < 40, measured
    print("dashboard SQL statements per page:", measured)
