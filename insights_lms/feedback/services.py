"""Giving module feedback and summarising it per module for a cohort's facilitators.

``give_feedback`` checks the participant is in the session's cohort and that the session has
started, then creates or updates their one answer set, flushes and sends ``feedback_given``.
``module_results`` reads a whole cohort's feedback in one query.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from statistics import mean

import sqlalchemy as sa
from sqlalchemy.orm import Session

from insights_lms.auth.models import User
from insights_lms.cohorts.models import Cohort, CohortModule, Enrolment
from insights_lms.db import utcnow
from insights_lms.enums import CohortRole
from insights_lms.errors import DomainError
from insights_lms.feedback.models import COMMENT_MAX, SCALE, ModuleFeedback, Stretch
from insights_lms.signals import feedback_given

#: How the 1 to 5 answers read.
RELEVANCE_LABELS = {
    1: "Not relevant",
    2: "A little relevant",
    3: "Relevant",
    4: "Very relevant",
    5: "Essential",
}
IMPACT_LABELS = {
    1: "No change",
    2: "A small change",
    3: "Some change",
    4: "A clear change",
    5: "A major change",
}
STRETCH_LABELS = {
    Stretch.TOO_COMFORTABLE: "Too comfortable: it served what I already do",
    Stretch.ABOUT_RIGHT: "About right: it stretched me usefully",
    Stretch.TOO_MUCH: "Too much: it stretched me beyond what I could use",
}


class FeedbackError(DomainError):
    """Feedback that cannot be saved; the message is for the participant."""


def _is_participant(session: Session, cohort_module: CohortModule, user: User) -> bool:
    return (
        session.scalar(
            sa.select(Enrolment.id).where(
                Enrolment.cohort_id == cohort_module.cohort_id,
                Enrolment.user_id == user.id,
                Enrolment.role == CohortRole.PARTICIPANT,
            )
        )
        is not None
    )


def feedback_of(session: Session, cohort_module: CohortModule, user: User) -> ModuleFeedback | None:
    return session.scalar(
        sa.select(ModuleFeedback).where(
            ModuleFeedback.cohort_module_id == cohort_module.id,
            ModuleFeedback.participant_id == user.id,
        )
    )


def is_open(cohort_module: CohortModule, now: dt.datetime | None = None) -> bool:
    """Feedback opens when the session starts (people often answer before they leave)."""
    return (now or utcnow()) >= cohort_module.starts_at


def _scale_value(value: object, field_name: str, question: str) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        raise FeedbackError(f"Choose an answer for “{question}”.", field_name) from None
    if number not in SCALE:
        raise FeedbackError(f"Choose an answer from 1 to 5 for “{question}”.", field_name)
    return number


def give_feedback(
    session: Session,
    cohort_module: CohortModule,
    user: User,
    *,
    relevance: object,
    stretch: object,
    impact: object,
    comment: str = "",
    now: dt.datetime | None = None,
) -> ModuleFeedback:
    """Save the participant's answers (a second call changes them); sends ``feedback_given``."""
    now = now or utcnow()
    if not _is_participant(session, cohort_module, user):
        raise FeedbackError("Only the cohort's participants give feedback on its modules.")
    if not is_open(cohort_module, now):
        raise FeedbackError(
            f"You can give feedback on {cohort_module.module.title} once the session has started."
        )
    relevance_value = _scale_value(relevance, "relevance", "How relevant was it to your work?")
    impact_value = _scale_value(impact, "impact", "What impact do you expect on your practice?")
    try:
        stretch_value = Stretch(str(stretch))
    except ValueError:
        raise FeedbackError(
            "Choose whether the module served or stretched you.", "stretch"
        ) from None
    comment = (comment or "").replace("\r\n", "\n").strip()
    if len(comment) > COMMENT_MAX:
        raise FeedbackError(f"Keep your comment to {COMMENT_MAX:,} characters or fewer.", "comment")
    feedback = feedback_of(session, cohort_module, user)
    created = feedback is None
    if feedback is None:
        feedback = ModuleFeedback(cohort_module=cohort_module, participant=user, given_dt=now)
        session.add(feedback)
    feedback.relevance = relevance_value
    feedback.stretch = stretch_value
    feedback.impact = impact_value
    feedback.comment = comment
    feedback.updated_dt = now
    session.flush()
    feedback_given.send(feedback, user=user, created=created)
    return feedback


@dataclass
class ModuleResult:
    """The feedback on one module session, in aggregate."""

    cohort_module: CohortModule
    participants: int
    responses: int = 0
    relevance: Counter[int] = field(default_factory=Counter)
    impact: Counter[int] = field(default_factory=Counter)
    stretch: Counter[Stretch] = field(default_factory=Counter)
    #: Comments, newest first, without names.
    comments: list[str] = field(default_factory=list)

    @property
    def mean_relevance(self) -> float | None:
        return mean(self.relevance.elements()) if self.responses else None

    @property
    def mean_impact(self) -> float | None:
        return mean(self.impact.elements()) if self.responses else None

    def share(self, stretch: Stretch) -> float:
        """The fraction of responses that gave ``stretch`` (0 with no responses)."""
        return self.stretch[stretch] / self.responses if self.responses else 0.0


def module_results(session: Session, cohort: Cohort) -> list[ModuleResult]:
    """Every module session of ``cohort`` in programme order, with its feedback summarised."""
    participants = (
        session.scalar(
            sa.select(sa.func.count(Enrolment.id)).where(
                Enrolment.cohort_id == cohort.id, Enrolment.role == CohortRole.PARTICIPANT
            )
        )
        or 0
    )
    results = {
        cm.id: ModuleResult(cm, participants)
        for cm in sorted(cohort.cohort_modules, key=lambda cm: (cm.module.sequence, cm.starts_at))
    }
    rows = session.scalars(
        sa.select(ModuleFeedback)
        .join(CohortModule)
        .where(CohortModule.cohort_id == cohort.id)
        .order_by(ModuleFeedback.updated_dt.desc(), ModuleFeedback.id.desc())
    )
    for row in rows:
        result = results[row.cohort_module_id]
        result.responses += 1
        result.relevance[row.relevance] += 1
        result.impact[row.impact] += 1
        result.stretch[row.stretch] += 1
        if row.comment:
            result.comments.append(row.comment)
    return list(results.values())
