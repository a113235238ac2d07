"""Creating cohorts and their schedules, enrolling people, assigning coaches.

Services flush; the request (or CLI command) that called them commits once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from insights_lms import signals
from insights_lms.auth.models import User
from insights_lms.cohorts.models import CoachAssignment, Cohort, CohortModule, CohortTask, Enrolment
from insights_lms.enums import CohortRole
from insights_lms.errors import DomainError
from insights_lms.programmes.models import Programme
from insights_lms.timeutil import shift_local


class CohortError(DomainError):
    """A cohort operation that cannot be done, with a message for the person who asked."""


def _day_offset(programme: Programme, first_start: dt.datetime | None) -> int:
    """Whole days between the programme's planned first module and the cohort's."""
    if first_start is None or not programme.modules:
        return 0
    zone = ZoneInfo(programme.time_zone)
    planned = programme.modules[0].planned_start.astimezone(zone).date()
    return (first_start.astimezone(zone).date() - planned).days


def create_cohort(
    session: Session,
    programme: Programme,
    code: str,
    title: str,
    first_module_start: dt.datetime | None = None,
    *,
    created_by: User | None = None,
) -> Cohort:
    """Create a cohort whose sessions follow the programme's planned spacing.

    With ``first_session_start`` the whole plan moves by the same number of days (local wall
    clock, so a 09:00 start stays 09:00 across daylight saving).
    """
    if session.scalar(sa.select(Cohort.id).where(Cohort.code == code)) is not None:
        raise CohortError(f"A cohort with code {code!r} already exists.", "code")
    cohort = Cohort(code=code, title=title, programme=programme)
    session.add(cohort)
    sync_schedule(session, cohort, _day_offset(programme, first_module_start))
    session.flush()
    signals.cohort_created.send(cohort, created_by=created_by)
    return cohort


def cohort_day_offset(cohort: Cohort) -> int:
    """How many days this cohort's dates sit after the programme's planned dates."""
    zone = ZoneInfo(cohort.programme.time_zone)
    for cm in cohort.cohort_modules:
        planned = cm.module.planned_start.astimezone(zone).date()
        return (cm.starts_at.astimezone(zone).date() - planned).days
    return 0


def sync_schedule(session: Session, cohort: Cohort, offset_days: int | None = None) -> None:
    """Give the cohort a dated session for every module and a window for every task it lacks.

    Existing dates are never changed: a cohort's schedule is its own once created.
    """
    programme = cohort.programme
    zone = ZoneInfo(programme.time_zone)
    days = cohort_day_offset(cohort) if offset_days is None else offset_days
    have_modules = {cm.module_id: cm for cm in cohort.cohort_modules if cm.module_id is not None}
    for module in programme.modules:
        if module.id is None or module.id not in have_modules:
            cm = CohortModule(
                module=module,
                starts_at=shift_local(module.planned_start, days, zone),
                ends_at=shift_local(module.planned_end, days, zone),
                location=module.location,
            )
            cohort.cohort_modules.append(cm)
            session.flush()
            have_modules[module.id] = cm
    have_tasks = {ct.task_id for ct in cohort.task_windows}
    for task in programme.tasks:
        if task.id in have_tasks:
            continue
        after, before = have_modules[task.after_module.id], have_modules[task.before_module.id]
        opens = shift_local(task.planned_opens, days, zone) if task.planned_opens else after.ends_at
        due = shift_local(task.planned_due, days, zone) if task.planned_due else before.starts_at
        cohort.task_windows.append(CohortTask(task=task, opens_at=opens, due_at=due))
    session.flush()


def sync_all_schedules(session: Session, programme_code: str) -> None:
    """After content changes, give every cohort of the programme its new modules and tasks."""
    cohorts = session.scalars(
        sa.select(Cohort).join(Cohort.programme).where(Programme.code == programme_code)
    )
    for cohort in cohorts:
        session.refresh(cohort)
        sync_schedule(session, cohort)


def enrol(
    session: Session,
    cohort: Cohort,
    user: User,
    role: CohortRole,
    *,
    enrolled_by: User | None = None,
) -> Enrolment:
    """Give ``user`` a role in ``cohort`` (idempotent); sends ``user_enrolled`` when the
    enrolment is new (``enrolled_by``: who did it, ``None`` from the command line or demo)."""
    existing = session.scalar(
        sa.select(Enrolment).where(
            Enrolment.cohort_id == cohort.id, Enrolment.user_id == user.id, Enrolment.role == role
        )
    )
    if existing is not None:
        return existing
    enrolment = Enrolment(cohort=cohort, user=user, role=role)
    session.add(enrolment)
    session.flush()
    signals.user_enrolled.send(enrolment, enrolled_by=enrolled_by)
    return enrolment


def has_role(session: Session, user: User, cohort: Cohort, role: CohortRole) -> bool:
    return (
        session.scalar(
            sa.select(Enrolment.id).where(
                Enrolment.cohort_id == cohort.id,
                Enrolment.user_id == user.id,
                Enrolment.role == role,
            )
        )
        is not None
    )


def assign_coach(
    session: Session,
    cohort: Cohort,
    coach: User,
    participant: User,
    *,
    assigned_by: User | None = None,
) -> CoachAssignment:
    """Make ``coach`` the coach of ``participant`` in ``cohort`` (replacing any other coach).

    Sends ``coach_assigned`` when the participant gets a coach or a different one
    (``assigned_by``: the facilitator, or ``None`` from the command line or demo data).
    """
    if coach.id == participant.id:
        raise CohortError("A participant cannot coach themselves.")
    if not has_role(session, coach, cohort, CohortRole.COACH):
        raise CohortError(f"{coach.name} is not a coach in {cohort.title}.")
    if not has_role(session, participant, cohort, CohortRole.PARTICIPANT):
        raise CohortError(f"{participant.name} is not a participant in {cohort.title}.")
    assignment = session.scalar(
        sa.select(CoachAssignment).where(
            CoachAssignment.cohort_id == cohort.id,
            CoachAssignment.participant_id == participant.id,
        )
    )
    if assignment is not None and assignment.coach_id == coach.id:
        return assignment  # already so: nothing happened
    if assignment is None:
        assignment = CoachAssignment(cohort=cohort, participant=participant, coach=coach)
        session.add(assignment)
    else:
        assignment.coach = coach
    session.flush()
    signals.coach_assigned.send(assignment, assigned_by=assigned_by)
    return assignment


def enrolments_of(session: Session, user: User, role: CohortRole) -> list[Enrolment]:
    """The user's enrolments in one role, newest cohort first, with their cohorts."""
    return list(
        session.scalars(
            sa.select(Enrolment)
            .where(Enrolment.user_id == user.id, Enrolment.role == role)
            .order_by(Enrolment.created_dt.desc(), Enrolment.id.desc())
            .options(joinedload(Enrolment.cohort))
        )
    )


def participant_enrolments(session: Session, user: User) -> list[Enrolment]:
    """The user's participant enrolments, newest cohort first."""
    return enrolments_of(session, user, CohortRole.PARTICIPANT)


def coachees_of(session: Session, coach: User) -> list[CoachAssignment]:
    """The coach's coachees across cohorts, by name."""
    return list(
        session.scalars(
            sa.select(CoachAssignment)
            .join(CoachAssignment.participant)
            .where(CoachAssignment.coach_id == coach.id)
            .order_by(User.name)
        )
    )


def schedule_and_members() -> list[Any]:
    """Loader options that fetch a cohort's schedule and people in a few queries, not per row."""
    return [
        selectinload(Cohort.programme),
        selectinload(Cohort.cohort_modules).selectinload(CohortModule.module),
        selectinload(Cohort.task_windows).selectinload(CohortTask.task),
        selectinload(Cohort.enrolments).selectinload(Enrolment.user),
    ]


def cohorts_facilitated_by(session: Session, user: User) -> list[Cohort]:
    """Cohorts the user facilitates (every cohort for a site administrator)."""
    query = (
        sa.select(Cohort)
        .options(*schedule_and_members())
        .order_by(Cohort.created_dt.desc(), Cohort.code)
    )
    if not user.is_admin:
        query = query.join(Enrolment).where(
            Enrolment.user_id == user.id, Enrolment.role == CohortRole.FACILITATOR
        )
    return list(session.scalars(query))


def coached_participant_ids(session: Session, cohort_ids: list[int]) -> dict[int, set[int]]:
    """For each cohort, the ids of participants who have a coach (one query)."""
    result: dict[int, set[int]] = {cid: set() for cid in cohort_ids}
    rows = session.execute(
        sa.select(CoachAssignment.cohort_id, CoachAssignment.participant_id).where(
            CoachAssignment.cohort_id.in_(cohort_ids)
        )
    )
    for cohort_id, participant_id in rows:
        result[cohort_id].add(participant_id)
    return result


def coach_of(session: Session, cohort: Cohort, participant: User) -> User | None:
    assignment = session.scalar(
        sa.select(CoachAssignment).where(
            CoachAssignment.cohort_id == cohort.id,
            CoachAssignment.participant_id == participant.id,
        )
    )
    return assignment.coach if assignment else None


def cohort_with_modules(session: Session, cohort: Cohort) -> Cohort:
    """``cohort`` with its programme and its sessions' modules loaded."""
    return session.scalars(
        sa.select(Cohort)
        .where(Cohort.id == cohort.id)
        .options(
            joinedload(Cohort.programme),
            selectinload(Cohort.cohort_modules).joinedload(CohortModule.module),
        )
    ).one()


def cohorts_seeing_programme(session: Session, user: User, programme: Programme) -> list[Cohort]:
    """The user's cohorts (any role) that run this programme, with their sessions and task
    windows."""
    return list(
        session.scalars(
            sa.select(Cohort)
            .join(Enrolment)
            .where(Enrolment.user_id == user.id, Cohort.programme_id == programme.id)
            .distinct()
            .order_by(Cohort.code)
            .options(selectinload(Cohort.cohort_modules), selectinload(Cohort.task_windows))
        )
    )
