"""Registers for module sessions (facilitators) and module completion with reflection
(participants).

Services flush; the request (or CLI command) that called them commits once. Both writes send
a domain signal after the flush: ``attendance_recorded`` when a mark is new or changed,
``module_completed`` the first time a participant completes a module (not when they edit
their reflection later).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from insights_lms import signals
from insights_lms.attendance.models import (
    NOTE_MAX,
    REFLECTION_MAX,
    Attendance,
    AttendanceStatus,
    ModuleCompletion,
)
from insights_lms.auth.models import User
from insights_lms.cohorts import access
from insights_lms.cohorts.models import Cohort, CohortModule, CohortTask, Enrolment
from insights_lms.cohorts.services import cohorts_seeing_programme, has_role
from insights_lms.cohorts.timeline import cohort_module_of
from insights_lms.db import utcnow
from insights_lms.enums import CohortRole
from insights_lms.errors import DomainError
from insights_lms.programmes.models import Module
from insights_lms.timeutil import format_local

#: What a facilitator enters for one participant: a status and a (possibly empty) note.
Mark = tuple[AttendanceStatus | str, str]


class AttendanceError(DomainError):
    """A register or a completion that cannot be saved as asked; the message says why.

    ``field`` names the form field the message belongs to, when there is one.
    """


class CompletionError(AttendanceError):
    """A module cannot be recorded as completed as asked."""


@dataclass(frozen=True)
class RegisterRow:
    """One participant's line in a session's register (``attendance`` is None if unmarked)."""

    participant: User
    attendance: Attendance | None


@dataclass(frozen=True)
class ModuleRecord:
    """What one participant has on record for one module session."""

    cohort_module: CohortModule
    attendance: Attendance | None
    completion: ModuleCompletion | None
    #: Whether the session had started when the record was read (so it can be completed).
    started: bool = True

    @property
    def attended(self) -> bool | None:
        """True if present or late, False if absent or sent apologies, None if not marked."""
        if self.attendance is None:
            return None
        return self.attendance.status.attended

    @property
    def attendance_label(self) -> str:
        if self.attendance is None:
            return "Not recorded"
        return {
            AttendanceStatus.PRESENT: "Attended",
            AttendanceStatus.LATE: "Attended (late)",
            AttendanceStatus.ABSENT: "Absent",
            AttendanceStatus.APOLOGIES: "Apologies",
        }[self.attendance.status]

    @property
    def is_completed(self) -> bool:
        return self.completion is not None


def _when(cohort_module: CohortModule) -> str:
    return format_local(cohort_module.starts_at, cohort_module.cohort.programme.time_zone)


def _has_started(cohort_module: CohortModule, now: dt.datetime) -> bool:
    return now >= cohort_module.starts_at


def participant_ids(session: Session, cohort: Cohort) -> set[int]:
    """Ids of the users enrolled as participants in ``cohort``."""
    return set(
        session.scalars(
            sa.select(Enrolment.user_id).where(
                Enrolment.cohort_id == cohort.id, Enrolment.role == CohortRole.PARTICIPANT
            )
        )
    )


def _status(value: AttendanceStatus | str, name: str) -> AttendanceStatus:
    try:
        return AttendanceStatus(value)
    except ValueError:
        choices = ", ".join(s.label.lower() for s in AttendanceStatus)
        raise AttendanceError(f"Choose {choices} for {name}.") from None


def record_attendance(
    session: Session,
    cohort_module: CohortModule,
    marks: Mapping[int, Mark],
    recorded_by: User,
    now: dt.datetime | None = None,
) -> list[Attendance]:
    """Save a session's register: ``marks`` maps participant ids to (status, note).

    Only the cohort's facilitators (and administrators) take its register, and only once the
    session has started. Every participant must be enrolled as a participant in the cohort;
    nothing is saved if any mark is refused. Participants left out keep what they had. A new
    or changed mark is stamped with the recorder and time and signalled; a mark saved again
    unchanged is left alone, so re-saving a register does not repeat the signal.
    """
    now = now or utcnow()
    cohort = cohort_module.cohort
    module = cohort_module.module
    if not access.can_facilitate(session, recorded_by, cohort):
        raise AttendanceError(f"Only the facilitators of {cohort.title} can take its registers.")
    if not _has_started(cohort_module, now):
        raise AttendanceError(
            f"{module.title} has not happened yet: its register opens when the session "
            f"starts, {_when(cohort_module)}."
        )
    if not marks:
        raise AttendanceError("Mark at least one participant before saving the register.")
    members = participant_ids(session, cohort)
    users = {u.id: u for u in session.scalars(sa.select(User).where(User.id.in_(list(marks))))}
    checked: dict[int, tuple[AttendanceStatus, str]] = {}
    for participant_id, (status, note) in marks.items():
        user = users.get(participant_id)
        if user is None or participant_id not in members:
            who = user.name if user is not None else f"User {participant_id}"
            raise AttendanceError(f"{who} is not a participant in {cohort.title}.")
        note = (note or "").strip()
        if len(note) > NOTE_MAX:
            raise AttendanceError(
                f"Keep the note for {user.name} to {NOTE_MAX} characters or fewer."
            )
        checked[participant_id] = (_status(status, user.name), note)

    existing = {
        a.participant_id: a
        for a in session.scalars(
            sa.select(Attendance).where(
                Attendance.cohort_module_id == cohort_module.id,
                Attendance.participant_id.in_(list(checked)),
            )
        )
    }
    saved: list[Attendance] = []
    changed: list[Attendance] = []
    for participant_id, (status, note) in checked.items():
        row = existing.get(participant_id)
        if row is None:
            row = Attendance(
                cohort_module=cohort_module, participant=users[participant_id], status=status
            )
            session.add(row)
        elif row.status == status and row.note == note:
            saved.append(row)
            continue
        row.status = status
        row.note = note
        row.recorded_by = recorded_by
        row.recorded_dt = now
        saved.append(row)
        changed.append(row)
    session.flush()
    for row in changed:
        signals.attendance_recorded.send(row, recorded_by=recorded_by)
    return saved


def register_for(session: Session, cohort_module: CohortModule) -> list[RegisterRow]:
    """The session's register: every participant of the cohort by name, with their mark."""
    marks = {
        a.participant_id: a
        for a in session.scalars(
            sa.select(Attendance)
            .options(selectinload(Attendance.recorded_by))
            .where(Attendance.cohort_module_id == cohort_module.id)
        )
    }
    participants = session.scalars(
        sa.select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(
            Enrolment.cohort_id == cohort_module.cohort_id,
            Enrolment.role == CohortRole.PARTICIPANT,
        )
    )
    ordered = sorted(participants, key=lambda u: (u.name.casefold(), u.id))
    return [RegisterRow(p, marks.get(p.id)) for p in ordered]


def completion_of(
    session: Session, cohort_module: CohortModule, participant: User
) -> ModuleCompletion | None:
    """The participant's own completion of this session, if they recorded one."""
    return session.scalar(
        sa.select(ModuleCompletion).where(
            ModuleCompletion.cohort_module_id == cohort_module.id,
            ModuleCompletion.participant_id == participant.id,
        )
    )


def attendance_of(
    session: Session, cohort_module: CohortModule, participant: User
) -> Attendance | None:
    """The participant's own mark in this session's register, if there is one."""
    return session.scalar(
        sa.select(Attendance).where(
            Attendance.cohort_module_id == cohort_module.id,
            Attendance.participant_id == participant.id,
        )
    )


def _reflection(text: str | None, what: str, field: str) -> str:
    text = (text or "").strip()
    if not text:
        raise CompletionError(f"Write {what}.", field)
    if len(text) > REFLECTION_MAX:
        raise CompletionError(
            f"Keep {what} to {REFLECTION_MAX} characters or fewer (you wrote {len(text)}).",
            field,
        )
    return text


def complete_module(
    session: Session,
    cohort_module: CohortModule,
    participant: User,
    learned: str,
    will_trial: str,
    now: dt.datetime | None = None,
) -> ModuleCompletion:
    """Record that ``participant`` completed the session's module, with their reflection.

    The participant must be enrolled as a participant in the cohort and the session must have
    started. Completing again updates the reflection (``updated_dt``) but keeps the original
    ``completed_dt`` and sends no second ``module_completed``.
    """
    now = now or utcnow()
    cohort = cohort_module.cohort
    module = cohort_module.module
    if not has_role(session, participant, cohort, CohortRole.PARTICIPANT):
        raise CompletionError(f"{participant.name} is not a participant in {cohort.title}.")
    if not _has_started(cohort_module, now):
        raise CompletionError(
            f"{module.title} has not happened yet: you can record it as completed once the "
            f"session has started, {_when(cohort_module)}."
        )
    learned = _reflection(learned, "what you learned", "learned")
    will_trial = _reflection(will_trial, "what you will trial back in school", "will_trial")
    completion = completion_of(session, cohort_module, participant)
    if completion is not None:
        completion.learned = learned
        completion.will_trial = will_trial
        completion.updated_dt = now
        session.flush()
        return completion
    completion = ModuleCompletion(
        cohort_module=cohort_module,
        participant=participant,
        learned=learned,
        will_trial=will_trial,
        completed_dt=now,
        updated_dt=now,
    )
    session.add(completion)
    session.flush()
    signals.module_completed.send(completion, user=participant)
    return completion


def participant_module_records(
    session: Session, user: User, cohort: Cohort, now: dt.datetime | None = None
) -> dict[int, ModuleRecord]:
    """For each of the cohort's sessions (by ``CohortModule.id``), the user's own attendance
    and completion. Every session has an entry; a session with nothing recorded has both None.
    Two queries, whatever the number of sessions."""
    now = now or utcnow()
    session_ids = [cm.id for cm in cohort.cohort_modules]
    marks = {
        a.cohort_module_id: a
        for a in session.scalars(
            sa.select(Attendance).where(
                Attendance.participant_id == user.id,
                Attendance.cohort_module_id.in_(session_ids),
            )
        )
    }
    completions = {
        c.cohort_module_id: c
        for c in session.scalars(
            sa.select(ModuleCompletion).where(
                ModuleCompletion.participant_id == user.id,
                ModuleCompletion.cohort_module_id.in_(session_ids),
            )
        )
    }
    return {
        cm.id: ModuleRecord(cm, marks.get(cm.id), completions.get(cm.id), _has_started(cm, now))
        for cm in cohort.cohort_modules
    }


@dataclass(frozen=True)
class ModuleInCohorts:
    """A module as the signed-in user's cohorts run it: what the module page shows beside
    the programme's own content."""

    #: Each of the user's cohorts of the programme with its meeting of the module (or None).
    cohort_modules: list[tuple[Cohort, CohortModule | None]]
    #: The user's own record of the module, in each cohort where they are a participant.
    records: list[tuple[Cohort, ModuleRecord]]
    #: Each cohort's window for the practical task after the module.
    windows: list[tuple[Cohort, CohortTask]]


def module_in_cohorts(session: Session, user: User, module: Module) -> ModuleInCohorts:
    """When and where the user's cohorts meet for ``module``, the user's own record of it
    (as a participant) and the cohorts' windows for the task after it."""
    cohorts = cohorts_seeing_programme(session, user, module.programme)
    sessions = [(c, cohort_module_of(c, module)) for c in cohorts]
    records = [
        (cohort, participant_module_records(session, user, cohort)[cm.id])
        for cohort, cm in sessions
        if cm is not None and CohortRole.PARTICIPANT in access.roles_in(session, user, cohort)
    ]
    task = module.task_after
    windows = []
    if task is not None:
        windows = [(c, w) for c in cohorts for w in c.task_windows if w.task_id == task.id]
    return ModuleInCohorts(sessions, records, windows)


def cohort_completion_counts(session: Session, cohort: Cohort) -> dict[int, tuple[int, int]]:
    """For each of the cohort's sessions, (participants who completed it, participants who
    attended it). Late arrivals count as attending. Only current participants are counted."""
    members = sa.select(Enrolment.user_id).where(
        Enrolment.cohort_id == cohort.id, Enrolment.role == CohortRole.PARTICIPANT
    )
    session_ids = [cm.id for cm in cohort.cohort_modules]
    completed: dict[int, int] = {
        cm_id: n
        for cm_id, n in session.execute(
            sa.select(ModuleCompletion.cohort_module_id, sa.func.count())
            .where(
                ModuleCompletion.cohort_module_id.in_(session_ids),
                ModuleCompletion.participant_id.in_(members),
            )
            .group_by(ModuleCompletion.cohort_module_id)
        )
    }
    attended_statuses = [s for s in AttendanceStatus if s.attended]
    present: dict[int, int] = {
        cm_id: n
        for cm_id, n in session.execute(
            sa.select(Attendance.cohort_module_id, sa.func.count())
            .where(
                Attendance.cohort_module_id.in_(session_ids),
                Attendance.participant_id.in_(members),
                Attendance.status.in_(attended_statuses),
            )
            .group_by(Attendance.cohort_module_id)
        )
    }
    return {cm.id: (completed.get(cm.id, 0), present.get(cm.id, 0)) for cm in cohort.cohort_modules}
