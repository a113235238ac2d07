"""Goldfish-bowl challenges: a participant sets out a real decision for their cohort, members
ask clarifying questions and make suggestions, the owner answers, records the decision and,
later, what happened; and what the challenges count for in the owner's record.

Services validate, change, ``flush()`` and then send the domain signal; nothing here commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from insights_lms import signals
from insights_lms.auth.models import User
from insights_lms.cohorts.models import Cohort, CohortModule, Enrolment
from insights_lms.competencies.models import Competency
from insights_lms.db import utcnow
from insights_lms.enums import ActivityKind
from insights_lms.peer.access import member_enrolment
from insights_lms.peer.models import (
    ChallengeContribution,
    ChallengeState,
    ContributionKind,
    GoldfishChallenge,
)
from insights_lms.peer.validation import (
    MAX_CONTRIBUTION,
    PeerError,
    check_own_participant_enrolment,
    checked_competencies,
    checked_text,
    checked_title,
)


@dataclass(frozen=True)
class ChallengeInput:
    title: str
    context: str
    decision_to_make: str
    competency_ids: Sequence[int]
    cohort_module_id: int | None = None


@dataclass(frozen=True)
class CohortModuleChoice:
    """A module session a challenge can be brought to, with its goldfish-bowl activities."""

    cohort_module: CohortModule
    goldfish_bowls: tuple[str, ...]


def cohort_module_choices(cohort: Cohort) -> list[CohortModuleChoice]:
    """The cohort's module sessions in order, each with its goldfish-bowl activity titles."""
    return [
        CohortModuleChoice(
            cm,
            tuple(a.title for a in cm.module.activities if a.kind == ActivityKind.GOLDFISH_BOWL),
        )
        for cm in sorted(cohort.cohort_modules, key=lambda s: (s.starts_at, s.id))
    ]


def _cohort_module(
    session: Session, cohort: Cohort, cohort_module_id: int | None
) -> CohortModule | None:
    if cohort_module_id is None:
        return None
    found = session.get(CohortModule, cohort_module_id)
    if found is None or found.cohort_id != cohort.id:
        raise PeerError("Choose one of your cohort's module sessions.", "cohort_module")
    return found


def _checked_challenge(
    session: Session, cohort: Cohort, data: ChallengeInput
) -> tuple[str, str, str, list[Competency], CohortModule | None]:
    title = checked_title(data.title)
    context = checked_text(data.context, "context", "Describe the context of your challenge.")
    decision = checked_text(
        data.decision_to_make, "decision_to_make", "Say what decision you have to make."
    )
    return (
        title,
        context,
        decision,
        checked_competencies(session, cohort, data.competency_ids),
        _cohort_module(session, cohort, data.cohort_module_id),
    )


def post_challenge(
    session: Session,
    *,
    enrolment: Enrolment,
    user: User,
    data: ChallengeInput,
    now: dt.datetime | None = None,
) -> GoldfishChallenge:
    """The participant sets out a challenge for their cohort; sends ``challenge_posted``."""
    check_own_participant_enrolment(enrolment, user, "post a challenge")
    title, context, decision, competencies, cohort_module = _checked_challenge(
        session, enrolment.cohort, data
    )
    now = now or utcnow()
    challenge = GoldfishChallenge(
        enrolment=enrolment,
        title=title,
        context=context,
        decision_to_make=decision,
        competencies=competencies,
        cohort_module=cohort_module,
        state=ChallengeState.OPEN,
        created_dt=now,
        updated_dt=now,
    )
    session.add(challenge)
    session.flush()
    signals.challenge_posted.send(challenge, user=user)
    return challenge


def update_challenge(
    session: Session,
    challenge: GoldfishChallenge,
    *,
    user: User,
    data: ChallengeInput,
    now: dt.datetime | None = None,
) -> GoldfishChallenge:
    """The owner corrects their challenge while it is open (no signal: nothing new happened)."""
    if user.id != challenge.owner.id:
        raise PeerError("Only the problem owner can change this challenge.")
    if not challenge.is_open:
        raise PeerError("You have recorded your decision, so the challenge can no longer change.")
    title, context, decision, competencies, cohort_module = _checked_challenge(
        session, challenge.cohort, data
    )
    challenge.title, challenge.context, challenge.decision_to_make = title, context, decision
    challenge.competencies, challenge.cohort_module = competencies, cohort_module
    challenge.updated_dt = now or utcnow()
    session.flush()
    return challenge


def add_contribution(
    session: Session,
    challenge: GoldfishChallenge,
    *,
    user: User,
    kind: ContributionKind | str,
    text: str,
    now: dt.datetime | None = None,
) -> ChallengeContribution:
    """A member of the cohort asks a clarifying question or makes a suggestion while the
    challenge is open; sends ``challenge_answered``."""
    if user.id == challenge.owner.id:
        raise PeerError("Your peers ask the questions: answer them below instead.")
    enrolment = member_enrolment(session, user, challenge.cohort)
    if enrolment is None:
        raise PeerError("Only members of the cohort can contribute to its challenges.")
    if not challenge.is_open:
        raise PeerError("The problem owner has decided, so the challenge is closed to new ideas.")
    try:
        kind = ContributionKind(kind)
    except ValueError:
        raise PeerError("Choose whether this is a question or a suggestion.", "kind") from None
    body = checked_text(
        text,
        "text",
        "Write your question." if kind == ContributionKind.QUESTION else "Write your suggestion.",
        MAX_CONTRIBUTION,
    )
    contribution = ChallengeContribution(
        challenge=challenge,
        enrolment=enrolment,
        kind=kind,
        text=body,
        created_dt=now or utcnow(),
    )
    session.add(contribution)
    session.flush()
    signals.challenge_answered.send(contribution, user=user)
    return contribution


def answer_question(
    session: Session,
    contribution: ChallengeContribution,
    *,
    user: User,
    answer: str,
    now: dt.datetime | None = None,
) -> ChallengeContribution:
    """The owner answers (or re-words their answer to) a clarifying question. No signal: the
    challenge's own statements already describe the owner's part."""
    challenge = contribution.challenge
    if user.id != challenge.owner.id:
        raise PeerError("Only the problem owner can answer questions.")
    if not contribution.is_question:
        raise PeerError("Only questions are answered; a suggestion stands on its own.")
    contribution.answer = checked_text(answer, "answer", "Write your answer.", MAX_CONTRIBUTION)
    contribution.answered_dt = now or utcnow()
    session.flush()
    return contribution


def record_decision(
    session: Session,
    challenge: GoldfishChallenge,
    *,
    user: User,
    resolution: str,
    now: dt.datetime | None = None,
) -> GoldfishChallenge:
    """Open → decided: the owner records what they decided; sends ``challenge_resolved``."""
    if user.id != challenge.owner.id:
        raise PeerError("Only the problem owner can record the decision.")
    if not challenge.is_open:
        raise PeerError("You have already recorded your decision.")
    challenge.resolution = checked_text(resolution, "resolution", "Say what you decided.")
    challenge.state = ChallengeState.DECIDED
    challenge.decided_dt = challenge.updated_dt = now or utcnow()
    session.flush()
    signals.challenge_resolved.send(challenge, user=user)
    return challenge


def record_outcome(
    session: Session,
    challenge: GoldfishChallenge,
    *,
    user: User,
    outcome: str,
    now: dt.datetime | None = None,
) -> GoldfishChallenge:
    """Decided → outcome recorded: what happened afterwards. Sends ``challenge_resolved`` again;
    receivers tell the two apart by ``sender.state`` (``DECIDED`` or ``OUTCOME_RECORDED``)."""
    if user.id != challenge.owner.id:
        raise PeerError("Only the problem owner can record what happened.")
    if challenge.state == ChallengeState.OPEN:
        raise PeerError("Record your decision first, then what happened.")
    if challenge.state == ChallengeState.OUTCOME_RECORDED:
        raise PeerError("You have already recorded what happened.")
    challenge.outcome = checked_text(outcome, "outcome", "Say what happened after your decision.")
    challenge.state = ChallengeState.OUTCOME_RECORDED
    challenge.outcome_dt = challenge.updated_dt = now or utcnow()
    session.flush()
    signals.challenge_resolved.send(challenge, user=user)
    return challenge


def _challenges() -> sa.Select[GoldfishChallenge]:
    return sa.select(GoldfishChallenge).options(
        selectinload(GoldfishChallenge.competencies),
        selectinload(GoldfishChallenge.contributions),
        selectinload(GoldfishChallenge.enrolment).selectinload(Enrolment.user),
        selectinload(GoldfishChallenge.cohort_module).selectinload(CohortModule.module),
    )


def challenges_of_cohort(session: Session, cohort: Cohort) -> list[GoldfishChallenge]:
    """Every challenge in the cohort, newest first."""
    return list(
        session.scalars(
            _challenges()
            .join(GoldfishChallenge.enrolment)
            .where(Enrolment.cohort_id == cohort.id)
            .order_by(GoldfishChallenge.created_dt.desc(), GoldfishChallenge.id.desc())
        )
    )


def challenges_owned(session: Session, enrolment: Enrolment) -> list[GoldfishChallenge]:
    """The challenges a participant has posted in this enrolment, newest first."""
    return list(
        session.scalars(
            _challenges()
            .where(GoldfishChallenge.enrolment_id == enrolment.id)
            .order_by(GoldfishChallenge.created_dt.desc(), GoldfishChallenge.id.desc())
        )
    )


@dataclass(frozen=True)
class ChallengeEvidence:
    """A goldfish-bowl challenge as an evidence-like item of its owner's record.

    Shaped like ``Evidence`` where it matters (``title``, ``occurred_on``, ``public_id``,
    ``competencies``); link it with ``url_for(item.endpoint, public_id=item.public_id)``.
    """

    challenge: GoldfishChallenge
    occurred_on: dt.date
    endpoint: str = "lms.peer.challenge"

    @property
    def title(self) -> str:
        return self.challenge.title

    @property
    def public_id(self) -> str:
        return self.challenge.public_id

    @property
    def competencies(self) -> list[Competency]:
        return self.challenge.competencies

    @property
    def state(self) -> ChallengeState:
        return self.challenge.state

    @property
    def status(self) -> str:
        """ "Open", "Decided" or "Outcome recorded"."""
        return self.challenge.state.label


def challenges_for_progress(
    session: Session, enrolment: Enrolment
) -> dict[int, list[ChallengeEvidence]]:
    """The owner's challenges in this enrolment by competency id, newest first in each list.

    Every state counts (an open challenge already shows the owner framing a live decision);
    ``item.state`` says how far it has gone. Competencies without a challenge are absent.
    """
    zone = ZoneInfo(enrolment.cohort.programme.time_zone)
    result: dict[int, list[ChallengeEvidence]] = {}
    for challenge in challenges_owned(session, enrolment):
        item = ChallengeEvidence(challenge, challenge.created_dt.astimezone(zone).date())
        for competency in challenge.competencies:
            result.setdefault(competency.id, []).append(item)
    return result


def contribution_count(session: Session, enrolment: Enrolment) -> int:
    """How many questions and suggestions the participant gave on peers' challenges."""
    return (
        session.scalar(
            sa.select(sa.func.count(ChallengeContribution.id)).where(
                ChallengeContribution.enrolment_id == enrolment.id
            )
        )
        or 0
    )


def contributions_of(session: Session, enrolment: Enrolment) -> list[ChallengeContribution]:
    """The questions and suggestions made in this enrolment (on others' challenges in the
    cohort), newest first; ``c.challenge`` (with its competencies and owner) is loaded."""
    return list(
        session.scalars(
            sa.select(ChallengeContribution)
            .where(ChallengeContribution.enrolment_id == enrolment.id)
            .options(
                selectinload(ChallengeContribution.challenge).selectinload(
                    GoldfishChallenge.competencies
                ),
                selectinload(ChallengeContribution.challenge)
                .selectinload(GoldfishChallenge.enrolment)
                .selectinload(Enrolment.user),
            )
            .order_by(ChallengeContribution.created_dt.desc(), ChallengeContribution.id.desc())
        )
    )
