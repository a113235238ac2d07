"""Who gets which reminder, and sending them so that none is ever sent twice.

Participants are reminded a few days before a practical task is due (unless they have
already submitted it); everyone in a cohort (participants, coaches, facilitators) a week
before each module session. A reminder is recorded in ``ReminderSent`` only once the mail
server has accepted it, and each record is committed at once (see :func:`send_reminders`).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from insights_lms.auth.models import User
from insights_lms.cohorts.models import Cohort, CohortModule, CohortTask, Enrolment
from insights_lms.enums import CohortRole
from insights_lms.errors import DomainError
from insights_lms.programmes.models import Module, PracticalTask
from insights_lms.reminders import mail
from insights_lms.reminders.mail import DeliveryError, ReminderLinks
from insights_lms.reminders.models import ReminderKind, ReminderSent

DEFAULT_TASK_DAYS = 3
DEFAULT_MODULE_DAYS = 7

#: Sends one message, raising :class:`DeliveryError` when the server does not accept it.
Sender = Callable[[EmailMessage], None]
#: Absolute links for a reminder's email, or ``None`` where the site's URL is not known.
LinkBuilder = Callable[["Reminder"], ReminderLinks | None]
SubmissionCheck = Callable[[Session, User, CohortTask], bool]


class ReminderError(DomainError):
    """Reminders cannot be worked out as asked, with a message for the operator."""


@dataclass(frozen=True)
class ReminderPolicy:
    """How many days ahead to remind (0 turns a kind of reminder off)."""

    task_days: int = DEFAULT_TASK_DAYS
    module_days: int = DEFAULT_MODULE_DAYS

    def __post_init__(self) -> None:
        if self.task_days < 0 or self.module_days < 0:
            raise ReminderError("Reminder days cannot be negative.")


@dataclass(frozen=True)
class Reminder:
    """One reminder to one person: a task falling due, or a module session coming up."""

    kind: ReminderKind
    user: User
    cohort: Cohort
    at: dt.datetime
    cohort_task: CohortTask | None = None
    cohort_module: CohortModule | None = None

    @property
    def title(self) -> str:
        if self.cohort_task is not None:
            return self.cohort_task.task.title
        assert self.cohort_module is not None
        return self.cohort_module.module.title

    @property
    def time_zone(self) -> str:
        return self.cohort.programme.time_zone

    @property
    def module(self) -> Module:
        """The module page the email links to (for a task: the module it follows)."""
        if self.cohort_task is not None:
            return self.cohort_task.task.after_module
        assert self.cohort_module is not None
        return self.cohort_module.module

    def record(self) -> ReminderSent:
        return ReminderSent(
            user_id=self.user.id,
            kind=self.kind,
            cohort_task_id=self.cohort_task.id if self.cohort_task else None,
            cohort_module_id=self.cohort_module.id if self.cohort_module else None,
        )


@dataclass
class SendReport:
    """What a run sent, and what failed with the reason."""

    sent: list[Reminder] = field(default_factory=list)
    failed: list[tuple[Reminder, str]] = field(default_factory=list)

    def summary(self) -> str:
        return f"Sent {len(self.sent)} reminder(s); {len(self.failed)} failed."


def _submission_check() -> SubmissionCheck | None:
    """``insights_lms.tasks.services.has_submitted`` when the tasks feature is installed."""
    name = "insights_lms.tasks.services"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name not in {"insights_lms.tasks", name}:
            raise
        return None
    check: SubmissionCheck | None = getattr(module, "has_submitted", None)
    return check


def _check_now(now: dt.datetime) -> dt.datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ReminderError("The time to remind at must include a time zone.")
    return now.astimezone(dt.UTC)


def _task_reminders(session: Session, now: dt.datetime, days: int) -> list[Reminder]:
    already = sa.exists().where(
        ReminderSent.user_id == User.id, ReminderSent.cohort_task_id == CohortTask.id
    )
    rows = session.execute(
        sa.select(CohortTask, User)
        .join(Enrolment, Enrolment.cohort_id == CohortTask.cohort_id)
        .join(User, User.id == Enrolment.user_id)
        .where(
            Enrolment.role == CohortRole.PARTICIPANT,
            User.is_active,
            CohortTask.due_at > now,
            CohortTask.due_at <= now + dt.timedelta(days=days),
            ~already,
        )
        .options(
            selectinload(CohortTask.task).selectinload(PracticalTask.after_module),
            selectinload(CohortTask.cohort).selectinload(Cohort.programme),
        )
    )
    has_submitted = _submission_check()
    return [
        Reminder(ReminderKind.TASK_DUE, user, window.cohort, window.due_at, cohort_task=window)
        for window, user in rows
        if has_submitted is None or not has_submitted(session, user, window)
    ]


def _module_reminders(session: Session, now: dt.datetime, days: int) -> list[Reminder]:
    already = sa.exists().where(
        ReminderSent.user_id == User.id, ReminderSent.cohort_module_id == CohortModule.id
    )
    rows = session.execute(
        sa.select(CohortModule, User)
        .join(Enrolment, Enrolment.cohort_id == CohortModule.cohort_id)
        .join(User, User.id == Enrolment.user_id)
        .where(
            User.is_active,
            CohortModule.starts_at > now,
            CohortModule.starts_at <= now + dt.timedelta(days=days),
            ~already,
        )
        .options(
            selectinload(CohortModule.module),
            selectinload(CohortModule.cohort).selectinload(Cohort.programme),
        )
    )
    reminders: dict[tuple[int, int], Reminder] = {}
    for cm, user in rows:
        # Someone with two roles in a cohort (coach and facilitator) gets one email.
        reminders.setdefault(
            (cm.id, user.id),
            Reminder(ReminderKind.MODULE_SOON, user, cm.cohort, cm.starts_at, cohort_module=cm),
        )
    return list(reminders.values())


def due_reminders(
    session: Session, now: dt.datetime, policy: ReminderPolicy | None = None
) -> list[Reminder]:
    """The reminders to send at ``now``, soonest event first.

    A participant is reminded of a task once ``now`` is within ``policy.task_days`` of it
    being due and it is still open; everyone in a cohort of a module session within
    ``policy.module_days`` of its start. Never for past events, inactive users, or a
    reminder already recorded as sent.
    """
    now = _check_now(now)
    policy = policy or ReminderPolicy()
    reminders = _task_reminders(session, now, policy.task_days) + _module_reminders(
        session, now, policy.module_days
    )
    return sorted(reminders, key=lambda r: (r.at, r.kind.value, r.title, r.user.email))


def send_reminders(
    session: Session,
    sender: Sender,
    now: dt.datetime,
    *,
    policy: ReminderPolicy | None = None,
    mail_from: str = mail.DEFAULT_MAIL_FROM,
    links: LinkBuilder | None = None,
) -> SendReport:
    """Email every due reminder through ``sender`` and record each one the server accepted.

    Unlike other services this one commits, once per reminder: an email cannot be unsent,
    so its record must not wait for the rest of the run. A crash halfway through therefore
    never sends the already-sent ones again, nor marks unsent ones as sent. A reminder the
    server refuses is reported and the others still go; if the server cannot be reached at
    all, the rest are reported as failed without trying each one.
    """
    report = SendReport()
    unavailable: str | None = None
    for reminder in due_reminders(session, now, policy):
        if unavailable is not None:
            report.failed.append((reminder, unavailable))
            continue
        message = mail.compose(
            reminder, mail_from=mail_from, links=links(reminder) if links else None
        )
        try:
            sender(message)
        except DeliveryError as exc:
            report.failed.append((reminder, exc.reason))
            if exc.server_unavailable:
                unavailable = exc.reason
            continue
        session.add(reminder.record())
        try:
            session.commit()
        except IntegrityError:
            # Another run recorded it meanwhile: it has been sent either way.
            session.rollback()
        report.sent.append(reminder)
    return report
