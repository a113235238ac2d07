"""Recording self-assessments and reading their history.

A self-assessment is one submission: the participant rates some or all competencies of their
programme's framework at one occasion (at the start, after a module, at the end). Each rated
competency becomes a :class:`SelfRating` row; rows are never updated, so the history shows how
the participant's view of their practice moved. Services flush; the request commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from insights_lms.assessment.models import (
    COMMENT_MAX,
    AssessmentOccasion,
    SelfRating,
    occasion_label,
)
from insights_lms.cohorts.models import Cohort, CohortModule, Enrolment
from insights_lms.competencies.models import Competency
from insights_lms.db import utcnow
from insights_lms.enums import CohortRole
from insights_lms.errors import DomainError
from insights_lms.programmes.models import Module
from insights_lms.signals import self_assessment_recorded

#: What a participant submits per competency: the chosen level's id and their comment.
Ratings = Mapping[int, tuple[int, str]]


class AssessmentError(DomainError):
    """A self-assessment that cannot be recorded, with a message for the participant."""


@dataclass(frozen=True)
class Occasion:
    """An occasion a participant can rate themselves at now."""

    occasion: AssessmentOccasion
    module: Module | None = None

    @property
    def label(self) -> str:
        return occasion_label(self.occasion, self.module)

    @property
    def key(self) -> str:
        """A stable form value: ``start``, ``after_module:<module id>``, ``end``."""
        if self.module is not None:
            return f"{self.occasion.value}:{self.module.id}"
        return self.occasion.value


@dataclass(frozen=True)
class AssessmentStatus:
    """A summary for the home page: how much is rated and which occasion is due."""

    rated: int
    total: int
    last_rated_dt: dt.datetime | None
    due: Occasion | None


def framework_competencies(enrolment: Enrolment) -> list[Competency]:
    """Every competency of the cohort programme's framework, in framework order."""
    return list(enrolment.cohort.programme.framework.competencies)


def _cohort_modules_by_module(cohort: Cohort) -> dict[int, CohortModule]:
    return {cm.module_id: cm for cm in cohort.cohort_modules}


def _last_cohort_module(cohort: Cohort) -> CohortModule | None:
    sessions = sorted(cohort.cohort_modules, key=lambda cm: (cm.module.sequence, cm.starts_at))
    return sessions[-1] if sessions else None


def available_occasions(
    session: Session, enrolment: Enrolment, now: dt.datetime | None = None
) -> list[Occasion]:
    """The occasions the participant may rate themselves at now, in programme order.

    Always "at the start"; "after" each module whose cohort session has ended; "at the end"
    once the programme's last module has started.
    """
    now = now or utcnow()
    cohort = enrolment.cohort
    occasions = [Occasion(AssessmentOccasion.START)]
    for cm in sorted(cohort.cohort_modules, key=lambda s: (s.module.sequence, s.starts_at)):
        if cm.ends_at <= now:
            occasions.append(Occasion(AssessmentOccasion.AFTER_MODULE, cm.module))
    last = _last_cohort_module(cohort)
    if last is not None and last.starts_at <= now:
        occasions.append(Occasion(AssessmentOccasion.END))
    return occasions


def occasion_for_key(occasions: list[Occasion], key: str) -> Occasion | None:
    """The occasion whose form value is ``key`` (``None`` if it is not available)."""
    for occasion in occasions:
        if occasion.key == key:
            return occasion
    return None


def _rated_keys(session: Session, enrolment: Enrolment) -> set[tuple[str, int | None]]:
    rows = session.execute(
        sa.select(SelfRating.occasion, SelfRating.module_id)
        .where(SelfRating.enrolment_id == enrolment.id)
        .distinct()
    )
    return {(str(occasion), module_id) for occasion, module_id in rows}


def _occasion_ref(occasion: Occasion) -> tuple[str, int | None]:
    return occasion.occasion.value, occasion.module.id if occasion.module is not None else None


def _next_occasion(done: set[tuple[str, int | None]], occasions: list[Occasion]) -> Occasion | None:
    # A first self-assessment is the participant's baseline, whenever they make it; after
    # that, the newest occasion is the one to rate until it has been rated.
    if not occasions:
        return None
    if not done:
        return occasions[0]
    if _occasion_ref(occasions[-1]) not in done:
        return occasions[-1]
    return None


def suggested_occasion(
    session: Session, enrolment: Enrolment, occasions: list[Occasion]
) -> Occasion | None:
    """The occasion to offer first: the baseline, else the newest occasion."""
    nxt = _next_occasion(_rated_keys(session, enrolment), occasions)
    return nxt or (occasions[-1] if occasions else None)


def _check_occasion(
    enrolment: Enrolment, occasion: AssessmentOccasion, module: Module | None, now: dt.datetime
) -> None:
    cohort = enrolment.cohort
    if occasion != AssessmentOccasion.AFTER_MODULE:
        if module is not None:
            raise AssessmentError("Only a rating after a module names a module.")
        if occasion == AssessmentOccasion.END:
            last = _last_cohort_module(cohort)
            if last is None or last.starts_at > now:
                raise AssessmentError(
                    "You can rate yourself at the end once the final module has started."
                )
        return
    if module is None:
        raise AssessmentError("Choose the module you are rating yourself after.")
    if module.programme_id != cohort.programme_id:
        raise AssessmentError(f"{module.title} is not a module of {cohort.programme.title}.")
    cm = _cohort_modules_by_module(cohort).get(module.id)
    if cm is None or cm.ends_at > now:
        raise AssessmentError(
            f"You can rate yourself after {module.title} once its session has ended."
        )


def _validated_rows(enrolment: Enrolment, ratings: Ratings) -> list[tuple[Competency, int, str]]:
    framework = enrolment.cohort.programme.framework
    competencies = {c.id: c for c in framework.competencies}
    level_ids = {level.id for level in framework.scale.levels}
    rows: list[tuple[Competency, int, str]] = []
    for competency_id, (level_id, comment) in ratings.items():
        competency = competencies.get(competency_id)
        if competency is None:
            raise AssessmentError(f"That competency is not part of the {framework.title}.")
        if level_id not in level_ids:
            raise AssessmentError(
                f"Choose a level of the {framework.scale.title} scale for {competency.code}."
            )
        comment = (comment or "").strip()
        if len(comment) > COMMENT_MAX:
            raise AssessmentError(
                f"Keep your comment on {competency.code} to {COMMENT_MAX:,} characters or fewer."
            )
        rows.append((competency, level_id, comment))
    rows.sort(key=lambda row: row[0].position)
    return rows


def record_self_assessment(
    session: Session,
    enrolment: Enrolment,
    occasion: AssessmentOccasion | str,
    module: Module | None,
    ratings: Ratings,
    now: dt.datetime | None = None,
) -> list[SelfRating]:
    """Record the participant's ratings of themselves at one occasion (new rows only).

    ``ratings`` maps a competency id to ``(level id, comment)``; competencies left out are
    not rated this time. Sends ``self_assessment_recorded`` once per rating.
    """
    now = now or utcnow()
    if enrolment.role != CohortRole.PARTICIPANT:
        raise AssessmentError("Only participants rate themselves on the competencies.")
    try:
        occasion = AssessmentOccasion(occasion)
    except ValueError:
        raise AssessmentError("Choose when you are rating yourself.") from None
    if not ratings:
        raise AssessmentError("Rate at least one competency: choose a level for it.")
    _check_occasion(enrolment, occasion, module, now)
    created = [
        SelfRating(
            enrolment=enrolment,
            competency=competency,
            level_id=level_id,
            comment=comment,
            occasion=occasion,
            module=module,
            rated_dt=now,
        )
        for competency, level_id, comment in _validated_rows(enrolment, ratings)
    ]
    session.add_all(created)
    session.flush()
    for rating in created:
        self_assessment_recorded.send(rating, user=enrolment.user)
    return created


def rating_history(session: Session, enrolment: Enrolment) -> dict[int, list[SelfRating]]:
    """Every rating of the participant per competency id, oldest first."""
    history: dict[int, list[SelfRating]] = {}
    ratings = session.scalars(
        sa.select(SelfRating)
        .where(SelfRating.enrolment_id == enrolment.id)
        .options(selectinload(SelfRating.level), selectinload(SelfRating.module))
        .order_by(SelfRating.rated_dt, SelfRating.id)
    )
    for rating in ratings:
        history.setdefault(rating.competency_id, []).append(rating)
    return history


def latest_self_ratings(session: Session, enrolment: Enrolment) -> dict[int, SelfRating]:
    """The participant's most recent rating of each competency they have rated."""
    return {cid: ratings[-1] for cid, ratings in rating_history(session, enrolment).items()}


def assessment_status(
    session: Session, enrolment: Enrolment, now: dt.datetime | None = None
) -> AssessmentStatus:
    """For the home page: competencies rated so far, when last, and the occasion now due."""
    latest = latest_self_ratings(session, enrolment)
    occasions = available_occasions(session, enrolment, now)
    return AssessmentStatus(
        rated=len(latest),
        total=len(framework_competencies(enrolment)),
        last_rated_dt=max((r.rated_dt for r in latest.values()), default=None),
        due=_next_occasion(_rated_keys(session, enrolment), occasions),
    )
