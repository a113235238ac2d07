"""xAPI statements for the peer feature's domain signals (connected by ``connect()``).

| event                               | verb                          | object                     |
|-------------------------------------|-------------------------------|----------------------------|
| a challenge posted                  | Activity Streams ``post``     | the challenge (discussion) |
| a clarifying question added         | ADL ``asked``                 | the challenge              |
| a suggestion added                  | ADL ``commented``             | the challenge              |
| the decision recorded               | Activity Streams ``resolve``  | the challenge              |
| what happened recorded (outcome)    | Activity Streams ``resolve``  | the challenge              |
| a case study shared with the cohort | ADL ``shared``                | the case study (article)   |

Privacy: a challenge is a live, often sensitive school matter, so only its title leaves the
app: its context, the decision to make, the peers' questions and suggestions, the owner's
answers, decision and outcome stay in the app. A case study is sent with its title only too
(its text is readable in the app by those it was shared with). The two ``resolve`` statements
are told apart by the ``challenge-stage`` context extension (``decided`` /
``outcome-recorded``); the first is not voided by the second, since the decision still stands.
Featuring a case study is an editorial act of the facilitator, not learning, and is not sent.
"""

from __future__ import annotations

from typing import Any

import tincan

from insights_lms import signals
from insights_lms.peer.models import (
    CaseStudy,
    ChallengeContribution,
    ChallengeState,
    ContributionKind,
    GoldfishChallenge,
)
from insights_lms.xapi import outbox
from insights_lms.xapi.options import XapiOptions, options_for
from insights_lms.xapi.receivers import connect_receivers, session_of
from insights_lms.xapi.statements import (
    activity,
    agent,
    competency_activity,
    context,
    module_activity,
    segment,
    statement,
)
from insights_lms.xapi.vocabulary import (
    ActivityStreamsActivityTypes,
    ActivityStreamsVerbs,
    ADLVerbs,
    TinCanActivityTypes,
)

# The ``event`` recorded with each statement in the outbox.
CHALLENGE_POSTED = "challenge.posted"
CHALLENGE_ANSWERED = "challenge.answered"
CHALLENGE_RESOLVED = "challenge.resolved"
CASE_STUDY_SHARED = "case_study.shared"

#: Context extension (under ``{base IRI}xapi/extensions/``): which ``resolve`` this is.
CHALLENGE_STAGE = "challenge-stage"
STAGE_DECIDED = "decided"
STAGE_OUTCOME = "outcome-recorded"


def challenge_iri(base_iri: str, challenge: GoldfishChallenge) -> str:
    return f"{base_iri}peer/challenges/{segment(challenge.public_id)}"


def case_study_iri(base_iri: str, study: CaseStudy) -> str:
    return f"{base_iri}peer/case-studies/{segment(study.public_id)}"


def challenge_activity(challenge: GoldfishChallenge, options: XapiOptions) -> tincan.Activity:
    """The challenge as a Tin Can ``discussion``, named by its title only."""
    return activity(
        challenge_iri(options.base_iri, challenge),
        TinCanActivityTypes.DISCUSSION,
        challenge.title,
    )


def case_study_activity(study: CaseStudy, options: XapiOptions) -> tincan.Activity:
    """The case study as an Activity Streams ``article``, named by its title only."""
    return activity(
        case_study_iri(options.base_iri, study), ActivityStreamsActivityTypes.ARTICLE, study.title
    )


def _challenge_context(
    challenge: GoldfishChallenge,
    options: XapiOptions,
    registration: str,
    extensions: dict[str, Any] | None = None,
) -> tincan.Context:
    """The module session it was brought to is the parent; its competencies are ``other``."""
    parent = []
    if challenge.cohort_module is not None:
        parent.append(module_activity(challenge.cohort_module.module, options))
    return context(
        options,
        challenge.cohort,
        registration=registration,
        parent=parent,
        other=[competency_activity(c, options) for c in challenge.competencies],
        extensions=extensions,
    )


def challenge_posted(challenge: GoldfishChallenge, options: XapiOptions) -> tincan.Statement:
    """The problem owner posted a challenge to the cohort."""
    return statement(
        agent(challenge.owner, options),
        ActivityStreamsVerbs.POST,
        challenge_activity(challenge, options),
        challenge.created_dt,
        context=_challenge_context(challenge, options, challenge.enrolment.registration),
    )


def challenge_answered(
    contribution: ChallengeContribution, options: XapiOptions
) -> tincan.Statement:
    """A member of the cohort asked a question about the challenge (``asked``) or made a
    suggestion on it (``commented``); the registration is the contributor's own enrolment."""
    verb = ADLVerbs.ASKED if contribution.kind == ContributionKind.QUESTION else ADLVerbs.COMMENTED
    challenge = contribution.challenge
    return statement(
        agent(contribution.author, options),
        verb,
        challenge_activity(challenge, options),
        contribution.created_dt,
        context=_challenge_context(challenge, options, contribution.enrolment.registration),
    )


def challenge_resolved(challenge: GoldfishChallenge, options: XapiOptions) -> tincan.Statement:
    """The owner recorded their decision, or (later) what happened; the outcome statement also
    has ``result.completion`` true: the challenge has run its course."""
    if challenge.state == ChallengeState.OPEN:
        raise ValueError("an open challenge has not been resolved")
    recorded = challenge.state == ChallengeState.OUTCOME_RECORDED
    return statement(
        agent(challenge.owner, options),
        ActivityStreamsVerbs.RESOLVE,
        challenge_activity(challenge, options),
        challenge.outcome_dt if recorded else challenge.decided_dt,
        result=tincan.Result(completion=True) if recorded else None,
        context=_challenge_context(
            challenge,
            options,
            challenge.enrolment.registration,
            extensions={CHALLENGE_STAGE: STAGE_OUTCOME if recorded else STAGE_DECIDED},
        ),
    )


def case_study_shared(study: CaseStudy, options: XapiOptions) -> tincan.Statement:
    """The author shared a case study of their practice with their cohort."""
    return statement(
        agent(study.author, options),
        ADLVerbs.SHARED,
        case_study_activity(study, options),
        study.shared_dt,
        context=context(
            options,
            study.cohort,
            registration=study.enrolment.registration,
            other=[competency_activity(c, options) for c in study.competencies],
        ),
    )


# --- receivers ---------------------------------------------------------------------------


def on_challenge_posted(sender: GoldfishChallenge, **_: Any) -> None:
    session = session_of(sender)
    outbox.queue(
        session,
        challenge_posted(sender, options_for(session)),
        event=CHALLENGE_POSTED,
        actor_name=sender.owner.public_id,
    )


def on_challenge_answered(sender: ChallengeContribution, **_: Any) -> None:
    session = session_of(sender)
    outbox.queue(
        session,
        challenge_answered(sender, options_for(session)),
        event=CHALLENGE_ANSWERED,
        actor_name=sender.author.public_id,
    )


def on_challenge_resolved(sender: GoldfishChallenge, **_: Any) -> None:
    session = session_of(sender)
    outbox.queue(
        session,
        challenge_resolved(sender, options_for(session)),
        event=CHALLENGE_RESOLVED,
        actor_name=sender.owner.public_id,
    )


def on_case_study_published(sender: CaseStudy, **_: Any) -> None:
    session = session_of(sender)
    outbox.queue(
        session,
        case_study_shared(sender, options_for(session)),
        event=CASE_STUDY_SHARED,
        actor_name=sender.author.public_id,
    )


RECEIVERS = (
    (signals.challenge_posted, on_challenge_posted),
    (signals.challenge_answered, on_challenge_answered),
    (signals.challenge_resolved, on_challenge_resolved),
    (signals.case_study_published, on_case_study_published),
)


def connect() -> None:
    """Connect the peer statements to their signals (safe to call again)."""
    connect_receivers(RECEIVERS)
