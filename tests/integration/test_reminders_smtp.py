"""`lms reminders send` against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import email
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from insights_lms.reminders.models import ReminderKind, ReminderSent
from insights_lms.timeutil import format_local

DEMO_PEOPLE = 9
DEMO_PARTICIPANTS = 6


class Mailbox:
    """An aiosmtpd handler that keeps every message and refuses some recipients."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        self.messages.append((list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def for_(self, address: str) -> list[EmailMessage]:
        return [m for rcpt, m in self.messages if rcpt == [address]]


def subject(message: EmailMessage) -> str:
    """The subject as a mail client shows it. (A subject of 70-odd characters is folded onto a
    continuation line of its own, and Python's parser keeps the fold's space; clients don't.)"""
    return str(message["Subject"]).strip()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp(app) -> Iterator[Mailbox]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(
        INSIGHTS_SMTP_HOST="127.0.0.1",
        INSIGHTS_SMTP_PORT=controller.port,
        INSIGHTS_MAIL_FROM="Insights LMS <reminders@lms.example.org>",
    )
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def t4(demo) -> Any:
    """The demo cohort's open task: due when module 4 starts."""
    return demo.task_windows[3]


def send(runner, now: dt.datetime, *extra: str) -> Any:
    return runner.invoke(args=["lms", "reminders", "send", "--now", now.isoformat(), *extra])


def recorded(db) -> int:
    db.rollback()  # see what the command committed
    return db.scalar(sa.select(sa.func.count(ReminderSent.id)))


def test_reminders_arrive_once_with_subject_and_due_time(runner, db, smtp, t4):
    now = t4.due_at - dt.timedelta(days=2)
    result = send(runner, now)
    assert result.exit_code == 0, result.output
    # Task 4 reminders for the six participants; module 4 (starting when it is due) for all.
    assert "Sent 15 reminder(s); 0 failed." in result.output
    assert len(smtp.messages) == DEMO_PEOPLE + DEMO_PARTICIPANTS
    title = t4.task.title
    due = format_local(t4.due_at, "Europe/London", "%a %-d %b, %H:%M")
    amina = smtp.for_("participant1@example.org")
    assert sorted(subject(m) for m in amina) == sorted(
        [
            f"Reminder: {title} is due {due}",
            f"Reminder: {demo_module_title(t4)} starts {due}",
        ]
    )
    task_mail = next(m for m in amina if "is due" in subject(m))
    assert task_mail["From"] == "Insights LMS <reminders@lms.example.org>"
    assert task_mail["To"] == "Amina Rahman <participant1@example.org>"
    text = task_mail.get_body(("plain",)).get_content()
    html = task_mail.get_body(("html",)).get_content()
    assert f'"{title}" is due on {format_local(t4.due_at, "Europe/London")}' in text
    assert title.replace("'", "&#39;") in html
    coach = smtp.for_("coach1@example.org")
    assert [subject(m) for m in coach] == [f"Reminder: {demo_module_title(t4)} starts {due}"]
    assert recorded(db) == 15

    again = send(runner, now + dt.timedelta(days=1))
    assert again.exit_code == 0, again.output
    assert "Sent 0 reminder(s); 0 failed." in again.output
    assert len(smtp.messages) == 15


def demo_module_title(window: Any) -> str:
    """The module whose session starts when the task is due."""
    return next(
        cm.module.title for cm in window.cohort.cohort_modules if cm.starts_at == window.due_at
    )


def test_a_refused_recipient_fails_alone_and_is_tried_again_next_time(runner, db, smtp, t4):
    smtp.refuse.add("participant2@example.org")
    now = t4.due_at - dt.timedelta(days=2)
    result = send(runner, now)
    assert result.exit_code == 1
    assert "Sent 13 reminder(s); 2 failed." in result.output
    assert "FAILED: participant2@example.org" in result.output
    assert "550 5.1.1 Mailbox unavailable" in result.output
    assert smtp.for_("participant2@example.org") == []
    assert len(smtp.for_("participant3@example.org")) == 2
    assert recorded(db) == 13
    tom = db.scalar(sa.text("SELECT id FROM lms_user WHERE email = 'participant2@example.org'"))
    assert db.scalars(sa.select(ReminderSent).where(ReminderSent.user_id == tom)).all() == []

    smtp.refuse.clear()
    retry = send(runner, now + dt.timedelta(hours=1))
    assert retry.exit_code == 0, retry.output
    assert "Sent 2 reminder(s); 0 failed." in retry.output
    kinds = db.scalars(sa.select(ReminderSent.kind).where(ReminderSent.user_id == tom)).all()
    assert sorted(kinds) == [ReminderKind.MODULE_SOON, ReminderKind.TASK_DUE]


def test_dry_run_lists_but_sends_and_records_nothing(runner, db, smtp, t4):
    result = send(runner, t4.due_at - dt.timedelta(days=2), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Would send 15 reminder(s)" in result.output
    assert f"participant1@example.org — Reminder: {t4.task.title} is due" in result.output
    assert smtp.messages == []
    assert recorded(db) == 0


def test_nothing_is_due_far_from_any_date(runner, smtp, t4):
    result = send(runner, t4.due_at - dt.timedelta(days=20))
    assert result.exit_code == 0, result.output
    assert "Sent 0 reminder(s); 0 failed." in result.output
    assert smtp.messages == []


def test_links_use_the_base_url_when_it_is_set(app, runner, smtp, t4):
    app.config["INSIGHTS_BASE_URL"] = "https://lms.example.org"
    assert send(runner, t4.due_at - dt.timedelta(days=2)).exit_code == 0
    (task_mail,) = [m for m in smtp.for_("participant1@example.org") if "is due" in subject(m)]
    text = task_mail.get_body(("plain",)).get_content()
    if "lms.tasks.show" in app.view_functions:  # the task's own page
        page = f"https://lms.example.org/tasks/{t4.id}"
    else:  # the task as the module page before it shows it
        page = (
            "https://lms.example.org/programmes/insights-2026/modules/"
            f"{t4.task.after_module.code}#practical-task"
        )
    assert f"See the task: {page}" in text.splitlines()
    assert "https://lms.example.org/calendar/" in text


def test_an_unreachable_server_fails_everything_and_records_nothing(app, runner, db, demo, t4):
    app.config.update(INSIGHTS_SMTP_HOST="127.0.0.1", INSIGHTS_SMTP_PORT=free_port())
    result = send(runner, t4.due_at - dt.timedelta(days=2))
    assert result.exit_code == 1
    assert "Sent 0 reminder(s); 15 failed." in result.output
    assert "cannot connect to the mail server 127.0.0.1" in result.output
    assert recorded(db) == 0


def test_a_bad_now_is_a_usage_error(runner, demo):
    result = runner.invoke(args=["lms", "reminders", "send", "--now", "next tuesday"])
    assert result.exit_code == 2
    assert "is not an ISO date and time" in result.output
