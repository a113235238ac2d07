"""The portfolio's goldfish-bowl challenges and case studies (providers in
``portfolio.sections.PROVIDERS``).

Only what the participant shared goes in: their own challenges (peers' questions and
suggestions are counted, not copied — they are the peers' words) and their shared case studies
(drafts stay private to their author).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from insights_lms.cohorts.models import Enrolment
from insights_lms.peer.case_studies import case_studies_by
from insights_lms.peer.models import (
    CaseStudy,
    CaseStudyStatus,
    ChallengeState,
    GoldfishChallenge,
)
from insights_lms.portfolio.entries import CaseStudyEntry, ChallengeEntry
from insights_lms.timeutil import local

if TYPE_CHECKING:
    from insights_lms.portfolio.services import PortfolioOptions

STATES = {
    ChallengeState.OPEN: "Open",
    ChallengeState.DECIDED: "Decided",
    ChallengeState.OUTCOME_RECORDED: "Outcome recorded",
}


def _chosen(competency_ids: frozenset[int] | None, item: GoldfishChallenge | CaseStudy) -> bool:
    return competency_ids is None or any(c.id in competency_ids for c in item.competencies)


def goldfish_bowl_challenges(
    session: Session, enrolment: Enrolment, options: PortfolioOptions
) -> list[ChallengeEntry]:
    """The participant's challenges in the portfolio's period, oldest first."""
    zone = enrolment.cohort.programme.time_zone
    challenges = session.scalars(
        sa.select(GoldfishChallenge)
        .where(GoldfishChallenge.enrolment_id == enrolment.id)
        .options(
            selectinload(GoldfishChallenge.competencies),
            selectinload(GoldfishChallenge.contributions),
            selectinload(GoldfishChallenge.cohort_module),
        )
        .order_by(GoldfishChallenge.created_dt, GoldfishChallenge.id)
    )
    return [
        ChallengeEntry(
            title=c.title,
            created_dt=c.created_dt,
            state=STATES[c.state],
            module_title=c.cohort_module.module.title if c.cohort_module else "",
            context=c.context,
            decision_to_make=c.decision_to_make,
            resolution=c.resolution,
            outcome=c.outcome,
            questions=len(c.questions),
            suggestions=len(c.contributions) - len(c.questions),
            competency_codes=[comp.code for comp in c.competencies],
        )
        for c in challenges
        if options.covers(local(c.created_dt, zone).date()) and _chosen(options.competency_ids, c)
    ]


def case_studies(
    session: Session, enrolment: Enrolment, options: PortfolioOptions
) -> list[CaseStudyEntry]:
    """The participant's shared case studies in the portfolio's period, oldest first."""
    zone = enrolment.cohort.programme.time_zone
    return [
        CaseStudyEntry(
            title=s.title,
            shared_dt=s.shared_dt,
            context=s.context,
            what_i_did=s.what_i_did,
            impact=s.impact,
            transferable=s.transferable,
            is_featured=s.is_featured,
            competency_codes=[comp.code for comp in s.competencies],
        )
        for s in reversed(case_studies_by(session, enrolment))
        if s.status == CaseStudyStatus.SHARED
        and options.covers(local(s.shared_dt or s.created_dt, zone).date())
        and _chosen(options.competency_ids, s)
    ]
