"""Reminder emails: composing them (plain text and HTML) and sending them over SMTP.

Nothing here touches the database. The email bodies are the templates in
``templates/lms/reminders/``, rendered by a Jinja environment of their own so that mail can be
composed outside a request (the daily command runs from cron).
"""

from __future__ import annotations

import email.policy
import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from functools import cache
from types import TracebackType
from typing import TYPE_CHECKING, Any

import jinja2

from insights_lms import resources
from insights_lms.db import utcnow
from insights_lms.timeutil import format_local

if TYPE_CHECKING:
    from insights_lms.reminders.services import Reminder

DEFAULT_MAIL_FROM = "Insights LMS <no-reply@localhost>"
SUBJECT_TIME = "%a %-d %b, %H:%M"
BODY_TIME = "%a %-d %b %Y, %H:%M %Z"
# CRLF line ends; bodies that are not plain ASCII go quoted-printable, so no server in the way
# needs to support 8BITMIME.
MESSAGE_POLICY = email.policy.SMTP.clone(cte_type="7bit")


class DeliveryError(Exception):
    """The mail server did not accept a message; ``reason`` says why, for the operator.

    ``server_unavailable`` means no message can get through (cannot connect, or sign-in
    refused), so there is no point trying the others.
    """

    def __init__(self, reason: str, *, server_unavailable: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.server_unavailable = server_unavailable


@dataclass(frozen=True)
class ReminderLinks:
    """Absolute URLs for an email: the page to act on and the calendar settings page."""

    page: str
    calendar: str | None = None


@cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resources.templates_dir())),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["lms_local_dt"] = format_local
    return env


def subject(reminder: Reminder) -> str:
    """E.g. ``Reminder: A live decision log is due Thu 24 Dec, 09:00`` (programme time)."""
    when = format_local(reminder.at, reminder.time_zone, SUBJECT_TIME)
    verb = "is due" if reminder.cohort_task is not None else "starts"
    return f"Reminder: {reminder.title} {verb} {when}"


def _domain(mail_from: str) -> str:
    _name, addr = parseaddr(mail_from)
    return addr.rpartition("@")[2] or "localhost"


def compose(
    reminder: Reminder, *, mail_from: str = DEFAULT_MAIL_FROM, links: ReminderLinks | None = None
) -> EmailMessage:
    """The reminder as an email with a plain-text body and an HTML alternative."""
    name = reminder.kind.value
    context: dict[str, Any] = {
        "reminder": reminder,
        "user": reminder.user,
        "cohort": reminder.cohort,
        "programme": reminder.cohort.programme,
        "task": reminder.cohort_task.task if reminder.cohort_task else None,
        "window": reminder.cohort_task,
        "session": reminder.cohort_module,
        "module": reminder.module,
        "tz": reminder.time_zone,
        "when": format_local(reminder.at, reminder.time_zone, BODY_TIME),
        "links": links,
    }
    message = EmailMessage(policy=MESSAGE_POLICY)
    message["Subject"] = subject(reminder)
    message["From"] = mail_from
    message["To"] = Address(display_name=reminder.user.name, addr_spec=reminder.user.email)
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid("reminder", domain=_domain(mail_from))
    # RFC 3834: out-of-office replies and the like should not answer an automatic email.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(_env().get_template(f"lms/reminders/{name}.txt").render(context))
    message.add_alternative(
        _env().get_template(f"lms/reminders/{name}.html").render(context), subtype="html"
    )
    return message


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 25
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 30.0


def _server_says(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


class SmtpSender:
    """Sends messages over one SMTP connection, opened on first use and reconnected after an
    error; use it as a context manager so that the connection is closed politely."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpSender:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        conf = self.settings
        where = f"{conf.host}:{conf.port}"
        try:
            smtp = smtplib.SMTP(conf.host, conf.port, timeout=conf.timeout)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(
                f"cannot connect to the mail server {where}: {exc}", server_unavailable=True
            ) from exc
        try:
            if conf.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if conf.username:
                smtp.login(conf.username, conf.password or "")
        except (OSError, smtplib.SMTPException) as exc:
            smtp.close()
            raise DeliveryError(
                f"the mail server {where} refused STARTTLS or sign-in: {exc}",
                server_unavailable=True,
            ) from exc
        return smtp

    def __call__(self, message: EmailMessage) -> None:
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            # smtplib has already reset the transaction: the connection stays usable.
            reasons = "; ".join(
                f"{addr}: {_server_says(code, text)}"
                for addr, (code, text) in exc.recipients.items()
            )
            raise DeliveryError(f"recipient refused ({reasons})") from exc
        except smtplib.SMTPResponseException as exc:
            self.close()
            raise DeliveryError(_server_says(exc.smtp_code, exc.smtp_error)) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
