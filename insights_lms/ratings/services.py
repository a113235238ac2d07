"""Recording and reading coach, facilitator and agreed ratings, and every rater side by side.

``record_rating`` is the one way a rating is made (the conversation service calls it for the
coach's rating and the agreed level; the rating form calls it, through ``record_ratings``, for
several competencies at once). It checks the competency and level belong to the participant's
framework, that the rater may rate in this role, adds a new row, flushes and sends
``rating_recorded``. Nothing here commits.

A rating's ``note`` is shared: the participant, their coach and the cohort's facilitators see it
on the progress map. Private coach notes never belong in it. (It is left out of xAPI statements.)

``ratings_overview`` puts the four raters side by side per competency: the participant's own
self-ratings (``assessment.SelfRating``), the coach's, a facilitator's, and the agreed level,
each with its history, and gives the rows of the ratings chart
(``templates/lms/progress/_ratings_chart.html``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypedDict

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from insights_lms.assessment.models import SelfRating
from insights_lms.assessment.services import rating_history as self_rating_history
from insights_lms.auth.models import User
from insights_lms.cohorts.models import CoachAssignment, Enrolment
from insights_lms.competencies.models import Competency, Framework, Level
from insights_lms.competencies.services import load_outline
from insights_lms.db import utcnow
from insights_lms.enums import CohortRole, StrEnum
from insights_lms.errors import DomainError
from insights_lms.ratings.models import NOTE_MAX, CompetencyRating, RatingKind
from insights_lms.signals import rating_recorded


class RatingError(DomainError):
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


def framework_of(session: Session, enrolment: Enrolment) -> Framework:
    """The participant's framework with what a rating form shows loaded: its domains and their
    competencies (with each level's descriptor), and the scale's levels."""
    return load_outline(session, enrolment.cohort.programme.framework_id)


# --- several competencies at once --------------------------------------------------------

#: What a rater submits per competency: the chosen level's id and their note.
Ratings = Mapping[int, tuple[int, str]]


def ratable_kinds(session: Session, enrolment: Enrolment, rater: User) -> list[RatingKind]:
    """The kinds of rating ``rater`` may record on the rating form: as the participant's coach,
    as a facilitator of the cohort, or both (agreed levels come from conversations)."""
    return [
        kind
        for kind in (RatingKind.COACH, RatingKind.FACILITATOR)
        if may_rate(session, enrolment, rater, kind)
    ]


def record_ratings(
    session: Session,
    enrolment: Enrolment,
    rater: User,
    kind: RatingKind | str,
    ratings: Ratings,
    *,
    now: dt.datetime | None = None,
) -> list[CompetencyRating]:
    """Rate one or several competencies at once (``{competency id: (level id, note)}``).

    Everything is checked before anything is recorded, so a refusal leaves nothing half done;
    then each rating goes through :func:`record_rating` (one ``rating_recorded`` each).
    """
    try:
        kind = RatingKind(kind)
    except ValueError:
        raise RatingError("Choose whose rating this is.") from None
    if not may_rate(session, enrolment, rater, kind):
        raise RatingError(f"You cannot record a {kind.label.lower()} rating for this participant.")
    if not ratings:
        raise RatingError("Rate at least one competency: choose a level for it.")
    framework = enrolment.cohort.programme.framework
    competencies = {c.id: c for c in framework.competencies}
    levels = {level.id: level for level in framework.scale.levels}
    rows: list[tuple[Competency, Level, str]] = []
    for competency_id, (level_id, note) in ratings.items():
        competency = competencies.get(competency_id)
        if competency is None:
            raise RatingError(f"That competency is not part of the {framework.title}.")
        level = levels.get(level_id)
        if level is None:
            raise RatingError(
                f"Choose a level of the {framework.scale.title} scale for {competency.code}."
            )
        note = (note or "").strip()
        if len(note) > NOTE_MAX:
            raise RatingError(
                f"Keep the note on {competency.code} to {NOTE_MAX:,} characters or fewer."
            )
        rows.append((competency, level, note))
    rows.sort(key=lambda row: row[0].position)
    now = now or utcnow()
    return [
        record_rating(session, enrolment, competency, level, rater, kind, note=note, now=now)
        for competency, level, note in rows
    ]


# --- every rater side by side ------------------------------------------------------------


class Rater(StrEnum):
    """Whose view of a competency a level is: the four columns of the progress map."""

    SELF = "self"
    COACH = "coach"
    FACILITATOR = "facilitator"
    AGREED = "agreed"


#: The raters in the order the map and the chart show them.
RATERS: tuple[Rater, ...] = (Rater.SELF, Rater.COACH, Rater.FACILITATOR, Rater.AGREED)
_RATER_OF_KIND = {
    RatingKind.COACH: Rater.COACH,
    RatingKind.FACILITATOR: Rater.FACILITATOR,
    RatingKind.AGREED: Rater.AGREED,
}


@dataclass(frozen=True)
class RatingEntry:
    """One rating by any rater, read the same way whether it is a self-rating or not."""

    rater: Rater
    level: Level
    rated_dt: dt.datetime
    #: Who rated (the participant for a self-rating; "" if the rater's account is gone).
    rater_name: str
    note: str
    #: For a self-rating, when in the programme it was made ("At the start", "After: …").
    occasion: str = ""
    #: The row it was read from.
    record: SelfRating | CompetencyRating | None = None

    @property
    def level_label(self) -> str:
        return f"{self.level.value} {self.level.title}"


def _self_entry(rating: SelfRating, participant: User) -> RatingEntry:
    return RatingEntry(
        Rater.SELF,
        rating.level,
        rating.rated_dt,
        participant.name,
        rating.comment,
        rating.occasion_label,
        rating,
    )


def _entry(rating: CompetencyRating) -> RatingEntry:
    return RatingEntry(
        _RATER_OF_KIND[rating.kind],
        rating.level,
        rating.rated_dt,
        rating.rater.name if rating.rater is not None else "",
        rating.note,
        record=rating,
    )


@dataclass
class CompetencyRatings:
    """Every rater's ratings of one competency, each rater's oldest first."""

    competency: Competency
    history: dict[Rater, list[RatingEntry]] = field(
        default_factory=lambda: {rater: [] for rater in RATERS}
    )

    def latest(self, rater: Rater | str) -> RatingEntry | None:
        entries = self.history[Rater(rater)]
        return entries[-1] if entries else None

    @property
    def latest_self_rating(self) -> SelfRating | None:
        """The participant's latest self-rating of the competency (the row itself)."""
        latest = self.latest(Rater.SELF)
        return latest.record if latest and isinstance(latest.record, SelfRating) else None

    def level(self, rater: Rater | str) -> int | None:
        latest = self.latest(rater)
        return latest.level.value if latest is not None else None

    @property
    def timeline(self) -> list[RatingEntry]:
        """All the ratings of this competency, newest first."""
        entries = [entry for rater in RATERS for entry in self.history[rater]]
        return sorted(entries, key=lambda e: e.rated_dt, reverse=True)

    @property
    def is_rated(self) -> bool:
        return any(self.history[rater] for rater in RATERS)


class ChartRow(TypedDict):
    """One competency of the ratings chart: the latest level of each rater, None if none."""

    code: str
    title: str
    self: int | None
    coach: int | None
    facilitator: int | None
    agreed: int | None


@dataclass
class RatingsOverview:
    """The participant's competencies in framework order, with every rater's ratings."""

    enrolment: Enrolment
    rows: list[CompetencyRatings]
    levels: list[Level]

    @property
    def max_level(self) -> int:
        return max((level.value for level in self.levels), default=0)

    @property
    def level_titles(self) -> dict[int, str]:
        return {level.value: level.title for level in self.levels}

    @property
    def is_rated(self) -> bool:
        return any(row.is_rated for row in self.rows)

    def for_competency(self, competency_id: int) -> CompetencyRatings | None:
        return next((row for row in self.rows if row.competency.id == competency_id), None)

    @property
    def chart_rows(self) -> list[ChartRow]:
        """The rows for ``ratings_chart(rows, max_level)``."""
        return [
            ChartRow(
                code=row.competency.code,
                title=row.competency.title,
                self=row.level(Rater.SELF),
                coach=row.level(Rater.COACH),
                facilitator=row.level(Rater.FACILITATOR),
                agreed=row.level(Rater.AGREED),
            )
            for row in self.rows
        ]


def ratings_overview(session: Session, enrolment: Enrolment) -> RatingsOverview:
    """Self, coach, facilitator and agreed ratings of every competency of the participant's
    framework, each rater's history kept apart (two queries)."""
    framework = enrolment.cohort.programme.framework
    rows = {c.id: CompetencyRatings(c) for c in framework.competencies}
    participant = enrolment.user
    for competency_id, self_ratings in self_rating_history(session, enrolment).items():
        if competency_id in rows:
            rows[competency_id].history[Rater.SELF] = [
                _self_entry(r, participant) for r in self_ratings
            ]
    for kind, by_competency in rating_history(session, enrolment).items():
        for competency_id, ratings in by_competency.items():
            if competency_id in rows:
                rows[competency_id].history[_RATER_OF_KIND[kind]] = [_entry(r) for r in ratings]
    return RatingsOverview(
        enrolment,
        [rows[c.id] for c in framework.competencies],
        list(framework.scale.levels),
    )
