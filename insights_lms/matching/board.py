"""The facilitator's matching board: each participant of a cohort without a coach, with what
matching knows of them and every coach ranked for them (:mod:`insights_lms.matching.ranking`),
and confirming a match."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session, contains_eager, selectinload

from insights_lms.assessment.services import latest_self_ratings
from insights_lms.auth.models import User
from insights_lms.cohorts.access import can_facilitate
from insights_lms.cohorts.models import CoachAssignment, Cohort, CohortModule, Enrolment
from insights_lms.cohorts.services import CohortError, assign_coach, coach_of
from insights_lms.context.services import current_weights, find_context
from insights_lms.db import utcnow
from insights_lms.enums import CohortRole
from insights_lms.matching.errors import MatchingError
from insights_lms.matching.profiles import profiles_of, programme_challenges
from insights_lms.matching.ranking import (
    SIGNIFICANT_WEIGHT,
    CoachOffer,
    ContextNeed,
    LowRating,
    Need,
    Suggestion,
    rank,
)


def _lowest_self_ratings(session: Session, enrolment: Enrolment) -> tuple[LowRating, ...]:
    latest = latest_self_ratings(session, enrolment)
    if not latest:
        return ()
    lowest = min(r.level.value for r in latest.values())
    rows = sorted(
        (r for r in latest.values() if r.level.value == lowest),
        key=lambda r: r.competency.position,
    )
    return tuple(LowRating(r.competency.code, r.competency.title, r.level_label) for r in rows)


def participant_need(session: Session, enrolment: Enrolment) -> Need:
    """What matching knows of the participant: phase (their school context's, else their
    account's), lowest self-ratings and the challenges weighing significantly on their school."""
    participant = enrolment.user
    context = find_context(session, participant)
    phase = (context.phase if context is not None else None) or participant.school_phase
    challenges: list[tuple[int, ContextNeed]] = []
    if context is not None:
        for rating in current_weights(session, context).values():
            if rating.weight >= SIGNIFICANT_WEIGHT:
                challenge = rating.challenge
                challenges.append(
                    (
                        challenge.position,
                        ContextNeed(challenge.code, challenge.title, rating.weight_label),
                    )
                )
    lowest = _lowest_self_ratings(session, enrolment)
    return Need(
        participant,
        phase,
        lowest,
        has_self_ratings=bool(lowest),
        challenges=tuple(c for _, c in sorted(challenges, key=lambda pair: pair[0])),
        has_context=context is not None,
    )


def _running_cohort_ids(now: dt.datetime) -> sa.Select[int]:
    """Cohorts still running: a session ends at or after ``now``, or none is scheduled."""
    return sa.select(Cohort.id).where(
        sa.or_(
            sa.exists().where(CohortModule.cohort_id == Cohort.id, CohortModule.ends_at >= now),
            ~sa.exists().where(CohortModule.cohort_id == Cohort.id),
        )
    )


def coach_loads(
    session: Session, coach_ids: Iterable[int], now: dt.datetime | None = None
) -> dict[int, int]:
    """How many coachees each coach has now, across the cohorts still running (one query)."""
    ids = set(coach_ids)
    loads = dict.fromkeys(ids, 0)
    if not ids:
        return loads
    rows = session.execute(
        sa.select(CoachAssignment.coach_id, sa.func.count(CoachAssignment.id))
        .where(
            CoachAssignment.coach_id.in_(ids),
            CoachAssignment.cohort_id.in_(_running_cohort_ids(now or utcnow())),
        )
        .group_by(CoachAssignment.coach_id)
    )
    for coach_id, count in rows:
        loads[coach_id] = count
    return loads


def coach_offers(
    session: Session, cohort: Cohort, now: dt.datetime | None = None
) -> list[CoachOffer]:
    """The cohort's coaches with their profiles and current loads, by name."""
    coaches = cohort.members(CohortRole.COACH)
    profiles = profiles_of(session, coaches)
    loads = coach_loads(session, [c.id for c in coaches], now)
    return [CoachOffer.from_profile(c, profiles.get(c.id), loads[c.id]) for c in coaches]


@dataclass(frozen=True)
class Match:
    """A participant without a coach and the cohort's coaches ranked for them."""

    enrolment: Enrolment
    need: Need
    suggestions: list[Suggestion]

    @property
    def participant(self) -> User:
        return self.enrolment.user

    @property
    def best(self) -> Suggestion | None:
        return self.suggestions[0] if self.suggestions else None


@dataclass(frozen=True)
class MatchingBoard:
    """The facilitator's matching page for one cohort."""

    cohort: Cohort
    unmatched: list[Match]
    offers: list[CoachOffer]
    #: Participants who have a coach, by participant name.
    matched: list[CoachAssignment]
    competency_titles: dict[str, str] = field(default_factory=dict)
    challenge_titles: dict[str, str] = field(default_factory=dict)


def matching_board(
    session: Session, cohort: Cohort, now: dt.datetime | None = None
) -> MatchingBoard:
    """Each participant of the cohort without a coach, with every coach ranked for them."""
    offers = coach_offers(session, cohort, now)
    assignments = list(
        session.scalars(
            sa.select(CoachAssignment)
            .join(CoachAssignment.participant)
            .where(CoachAssignment.cohort_id == cohort.id)
            .options(
                contains_eager(CoachAssignment.participant), selectinload(CoachAssignment.coach)
            )
            .order_by(User.name)
        )
    )
    coached = {a.participant_id for a in assignments}
    enrolments = sorted(
        (
            e
            for e in cohort.enrolments
            if e.role == CohortRole.PARTICIPANT and e.user_id not in coached
        ),
        key=lambda e: e.user.name.casefold(),
    )
    unmatched = []
    for enrolment in enrolments:
        need = participant_need(session, enrolment)
        unmatched.append(Match(enrolment, need, rank(need, offers)))
    programme = cohort.programme
    return MatchingBoard(
        cohort,
        unmatched,
        offers,
        assignments,
        {c.code: c.title for c in programme.framework.competencies},
        {c.code: c.title for c in programme_challenges(session, programme)},
    )


def confirm_match(
    session: Session, cohort: Cohort, participant: User, coach: User, *, assigned_by: User
) -> CoachAssignment:
    """Make ``coach`` the coach of a participant who has none yet (sends ``coach_assigned``)."""
    if not can_facilitate(session, assigned_by, cohort):
        raise MatchingError("Only the cohort's facilitators can match coaches.")
    current = coach_of(session, cohort, participant)
    if current is not None:
        raise MatchingError(f"{participant.name} already has a coach: {current.name}.")
    try:
        return assign_coach(session, cohort, coach, participant, assigned_by=assigned_by)
    except CohortError as exc:
        raise MatchingError(str(exc), "coach") from None
