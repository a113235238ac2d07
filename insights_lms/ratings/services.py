"""Recording and reading coach, facilitator and agreed ratings.

``record_rating`` is the one way a rating is made (the conversation service calls it for the
coach's rating and the agreed level; the facilitator's rating form calls it too). It checks the
competency and level belong to the participant's framework, that the rater may rate in this
role, adds a new row, flushes and sends ``rating_recorded``. Nothing here commits.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from insights_lms.auth.models import User
from insights_lms.cohorts.models import CoachAssignment, Enrolment
from insights_lms.competencies.models import Competency, Level
from insights_lms.db import utcnow
from insights_lms.enums import CohortRole
from insights_lms.ratings.models import NOTE_MAX, CompetencyRating, RatingKind
from insights_lms.signals import rating_recorded


class RatingError(ValueError):
    """A rating that cannot be recorded; the message is for the person rating."""


def _is_coach(session: Session, enrolment: Enrolment, user: User) -> bool:
    return (
        session.scalar(
            sa.select(CoachAssignment.id).where(
                CoachAssignment.cohort_id == enrolment.cohort_id,
                CoachAssignment.participant_id == enrolment.user_id,
                CoachAssignment.coach_id == user.id,
            )
        )
        is not None
    )


def _is_facilitator(session: Session, enrolment: Enrolment, user: User) -> bool:
    return (
        session.scalar(
            sa.select(Enrolment.id).where(
                Enrolment.cohort_id == enrolment.cohort_id,
                Enrolment.user_id == user.id,
                Enrolment.role == CohortRole.FACILITATOR,
            )
        )
        is not None
    )


def may_rate(session: Session, enrolment: Enrolment, rater: User, kind: RatingKind) -> bool:
    """Coach ratings come from the participant's coach, facilitator ratings from a facilitator
    of the cohort; an agreed level is recorded by the coach (or a facilitator)."""
    if enrolment.role != CohortRole.PARTICIPANT or rater.id == enrolment.user_id:
        return False
    if kind == RatingKind.COACH:
        return _is_coach(session, enrolment, rater)
    if kind == RatingKind.FACILITATOR:
        return _is_facilitator(session, enrolment, rater)
    return _is_coach(session, enrolment, rater) or _is_facilitator(session, enrolment, rater)


def record_rating(
    session: Session,
    enrolment: Enrolment,
    competency: Competency,
    level: Level,
    rater: User,
    kind: RatingKind | str,
    *,
    note: str = "",
    now: dt.datetime | None = None,
) -> CompetencyRating:
    """Record a new rating (never changes an earlier one); sends ``rating_recorded``."""
    try:
        kind = RatingKind(kind)
    except ValueError:
        raise RatingError("Choose whose rating this is.") from None
    framework = enrolment.cohort.programme.framework
    if competency.framework_id != framework.id:
        raise RatingError(f"{competency.code} is not part of the {framework.title}.")
    if level.scale_id != framework.scale.id:
        raise RatingError(f"Choose a level of the {framework.scale.title} scale.")
    if not may_rate(session, enrolment, rater, kind):
        raise RatingError(f"You cannot record a {kind.label.lower()} rating for this participant.")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise RatingError(f"Keep the note to {NOTE_MAX:,} characters or fewer.")
    rating = CompetencyRating(
        enrolment=enrolment,
        competency=competency,
        level=level,
        kind=kind,
        rater=rater,
        note=note,
        rated_dt=now or utcnow(),
    )
    session.add(rating)
    session.flush()
    rating_recorded.send(rating, user=rater)
    return rating


def rating_history(
    session: Session, enrolment: Enrolment
) -> dict[RatingKind, dict[int, list[CompetencyRating]]]:
    """Every rating of the participant by kind, then competency id, oldest first (one query)."""
    rows = session.scalars(
        sa.select(CompetencyRating)
        .where(CompetencyRating.enrolment_id == enrolment.id)
        .options(selectinload(CompetencyRating.level), selectinload(CompetencyRating.rater))
        .order_by(CompetencyRating.rated_dt, CompetencyRating.id)
    )
    history: dict[RatingKind, dict[int, list[CompetencyRating]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in rows:
        history[row.kind][row.competency_id].append(row)
    return history


def latest_ratings(
    session: Session, enrolment: Enrolment
) -> dict[RatingKind, dict[int, CompetencyRating]]:
    """The latest rating of each kind per competency id."""
    return {
        kind: {competency_id: rows[-1] for competency_id, rows in by_competency.items()}
        for kind, by_competency in rating_history(session, enrolment).items()
    }
