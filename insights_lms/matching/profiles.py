"""Coach profiles: who coaches where, who may edit a profile, the choices it offers and saving
it (services flush; the request commits)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from insights_lms.auth.models import User
from insights_lms.cohorts.access import can_facilitate
from insights_lms.cohorts.models import Cohort, Enrolment
from insights_lms.cohorts.services import has_role
from insights_lms.competencies.models import Competency
from insights_lms.context.models import SchoolChallenge
from insights_lms.db import utcnow
from insights_lms.enums import CohortRole, SchoolPhase
from insights_lms.matching.errors import MatchingError
from insights_lms.matching.models import (
    BIO_MAX,
    CAPACITY_MAX,
    CoachContextExperience,
    CoachPhase,
    CoachProfile,
    CoachStrength,
)
from insights_lms.programmes.models import Programme

_Row = TypeVar("_Row", CoachPhase, CoachStrength, CoachContextExperience)


def coach_cohorts(session: Session, user: User) -> list[Cohort]:
    """The cohorts the user coaches in, newest first."""
    return list(
        session.scalars(
            sa.select(Cohort)
            .join(Enrolment)
            .where(Enrolment.user_id == user.id, Enrolment.role == CohortRole.COACH)
            .order_by(Cohort.created_dt.desc(), Cohort.code)
        )
    )


def is_coach(session: Session, user: User) -> bool:
    return bool(coach_cohorts(session, user))


def may_edit_profile(session: Session, editor: User, coach: User) -> bool:
    """The coach themself, or a facilitator of a cohort they coach in."""
    cohorts = coach_cohorts(session, coach)
    if not cohorts:
        return False
    return editor.id == coach.id or any(can_facilitate(session, editor, c) for c in cohorts)


def coach_in_cohort(session: Session, cohort: Cohort, public_id: str) -> User | None:
    """A coach of the cohort by their public id (None if there is no such coach in it)."""
    user = session.scalar(sa.select(User).where(User.public_id == public_id))
    if user is None or not has_role(session, user, cohort, CohortRole.COACH):
        return None
    return user


def profiles_of(session: Session, users: Iterable[User]) -> dict[int, CoachProfile]:
    """The profiles of these users, by user id (those without one are left out)."""
    ids = {u.id for u in users}
    if not ids:
        return {}
    profiles = session.scalars(
        sa.select(CoachProfile)
        .where(CoachProfile.user_id.in_(ids))
        .options(
            selectinload(CoachProfile.phase_rows),
            selectinload(CoachProfile.strength_rows),
            selectinload(CoachProfile.context_rows),
            selectinload(CoachProfile.updated_by),
        )
    )
    return {p.user_id: p for p in profiles}


def profile_of(session: Session, user: User) -> CoachProfile | None:
    return profiles_of(session, [user]).get(user.id)


def _programmes(cohorts: Sequence[Cohort]) -> list[Programme]:
    seen: dict[int, Programme] = {}
    for cohort in cohorts:
        seen.setdefault(cohort.programme_id, cohort.programme)
    return list(seen.values())


def programme_challenges(session: Session, programme: Programme) -> list[SchoolChallenge]:
    return list(
        session.scalars(
            sa.select(SchoolChallenge)
            .where(SchoolChallenge.programme_id == programme.id)
            .order_by(SchoolChallenge.position, SchoolChallenge.id)
        )
    )


def strength_choices(session: Session, coach: User) -> list[tuple[str, str]]:
    """(code, "L2.3 Title") for the competencies of the frameworks the coach works with."""
    choices: dict[str, str] = {}
    for programme in _programmes(coach_cohorts(session, coach)):
        competencies: list[Competency] = programme.framework.competencies
        for c in competencies:
            choices.setdefault(c.code, f"{c.code} {c.title}")
    return list(choices.items())


def challenge_choices(session: Session, coach: User) -> list[tuple[str, str]]:
    """(code, title) for the school challenges of the programmes the coach works with."""
    choices: dict[str, str] = {}
    for programme in _programmes(coach_cohorts(session, coach)):
        for challenge in programme_challenges(session, programme):
            choices.setdefault(challenge.code, challenge.title)
    return list(choices.items())


@dataclass(frozen=True)
class ProfileInput:
    """What the profile form gives."""

    capacity: int | None
    phases: Sequence[str] = ()
    strengths: Sequence[str] = ()
    challenges: Sequence[str] = ()
    bio: str = ""


def _checked_codes(
    given: Sequence[str], allowed: Iterable[str], kept: Iterable[str], what: str, field: str
) -> set[str]:
    codes = {code.strip() for code in given if code and code.strip()}
    unknown = codes - set(allowed) - set(kept)
    if unknown:
        raise MatchingError(f"Choose {what} from the list.", field)
    return codes


def save_profile(
    session: Session,
    coach: User,
    data: ProfileInput,
    *,
    editor: User,
    now: dt.datetime | None = None,
) -> CoachProfile:
    """Create or replace the coach's profile (capacity, phases, strengths, context, bio).

    Codes already on the profile stay acceptable even if the coach's programmes no longer
    offer them (a profile outlives cohorts).
    """
    if not may_edit_profile(session, editor, coach):
        raise MatchingError(
            "Only the coach, or a facilitator of one of their cohorts, can edit this profile."
        )
    capacity = data.capacity
    if capacity is None or isinstance(capacity, bool) or not isinstance(capacity, int):
        raise MatchingError("Enter how many coachees you can take, as a whole number.", "capacity")
    if not 0 <= capacity <= CAPACITY_MAX:
        raise MatchingError(f"Enter a capacity between 0 and {CAPACITY_MAX}.", "capacity")
    try:
        phases = {SchoolPhase(p) for p in data.phases if p}
    except ValueError:
        raise MatchingError("Choose school phases from the list.", "phases") from None
    profile = profile_of(session, coach)
    kept_strengths = profile.strengths if profile else []
    kept_challenges = profile.challenges if profile else []
    strengths = _checked_codes(
        data.strengths,
        (code for code, _ in strength_choices(session, coach)),
        kept_strengths,
        "competencies",
        "strengths",
    )
    challenges = _checked_codes(
        data.challenges,
        (code for code, _ in challenge_choices(session, coach)),
        kept_challenges,
        "school challenges",
        "challenges",
    )
    bio = (data.bio or "").strip()
    if len(bio) > BIO_MAX:
        raise MatchingError(f"Keep the biography to {BIO_MAX:,} characters or fewer.", "bio")
    if profile is None:
        profile = CoachProfile(user=coach)
        session.add(profile)
    profile.capacity = capacity
    profile.bio = bio
    profile.updated_dt = now or utcnow()
    profile.updated_by = editor
    profile.phase_rows = _rows(profile.phase_rows, phases, "phase", CoachPhase)
    profile.strength_rows = _rows(
        profile.strength_rows, strengths, "competency_code", CoachStrength
    )
    profile.context_rows = _rows(
        profile.context_rows, challenges, "challenge_code", CoachContextExperience
    )
    session.flush()
    return profile


def _rows(existing: list[_Row], wanted: set[Any], attribute: str, make: type[_Row]) -> list[_Row]:
    """Keep the rows still wanted (unchanged rows are not deleted and re-inserted)."""
    kept = [row for row in existing if getattr(row, attribute) in wanted]
    have = {getattr(row, attribute) for row in kept}
    added = [make(**{attribute: value}) for value in sorted(wanted - have)]
    return kept + added
