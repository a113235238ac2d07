"""The demo's second, finished cohort gives the programme evaluation real figures."""

from __future__ import annotations

import sqlalchemy as sa

from insights_lms.cohorts.models import Cohort
from insights_lms.cohorts.services import cohorts_facilitated_by
from insights_lms.dashboard.evaluation import cohort_evaluation
from insights_lms.db import utcnow
from insights_lms.demo import DEMO_COHORT, build_demo
from insights_lms.demo.alumni import ALUMNI, FINISHED_COHORT
from tests.factories import find_user


def test_the_full_demo_has_a_finished_cohort_of_the_same_programme(db, content):
    current, created = build_demo(db, activity=True)
    db.commit()
    assert created
    finished = db.scalar(sa.select(Cohort).where(Cohort.code == FINISHED_COHORT))
    assert finished is not None and finished.programme_id == current.programme_id
    assert max(cm.ends_at for cm in finished.cohort_modules) < utcnow()
    facilitator = find_user(db, "facilitator@example.org")
    assert {c.code for c in cohorts_facilitated_by(db, facilitator)} == {
        DEMO_COHORT,
        FINISHED_COHORT,
    }

    ev = cohort_evaluation(db, finished)
    assert ev.participants == len(ALUMNI)
    for competency in ev.competencies:
        for kind in ("self", "coach", "agreed"):
            change = ev.changes[competency.id][kind]
            if kind == "self" or competency in ev.competencies[:6]:
                assert change.participants == len(ALUMNI), (competency.code, kind)
                assert change.mean_change is not None
    # Leaders grew over the year: on average their own view moved up on every competency.
    assert all(ev.changes[c.id]["self"].mean_change > 0 for c in ev.competencies)
    assert all(result.responses == len(ALUMNI) for result in ev.feedback)
    assert all(t.submitted == len(ALUMNI) for t in ev.dashboard.tasks)

    # Running the demo again keeps both cohorts as they are.
    _, created_again = build_demo(db, activity=True)
    assert not created_again
    assert db.scalar(sa.select(sa.func.count(Cohort.id))) == 2
