"""Working on a practical task: drafts, submission, status (and overdue), for the timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from insights_lms import signals
from insights_lms.auth.models import User
from insights_lms.cohorts.models import Cohort, CohortTask, Enrolment
from insights_lms.db import utcnow
from insights_lms.enums import CohortRole
from insights_lms.errors import DomainError
from insights_lms.evidence.models import Evidence
from insights_lms.evidence.services import EvidenceError, programme_challenges
from insights_lms.programmes.models import PracticalTask, Programme
from insights_lms.tasks.models import ResponseStatus, TaskResponse

MAX_RESPONSE = 20_000


class TaskError(DomainError):
    """The response cannot be saved as asked; the message says why."""


@dataclass(frozen=True)
class TaskState:
    """How a task stands for one participant, as the timeline and task page show it."""

    code: str  # not_open, not_started, in_progress, submitted, reviewed
    label: str
    is_overdue: bool
    is_open: bool

    @property
    def css(self) -> str:
        return "overdue" if self.is_overdue else self.code.replace("_", "-")


_LABELS = {
    "not_open": "Not open yet",
    "not_started": "Not started",
    "in_progress": "In progress",
    "submitted": "Submitted",
    "reviewed": "Reviewed",
}


def task_state(
    window: CohortTask, response: TaskResponse | None, now: dt.datetime | None = None
) -> TaskState:
    """Not open yet / not started / in progress / submitted / reviewed, and overdue when
    the due date has passed without a submission."""
    now = now or utcnow()
    if response is not None and response.status == ResponseStatus.REVIEWED:
        code = "reviewed"
    elif response is not None and response.status == ResponseStatus.SUBMITTED:
        code = "submitted"
    elif now < window.opens_at:
        code = "not_open"
    elif response is None:
        code = "not_started"
    else:
        code = "in_progress"
    overdue = code in ("not_started", "in_progress") and now > window.due_at
    return TaskState(
        code, _LABELS[code] + (" — overdue" if overdue else ""), overdue, now >= window.opens_at
    )


def responses_for(session: Session, enrolment: Enrolment) -> dict[int, TaskResponse]:
    """The participant's responses in one enrolment, by cohort task id."""
    rows = session.scalars(sa.select(TaskResponse).where(TaskResponse.enrolment_id == enrolment.id))
    return {r.cohort_task_id: r for r in rows}


def get_response(session: Session, enrolment: Enrolment, window: CohortTask) -> TaskResponse | None:
    """The participant's response to the task window (with its evidence and challenges)."""
    return session.scalar(
        sa.select(TaskResponse)
        .where(TaskResponse.enrolment_id == enrolment.id, TaskResponse.cohort_task_id == window.id)
        .options(selectinload(TaskResponse.evidence), selectinload(TaskResponse.challenges))
    )


def window_for_page(session: Session, window_id: int) -> CohortTask | None:
    """The task window with what its page shows: the cohort, programme and framework, the
    task, the module it follows and its competencies."""
    return session.scalar(
        sa.select(CohortTask)
        .where(CohortTask.id == window_id)
        .options(
            joinedload(CohortTask.cohort)
            .joinedload(Cohort.programme)
            .joinedload(Programme.framework),
            joinedload(CohortTask.task).joinedload(PracticalTask.after_module),
            joinedload(CohortTask.task).selectinload(PracticalTask.competencies),
        )
    )


def with_task_windows(session: Session, enrolments: Sequence[Enrolment]) -> list[Enrolment]:
    """The enrolments (in the order given) with their cohort's programme and task windows,
    each window with its task, loaded for the task list."""
    ids = [e.id for e in enrolments]
    found = {
        e.id: e
        for e in session.scalars(
            sa.select(Enrolment)
            .where(Enrolment.id.in_(ids))
            .options(
                joinedload(Enrolment.cohort).joinedload(Cohort.programme),
                joinedload(Enrolment.cohort)
                .selectinload(Cohort.task_windows)
                .joinedload(CohortTask.task),
            )
        ).unique()
    }
    return [found[i] for i in ids]


def has_submitted(session: Session, user: User, window: CohortTask) -> bool:
    """Whether ``user`` has submitted (or had reviewed) their response to ``window``."""
    status = session.scalar(
        sa.select(TaskResponse.status)
        .join(TaskResponse.enrolment)
        .where(Enrolment.user_id == user.id, TaskResponse.cohort_task_id == window.id)
    )
    return status in (ResponseStatus.SUBMITTED, ResponseStatus.REVIEWED)


def save_response(
    session: Session,
    enrolment: Enrolment,
    window: CohortTask,
    user: User,
    *,
    text: str,
    evidence_ids: Sequence[int] = (),
    challenge_ids: Sequence[int] = (),
    submit: bool = False,
    now: dt.datetime | None = None,
) -> TaskResponse:
    """Save a draft (or submit) the participant's response; a submission is final."""
    now = now or utcnow()
    if enrolment.user_id != user.id or enrolment.role != CohortRole.PARTICIPANT:
        raise TaskError("Only the participant can respond to their practical task.")
    if window.cohort_id != enrolment.cohort_id:
        raise TaskError("This practical task belongs to another cohort.")
    if now < window.opens_at:
        raise TaskError("This practical task is not open yet.")
    text = text.strip()
    if len(text) > MAX_RESPONSE:
        raise TaskError(f"Keep your response to {MAX_RESPONSE:,} characters.")
    response = get_response(session, enrolment, window)
    if response is not None and response.is_submitted:
        raise TaskError("You have already submitted this task; it can no longer be changed.")
    evidence = _own_evidence(session, enrolment, evidence_ids)
    try:
        challenges = programme_challenges(session, enrolment, challenge_ids)
    except EvidenceError as exc:
        raise TaskError(str(exc)) from None
    if submit and not text:
        raise TaskError(
            "Write your response before submitting: what you trialled and what happened."
        )
    if response is None:
        response = TaskResponse(enrolment=enrolment, cohort_task=window, created_dt=now)
        session.add(response)
    response.response, response.evidence, response.updated_dt = text, evidence, now
    response.challenges = challenges
    if submit:
        response.status, response.submitted_dt = ResponseStatus.SUBMITTED, now
    session.flush()
    if submit:
        signals.task_submitted.send(response, user=user)
    return response


def _own_evidence(session: Session, enrolment: Enrolment, ids: Sequence[int]) -> list[Evidence]:
    if not ids:
        return []
    found = list(
        session.scalars(
            sa.select(Evidence).where(
                Evidence.id.in_(set(ids)),
                Evidence.enrolment_id == enrolment.id,
                Evidence.is_deleted.is_(False),
            )
        )
    )
    if len(found) != len(set(ids)):
        raise TaskError("Attach only your own evidence.")
    return found
