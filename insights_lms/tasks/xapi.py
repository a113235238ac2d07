"""xAPI statement for a practical task: the participant's response ``submit``ted (see
``docs/xapi.md``), with the evidence it links as a result extension."""

from __future__ import annotations

from typing import Any

import tincan

from insights_lms import signals
from insights_lms.evidence.xapi import evidence_iri
from insights_lms.tasks.models import TaskResponse
from insights_lms.xapi import outbox
from insights_lms.xapi.options import XapiOptions, options_for
from insights_lms.xapi.receivers import connect_receivers, session_of
from insights_lms.xapi.statements import (
    agent,
    competency_activity,
    context,
    module_activity,
    result_extensions,
    statement,
    task_activity,
)
from insights_lms.xapi.vocabulary import ActivityStreamsVerbs, Extensions

#: The ``event`` recorded with the statement.
TASK_SUBMITTED = "task.submitted"


def task_submitted(response: TaskResponse, options: XapiOptions) -> tincan.Statement:
    """The participant submitted their response to a practical task."""
    window = response.cohort_task
    task = window.task
    extensions: dict[str, Any] = {}
    if response.evidence:
        extensions[Extensions.EVIDENCE] = [
            evidence_iri(options.base_iri, e) for e in response.evidence
        ]
    result = tincan.Result(completion=True, response=response.response)
    if extensions:
        result.extensions = result_extensions(options, extensions)
    return statement(
        agent(response.enrolment.user, options),
        ActivityStreamsVerbs.SUBMIT,
        task_activity(task, options, full=True),
        response.submitted_dt,
        result=result,
        context=context(
            options,
            window.cohort,
            registration=response.enrolment.registration,
            parent=[module_activity(task.after_module, options)],
            other=[competency_activity(c, options) for c in task.competencies],
        ),
    )


def on_task_submitted(sender: TaskResponse, **_: Any) -> None:
    session = session_of(sender)
    submitted = task_submitted(sender, options_for(session))
    outbox.queue(
        session, submitted, event=TASK_SUBMITTED, actor_name=sender.enrolment.user.public_id
    )


def connect() -> None:
    """Connect the task statement to ``task_submitted`` (safe to call again)."""
    connect_receivers([(signals.task_submitted, on_task_submitted)])
