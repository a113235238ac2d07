"""Reviewing evidence: a coach or facilitator accepts a piece of evidence or asks for more.

Reviews are history (a new row each time); the evidence's current outcome is its latest review,
unless the evidence changed since ("Awaiting review").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from insights_lms import signals
from insights_lms.auth.models import User
from insights_lms.cohorts.access import can_facilitate
from insights_lms.cohorts.models import Enrolment
from insights_lms.cohorts.services import coach_of
from insights_lms.db import utcnow
from insights_lms.errors import DomainError
from insights_lms.evidence.models import Evidence, EvidenceReview, ReviewOutcome

MAX_COMMENT = 4000


class ReviewError(DomainError):
    """The review cannot be recorded as given; ``field`` names the form field at fault."""


def can_review(session: Session, reviewer: User, evidence: Evidence) -> bool:
    """The participant's coach in the evidence's cohort, or the cohort's facilitators; never
    the owner, and not while the evidence is deleted."""
    if evidence.is_deleted or reviewer.id == evidence.owner_id:
        return False
    cohort = evidence.enrolment.cohort
    coach = coach_of(session, cohort, evidence.owner)
    if coach is not None and coach.id == reviewer.id:
        return True
    return can_facilitate(session, reviewer, cohort)


def review_evidence(
    session: Session,
    evidence: Evidence,
    reviewer: User,
    outcome: ReviewOutcome,
    comment: str,
    now: dt.datetime | None = None,
) -> EvidenceReview:
    """Record a review (a new row each time: earlier reviews are kept) and announce it."""
    if evidence.owner_id == reviewer.id:
        raise ReviewError("You cannot review your own evidence.")
    if evidence.is_deleted:
        raise ReviewError("This evidence has been deleted and cannot be reviewed.")
    if not can_review(session, reviewer, evidence):
        raise ReviewError("Only the participant's coach or a facilitator can review evidence.")
    outcome = ReviewOutcome(outcome)
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise ReviewError(f"Keep your comment to {MAX_COMMENT:,} characters.", "comment")
    if outcome == ReviewOutcome.NEEDS_MORE and not comment:
        raise ReviewError(
            "Say what more is needed, so that the participant knows what to add.", "comment"
        )
    review = EvidenceReview(
        evidence=evidence,
        reviewer=reviewer,
        outcome=outcome,
        comment=comment,
        reviewed_dt=now or utcnow(),
    )
    session.add(review)
    session.flush()
    signals.evidence_reviewed.send(review, reviewer=reviewer)
    return review


def review_history(session: Session, evidence: Evidence) -> list[EvidenceReview]:
    """Every review of the evidence, newest first."""
    return list(
        session.scalars(
            sa.select(EvidenceReview)
            .where(EvidenceReview.evidence_id == evidence.id)
            .options(selectinload(EvidenceReview.reviewer))
            .order_by(EvidenceReview.reviewed_dt.desc(), EvidenceReview.id.desc())
        )
    )


def latest_reviews(session: Session, evidence_ids: Iterable[int]) -> dict[int, EvidenceReview]:
    """The latest review of each of these pieces of evidence, by evidence id (one query)."""
    ids = set(evidence_ids)
    if not ids:
        return {}
    rows = session.scalars(
        sa.select(EvidenceReview)
        .where(EvidenceReview.evidence_id.in_(ids))
        .options(selectinload(EvidenceReview.reviewer))
        .order_by(EvidenceReview.reviewed_dt, EvidenceReview.id)
    )
    # Ordered oldest first, so each evidence id ends up with its newest review.
    return {review.evidence_id: review for review in rows}


AWAITING = "Awaiting review"


def review_status(evidence: Evidence, latest: EvidenceReview | None) -> str:
    """ "Accepted", "Needs more" or "Awaiting review" (never reviewed, or changed since)."""
    if latest is None or evidence.updated_dt > latest.reviewed_dt:
        return AWAITING
    return latest.outcome.label


def needs_more(session: Session, enrolment: Enrolment) -> list[tuple[Evidence, EvidenceReview]]:
    """The participant's evidence whose latest review asks for more (and not changed since)."""
    items = list(
        session.scalars(
            sa.select(Evidence)
            .where(Evidence.enrolment_id == enrolment.id, Evidence.is_deleted.is_(False))
            .order_by(Evidence.occurred_on.desc(), Evidence.id.desc())
        )
    )
    latest = latest_reviews(session, [e.id for e in items])
    return [
        (e, latest[e.id])
        for e in items
        if e.id in latest
        and latest[e.id].outcome == ReviewOutcome.NEEDS_MORE
        and e.updated_dt <= latest[e.id].reviewed_dt
    ]
