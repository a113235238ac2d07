"""Suggesting the right coach for a participant ("why this match"): the ranking, pure.

The ranking itself (:func:`rank`) is pure and deterministic: it takes what we know of the
participant (:class:`Need`) and of each coach (:class:`CoachOffer`) and gives every coach a
score with the reasons behind it. Nothing here touches the database:
:mod:`insights_lms.matching.board` reads those facts and :mod:`insights_lms.matching.profiles`
saves the coaches' profiles.

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

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from insights_lms.enums import SchoolPhase

if TYPE_CHECKING:
    from insights_lms.auth.models import User
    from insights_lms.matching.models import CoachProfile

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


def first_name(user: User) -> str:
    return user.name.split()[0] if user.name.strip() else user.name


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
