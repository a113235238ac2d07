"""Goldfish-bowl challenges and case studies: the rules, who may see and do what, and what
counts in a participant's record.

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
from insights_lms.cohorts.access import can_facilitate, can_view_programme
from insights_lms.cohorts.models import Cohort, CohortModule, Enrolment
from insights_lms.competencies.models import Competency
from insights_lms.db import utcnow
from insights_lms.enums import ActivityKind, CohortRole
from insights_lms.errors import DomainError
from insights_lms.peer.models import (
    CaseStudy,
    CaseStudyStatus,
    ChallengeContribution,
    ChallengeState,
    ContributionKind,
    GoldfishChallenge,
)
from insights_lms.programmes.models import Programme

MAX_TITLE = 200
MAX_TEXT = 10_000
MAX_CONTRIBUTION = 4_000
#: The order in which a person's enrolments in one cohort speak for them.
_ROLE_ORDER = (CohortRole.PARTICIPANT, CohortRole.FACILITATOR, CohortRole.COACH)


class PeerError(DomainError):
    """A peer-learning change that cannot be made as asked; ``field`` names the form field."""


# --- membership and access ---------------------------------------------------------------


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


def participant_enrolment(session: Session, user: User, cohort: Cohort) -> Enrolment | None:
    """The user's participant enrolment in the cohort, if they are one of its participants."""
    return session.scalar(
        sa.select(Enrolment).where(
            Enrolment.cohort_id == cohort.id,
            Enrolment.user_id == user.id,
            Enrolment.role == CohortRole.PARTICIPANT,
        )
    )


def cohort_for_member(session: Session, code: str, user: User) -> Cohort | None:
    """The cohort with this code if ``user`` is one of its members, else None (404)."""
    cohort = session.scalar(sa.select(Cohort).where(Cohort.code == code))
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
    """The challenge if ``viewer`` may see it, else None (the view answers 404 either way)."""
    challenge = session.scalar(
        sa.select(GoldfishChallenge)
        .where(GoldfishChallenge.public_id == public_id)
        .options(
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
    study = session.scalar(sa.select(CaseStudy).where(CaseStudy.public_id == public_id))
    if study is None or not can_view_case_study(session, viewer, study):
        return None
    return study


# --- shared checks -----------------------------------------------------------------------


def _title(value: str) -> str:
    title = value.strip()
    if not title:
        raise PeerError("Give it a title.", "title")
    if len(title) > MAX_TITLE:
        raise PeerError(f"Keep the title to {MAX_TITLE} characters.", "title")
    return title


def _text(value: str, field: str, missing: str | None, limit: int = MAX_TEXT) -> str:
    text = value.strip()
    if missing and not text:
        raise PeerError(missing, field)
    if len(text) > limit:
        raise PeerError(f"Keep this to {limit:,} characters.", field)
    return text


def _competencies(session: Session, cohort: Cohort, ids: Sequence[int]) -> list[Competency]:
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


def _own_participant_enrolment(enrolment: Enrolment, user: User, what: str) -> None:
    if enrolment.user_id != user.id or enrolment.role != CohortRole.PARTICIPANT:
        raise PeerError(f"Only a participant of the cohort can {what}.")


# --- goldfish-bowl challenges ------------------------------------------------------------


@dataclass(frozen=True)
class ChallengeInput:
    title: str
    context: str
    decision_to_make: str
    competency_ids: Sequence[int]
    cohort_module_id: int | None = None


@dataclass(frozen=True)
class SessionChoice:
    """A module session a challenge can be brought to, with its goldfish-bowl activities."""

    cohort_module: CohortModule
    goldfish_bowls: tuple[str, ...]


def session_choices(cohort: Cohort) -> list[SessionChoice]:
    """The cohort's module sessions in order, each with its goldfish-bowl activity titles."""
    return [
        SessionChoice(
            cm,
            tuple(a.title for a in cm.module.activities if a.kind == ActivityKind.GOLDFISH_BOWL),
        )
        for cm in sorted(cohort.sessions, key=lambda s: (s.starts_at, s.id))
    ]


def _session(session: Session, cohort: Cohort, cohort_module_id: int | None) -> CohortModule | None:
    if cohort_module_id is None:
        return None
    found = session.get(CohortModule, cohort_module_id)
    if found is None or found.cohort_id != cohort.id:
        raise PeerError("Choose one of your cohort's module sessions.", "cohort_module")
    return found


def _checked_challenge(
    session: Session, cohort: Cohort, data: ChallengeInput
) -> tuple[str, str, str, list[Competency], CohortModule | None]:
    title = _title(data.title)
    context = _text(data.context, "context", "Describe the context of your challenge.")
    decision = _text(
        data.decision_to_make, "decision_to_make", "Say what decision you have to make."
    )
    return (
        title,
        context,
        decision,
        _competencies(session, cohort, data.competency_ids),
        _session(session, cohort, data.cohort_module_id),
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
    _own_participant_enrolment(enrolment, user, "post a challenge")
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
    body = _text(
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
    contribution.answer = _text(answer, "answer", "Write your answer.", MAX_CONTRIBUTION)
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
    challenge.resolution = _text(resolution, "resolution", "Say what you decided.")
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
    challenge.outcome = _text(outcome, "outcome", "Say what happened after your decision.")
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


# --- case studies ------------------------------------------------------------------------


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
        _title(data.title),
        _text(data.context, "context", "Describe the context: the school and the situation."),
        _text(data.what_i_did, "what_i_did", "Describe what you did."),
        _text(data.impact, "impact", "Describe the evidence of impact you have."),
        _text(data.transferable, "transferable", "Say what others could apply in their schools."),
        _competencies(session, cohort, data.competency_ids),
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
    _own_participant_enrolment(enrolment, user, "write a case study")
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


def programme_for_viewer(session: Session, code: str, viewer: User) -> Programme | None:
    """The programme if ``viewer`` is enrolled in one of its cohorts (or an administrator)."""
    programme = session.scalar(sa.select(Programme).where(Programme.code == code))
    if programme is None or not can_view_programme(session, viewer, programme):
        return None
    return programme


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
