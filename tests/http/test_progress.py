"""The progress map: competencies with evidence, tasks, modules, self rating, and gaps."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from insights_lms.auth.models import User
from insights_lms.cohorts.models import Enrolment
from insights_lms.competencies.models import Competency
from insights_lms.enums import CohortRole
from insights_lms.evidence.models import Evidence
from insights_lms.progress.services import progress_map
from tests.conftest import login


def enrolment_of(db, email):
    return db.scalar(
        sa.select(Enrolment)
        .join(User)
        .where(User.email == email, Enrolment.role == CohortRole.PARTICIPANT)
    )


def add(db, enrolment, title, codes, deleted=False):
    comps = list(db.scalars(sa.select(Competency).where(Competency.code.in_(codes))))
    item = Evidence(
        enrolment=enrolment,
        owner=enrolment.user,
        title=title,
        occurred_on=dt.date(2026, 10, 1),
        competencies=comps,
        is_deleted=deleted,
    )
    db.add(item)
    db.commit()
    return item


def test_map_lists_evidence_per_competency_and_highlights_gaps(db, demo):
    enrolment = enrolment_of(db, "participant1@example.org")
    add(db, enrolment, "Decision log", ["L1.3", "L3.2"])
    add(db, enrolment, "Deleted one", ["L2.1"], deleted=True)
    result = progress_map(db, enrolment)
    by_code = {row.competency.code: row for row in result.rows}
    assert len(result.rows) == 10
    assert [e.title for e in by_code["L1.3"].evidence] == ["Decision log"]
    assert not by_code["L1.3"].is_gap and not by_code["L3.2"].is_gap
    assert by_code["L2.1"].is_gap  # deleted evidence does not count
    assert len(result.gaps) == 8 and result.evidence_count == 1
    assert all(row.modules for row in result.rows)  # the programme links every competency
    assert all(row.tasks for row in result.rows)


def test_progress_page_shows_the_participants_own_map(client, db, demo):
    add(db, enrolment_of(db, "participant1@example.org"), "Decision log", ["L1.3"])
    add(db, enrolment_of(db, "participant2@example.org"), "Someone else's", ["L1.1"])
    login(client, "participant1@example.org")
    html = client.get("/progress/").text
    assert "<h1>Your progress map</h1>" in html
    assert "Decision log" in html and "Someone else" not in html
    assert html.count('class="progress-row gap"') == 9
    assert re.search(r"Gaps \(no evidence yet\)</dt><dd>9</dd>", html)
    assert "Add evidence for L1.1" in html and "Add evidence for L1.3" not in html
    assert "not rated yet" in html


def test_progress_page_for_non_participants_explains(client, demo):
    login(client, "coach1@example.org")
    assert "The progress map is for participants" in client.get("/progress/").text
