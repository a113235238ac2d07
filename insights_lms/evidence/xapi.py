"""xAPI statements for a participant's evidence: described when created, edited or restored,
voided when deleted, and ``reviewed`` by a coach or facilitator (see ``docs/xapi.md``).

The evidence is an Activity Streams ``article``; its files travel as attachment metadata (the
bytes stay in the app behind an authenticated download).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import tincan

from insights_lms import signals
from insights_lms.auth.models import User
from insights_lms.evidence.models import Evidence, EvidenceFile, EvidenceReview
from insights_lms.xapi import outbox
from insights_lms.xapi.options import XapiOptions, options_for
from insights_lms.xapi.receivers import connect_receivers, session_of
from insights_lms.xapi.statements import (
    activity,
    agent,
    competency_activity,
    context,
    language_map,
    module_activity,
    segment,
    statement,
    task_activity,
    voiding,
)
from insights_lms.xapi.vocabulary import (
    ActivityStreamsActivityTypes,
    ActivityStreamsVerbs,
    Extensions,
    TinCanAttachmentUsage,
    TinCanVerbs,
    VerbTerm,
)

# The ``event`` recorded with each statement.
EVIDENCE_CREATED = "evidence.created"
EVIDENCE_UPDATED = "evidence.updated"
EVIDENCE_DELETED = "evidence.deleted"
EVIDENCE_RESTORED = "evidence.restored"
EVIDENCE_REVIEWED = "evidence.reviewed"
REVIEWED = TinCanVerbs.REVIEWED

#: The verbs of statements that describe a piece of evidence (and so are voided on deletion).
EVIDENCE_VERBS = (ActivityStreamsVerbs.CREATE.iri, ActivityStreamsVerbs.UPDATE.iri)


def evidence_iri(base_iri: str, evidence: Evidence) -> str:
    return f"{base_iri}evidence/{segment(evidence.public_id)}"


def evidence_activity(evidence: Evidence, options: XapiOptions) -> tincan.Activity:
    return activity(
        evidence_iri(options.base_iri, evidence),
        ActivityStreamsActivityTypes.ARTICLE,
        evidence.title,
        evidence.narrative,
    )


def file_attachment(stored: EvidenceFile, options: XapiOptions) -> tincan.Attachment:
    """A file's metadata; the bytes stay in the app behind an authenticated download."""
    return tincan.Attachment(
        usage_type=TinCanAttachmentUsage.SUPPORTING_MEDIA,
        display=language_map(stored.original_name),
        content_type=stored.mimetype,
        length=stored.size,
        sha2=stored.sha256,
        fileurl=options.file_url(stored.public_id),
    )


def evidence_described(
    evidence: Evidence, verb: VerbTerm, options: XapiOptions, timestamp: dt.datetime | None
) -> tincan.Statement:
    """The evidence as it is now (``create`` for new or restored, ``update`` for edited)."""
    parent: list[tincan.Activity] = []
    if evidence.module is not None:
        parent.append(module_activity(evidence.module, options))
    if evidence.cohort_task is not None:
        parent.append(task_activity(evidence.cohort_task.task, options))
    enrolment = evidence.enrolment
    return statement(
        agent(evidence.owner, options),
        verb,
        evidence_activity(evidence, options),
        timestamp,
        context=context(
            options,
            enrolment.cohort,
            registration=enrolment.registration,
            parent=parent,
            other=[competency_activity(c, options) for c in evidence.competencies],
            extensions={Extensions.OCCURRED_ON: evidence.occurred_on.isoformat()},
        ),
        attachments=[file_attachment(f, options) for f in evidence.files],
    )


def evidence_reviewed(review: EvidenceReview, options: XapiOptions) -> tincan.Statement:
    """A coach or facilitator reviewed a participant's evidence: ``success`` is whether it was
    accepted, the comment is the response; the registration is the participant's enrolment."""
    evidence = review.evidence
    enrolment = evidence.enrolment
    if review.reviewer is None:
        raise ValueError("a review whose reviewer is gone cannot be described")
    result = tincan.Result(success=review.is_accepted)
    if review.comment.strip():
        result.response = review.comment.strip()
    return statement(
        agent(review.reviewer, options),
        REVIEWED,
        evidence_activity(evidence, options),
        review.reviewed_dt,
        result=result,
        context=context(
            options,
            enrolment.cohort,
            registration=enrolment.registration,
            other=[competency_activity(c, options) for c in evidence.competencies],
        ),
    )


# --- receivers ----------------------------------------------------------------------------


def _describe_evidence(
    evidence: Evidence, event: str, verb: VerbTerm, timestamp: dt.datetime | None
) -> None:
    session = session_of(evidence)
    described = evidence_described(evidence, verb, options_for(session), timestamp)
    outbox.queue(session, described, event=event, actor_name=evidence.owner.public_id)


def on_evidence_created(sender: Evidence, **_: Any) -> None:
    _describe_evidence(sender, EVIDENCE_CREATED, ActivityStreamsVerbs.CREATE, sender.created_dt)


def on_evidence_updated(sender: Evidence, **_: Any) -> None:
    _describe_evidence(sender, EVIDENCE_UPDATED, ActivityStreamsVerbs.UPDATE, sender.updated_dt)


def on_evidence_deleted(sender: Evidence, **kwargs: Any) -> None:
    """Void every statement that still describes the evidence, newest first (the latest one,
    and the create and updates before it: none of them may keep counting as evidence)."""
    session = session_of(sender)
    options = options_for(session)
    user: User = kwargs.get("user") or sender.owner
    iri = evidence_iri(options.base_iri, sender)
    for row in reversed(outbox.standing_statements(session, iri, EVIDENCE_VERBS)):
        void = voiding(
            row.statement_id,
            user,
            options,
            registration=sender.enrolment.registration,
            timestamp=sender.deleted_dt,
        )
        outbox.queue(session, void, event=EVIDENCE_DELETED, actor_name=user.public_id)


def on_evidence_restored(sender: Evidence, **_: Any) -> None:
    """A new ``create`` statement: voided statements stay voided (xAPI has no un-voiding)."""
    _describe_evidence(sender, EVIDENCE_RESTORED, ActivityStreamsVerbs.CREATE, sender.updated_dt)


def on_evidence_reviewed(sender: EvidenceReview, **_: Any) -> None:
    session = session_of(sender)
    reviewed = evidence_reviewed(sender, options_for(session))
    reviewer = sender.reviewer
    assert reviewer is not None  # set by review_evidence; only a later account deletion clears it
    outbox.queue(session, reviewed, event=EVIDENCE_REVIEWED, actor_name=reviewer.public_id)


RECEIVERS = (
    (signals.evidence_created, on_evidence_created),
    (signals.evidence_updated, on_evidence_updated),
    (signals.evidence_deleted, on_evidence_deleted),
    (signals.evidence_restored, on_evidence_restored),
    (signals.evidence_reviewed, on_evidence_reviewed),
)


def connect() -> None:
    """Connect the evidence statements to the evidence signals (safe to call again)."""
    connect_receivers(RECEIVERS)
