"""Moving a cohort's module sessions, and checking its schedule against the programme.

A facilitator moves one session (a room fell through, an inspection came); by default every
later session and task window moves by the same number of days, on the local wall clock, so
the spacing the programme was designed with is kept. ``schedule_warnings`` says where the
cohort's dates now break the programme's rules: modules closer together than its
``min_gap_days``, sessions out of order, task windows that do not sit between their modules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import pairwise
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from insights_lms.auth.models import User
from insights_lms.cohorts.models import Cohort, CohortModule, Enrolment
from insights_lms.cohorts.services import CohortError, create_cohort, enrol
from insights_lms.enums import CohortRole
from insights_lms.errors import DomainError
from insights_lms.programmes.models import Programme
from insights_lms.signals import cohort_rescheduled
from insights_lms.timeutil import format_local, shift_local


class ScheduleError(DomainError):
    """A move that would leave the schedule impossible; nothing was changed."""


@dataclass(frozen=True)
class ScheduleWarning:
    """Something in a cohort's dates that a facilitator should look at."""

    message: str
    module_code: str | None = None


def ordered_cohort_modules(cohort: Cohort) -> list[CohortModule]:
    return sorted(cohort.cohort_modules, key=lambda cm: (cm.module.sequence, cm.starts_at))


def _local_day(value: dt.datetime, zone: ZoneInfo) -> dt.date:
    return value.astimezone(zone).date()


def schedule_warnings(cohort: Cohort) -> list[ScheduleWarning]:
    """Every way the cohort's dates break the programme's spacing or order, in module order."""
    programme = cohort.programme
    zone = ZoneInfo(programme.time_zone)
    warnings: list[ScheduleWarning] = []
    sessions = ordered_cohort_modules(cohort)
    for before, after in pairwise(sessions):
        name = f"Module {after.module.sequence} ({after.module.title})"
        if after.starts_at < before.ends_at:
            warnings.append(
                ScheduleWarning(
                    f"{name} starts before Module {before.module.sequence} ends.",
                    after.module.code,
                )
            )
            continue
        gap = (_local_day(after.starts_at, zone) - _local_day(before.ends_at, zone)).days
        if gap < programme.min_gap_days:
            warnings.append(
                ScheduleWarning(
                    f"{name} starts {gap} day{'s' if gap != 1 else ''} after Module "
                    f"{before.module.sequence} ends; the programme asks for at least "
                    f"{programme.min_gap_days} days between modules.",
                    after.module.code,
                )
            )
    by_module = {cm.module_id: cm for cm in sessions}
    for window in sorted(cohort.task_windows, key=lambda w: w.opens_at):
        task = window.task
        after_session = by_module.get(task.after_module_id)
        before_session = by_module.get(task.before_module_id)
        if window.due_at <= window.opens_at:
            warnings.append(
                ScheduleWarning(f"The task “{task.title}” is due before it opens.", None)
            )
        if after_session is not None and window.opens_at < after_session.starts_at:
            warnings.append(
                ScheduleWarning(
                    f"The task “{task.title}” opens before Module "
                    f"{after_session.module.sequence} has started.",
                    after_session.module.code,
                )
            )
        if before_session is not None and window.due_at > before_session.starts_at:
            warnings.append(
                ScheduleWarning(
                    f"The task “{task.title}” is due after Module "
                    f"{before_session.module.sequence} starts "
                    f"({format_local(before_session.starts_at, zone)}).",
                    before_session.module.code,
                )
            )
    return warnings


def move_cohort_module(
    session: Session,
    cohort_module: CohortModule,
    new_start: dt.datetime,
    *,
    shift_later: bool,
    moved_by: User | None = None,
) -> list[ScheduleWarning]:
    """Move one session to ``new_start`` (its length kept); with ``shift_later`` every later
    session and task window moves by the same number of days. A task due when this session
    starts, or opening when it ends, follows it. Refuses (changing nothing) a move that would
    leave a task due before it opens. Returns the cohort's schedule warnings afterwards and
    sends ``cohort_rescheduled``.
    """
    if new_start.tzinfo is None:
        raise ScheduleError("The new start needs a time zone.")
    cohort = cohort_module.cohort
    zone = ZoneInfo(cohort.programme.time_zone)
    old_start, old_end = cohort_module.starts_at, cohort_module.ends_at
    days = (_local_day(new_start, zone) - _local_day(old_start, zone)).days
    new_end = new_start + (old_end - old_start)

    planned: dict[int, tuple[dt.datetime, dt.datetime]] = {}
    for cm in cohort.cohort_modules:
        if cm is cohort_module:
            planned[id(cm)] = (new_start, new_end)
        elif shift_later and cm.starts_at >= old_end:
            planned[id(cm)] = (
                shift_local(cm.starts_at, days, zone),
                shift_local(cm.ends_at, days, zone),
            )
    windows: dict[int, tuple[dt.datetime, dt.datetime]] = {}
    for window in cohort.task_windows:
        opens, due = window.opens_at, window.due_at
        if opens == old_end:
            opens = new_end
        elif shift_later and opens >= old_start:
            opens = shift_local(opens, days, zone)
        if due == old_start:
            due = new_start
        elif shift_later and due >= old_start:
            due = shift_local(due, days, zone)
        if due <= opens:
            raise ScheduleError(
                f"That move would make the task “{window.task.title}” due "
                f"({format_local(due, zone)}) before it opens ({format_local(opens, zone)}). "
                "Nothing was changed: choose another date, or move the later sessions too."
            )
        windows[id(window)] = (opens, due)

    moved = [cm for cm in cohort.cohort_modules if id(cm) in planned]
    for cm in moved:
        cm.starts_at, cm.ends_at = planned[id(cm)]
    for window in cohort.task_windows:
        window.opens_at, window.due_at = windows[id(window)]
    session.flush()
    cohort_rescheduled.send(
        cohort, moved_by=moved_by, cohort_module=cohort_module, days=days, shift_later=shift_later
    )
    return schedule_warnings(cohort)


def programmes_user_may_run(session: Session, user: User) -> list[Programme]:
    """Administrators may start a cohort of any programme; a facilitator, of a programme they
    already run a cohort of."""
    query = sa.select(Programme).order_by(Programme.title)
    if not user.is_admin:
        query = query.where(
            Programme.id.in_(
                sa.select(Cohort.programme_id)
                .join(Enrolment, Enrolment.cohort_id == Cohort.id)
                .where(Enrolment.user_id == user.id, Enrolment.role == CohortRole.FACILITATOR)
            )
        )
    return list(session.scalars(query))


def start_cohort(
    session: Session,
    programme: Programme,
    code: str,
    title: str,
    first_day: dt.date,
    created_by: User | None,
) -> Cohort:
    """A new cohort whose first module falls on ``first_day`` (the programme's planned times
    and spacing kept); its creator becomes one of its facilitators. Sends ``cohort_created``."""
    code, title = code.strip(), title.strip()
    if not code or not title:
        raise ScheduleError("Give the cohort a code and a title.", "code")
    if not programme.modules:
        raise ScheduleError(f"{programme.title} has no modules yet.")
    zone = ZoneInfo(programme.time_zone)
    planned_first = programme.modules[0].planned_start.astimezone(zone)
    first_start = dt.datetime.combine(first_day, planned_first.time(), zone).astimezone(dt.UTC)
    try:
        cohort = create_cohort(
            session, programme, code, title, first_module_start=first_start, created_by=created_by
        )
    except CohortError as exc:
        raise ScheduleError(exc.message, exc.field) from None
    if created_by is not None:
        enrol(session, cohort, created_by, CohortRole.FACILITATOR, enrolled_by=created_by)
    return cohort
