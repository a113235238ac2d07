"""Domain signal → xAPI statement in the outbox, in the session (transaction) of the event.

Importing this module connects the receivers (once: blinker signals are global, and they are
connected strongly so they live as long as the process). Each receiver builds the statement and
adds it to the sender's session without flushing or committing: the request or command that
caused the event commits both, or rolls both back.

A receiver that fails makes the event fail too: a statement is never silently skipped.
``school_context_updated`` has no receiver: a school's profile is not learning evidence (see
``docs/xapi.md``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, object_session

from insights_lms import signals
from insights_lms.cohorts.models import Enrolment
from insights_lms.enums import CohortRole
from insights_lms.xapi import outbox, statements
from insights_lms.xapi.options import current_options
from insights_lms.xapi.vocabulary import ActivityStreamsVerbs, ADLVerbs, Extensions, VerbTerm

if TYPE_CHECKING:
    from insights_lms.assessment.models import SelfRating
    from insights_lms.attendance.models import Attendance, ModuleCompletion
    from insights_lms.auth.models import User
    from insights_lms.coaching.models import EvidenceReview
    from insights_lms.cohorts.models import Cohort
    from insights_lms.evidence.models import Evidence
    from insights_lms.tasks.models import TaskResponse

# The ``event`` recorded with each statement.
MODULE_COMPLETED = "module.completed"
ATTENDANCE_RECORDED = "attendance.recorded"
TASK_SUBMITTED = "task.submitted"
EVIDENCE_CREATED = "evidence.created"
EVIDENCE_UPDATED = "evidence.updated"
EVIDENCE_DELETED = "evidence.deleted"
EVIDENCE_RESTORED = "evidence.restored"
SELF_ASSESSMENT_RECORDED = "self_assessment.recorded"
EVIDENCE_REVIEWED = "evidence.reviewed"

#: The verbs of statements that describe a piece of evidence (and so are voided on deletion).
EVIDENCE_VERBS = (ActivityStreamsVerbs.CREATE.iri, ActivityStreamsVerbs.UPDATE.iri)


def _session(sender: Any) -> Session:
    session = object_session(sender)
    if session is None:
        raise RuntimeError(f"{sender!r} is not in a session: cannot record its xAPI statement")
    return session


def _registration(session: Session, cohort: Cohort, user: User) -> str | None:
    """The participant's enrolment registration in ``cohort``."""
    return session.scalar(
        sa.select(Enrolment.registration).where(
            Enrolment.cohort_id == cohort.id,
            Enrolment.user_id == user.id,
            Enrolment.role == CohortRole.PARTICIPANT,
        )
    )


def on_module_completed(sender: ModuleCompletion, **_: Any) -> None:
    session = _session(sender)
    options = current_options()
    registration = _registration(session, sender.cohort_module.cohort, sender.participant)
    statement = statements.module_completed(sender, registration, options)
    outbox.queue(
        session, statement, event=MODULE_COMPLETED, actor_name=sender.participant.public_id
    )


def on_attendance_recorded(sender: Attendance, **kwargs: Any) -> None:
    """Present or late: ``attended``. Absent or apologies: no statement. A corrected mark voids
    the ``attended`` statement it replaces (then, if still attended, states the new mark)."""
    session = _session(sender)
    options = current_options()
    cohort_module = sender.cohort_module
    registration = _registration(session, cohort_module.cohort, sender.participant)
    module_id = statements.module_iri(options.base_iri, cohort_module.module)
    standing = outbox.standing_statements(
        session, module_id, [ADLVerbs.ATTENDED.iri], registration=registration
    )
    if registration is None:
        # Without a registration the module IRI alone cannot tell this participant's statements.
        standing = [row for row in standing if row.actor_name == sender.participant.public_id]
    status_key = Extensions.iri(options.base_iri, Extensions.ATTENDANCE_STATUS)
    stated = [_status_of(row.statement, status_key) for row in standing]
    if sender.status.attended and stated == [sender.status.value]:
        return  # only the note changed: the LRS already has the right statement
    recorder: User = kwargs.get("recorded_by") or sender.recorded_by or sender.participant
    for row in standing:
        voiding = statements.voiding(
            row.statement_id,
            recorder,
            options,
            registration=registration,
            timestamp=sender.recorded_dt,
        )
        outbox.queue(session, voiding, event=ATTENDANCE_RECORDED, actor_name=recorder.public_id)
    if sender.status.attended:
        statement = statements.attended(sender, registration, options)
        outbox.queue(
            session, statement, event=ATTENDANCE_RECORDED, actor_name=sender.participant.public_id
        )


def _status_of(statement: dict[str, Any], key: str) -> Any:
    return statement.get("context", {}).get("extensions", {}).get(key)


def on_task_submitted(sender: TaskResponse, **_: Any) -> None:
    session = _session(sender)
    statement = statements.task_submitted(sender, current_options())
    outbox.queue(
        session, statement, event=TASK_SUBMITTED, actor_name=sender.enrolment.user.public_id
    )


def _describe_evidence(
    evidence: Evidence, event: str, verb: VerbTerm, timestamp: dt.datetime | None
) -> None:
    session = _session(evidence)
    statement = statements.evidence_described(evidence, verb, current_options(), timestamp)
    outbox.queue(session, statement, event=event, actor_name=evidence.owner.public_id)


def on_evidence_created(sender: Evidence, **_: Any) -> None:
    _describe_evidence(sender, EVIDENCE_CREATED, ActivityStreamsVerbs.CREATE, sender.created_dt)


def on_evidence_updated(sender: Evidence, **_: Any) -> None:
    _describe_evidence(sender, EVIDENCE_UPDATED, ActivityStreamsVerbs.UPDATE, sender.updated_dt)


def on_evidence_deleted(sender: Evidence, **kwargs: Any) -> None:
    """Void every statement that still describes the evidence, newest first (the latest one,
    and the create and updates before it: none of them may keep counting as evidence)."""
    session = _session(sender)
    options = current_options()
    user: User = kwargs.get("user") or sender.owner
    iri = statements.evidence_iri(options.base_iri, sender)
    for row in reversed(outbox.standing_statements(session, iri, EVIDENCE_VERBS)):
        voiding = statements.voiding(
            row.statement_id,
            user,
            options,
            registration=sender.enrolment.registration,
            timestamp=sender.deleted_dt,
        )
        outbox.queue(session, voiding, event=EVIDENCE_DELETED, actor_name=user.public_id)


def on_evidence_restored(sender: Evidence, **_: Any) -> None:
    """A new ``create`` statement: voided statements stay voided (xAPI has no un-voiding)."""
    _describe_evidence(sender, EVIDENCE_RESTORED, ActivityStreamsVerbs.CREATE, sender.updated_dt)


def on_self_assessment_recorded(sender: SelfRating, **_: Any) -> None:
    session = _session(sender)
    statement = statements.self_assessed(sender, current_options())
    outbox.queue(
        session,
        statement,
        event=SELF_ASSESSMENT_RECORDED,
        actor_name=sender.enrolment.user.public_id,
    )


def on_evidence_reviewed(sender: EvidenceReview, **_: Any) -> None:
    session = _session(sender)
    statement = statements.evidence_reviewed(sender, current_options())
    reviewer = sender.reviewer
    assert reviewer is not None  # set by review_evidence; only a later account deletion clears it
    outbox.queue(session, statement, event=EVIDENCE_REVIEWED, actor_name=reviewer.public_id)


RECEIVERS = (
    (signals.module_completed, on_module_completed),
    (signals.attendance_recorded, on_attendance_recorded),
    (signals.task_submitted, on_task_submitted),
    (signals.evidence_created, on_evidence_created),
    (signals.evidence_updated, on_evidence_updated),
    (signals.evidence_deleted, on_evidence_deleted),
    (signals.evidence_restored, on_evidence_restored),
    (signals.self_assessment_recorded, on_self_assessment_recorded),
    (signals.evidence_reviewed, on_evidence_reviewed),
)

for _signal, _receiver in RECEIVERS:
    _signal.connect(_receiver, weak=False)


# Feature packages keep their statements next to their models; importing connects them.
from insights_lms.conversations import xapi as _conversations  # noqa: E402, F401
from insights_lms.peer import xapi as _peer  # noqa: E402, F401
from insights_lms.ratings import xapi as _ratings  # noqa: E402, F401
