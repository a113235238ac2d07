"""Coaching through the web: coachees at a glance, one coachee's evidence, reviewing evidence,
and what the participant then sees; access for everyone else."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from insights_lms.auth.models import User
from insights_lms.cohorts.models import Enrolment
from insights_lms.competencies.models import Competency
from insights_lms.enums import CohortRole
from insights_lms.evidence.models import Evidence, EvidenceReview
from insights_lms.evidence.services import EvidenceInput, create_evidence
from tests.conftest import csrf_token, login


def person(db, email: str) -> User:
    found = db.scalar(sa.select(User).where(User.email == email))
    assert found is not None
    return found


@pytest.fixture
def evidence(db, demo) -> Evidence:
    """participant1's evidence (coached by coach2)."""
    enrolment = db.scalar(
        sa.select(Enrolment)
        .join(Enrolment.user)
        .where(User.email == "participant1@example.org", Enrolment.role == CohortRole.PARTICIPANT)
    )
    competency = db.scalar(sa.select(Competency).where(Competency.code == "L1.2"))
    data = EvidenceInput(
        title="Staff voice survey",
        occurred_on=dt.date(2026, 11, 2),
        narrative="We asked all staff what helps.",
        competency_ids=[competency.id],
    )
    result = create_evidence(
        db, None, enrolment=enrolment, user=enrolment.user, data=data, max_file_size=1024
    )
    db.commit()
    return result.evidence


def review(client, evidence, **data):
    page = client.get(f"/evidence/{evidence.public_id}")
    form = {"csrf_token": csrf_token(page.text), **data}
    return client.post(f"/coaching/evidence/{evidence.public_id}/review", data=form)


def reviews(db) -> list[EvidenceReview]:
    db.expire_all()
    return list(db.scalars(sa.select(EvidenceReview)))


def test_coach_asks_for_more_and_the_participant_sees_it(app, client, db, evidence):
    login(client, "coach2@example.org")
    page = client.get(f"/evidence/{evidence.public_id}")
    assert "Review this evidence" in page.text and "<legend>Outcome</legend>" in page.text
    assert '<label for="comment">Comment</label>' in page.text
    response = review(client, evidence, outcome="needs_more", comment="Add the survey results.")
    assert response.status_code == 302
    page = client.get(response.location)
    assert "Saved your review" in page.text
    client = app.test_client()
    login(client, "participant1@example.org")
    page = client.get(f"/evidence/{evidence.public_id}")
    assert "Needs more" in page.text and "Add the survey results." in page.text
    assert "Review this evidence" not in page.text  # not for the owner
    assert "Needs more" in client.get("/progress/").text
    assert "Needs more" in client.get("/evidence/").text
    home = client.get("/").text
    assert "needs more" in home and f"/evidence/{evidence.public_id}" in home


def test_coach_accepts(app, client, db, evidence):
    login(client, "coach2@example.org")
    response = review(client, evidence, outcome="accepted", comment="")
    assert response.status_code == 302
    assert [r.outcome.value for r in reviews(db)] == ["accepted"]
    client = app.test_client()
    login(client, "participant1@example.org")
    assert "Accepted" in client.get("/progress/").text
    assert "Accepted" in client.get(f"/evidence/{evidence.public_id}").text


def test_needs_more_without_a_comment_is_refused_with_a_message(client, db, evidence):
    login(client, "coach2@example.org")
    response = review(client, evidence, outcome="needs_more", comment="  ")
    assert response.status_code == 400
    assert "Say what more is needed" in response.text
    assert "<h1>Staff voice survey</h1>" in response.text
    assert reviews(db) == []


def test_a_too_long_comment_is_refused_and_kept(client, db, evidence):
    login(client, "coach2@example.org")
    comment = "Add the data. " * 300
    response = review(client, evidence, outcome="accepted", comment=comment)
    assert response.status_code == 400
    assert "Add the data. Add the data." in response.text
    assert reviews(db) == []


def test_no_outcome_is_refused(client, db, evidence):
    login(client, "coach2@example.org")
    response = review(client, evidence, comment="Kept comment")
    assert response.status_code == 400
    assert "Choose whether to accept" in response.text and "Kept comment" in response.text


def test_missing_csrf_is_refused(client, db, evidence):
    login(client, "coach2@example.org")
    response = client.post(
        f"/coaching/evidence/{evidence.public_id}/review", data={"outcome": "accepted"}
    )
    assert response.status_code == 400
    assert reviews(db) == []


def test_another_coach_gets_404(client, db, evidence):
    login(client, "coach1@example.org")
    assert client.get(f"/evidence/{evidence.public_id}").status_code == 404
    page = client.get("/coaching/")
    response = client.post(
        f"/coaching/evidence/{evidence.public_id}/review",
        data={"csrf_token": csrf_token(page.text), "outcome": "accepted"},
    )
    assert response.status_code == 404
    amina = person(db, "participant1@example.org")
    assert client.get(f"/coaching/demo-cohort/{amina.public_id}").status_code == 404
    assert reviews(db) == []


def test_the_participant_cannot_review_their_own(client, db, evidence):
    login(client, "participant1@example.org")
    page = client.get(f"/evidence/{evidence.public_id}")
    response = client.post(
        f"/coaching/evidence/{evidence.public_id}/review",
        data={"csrf_token": csrf_token(page.text), "outcome": "accepted"},
    )
    assert response.status_code == 403
    assert reviews(db) == []


def test_another_participant_gets_404(client, db, evidence):
    login(client, "participant2@example.org")
    page = client.get("/")
    response = client.post(
        f"/coaching/evidence/{evidence.public_id}/review",
        data={"csrf_token": csrf_token(page.text), "outcome": "accepted"},
    )
    assert response.status_code == 404
    amina = person(db, "participant1@example.org")
    assert client.get(f"/coaching/demo-cohort/{amina.public_id}").status_code == 404
    assert client.get("/coaching/").status_code == 403


def test_the_participant_cannot_open_their_coachee_page(client, db, evidence):
    login(client, "participant1@example.org")
    amina = person(db, "participant1@example.org")
    assert client.get(f"/coaching/demo-cohort/{amina.public_id}").status_code == 404


def test_a_facilitator_reviews_and_sees_the_coachee(client, db, evidence):
    login(client, "facilitator@example.org")
    response = review(client, evidence, outcome="accepted", comment="Well evidenced.")
    assert response.status_code == 302
    assert [r.reviewer.email for r in reviews(db)] == ["facilitator@example.org"]
    amina = person(db, "participant1@example.org")
    page = client.get(f"/coaching/demo-cohort/{amina.public_id}")
    assert page.status_code == 200 and "Staff voice survey" in page.text
    assert "Accepted" in page.text
    assert amina.name in client.get("/coaching/").text


def test_the_coach_sees_coachees_at_a_glance(client, db, evidence):
    login(client, "coach2@example.org")
    assert "/coaching/" in client.get("/").text
    page = client.get("/coaching/")
    assert page.status_code == 200
    amina = person(db, "participant1@example.org")
    other = person(db, "participant2@example.org")
    assert amina.name in page.text and other.name in page.text
    assert person(db, "participant3@example.org").name not in page.text
    assert f"/evidence/{evidence.public_id}" in page.text  # awaiting review, linked
    coachee = client.get(f"/coaching/demo-cohort/{amina.public_id}")
    assert coachee.status_code == 200
    assert "Staff voice survey" in coachee.text and "Awaiting review" in coachee.text
    assert client.get("/coaching/demo-cohort/no-such-person").status_code == 404
    assert client.get(f"/coaching/no-such-cohort/{amina.public_id}").status_code == 404
