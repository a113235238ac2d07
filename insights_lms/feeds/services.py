"""Personal calendar feeds: module sessions and practical task due dates as iCalendar.

A feed is reached without signing in (calendar apps cannot), so its URL carries a secret
token; resetting the feed replaces the token and the old URL stops working at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import icalendar
import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from insights_lms.auth.models import User
from insights_lms.cohorts.models import Cohort, CohortModule, CohortTask, Enrolment
from insights_lms.db import utcnow
from insights_lms.enums import CohortRole
from insights_lms.feeds.models import CalendarFeed, new_feed_token
from insights_lms.programmes.models import Module, PracticalTask

PRODID = "-//Insights LMS//Personal calendar feed//EN"
#: How often calendar apps are asked to fetch the feed again (they may choose otherwise).
REFRESH_INTERVAL = dt.timedelta(hours=6)

#: Build the absolute URL of a module's page, or of a cohort's task (only the web layer can).
ModuleUrl = Callable[[Module], str]
TaskUrl = Callable[[CohortTask], str]


def feed_for(session: Session, user: User) -> CalendarFeed:
    """The user's calendar feed, created with a new secret token on first use."""
    feed = session.scalar(sa.select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    if feed is None:
        feed = CalendarFeed(user=user, token=new_feed_token())
        session.add(feed)
        session.flush()
    return feed


def reset_feed(session: Session, user: User) -> CalendarFeed:
    """Give the user's feed a new token: calendars subscribed to the old URL stop updating."""
    feed = feed_for(session, user)
    feed.token = new_feed_token()
    feed.reset_dt = utcnow()
    session.flush()
    return feed


def user_for_token(session: Session, token: str) -> User | None:
    """The active user whose feed has this token, or ``None`` (unknown, old or deactivated)."""
    if not token:
        return None
    return session.scalar(
        sa.select(User)
        .join(CalendarFeed, CalendarFeed.user_id == User.id)
        .where(CalendarFeed.token == token, User.is_active)
    )


@dataclass
class _Membership:
    cohort: Cohort
    roles: set[CohortRole] = field(default_factory=set)


def _memberships(session: Session, user: User) -> list[_Membership]:
    enrolments = session.scalars(
        sa.select(Enrolment)
        .where(Enrolment.user_id == user.id)
        .options(
            selectinload(Enrolment.cohort).selectinload(Cohort.programme),
            selectinload(Enrolment.cohort)
            .selectinload(Cohort.cohort_modules)
            .selectinload(CohortModule.module),
            selectinload(Enrolment.cohort)
            .selectinload(Cohort.task_windows)
            .selectinload(CohortTask.task)
            .selectinload(PracticalTask.after_module),
        )
        .order_by(Enrolment.cohort_id)
    )
    by_cohort: dict[int, _Membership] = {}
    for enrolment in enrolments:
        membership = by_cohort.setdefault(enrolment.cohort_id, _Membership(enrolment.cohort))
        membership.roles.add(enrolment.role)
    return list(by_cohort.values())


def _description(*lines: str) -> str:
    return "\n".join(line for line in lines if line)


def _session_event(
    cm: CohortModule, cohort: Cohort, host: str, stamp: dt.datetime, module_url: ModuleUrl | None
) -> icalendar.Event:
    module = cm.module
    event = icalendar.Event()
    event.add("uid", f"session-{cm.id}@{host}")
    event.add("dtstamp", stamp)
    event.add("summary", f"{module.title} ({cohort.programme.title})")
    event.add("dtstart", cm.starts_at.astimezone(dt.UTC))
    event.add("dtend", cm.ends_at.astimezone(dt.UTC))
    if cm.location:
        event.add("location", cm.location)
    event.add(
        "description",
        _description(
            f"Theme: {module.theme}" if module.theme else "",
            f"Module {module.sequence} of {cohort.title}.",
            f"Module page: {module_url(module)}" if module_url else "",
        ),
    )
    if module_url:
        event.add("url", module_url(module))
    event.add("categories", ["Insights LMS", "Module"])
    return event


def _task_link(window: CohortTask, module_url: ModuleUrl | None, task_url: TaskUrl | None) -> str:
    if task_url is not None:
        return task_url(window)
    if module_url is not None:
        return f"{module_url(window.task.after_module)}#practical-task"
    return ""


def _task_event(
    window: CohortTask, cohort: Cohort, host: str, stamp: dt.datetime, link: str
) -> icalendar.Event:
    task = window.task
    event = icalendar.Event()
    event.add("uid", f"task-{window.id}@{host}")
    event.add("dtstamp", stamp)
    event.add("summary", f"Due: {task.title}")
    # A DATE-TIME start without DTEND is an instant (RFC 5545 §3.6.1): the moment it is due.
    event.add("dtstart", window.due_at.astimezone(dt.UTC))
    # A deadline does not make anyone busy.
    event.add("transp", "TRANSPARENT")
    event.add(
        "description",
        _description(
            f"Practical task after “{task.after_module.title}” ({cohort.title}).",
            f"Task page: {link}" if link else "",
        ),
    )
    if link:
        event.add("url", link)
    event.add("categories", ["Insights LMS", "Practical task"])
    return event


def build_calendar(
    session: Session,
    user: User,
    *,
    host: str = "insights-lms",
    module_url: ModuleUrl | None = None,
    task_url: TaskUrl | None = None,
    now: dt.datetime | None = None,
) -> bytes:
    """The user's feed as iCalendar bytes.

    Every module session of every cohort the user is in (in any role: coaches and
    facilitators attend too) and, for cohorts they are a participant of, the due date of
    each practical task. Times are UTC; ``host`` makes the UIDs globally unique and stable.
    Events link to their pages when given the URL builders (a task without ``task_url``
    links to the practical task section of the module page before it).
    """
    stamp = (now or utcnow()).astimezone(dt.UTC).replace(microsecond=0)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    name = f"Insights LMS \N{EN DASH} {user.name}"
    cal.add("x-wr-calname", name)
    cal.add("name", name)
    cal.add("x-wr-caldesc", "Your module sessions and practical task due dates.")
    cal.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    # The same hint in the older form Outlook reads.
    cal.add("x-published-ttl", icalendar.vDuration(REFRESH_INTERVAL).to_ical().decode())
    events: list[tuple[dt.datetime, str, icalendar.Event]] = []
    for membership in _memberships(session, user):
        cohort = membership.cohort
        for cm in cohort.cohort_modules:
            event = _session_event(cm, cohort, host, stamp, module_url)
            events.append((cm.starts_at, str(event["uid"]), event))
        if CohortRole.PARTICIPANT in membership.roles:
            for window in cohort.task_windows:
                link = _task_link(window, module_url, task_url)
                event = _task_event(window, cohort, host, stamp, link)
                events.append((window.due_at, str(event["uid"]), event))
    for _start, _uid, event in sorted(events, key=lambda item: (item[0], item[1])):
        cal.add_component(event)
    return bytes(cal.to_ical())
