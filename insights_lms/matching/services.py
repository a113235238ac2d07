"""Coach profiles, and suggesting the right coach for a participant ("why this match").

The ranking itself (:func:`rank`) is pure and deterministic: it takes what we know of the
participant (:class:`Need`) and of each coach (:class:`CoachOffer`) and gives every coach a
score with the reasons behind it. The rest of the module reads those facts from the database
and saves profiles and matches (services flush; the request commits).

How a coach scores for a participant:

- **School phase**: +3 when the coach has experience of the participant's school phase.
- **Strengths**: +2 for each competency the coach leads on that is among the participant's
  lowest self-ratings (every competency at the lowest level they have given themselves, on
  their latest self-ratings).
- **School context**: +1 for each challenge the coach knows that weighs significantly
  (3 "Significant" or 4 "Severe") on the participant's school now.
- **Load**: a coach with no place free (their current coachees, in cohorts still running,
  fill their capacity) is ranked after every coach with a place, whatever their score; among
  equal scores, the coach with the larger share of places free comes first. A coach without
  a profile can still be chosen; their capacity is unknown, so they are not counted full.

Ties end in name order, so the same facts always give the same ranking.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from insights_lms.assessment.services import latest_self_ratings
from insights_lms.auth.models import User
from insights_lms.cohorts.access import can_facilitate
from insights_lms.cohorts.models import CoachAssignment, Cohort, CohortModule, Enrolment
from insights_lms.cohorts.services import CohortError, assign_coach, coach_of, has_role
from insights_lms.competencies.models import Competency
from insights_lms.context.models import Challenge
from insights_lms.context.services import current_weights, find_context
from insights_lms.db import utcnow
from insights_lms.enums import CohortRole, SchoolPhase
from insights_lms.errors import DomainError
from insights_lms.matching.models import (
    BIO_MAX,
    CAPACITY_MAX,
    CoachContextExperience,
    CoachPhase,
    CoachProfile,
    CoachStrength,
)
from insights_lms.programmes.models import Programme

PHASE_POINTS = 3
STRENGTH_POINTS = 2
CONTEXT_POINTS = 1
#: A challenge weighs "significantly" on a school from this weight (3 Significant, 4 Severe).
SIGNIFICANT_WEIGHT = 3

#: How a phase reads inside a sentence ("primary schools", "all-through schools").
PHASE_PHRASES = {
    SchoolPhase.PRIMARY: "primary",
    SchoolPhase.SECONDARY: "secondary",
    SchoolPhase.SPECIAL: "special",
    SchoolPhase.ALL_THROUGH: "all-through",
}


_Row = TypeVar("_Row", CoachPhase, CoachStrength, CoachContextExperience)


class MatchingError(DomainError):
    """A profile or match that cannot be saved; ``field`` names the form field at fault."""


def first_name(user: User) -> str:
    return user.name.split()[0] if user.name.strip() else user.name


# --- the ranking (pure) ------------------------------------------------------------------


@dataclass(frozen=True)
class LowRating:
    """One of the participant's lowest self-ratings."""

    code: str
    title: str
    level_label: str


@dataclass(frozen=True)
class ContextNeed:
    """A challenge that weighs significantly on the participant's school now."""

    code: str
    title: str
    weight_label: str


@dataclass(frozen=True)
class Need:
    """What matching knows of a participant."""

    participant: User
    phase: SchoolPhase | None
    #: Every competency at the lowest level of their latest self-ratings (framework order).
    lowest: tuple[LowRating, ...] = ()
    has_self_ratings: bool = False
    challenges: tuple[ContextNeed, ...] = ()
    has_context: bool = False

    @property
    def first_name(self) -> str:
        return first_name(self.participant)

    @property
    def notes(self) -> list[str]:
        """What matching could not take into account, for the facilitator to know."""
        name = self.first_name
        notes: list[str] = []
        if self.phase is None:
            notes.append(f"{name}'s school phase is not recorded.")
        if not self.has_self_ratings:
            notes.append(
                f"{name} has no self-ratings yet, so coaches' strengths could not be compared "
                "with their lowest self-ratings."
            )
        if not self.has_context:
            notes.append(f"{name} has not described their school context yet.")
        elif not self.challenges:
            notes.append(f"{name} has not rated any school challenge as significant.")
        return notes


@dataclass(frozen=True)
class CoachOffer:
    """What matching knows of a coach: their profile (if any) and current load."""

    coach: User
    load: int = 0
    has_profile: bool = False
    capacity: int | None = None
    phases: frozenset[SchoolPhase] = frozenset()
    strengths: frozenset[str] = frozenset()
    challenges: frozenset[str] = frozenset()

    @property
    def phase_list(self) -> list[SchoolPhase]:
        """The phases in the enum's order (primary, secondary, special, all-through)."""
        return [phase for phase in SchoolPhase if phase in self.phases]

    @property
    def places_free(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.load, 0)

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.load >= self.capacity

    @property
    def free_share(self) -> float:
        """The share of places free (0 when capacity is unknown or nil)."""
        if not self.capacity:
            return 0.0
        return max(self.capacity - self.load, 0) / self.capacity

    @classmethod
    def from_profile(cls, coach: User, profile: CoachProfile | None, load: int) -> CoachOffer:
        if profile is None:
            return cls(coach, load)
        return cls(
            coach,
            load,
            has_profile=True,
            capacity=profile.capacity,
            phases=frozenset(profile.phases),
            strengths=frozenset(profile.strengths),
            challenges=frozenset(profile.challenges),
        )


@dataclass(frozen=True)
class Reason:
    """One reason for (``points`` > 0 or ``is_fit``) or against a suggestion."""

    text: str
    points: int = 0
    is_fit: bool = True


@dataclass(frozen=True)
class Suggestion:
    """A coach suggested for a participant, with the score and the reasons why."""

    offer: CoachOffer
    score: int
    reasons: tuple[Reason, ...] = field(default=())

    @property
    def coach(self) -> User:
        return self.offer.coach

    @property
    def is_full(self) -> bool:
        return self.offer.is_full

    @property
    def fits(self) -> list[Reason]:
        return [r for r in self.reasons if r.is_fit]

    @property
    def cautions(self) -> list[Reason]:
        return [r for r in self.reasons if not r.is_fit]


def _phase_reasons(need: Need, offer: CoachOffer) -> list[Reason]:
    if need.phase is None or not offer.has_profile:
        return []
    phrase = PHASE_PHRASES[need.phase]
    if need.phase in offer.phases:
        return [Reason(f"Experience of {phrase} schools, like {need.first_name}'s", PHASE_POINTS)]
    return [Reason(f"No experience of {phrase} schools recorded", 0, is_fit=False)]


def _strength_reasons(need: Need, offer: CoachOffer) -> list[Reason]:
    return [
        Reason(
            f"Leads on {low.code} {low.title}, one of {need.first_name}'s lowest "
            f"self-ratings ({low.level_label})",
            STRENGTH_POINTS,
        )
        for low in need.lowest
        if low.code in offer.strengths
    ]


def _context_reasons(need: Need, offer: CoachOffer) -> list[Reason]:
    return [
        Reason(
            f"Experience of “{c.title}”, {c.weight_label.lower()} at {need.first_name}'s school",
            CONTEXT_POINTS,
        )
        for c in need.challenges
        if c.code in offer.challenges
    ]


def _load_reasons(offer: CoachOffer) -> list[Reason]:
    if not offer.has_profile or offer.capacity is None:
        return [
            Reason(
                "No coach profile yet: phases, strengths and capacity are not known",
                is_fit=False,
            )
        ]
    if offer.capacity == 0:
        return [Reason("Not taking coachees at the moment (capacity 0)", is_fit=False)]
    if offer.is_full:
        return [
            Reason(f"Full: {offer.load} of {offer.capacity} places taken", is_fit=False),
        ]
    places = "place" if offer.capacity == 1 else "places"
    return [Reason(f"{offer.places_free} of {offer.capacity} {places} free")]


def suggest(need: Need, offer: CoachOffer) -> Suggestion:
    """One coach's score and reasons for this participant."""
    reasons = [
        *_phase_reasons(need, offer),
        *_strength_reasons(need, offer),
        *_context_reasons(need, offer),
        *_load_reasons(offer),
    ]
    return Suggestion(offer, sum(r.points for r in reasons), tuple(reasons))


def rank(need: Need, offers: Iterable[CoachOffer]) -> list[Suggestion]:
    """Every coach ranked for the participant: coaches with a place free first, then by score,
    then by the share of places free, then by name (deterministic)."""
    suggestions = [suggest(need, offer) for offer in offers]
    return sorted(
        suggestions,
        key=lambda s: (
            s.is_full,
            -s.score,
            -s.offer.free_share,
            s.coach.name.casefold(),
            s.coach.id or 0,
        ),
    )


# --- facts from the database ---------------------------------------------------------------


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
        )
    )
    return {p.user_id: p for p in profiles}


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
        {c.code: c.title for c in _programme_challenges(session, programme)},
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


# --- profiles ------------------------------------------------------------------------------


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


def profile_of(session: Session, user: User) -> CoachProfile | None:
    return profiles_of(session, [user]).get(user.id)


def _programmes(cohorts: Sequence[Cohort]) -> list[Programme]:
    seen: dict[int, Programme] = {}
    for cohort in cohorts:
        seen.setdefault(cohort.programme_id, cohort.programme)
    return list(seen.values())


def _programme_challenges(session: Session, programme: Programme) -> list[Challenge]:
    return list(
        session.scalars(
            sa.select(Challenge)
            .where(Challenge.programme_id == programme.id)
            .order_by(Challenge.position, Challenge.id)
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
        for challenge in _programme_challenges(session, programme):
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
