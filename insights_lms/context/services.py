"""School context profiles: keeping them, rating challenges over time, offering challenges.

Services flush; the request (or CLI command) that called them commits once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.orm import Session

from insights_lms import signals
from insights_lms.auth.models import User
from insights_lms.cohorts.models import Cohort, Enrolment
from insights_lms.context.models import (
    COMMENT_MAX,
    NOTES_MAX,
    PUPILS_MAX,
    PUPILS_MIN,
    STAFF_MAX,
    STAFF_MIN,
    WEIGHTS,
    SchoolChallenge,
    SchoolChallengeRating,
    SchoolContext,
)
from insights_lms.db import utcnow
from insights_lms.enums import CohortRole, SchoolPhase
from insights_lms.errors import DomainError
from insights_lms.programmes.models import Programme

#: ``{challenge id: (weight 0-4, comment)}`` as given to :func:`update_context`.
Weights = Mapping[int, tuple[int, str]]


class ContextError(DomainError):
    """A school context change that cannot be made, with a message for the participant."""


def _participant_programme_ids(user: User) -> sa.Select[int]:
    return (
        sa.select(Cohort.programme_id)
        .join(Enrolment, Enrolment.cohort_id == Cohort.id)
        .where(Enrolment.user_id == user.id, Enrolment.role == CohortRole.PARTICIPANT)
    )


def is_participant(session: Session, user: User) -> bool:
    """Whether the user is a participant in at least one cohort (who keeps a profile)."""
    found = session.scalar(
        sa.select(Enrolment.id)
        .where(Enrolment.user_id == user.id, Enrolment.role == CohortRole.PARTICIPANT)
        .limit(1)
    )
    return found is not None


def participant_programmes(session: Session, user: User) -> list[Programme]:
    """The programmes of the user's participant cohorts, by code."""
    return list(
        session.scalars(
            sa.select(Programme)
            .where(Programme.id.in_(_participant_programme_ids(user)))
            .order_by(Programme.code)
        )
    )


def challenges_for_user(session: Session, user: User) -> list[SchoolChallenge]:
    """The challenges a participant can rate or name on evidence and task responses.

    Those of the programmes of the user's participant cohorts, in the content's order
    (programme by programme); empty for someone who is not a participant.
    """
    return list(
        session.scalars(
            sa.select(SchoolChallenge)
            .join(SchoolChallenge.programme)
            .where(SchoolChallenge.programme_id.in_(_participant_programme_ids(user)))
            .order_by(Programme.code, SchoolChallenge.position, SchoolChallenge.id)
        )
    )


def find_context(session: Session, user: User) -> SchoolContext | None:
    """The user's profile if they have saved one (reading it never creates it)."""
    return session.scalar(sa.select(SchoolContext).where(SchoolContext.user_id == user.id))


def get_or_create_context(session: Session, user: User) -> SchoolContext:
    """The user's profile, created (phase taken from the user's account) if they have none."""
    context = find_context(session, user)
    if context is None:
        context = SchoolContext(user=user, phase=user.school_phase, notes="")
        session.add(context)
        session.flush()
    return context


def current_weights(session: Session, context: SchoolContext) -> dict[int, SchoolChallengeRating]:
    """The latest rating of each challenge the participant has rated: their context now."""
    return {
        challenge_id: history[-1]
        for challenge_id, history in weight_history(session, context).items()
    }


def weight_history(
    session: Session, context: SchoolContext
) -> dict[int, list[SchoolChallengeRating]]:
    """Every rating of each challenge, oldest first: how the context moved over time."""
    history: dict[int, list[SchoolChallengeRating]] = {}
    if context.id is None:
        return history
    ratings = session.scalars(
        sa.select(SchoolChallengeRating)
        .where(SchoolChallengeRating.school_context_id == context.id)
        .order_by(SchoolChallengeRating.rated_dt, SchoolChallengeRating.id)
    )
    for rating in ratings:
        history.setdefault(rating.challenge_id, []).append(rating)
    return history


def _check_count(value: int | None, what: str, low: int, high: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ContextError(f"Enter the number of {what} as a whole number.")
    if not low <= value <= high:
        raise ContextError(f"Enter a number of {what} between {low:,} and {high:,}.")
    return value


def _check_phase(phase: SchoolPhase | str | None) -> SchoolPhase | None:
    if phase is None or phase == "":
        return None
    try:
        return SchoolPhase(phase)
    except ValueError:
        raise ContextError("Choose your school's phase from the list.") from None


def _check_weights(session: Session, user: User, weights: Weights) -> dict[int, tuple[int, str]]:
    allowed = {c.id: c for c in challenges_for_user(session, user)}
    checked: dict[int, tuple[int, str]] = {}
    for challenge_id, (weight, comment) in weights.items():
        challenge = allowed.get(challenge_id)
        if challenge is None:
            raise ContextError("That challenge is not part of your programme.")
        if isinstance(weight, bool) or not isinstance(weight, int) or weight not in WEIGHTS:
            raise ContextError(
                f"Choose a weight for {challenge.title} from 0 (not a concern) to 4 (severe)."
            )
        comment = (comment or "").strip()
        if len(comment) > COMMENT_MAX:
            raise ContextError(
                f"Keep your comment on {challenge.title} to {COMMENT_MAX:,} characters."
            )
        checked[challenge_id] = (weight, comment)
    return checked


def update_context(
    session: Session,
    user: User,
    phase: SchoolPhase | str | None,
    pupils: int | None,
    staff: int | None,
    notes: str,
    weights: Weights,
    now: dt.datetime | None = None,
) -> SchoolContext:
    """Save the participant's profile and rate challenges (``{challenge id: (weight, comment)}``).

    A rating whose weight or comment differs from the current one is added as a new row,
    never written over the old one; challenges left out of ``weights`` keep their rating.
    ``school_context_updated`` is sent when anything changed.
    """
    if not is_participant(session, user):
        raise ContextError(
            "Your school context profile is kept by programme participants, and you are "
            "not a participant in any cohort."
        )
    phase = _check_phase(phase)
    pupils = _check_count(pupils, "pupils", PUPILS_MIN, PUPILS_MAX)
    staff = _check_count(staff, "staff", STAFF_MIN, STAFF_MAX)
    notes = (notes or "").strip()
    if len(notes) > NOTES_MAX:
        raise ContextError(f"Keep what makes your context distinctive to {NOTES_MAX:,} characters.")
    checked = _check_weights(session, user, weights)
    now = now or utcnow()

    created = find_context(session, user) is None
    context = get_or_create_context(session, user)
    changed = created or (context.phase, context.pupils, context.staff, context.notes) != (
        phase,
        pupils,
        staff,
        notes,
    )
    context.phase, context.pupils, context.staff, context.notes = phase, pupils, staff, notes
    current = current_weights(session, context)
    for challenge_id, (weight, comment) in checked.items():
        latest = current.get(challenge_id)
        if latest is not None and (latest.weight, latest.comment) == (weight, comment):
            continue
        session.add(
            SchoolChallengeRating(
                school_context=context,
                challenge_id=challenge_id,
                weight=weight,
                comment=comment,
                rated_dt=now,
            )
        )
        changed = True
    if changed:
        context.updated_dt = now
    session.flush()
    if changed:
        signals.school_context_updated.send(context, user=user)
    return context
