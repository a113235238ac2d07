"""Who may see what in a cohort. Views call these after loading an object and before showing
it; services use them to scope their queries. (The signed-in user and the request-level
lookups that answer 404 live in :mod:`insights_lms.web`.)"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import Session, joinedload

from insights_lms.auth.models import User
from insights_lms.cohorts.models import CoachAssignment, Cohort, Enrolment
from insights_lms.cohorts.services import participant_enrolments
from insights_lms.db import session as db_session
from insights_lms.enums import CohortRole
from insights_lms.programmes.models import Programme
from insights_lms.web import signed_in_user


def roles_in(session: Session, user: User, cohort: Cohort) -> set[CohortRole]:
    return set(
        session.scalars(
            sa.select(Enrolment.role).where(
                Enrolment.user_id == user.id, Enrolment.cohort_id == cohort.id
            )
        )
    )


def can_facilitate(session: Session, user: User, cohort: Cohort) -> bool:
    """Facilitators of the cohort (and site administrators) run it and see all of it."""
    return user.is_admin or CohortRole.FACILITATOR in roles_in(session, user, cohort)


def facilitates_any_cohort(session: Session, user: User) -> bool:
    """Whether ``user`` is an administrator or the facilitator of at least one cohort."""
    if user.is_admin:
        return True
    found = session.scalar(
        sa.select(Enrolment.id)
        .where(Enrolment.user_id == user.id, Enrolment.role == CohortRole.FACILITATOR)
        .limit(1)
    )
    return found is not None


def can_view_programme(session: Session, user: User, programme: Programme) -> bool:
    """Anyone enrolled in a cohort of the programme (any role) may read its modules."""
    if user.is_admin:
        return True
    return (
        session.scalar(
            sa.select(Enrolment.id)
            .join(Enrolment.cohort)
            .where(Enrolment.user_id == user.id, Cohort.programme_id == programme.id)
            .limit(1)
        )
        is not None
    )


def can_view_participant(session: Session, viewer: User, participant: User, cohort: Cohort) -> bool:
    """The participant themself, their coach in that cohort, its facilitators, administrators."""
    if viewer.id == participant.id or can_facilitate(session, viewer, cohort):
        return True
    return (
        session.scalar(
            sa.select(CoachAssignment.id).where(
                CoachAssignment.cohort_id == cohort.id,
                CoachAssignment.coach_id == viewer.id,
                CoachAssignment.participant_id == participant.id,
            )
        )
        is not None
    )


def can_view_enrolment(session: Session, viewer: User, enrolment: Enrolment) -> bool:
    """Whether ``viewer`` may see a participant enrolment's record (map, conversations,
    ratings): the participant, their coach in that cohort, its facilitators, administrators.
    Any other kind of enrolment (a coach's, a facilitator's) is nobody's to see here."""
    if enrolment.role != CohortRole.PARTICIPANT:
        return False
    return can_view_participant(session, viewer, enrolment.user, enrolment.cohort)


def participant_enrolment(
    session: Session, cohort_code: str, participant_public_id: str
) -> Enrolment | None:
    """The participant's enrolment in the cohort (by the cohort's code and the participant's
    public id), whoever asks; None if they are not a participant there. The participant, the
    cohort and its programme come loaded (every page about the participant shows them)."""
    return session.scalar(
        sa.select(Enrolment)
        .join(Enrolment.cohort)
        .join(Enrolment.user)
        .where(
            Cohort.code == cohort_code,
            User.public_id == participant_public_id,
            Enrolment.role == CohortRole.PARTICIPANT,
        )
        .options(
            joinedload(Enrolment.user),
            joinedload(Enrolment.cohort).joinedload(Cohort.programme),
        )
    )


def own_participant_enrolment(
    session: Session, user: User, cohort_code: str | None = None
) -> Enrolment | None:
    """``user``'s own participant enrolment: in the cohort with ``cohort_code``, or (without a
    code) in their newest cohort; None if there is none. The cohort comes loaded."""
    for enrolment in participant_enrolments(session, user):
        if cohort_code is None or enrolment.cohort.code == cohort_code:
            return enrolment
    return None


def participant_enrolment_for_viewer(
    session: Session, viewer: User, cohort_code: str, participant_public_id: str
) -> Enrolment | None:
    """The participant's enrolment in the cohort if ``viewer`` may see it
    (:func:`can_view_enrolment`), else None (the view answers 404 either way)."""
    enrolment = participant_enrolment(session, cohort_code, participant_public_id)
    if enrolment is None or not can_view_enrolment(session, viewer, enrolment):
        return None
    return enrolment


def facilitated_cohort_or_404(code: str) -> Cohort:
    """The cohort with ``code`` if the signed-in user runs it (or administers the site);
    404 otherwise, so that nobody else learns which cohorts exist."""
    cohort = db_session.scalar(sa.select(Cohort).where(Cohort.code == code))
    if cohort is None or not can_facilitate(db_session, signed_in_user(), cohort):
        abort(404)
    return cohort
