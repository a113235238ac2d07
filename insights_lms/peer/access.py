"""Who may see and do what in a cohort's peer learning, and the loaders that check it.

Who is who, within one cohort:

- *Members* of a cohort are everyone enrolled in it in any role (participants, coaches,
  facilitators); site administrators see what members see. Nobody else sees a cohort's
  challenges or shared case studies (the pages answer 404).
- A *problem owner* is a participant of the cohort; only participants post challenges and write
  case studies (they are the leaders whose practice it is).
- *Contributors* are the cohort's members other than the owner: the peers first, and also the
  cohort's coaches and facilitators, because in the programme the facilitator runs the bowl and
  coaches sit in it — a good clarifying question is what the session models. Each contribution
  keeps the enrolment it was made in, so pages show who spoke as a coach or a facilitator and a
  contribution counts in the record of the enrolment that made it.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from insights_lms.auth.models import User
from insights_lms.cohorts.access import can_facilitate, can_view_programme
from insights_lms.cohorts.models import Cohort, CohortModule, Enrolment
from insights_lms.enums import CohortRole
from insights_lms.peer.models import CaseStudy, ChallengeContribution, GoldfishChallenge
from insights_lms.programmes.models import Programme

#: The order in which a person's enrolments in one cohort speak for them.
_ROLE_ORDER = (CohortRole.PARTICIPANT, CohortRole.FACILITATOR, CohortRole.COACH)


def member_enrolment(session: Session, user: User, cohort: Cohort) -> Enrolment | None:
    """The user's enrolment in the cohort (participant first, then facilitator, then coach)."""
    found = {
        e.role: e
        for e in session.scalars(
            sa.select(Enrolment).where(
                Enrolment.cohort_id == cohort.id, Enrolment.user_id == user.id
            )
        )
    }
    return next((found[role] for role in _ROLE_ORDER if role in found), None)


def is_member(session: Session, user: User, cohort: Cohort) -> bool:
    """Enrolled in the cohort in any role, or a site administrator."""
    return user.is_admin or member_enrolment(session, user, cohort) is not None


def cohort_for_member(session: Session, code: str, user: User) -> Cohort | None:
    """The cohort with this code if ``user`` is one of its members, else None (404); its
    programme comes with it."""
    cohort = session.scalar(
        sa.select(Cohort).where(Cohort.code == code).options(joinedload(Cohort.programme))
    )
    if cohort is None or not is_member(session, user, cohort):
        return None
    return cohort


def member_cohorts(session: Session, user: User) -> list[Cohort]:
    """The cohorts the user belongs to in any role, newest first."""
    return list(
        session.scalars(
            sa.select(Cohort)
            .where(
                Cohort.id.in_(sa.select(Enrolment.cohort_id).where(Enrolment.user_id == user.id))
            )
            .order_by(Cohort.created_dt.desc(), Cohort.code)
        )
    )


def can_view_challenge(session: Session, user: User, challenge: GoldfishChallenge) -> bool:
    return is_member(session, user, challenge.cohort)


def can_contribute(session: Session, user: User, challenge: GoldfishChallenge) -> bool:
    """A member of the cohort other than the owner, while the challenge is open."""
    return (
        challenge.is_open
        and user.id != challenge.owner.id
        and member_enrolment(session, user, challenge.cohort) is not None
    )


def can_view_case_study(session: Session, user: User, study: CaseStudy) -> bool:
    """The author always; a shared study, the cohort's members; a featured one, anyone enrolled
    in a cohort of the same programme."""
    if user.id == study.author.id:
        return True
    if not study.is_shared:
        return False
    if is_member(session, user, study.cohort):
        return True
    return study.is_featured and can_view_programme(session, user, study.cohort.programme)


def can_feature(session: Session, user: User, study: CaseStudy) -> bool:
    """A facilitator of the study's cohort (or an administrator), once it is shared."""
    return study.is_shared and can_facilitate(session, user, study.cohort)


def challenge_for_viewer(
    session: Session, public_id: str, viewer: User
) -> GoldfishChallenge | None:
    """The challenge if ``viewer`` may see it, else None (the view answers 404 either way),
    with what its page shows: the owner, the cohort's programme and framework, the module
    session, the competencies and the contributions with their authors."""
    challenge = session.scalar(
        sa.select(GoldfishChallenge)
        .where(GoldfishChallenge.public_id == public_id)
        .options(
            joinedload(GoldfishChallenge.enrolment)
            .joinedload(Enrolment.cohort)
            .joinedload(Cohort.programme)
            .joinedload(Programme.framework),
            joinedload(GoldfishChallenge.enrolment).joinedload(Enrolment.user),
            joinedload(GoldfishChallenge.cohort_module).joinedload(CohortModule.module),
            selectinload(GoldfishChallenge.competencies),
            selectinload(GoldfishChallenge.contributions)
            .selectinload(ChallengeContribution.enrolment)
            .selectinload(Enrolment.user),
        )
    )
    if challenge is None or not can_view_challenge(session, viewer, challenge):
        return None
    return challenge


def contribution_for_viewer(
    session: Session, public_id: str, viewer: User
) -> ChallengeContribution | None:
    """A question or suggestion if ``viewer`` may see its challenge, else None."""
    found = session.scalar(
        sa.select(ChallengeContribution).where(ChallengeContribution.public_id == public_id)
    )
    if found is None or not can_view_challenge(session, viewer, found.challenge):
        return None
    return found


def case_study_for_viewer(session: Session, public_id: str, viewer: User) -> CaseStudy | None:
    """The case study if ``viewer`` may see it, else None (the view answers 404 either way),
    with what its page shows: the author, the cohort's programme and framework, and the
    competencies."""
    study = session.scalar(
        sa.select(CaseStudy)
        .where(CaseStudy.public_id == public_id)
        .options(
            joinedload(CaseStudy.enrolment)
            .joinedload(Enrolment.cohort)
            .joinedload(Cohort.programme)
            .joinedload(Programme.framework),
            joinedload(CaseStudy.enrolment).joinedload(Enrolment.user),
            selectinload(CaseStudy.competencies),
        )
    )
    if study is None or not can_view_case_study(session, viewer, study):
        return None
    return study


def programme_for_viewer(session: Session, code: str, viewer: User) -> Programme | None:
    """The programme if ``viewer`` is enrolled in one of its cohorts (or an administrator)."""
    programme = session.scalar(sa.select(Programme).where(Programme.code == code))
    if programme is None or not can_view_programme(session, viewer, programme):
        return None
    return programme
