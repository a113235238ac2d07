"""Reviewing evidence (who may, history, the signal, the xAPI statement) and the coach's
overview of each coachee."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from ralph.models.xapi.base.statements import BaseXapiStatement

from insights_lms import signals
from insights_lms.coaching.services import coachee_overview
from insights_lms.competencies.models import Competency
from insights_lms.db import utcnow
from insights_lms.evidence.models import Evidence, EvidenceReview, ReviewOutcome
from insights_lms.evidence.reviews import (
    ReviewError,
    latest_reviews,
    needs_more,
    review_evidence,
    review_history,
    review_status,
)
from insights_lms.evidence.services import (
    EvidenceInput,
    create_evidence,
    delete_evidence,
    update_evidence,
)
from insights_lms.progress.services import progress_map
from insights_lms.xapi.models import XapiStatement
from tests.factories import find_user as user
from tests.factories import participant_enrolment as enrolment_of

MAX_FILE = 20 * 1024 * 1024


def add_evidence(db, email: str, title: str = "Staff voice survey", codes=("L1.2",)) -> Evidence:
    ids = list(db.scalars(sa.select(Competency.id).where(Competency.code.in_(codes))))
    data = EvidenceInput(
        title=title,
        occurred_on=dt.date(2026, 11, 2),
        narrative="We asked all staff what helps.",
        competency_ids=ids,
    )
    enrolment = enrolment_of(db, email)
    result = create_evidence(
        db, None, enrolment=enrolment, user=enrolment.user, data=data, max_file_size=MAX_FILE
    )
    db.flush()
    return result.evidence


@pytest.fixture
def evidence(db, demo) -> Evidence:
    return add_evidence(db, "participant1@example.org")


def test_the_coach_reviews_and_every_review_is_kept(db, evidence):
    coach = user(db, "coach2@example.org")
    first = review_evidence(
        db, evidence, coach, ReviewOutcome.NEEDS_MORE, "Add the survey results."
    )
    later = utcnow() + dt.timedelta(minutes=5)
    second = review_evidence(db, evidence, coach, ReviewOutcome.ACCEPTED, "", now=later)
    assert [r.id for r in review_history(db, evidence)] == [second.id, first.id]
    assert db.scalar(sa.select(sa.func.count()).select_from(EvidenceReview)) == 2
    assert latest_reviews(db, [evidence.id]) == {evidence.id: second}
    assert review_status(evidence, second) == "Accepted"


def test_a_facilitator_of_the_cohort_may_review(db, evidence):
    review = review_evidence(
        db, evidence, user(db, "facilitator@example.org"), ReviewOutcome.ACCEPTED, "Clear."
    )
    assert review.reviewer.email == "facilitator@example.org"


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("coach1@example.org", "Only the participant's coach or a facilitator"),
        ("participant2@example.org", "Only the participant's coach or a facilitator"),
        ("participant1@example.org", "You cannot review your own evidence."),
    ],
)
def test_others_may_not_review(db, evidence, email, message):
    with pytest.raises(ReviewError, match=message):
        review_evidence(db, evidence, user(db, email), ReviewOutcome.ACCEPTED, "")
    assert db.scalar(sa.select(sa.func.count()).select_from(EvidenceReview)) == 0


def test_deleted_evidence_cannot_be_reviewed(db, evidence):
    delete_evidence(db, evidence, evidence.owner)
    with pytest.raises(ReviewError, match="deleted"):
        review_evidence(db, evidence, user(db, "coach2@example.org"), ReviewOutcome.ACCEPTED, "")


@pytest.mark.parametrize(
    ("outcome", "comment", "message"),
    [
        (ReviewOutcome.NEEDS_MORE, "   ", "Say what more is needed"),
        (ReviewOutcome.ACCEPTED, "x" * 4001, "Keep your comment to 4,000 characters."),
    ],
)
def test_comment_rules(db, evidence, outcome, comment, message):
    with pytest.raises(ReviewError, match=message) as caught:
        review_evidence(db, evidence, user(db, "coach2@example.org"), outcome, comment)
    assert caught.value.field == "comment"


def test_the_signal_is_sent_once_with_the_review_and_reviewer(db, evidence):
    received: list[tuple[Any, dict[str, Any]]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        received.append((sender, kwargs))

    coach = user(db, "coach2@example.org")
    with signals.evidence_reviewed.connected_to(receiver):
        review = review_evidence(db, evidence, coach, ReviewOutcome.NEEDS_MORE, "More data.")
    assert received == [(review, {"reviewer": coach})]


def test_changed_evidence_awaits_review_again_and_leaves_needs_more(db, evidence):
    coach = user(db, "coach2@example.org")
    enrolment = evidence.enrolment
    evidence.updated_dt = utcnow() - dt.timedelta(hours=2)
    review = review_evidence(
        db,
        evidence,
        coach,
        ReviewOutcome.NEEDS_MORE,
        "Add the survey results.",
        now=utcnow() - dt.timedelta(hours=1),
    )
    assert review_status(evidence, review) == "Needs more"
    assert needs_more(db, enrolment) == [(evidence, review)]
    assert progress_map(db, enrolment).review_statuses[evidence.id] == "Needs more"
    data = EvidenceInput(
        title=evidence.title,
        occurred_on=evidence.occurred_on,
        narrative="Now with the results: 41 replies.",
        competency_ids=[c.id for c in evidence.competencies],
    )
    update_evidence(db, None, evidence, user=evidence.owner, data=data, max_file_size=MAX_FILE)
    assert review_status(evidence, review) == "Awaiting review"
    assert needs_more(db, enrolment) == []


def test_the_overview_counts_each_coachee(db, demo):
    coach = user(db, "coach2@example.org")
    first = add_evidence(db, "participant1@example.org", "Survey")
    add_evidence(db, "participant1@example.org", "Observation", codes=("L2.3",))
    add_evidence(db, "participant2@example.org", "Meeting notes")
    review_evidence(db, first, coach, ReviewOutcome.ACCEPTED, "")
    overview = coachee_overview(db, coach)
    by_email = {s.participant.email: s for s in overview}
    assert set(by_email) == {"participant1@example.org", "participant2@example.org"}
    amina = by_email["participant1@example.org"]
    assert [e.title for e in amina.awaiting_review] == ["Observation"]
    assert amina.status_of(first) == "Accepted"
    assert [e.title for e in by_email["participant2@example.org"].awaiting_review] == [
        "Meeting notes"
    ]
    framework_size = len(amina.enrolment.cohort.programme.framework.competencies)
    assert len(amina.gaps) == framework_size - 2
    assert len(by_email["participant2@example.org"].gaps) == framework_size - 1
    for summary in overview:
        assert summary.cohort.code == "demo-cohort"
        assert all(w.due_at < utcnow() for w in summary.overdue)
    # coach1 coaches three others, none of coach2's.
    others = {s.participant.email for s in coachee_overview(db, user(db, "coach1@example.org"))}
    assert others == {f"participant{n}@example.org" for n in (3, 4, 5)}


def test_a_review_is_stated_in_xapi_by_the_reviewer(db, evidence):
    coach = user(db, "coach2@example.org")
    review_evidence(db, evidence, coach, ReviewOutcome.NEEDS_MORE, "Add the survey results.")
    review_evidence(db, evidence, coach, ReviewOutcome.ACCEPTED, "")
    rows = list(
        db.scalars(
            sa.select(XapiStatement)
            .where(XapiStatement.event == "evidence.reviewed")
            .order_by(XapiStatement.id)
        )
    )
    assert len(rows) == 2
    needs, accepted = (row.statement for row in rows)
    for statement in (needs, accepted):
        BaseXapiStatement.model_validate(statement)
        assert statement["actor"]["account"]["name"] == coach.public_id
        assert statement["verb"]["id"] == "http://id.tincanapi.com/verb/reviewed"
        assert statement["object"]["id"].endswith(f"evidence/{evidence.public_id}")
        # 9.3.3 registration: the participant's enrolment, not the coach's.
        assert statement["context"]["registration"] == evidence.enrolment.registration
    assert needs["result"] == {"success": False, "response": "Add the survey results."}
    assert accepted["result"] == {"success": True}
    assert rows[0].actor_name == coach.public_id
