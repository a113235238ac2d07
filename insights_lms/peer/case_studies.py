"""Case studies: a participant writes up a piece of their practice (a draft only they see),
shares it with their cohort, and a facilitator may feature it for the whole programme.

Services validate, change, ``flush()`` and then send the domain signal; nothing here commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from insights_lms import signals
from insights_lms.auth.models import User
from insights_lms.cohorts.access import can_facilitate
from insights_lms.cohorts.models import Cohort, Enrolment
from insights_lms.competencies.models import Competency
from insights_lms.db import utcnow
from insights_lms.peer.models import CaseStudy, CaseStudyStatus
from insights_lms.peer.validation import (
    PeerError,
    check_own_participant_enrolment,
    checked_competencies,
    checked_text,
    checked_title,
)
from insights_lms.programmes.models import Programme


@dataclass(frozen=True)
class CaseStudyInput:
    title: str
    context: str
    what_i_did: str
    impact: str
    transferable: str
    competency_ids: Sequence[int]


def _checked_case_study(
    session: Session, cohort: Cohort, data: CaseStudyInput
) -> tuple[str, str, str, str, str, list[Competency]]:
    return (
        checked_title(data.title),
        checked_text(
            data.context, "context", "Describe the context: the school and the situation."
        ),
        checked_text(data.what_i_did, "what_i_did", "Describe what you did."),
        checked_text(data.impact, "impact", "Describe the evidence of impact you have."),
        checked_text(
            data.transferable, "transferable", "Say what others could apply in their schools."
        ),
        checked_competencies(session, cohort, data.competency_ids),
    )


def create_case_study(
    session: Session,
    *,
    enrolment: Enrolment,
    user: User,
    data: CaseStudyInput,
    share: bool = False,
    now: dt.datetime | None = None,
) -> CaseStudy:
    """A new draft (only its author sees it), shared at once with ``share``."""
    check_own_participant_enrolment(enrolment, user, "write a case study")
    title, context, did, impact, transferable, competencies = _checked_case_study(
        session, enrolment.cohort, data
    )
    now = now or utcnow()
    study = CaseStudy(
        enrolment=enrolment,
        title=title,
        context=context,
        what_i_did=did,
        impact=impact,
        transferable=transferable,
        competencies=competencies,
        status=CaseStudyStatus.DRAFT,
        created_dt=now,
        updated_dt=now,
    )
    session.add(study)
    session.flush()
    if share:
        share_case_study(session, study, user=user, now=now)
    return study


def update_case_study(
    session: Session,
    study: CaseStudy,
    *,
    user: User,
    data: CaseStudyInput,
    now: dt.datetime | None = None,
) -> CaseStudy:
    """The author edits; a shared (or featured) study stays shared (or featured)."""
    if user.id != study.author.id:
        raise PeerError("Only the author can change this case study.")
    (
        study.title,
        study.context,
        study.what_i_did,
        study.impact,
        study.transferable,
        study.competencies,
    ) = _checked_case_study(session, study.cohort, data)
    study.updated_dt = now or utcnow()
    session.flush()
    return study


def share_case_study(
    session: Session, study: CaseStudy, *, user: User, now: dt.datetime | None = None
) -> CaseStudy:
    """Draft → shared with the cohort; sends ``case_study_published``."""
    if user.id != study.author.id:
        raise PeerError("Only the author can share this case study.")
    if study.is_shared:
        raise PeerError("This case study is already shared with your cohort.")
    study.status = CaseStudyStatus.SHARED
    study.shared_dt = now or utcnow()
    session.flush()
    signals.case_study_published.send(study, user=user)
    return study


def set_featured(
    session: Session,
    study: CaseStudy,
    *,
    user: User,
    featured: bool,
    now: dt.datetime | None = None,
) -> CaseStudy:
    """A facilitator of the cohort features a shared study for the whole programme, or stops
    featuring it; sends ``case_study_featured`` when something changed."""
    if not study.is_shared:
        raise PeerError("Only a case study shared with the cohort can be featured.")
    if not can_facilitate(session, user, study.cohort):
        raise PeerError("Only a facilitator of the cohort can feature case studies.")
    if study.is_featured == featured:
        return study
    study.is_featured = featured
    study.featured_dt = (now or utcnow()) if featured else None
    study.featured_by = user if featured else None
    session.flush()
    signals.case_study_featured.send(study, user=user, featured=featured)
    return study


def _case_studies() -> sa.Select[CaseStudy]:
    return sa.select(CaseStudy).options(
        selectinload(CaseStudy.competencies),
        selectinload(CaseStudy.enrolment).selectinload(Enrolment.user),
        selectinload(CaseStudy.enrolment).selectinload(Enrolment.cohort),
    )


def shared_case_studies(session: Session, cohort: Cohort) -> list[CaseStudy]:
    """The cohort's shared case studies, most recently shared first."""
    return list(
        session.scalars(
            _case_studies()
            .join(CaseStudy.enrolment)
            .where(Enrolment.cohort_id == cohort.id, CaseStudy.status == CaseStudyStatus.SHARED)
            .order_by(CaseStudy.shared_dt.desc(), CaseStudy.id.desc())
        )
    )


def case_studies_by(session: Session, enrolment: Enrolment) -> list[CaseStudy]:
    """Everything the participant has written in this enrolment (drafts too), newest first."""
    return list(
        session.scalars(
            _case_studies()
            .where(CaseStudy.enrolment_id == enrolment.id)
            .order_by(CaseStudy.created_dt.desc(), CaseStudy.id.desc())
        )
    )


def featured_case_studies(session: Session, programme: Programme) -> list[CaseStudy]:
    """The programme's featured case studies, from all its cohorts, most recently featured
    first."""
    return list(
        session.scalars(
            _case_studies()
            .join(CaseStudy.enrolment)
            .join(Enrolment.cohort)
            .where(
                Cohort.programme_id == programme.id,
                CaseStudy.status == CaseStudyStatus.SHARED,
                CaseStudy.is_featured.is_(True),
            )
            .order_by(CaseStudy.featured_dt.desc(), CaseStudy.id.desc())
        )
    )
