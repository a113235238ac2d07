"""xAPI statements for attendance and module completion (see ``docs/xapi.md``).

A participant who was at a module session (present or late) ``attended`` the module, with the
facilitator who recorded it as instructor; a corrected mark voids the statement it replaces.
A completed module is ``completed``, with the participant's reflection as the response.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import tincan
from sqlalchemy.orm import Session

from insights_lms import signals
from insights_lms.attendance.models import Attendance, ModuleCompletion
from insights_lms.auth.models import User
from insights_lms.cohorts.models import Cohort, Enrolment
from insights_lms.enums import CohortRole
from insights_lms.xapi import outbox
from insights_lms.xapi.options import XapiOptions, options_for
from insights_lms.xapi.receivers import connect_receivers, session_of
from insights_lms.xapi.statements import (
    agent,
    competency_activity,
    context,
    module_activity,
    module_iri,
    statement,
    voiding,
)
from insights_lms.xapi.vocabulary import ADLVerbs, Extensions

# The ``event`` recorded with each statement.
MODULE_COMPLETED = "module.completed"
ATTENDANCE_RECORDED = "attendance.recorded"


def module_completed(
    completion: ModuleCompletion, registration: str | None, options: XapiOptions
) -> tincan.Statement:
    """The participant completed a module; their reflection is the response."""
    cohort_module = completion.cohort_module
    module = cohort_module.module
    reflection = (
        f"What I learned:\n{completion.learned}\n\n"
        f"What I will trial back in school:\n{completion.will_trial}"
    )
    return statement(
        agent(completion.participant, options),
        ADLVerbs.COMPLETED,
        module_activity(module, options, full=True),
        completion.completed_dt,
        result=tincan.Result(completion=True, response=reflection),
        context=context(
            options,
            cohort_module.cohort,
            registration=registration,
            other=[competency_activity(c, options) for c in module.competencies],
        ),
    )


def attended(
    attendance: Attendance, registration: str | None, options: XapiOptions
) -> tincan.Statement:
    """The participant was at a module session (present or late); the recorder is instructor."""
    cohort_module = attendance.cohort_module
    module = cohort_module.module
    recorder = attendance.recorded_by
    return statement(
        agent(attendance.participant, options),
        ADLVerbs.ATTENDED,
        module_activity(module, options, full=True),
        cohort_module.starts_at,
        context=context(
            options,
            cohort_module.cohort,
            registration=registration,
            other=[competency_activity(c, options) for c in module.competencies],
            instructor=agent(recorder, options) if recorder is not None else None,
            extensions={Extensions.ATTENDANCE_STATUS: attendance.status.value},
        ),
    )


# --- receivers ----------------------------------------------------------------------------


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
    session = session_of(sender)
    options = options_for(session)
    registration = _registration(session, sender.cohort_module.cohort, sender.participant)
    completed = module_completed(sender, registration, options)
    outbox.queue(
        session, completed, event=MODULE_COMPLETED, actor_name=sender.participant.public_id
    )


def on_attendance_recorded(sender: Attendance, **kwargs: Any) -> None:
    """Present or late: ``attended``. Absent or apologies: no statement. A corrected mark voids
    the ``attended`` statement it replaces (then, if still attended, states the new mark)."""
    session = session_of(sender)
    options = options_for(session)
    cohort_module = sender.cohort_module
    registration = _registration(session, cohort_module.cohort, sender.participant)
    module_id = module_iri(options.base_iri, cohort_module.module)
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
        void = voiding(
            row.statement_id,
            recorder,
            options,
            registration=registration,
            timestamp=sender.recorded_dt,
        )
        outbox.queue(session, void, event=ATTENDANCE_RECORDED, actor_name=recorder.public_id)
    if sender.status.attended:
        outbox.queue(
            session,
            attended(sender, registration, options),
            event=ATTENDANCE_RECORDED,
            actor_name=sender.participant.public_id,
        )


def _status_of(stated: dict[str, Any], key: str) -> Any:
    return stated.get("context", {}).get("extensions", {}).get(key)


RECEIVERS = (
    (signals.module_completed, on_module_completed),
    (signals.attendance_recorded, on_attendance_recorded),
)


def connect() -> None:
    """Connect the attendance and completion statements to their signals (safe to repeat)."""
    connect_receivers(RECEIVERS)
