"""The checks that challenges and case studies share: the refusal they raise, the length
limits (the forms use them too), titles, texts, competencies and who may write."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from insights_lms.auth.models import User
from insights_lms.cohorts.models import Cohort, Enrolment
from insights_lms.competencies.models import Competency
from insights_lms.enums import CohortRole
from insights_lms.errors import DomainError

MAX_TITLE = 200
MAX_TEXT = 10_000
MAX_CONTRIBUTION = 4_000


class PeerError(DomainError):
    """A peer-learning change that cannot be made as asked; ``field`` names the form field."""


def checked_title(value: str) -> str:
    """The title without surrounding blanks; refused when empty or too long."""
    title = value.strip()
    if not title:
        raise PeerError("Give it a title.", "title")
    if len(title) > MAX_TITLE:
        raise PeerError(f"Keep the title to {MAX_TITLE} characters.", "title")
    return title


def checked_text(value: str, field: str, missing: str | None, limit: int = MAX_TEXT) -> str:
    """The text without surrounding blanks; refused with ``missing`` when empty (if given) and
    when over ``limit``."""
    text = value.strip()
    if missing and not text:
        raise PeerError(missing, field)
    if len(text) > limit:
        raise PeerError(f"Keep this to {limit:,} characters.", field)
    return text


def checked_competencies(session: Session, cohort: Cohort, ids: Sequence[int]) -> list[Competency]:
    """At least one competency, all of them from the cohort's programme's framework."""
    if not ids:
        raise PeerError("Choose at least one competency.", "competencies")
    found = list(
        session.scalars(
            sa.select(Competency).where(
                Competency.id.in_(set(ids)),
                Competency.framework_id == cohort.programme.framework_id,
            )
        )
    )
    if len(found) != len(set(ids)):
        raise PeerError("Choose competencies from the programme's framework.", "competencies")
    return found


def check_own_participant_enrolment(enrolment: Enrolment, user: User, what: str) -> None:
    """Refuse unless ``enrolment`` is ``user``'s own participant enrolment."""
    if enrolment.user_id != user.id or enrolment.role != CohortRole.PARTICIPANT:
        raise PeerError(f"Only a participant of the cohort can {what}.")
