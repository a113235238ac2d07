"""Who is reminded of what, and when; and that no reminder is ever sent twice."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

import pytest
import sqlalchemy as sa

from insights_lms.enums import CohortRole
from insights_lms.programmes.models import Programme
from insights_lms.reminders import services
from insights_lms.reminders.mail import DeliveryError, ReminderLinks, compose, subject
from insights_lms.reminders.models import ReminderKind, ReminderSent
from insights_lms.reminders.services import (
    ReminderError,
    ReminderPolicy,
    due_reminders,
    send_reminders,
)
from tests.factories import enrolled, make_cohort, utc

DAY = dt.timedelta(days=1)


class Outbox:
    """A sender that keeps what it was given, and refuses some addresses."""

    def __init__(self, refuse: set[str] | None = None, unavailable: bool = False) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse = refuse or set()
        self.unavailable = unavailable

    def __call__(self, message: EmailMessage) -> None:
        if self.unavailable:
            raise DeliveryError("cannot connect", server_unavailable=True)
        if message["To"].addresses[0].addr_spec in self.refuse:
            raise DeliveryError("550 mailbox unavailable")
        self.messages.append(message)

    def to(self) -> list[str]:
        return sorted(m["To"].addresses[0].addr_spec for m in self.messages)


@pytest.fixture
def cohort(db, content):
    cohort = make_cohort(db, db.scalars(sa.select(Programme)).one())
    db.commit()
    return cohort


@pytest.fixture
def people(db, cohort):
    people = {
        "ann": enrolled(db, cohort, CohortRole.PARTICIPANT, email="ann@school.example"),
        "bob": enrolled(db, cohort, CohortRole.PARTICIPANT, email="bob@school.example"),
        "coach": enrolled(db, cohort, CohortRole.COACH, email="coach@school.example"),
        "fac": enrolled(db, cohort, CohortRole.FACILITATOR, email="fac@school.example"),
    }
    db.commit()
    return people


def emails(reminders, kind):
    return sorted(r.user.email for r in reminders if r.kind == kind)


def test_task_reminder_only_in_the_days_before_it_is_due(db, cohort, people):
    window = cohort.task_windows[1]
    assert emails(due_reminders(db, window.due_at - 4 * DAY), ReminderKind.TASK_DUE) == []
    found = due_reminders(db, window.due_at - 2 * DAY)
    tasks = [r for r in found if r.kind == ReminderKind.TASK_DUE]
    assert [r.cohort_task for r in tasks] == [window, window]
    assert emails(found, ReminderKind.TASK_DUE) == ["ann@school.example", "bob@school.example"]
    after = due_reminders(db, window.due_at + dt.timedelta(minutes=1))
    assert all(r.cohort_task is not window for r in after)


def test_module_reminder_a_week_before_for_everyone_in_the_cohort(db, cohort, people):
    cm = cohort.cohort_modules[2]
    assert due_reminders(db, cm.starts_at - 8 * DAY) == []
    found = due_reminders(db, cm.starts_at - 6 * DAY)
    assert emails(found, ReminderKind.MODULE_SOON) == sorted(u.email for u in people.values())
    assert {r.cohort_module for r in found if r.kind == ReminderKind.MODULE_SOON} == {cm}
    # The task due when this module starts is still more than three days away.
    assert emails(found, ReminderKind.TASK_DUE) == []
    assert not [r for r in due_reminders(db, cm.starts_at + DAY) if r.cohort_module is cm]


def test_windows_follow_the_configured_days(db, cohort, people):
    cm = cohort.cohort_modules[2]
    policy = ReminderPolicy(task_days=0, module_days=10)
    found = due_reminders(db, cm.starts_at - 9 * DAY, policy)
    assert len(found) == 4
    assert due_reminders(db, cm.starts_at - DAY, ReminderPolicy(0, 0)) == []
    with pytest.raises(ReminderError):
        ReminderPolicy(task_days=-1)


def test_no_reminders_for_inactive_users_or_people_outside_the_cohort(db, cohort, people):
    other = make_cohort(db, cohort.programme, first_module_start=utc(2027, 9, 23, 8))
    enrolled(db, other, CohortRole.PARTICIPANT, email="elsewhere@school.example")
    people["bob"].is_active = False
    people["coach"].is_active = False
    db.commit()
    cm = cohort.cohort_modules[2]
    found = due_reminders(db, cm.starts_at - 2 * DAY)
    assert sorted({r.user.email for r in found}) == ["ann@school.example", "fac@school.example"]


def test_someone_with_two_roles_gets_one_module_reminder(db, cohort, people):
    from insights_lms.cohorts.services import enrol

    enrol(db, cohort, people["coach"], CohortRole.FACILITATOR)
    db.commit()
    found = due_reminders(db, cohort.cohort_modules[3].starts_at - 5 * DAY)
    assert emails(found, ReminderKind.MODULE_SOON).count("coach@school.example") == 1


def test_participants_who_submitted_are_not_reminded(db, cohort, people, monkeypatch):
    ann = people["ann"]
    monkeypatch.setattr(
        services, "_submission_check", lambda: lambda session, user, window: user.id == ann.id
    )
    window = cohort.task_windows[2]
    found = due_reminders(db, window.due_at - DAY)
    assert emails(found, ReminderKind.TASK_DUE) == ["bob@school.example"]


def test_the_time_must_be_timezone_aware(db, cohort):
    with pytest.raises(ReminderError):
        due_reminders(db, dt.datetime(2026, 12, 1, 9))


def test_sending_records_each_reminder_and_never_sends_it_twice(db, cohort, people):
    now = cohort.task_windows[3].due_at - 2 * DAY
    outbox = Outbox()
    report = send_reminders(db, outbox, now)
    # Task 4 is due when module 4 starts: two task reminders and four module reminders.
    assert report.summary() == "Sent 6 reminder(s); 0 failed."
    assert len(outbox.messages) == 6
    assert db.scalar(sa.select(sa.func.count(ReminderSent.id))) == 6
    again = send_reminders(db, outbox, now + dt.timedelta(hours=20))
    assert again.summary() == "Sent 0 reminder(s); 0 failed."
    assert len(outbox.messages) == 6


def test_a_refused_recipient_is_reported_and_the_others_still_go(db, cohort, people):
    now = cohort.task_windows[3].due_at - 2 * DAY
    outbox = Outbox(refuse={"bob@school.example"})
    report = send_reminders(db, outbox, now)
    assert len(report.sent) == 4 and len(report.failed) == 2
    assert {r.user.email for r, _reason in report.failed} == {"bob@school.example"}
    assert {reason for _r, reason in report.failed} == {"550 mailbox unavailable"}
    recorded = db.scalars(sa.select(ReminderSent.user_id)).all()
    assert people["bob"].id not in recorded
    # The next run tries Bob again, and only Bob.
    retry = Outbox()
    assert send_reminders(db, retry, now + DAY).summary() == "Sent 2 reminder(s); 0 failed."
    assert retry.to() == ["bob@school.example", "bob@school.example"]


def test_an_unreachable_server_fails_every_reminder_and_records_none(db, cohort, people):
    now = cohort.task_windows[3].due_at - 2 * DAY
    report = send_reminders(db, Outbox(unavailable=True), now)
    assert report.summary() == "Sent 0 reminder(s); 6 failed."
    assert db.scalar(sa.select(sa.func.count(ReminderSent.id))) == 0


def test_a_crash_halfway_keeps_what_was_sent(db, cohort, people):
    now = cohort.task_windows[3].due_at - 2 * DAY
    sent: list[EmailMessage] = []

    def crashing(message: EmailMessage) -> None:
        if len(sent) == 3:
            raise RuntimeError("the machine went down")
        sent.append(message)

    with pytest.raises(RuntimeError):
        send_reminders(db, crashing, now)
    db.rollback()
    assert db.scalar(sa.select(sa.func.count(ReminderSent.id))) == 3
    rest = Outbox()
    assert send_reminders(db, rest, now).summary() == "Sent 3 reminder(s); 0 failed."
    sent_to = sorted(m["To"].addresses[0].addr_spec for m in sent)
    assert sorted(sent_to + rest.to()) == sorted(
        ["ann@school.example", "bob@school.example"] * 2
        + ["coach@school.example", "fac@school.example"]
    )


def test_task_email_says_what_is_due_and_when_in_local_time(db, cohort, people):
    window = cohort.task_windows[3]
    (reminder,) = [
        r
        for r in due_reminders(db, window.due_at - DAY)
        if r.kind == ReminderKind.TASK_DUE and r.user == people["ann"]
    ]
    links = ReminderLinks(page="https://lms.example.org/task", calendar="https://lms.example.org/c")
    message = compose(reminder, mail_from="LMS <lms@school.example>", links=links)
    # The cohort keeps the programme's planned dates: task 4 is due at 09:00 GMT on 4 March.
    assert subject(reminder) == f"Reminder: {window.task.title} is due Thu 4 Mar, 09:00"
    assert message["Subject"] == subject(reminder)
    assert message["From"] == "LMS <lms@school.example>"
    assert message["To"].addresses[0].addr_spec == "ann@school.example"
    assert message["Message-ID"].endswith("@school.example>")
    assert message["Auto-Submitted"] == "auto-generated"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert f'"{window.task.title}" is due on Thu 4 Mar 2027, 09:00 GMT' in text
    assert "See the task: https://lms.example.org/task" in text
    assert '<a href="https://lms.example.org/task">' in html
    assert "Thu 4 Mar 2027, 09:00 GMT" in html


def test_module_email_gives_time_place_and_escapes_names_in_html(db, cohort, people):
    people["fac"].name = "<b>Fay</b> & Co"
    db.commit()
    cm = cohort.cohort_modules[0]  # the launch, in British Summer Time
    (reminder,) = [r for r in due_reminders(db, cm.starts_at - 6 * DAY) if r.user == people["fac"]]
    message = compose(reminder)
    assert message["Subject"] == f"Reminder: {cm.module.title} starts Thu 24 Sep, 09:00"
    assert message["From"] == "Insights LMS <no-reply@localhost>"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Dear <b>Fay</b> & Co," in text
    assert "Dear &lt;b&gt;Fay&lt;/b&gt; &amp; Co," in html
    assert "starts on Thu 24 Sep 2026, 09:00 BST and ends at 16:00" in text
    assert f"Where: {cm.location}" in text
    assert "http" not in text  # no base URL configured: no links
