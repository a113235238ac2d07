"""``flask --app insights_lms lms reminders …``: run ``send`` once a day (cron, a timer)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import with_appcontext
from pydantic import SecretStr
from werkzeug.routing import BuildError

from insights_lms.db import session, utcnow
from insights_lms.reminders import mail, services
from insights_lms.state import settings

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@click.group("reminders", help="Email reminders before tasks are due and before modules.")
def reminders_cli() -> None:
    pass


def config_value(name: str, default: Any = None) -> Any:
    """A setting from the Flask config, else from the LMS settings (the environment)."""
    value = current_app.config.get(name)
    if value is None:
        value = getattr(settings(), name.removeprefix("INSIGHTS_").lower(), None)
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    return default if value is None else value


def _int_setting(name: str, default: int) -> int:
    value = config_value(name, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise click.UsageError(f"{name} must be a whole number, not {value!r}.") from None
    if number < 0:
        raise click.UsageError(f"{name} cannot be negative.")
    return number


def _bool_setting(name: str, default: bool) -> bool:
    value = config_value(name, default)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in _TRUE | _FALSE:
        raise click.UsageError(f"{name} must be true or false, not {value!r}.")
    return text in _TRUE


def smtp_settings() -> mail.SmtpSettings:
    return mail.SmtpSettings(
        host=str(config_value("INSIGHTS_SMTP_HOST", "localhost")),
        port=_int_setting("INSIGHTS_SMTP_PORT", 25),
        username=config_value("INSIGHTS_SMTP_USERNAME") or None,
        password=config_value("INSIGHTS_SMTP_PASSWORD") or None,
        starttls=_bool_setting("INSIGHTS_SMTP_STARTTLS", False),
    )


def reminder_policy() -> services.ReminderPolicy:
    return services.ReminderPolicy(
        task_days=_int_setting("INSIGHTS_TASK_REMINDER_DAYS", services.DEFAULT_TASK_DAYS),
        module_days=_int_setting("INSIGHTS_MODULE_REMINDER_DAYS", services.DEFAULT_MODULE_DAYS),
    )


def link_builder() -> services.LinkBuilder | None:
    """Absolute links from ``INSIGHTS_BASE_URL`` (the site's root, without the LMS's own URL
    prefix, which the routes add), or ``None`` when it is not set: emails then carry no links.
    """
    base_url = config_value("INSIGHTS_BASE_URL")
    if not base_url:
        return None
    parts = urlsplit(str(base_url))
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise click.UsageError(
            f"INSIGHTS_BASE_URL must be an absolute http(s) URL, not {base_url!r}."
        )
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path.rstrip("/") or "/", url_scheme=parts.scheme
    )

    def build(endpoint: str, **values: Any) -> str:
        return adapter.build(endpoint, values, force_external=True)

    def links(reminder: services.Reminder) -> mail.ReminderLinks | None:
        module = reminder.module
        try:
            page = build(
                "lms.programmes.module",
                programme_code=module.programme.code,
                module_code=module.code,
            )
            calendar = build("lms.feeds.settings")
        except BuildError:
            return None
        if reminder.cohort_task is not None:
            try:
                page = build("lms.tasks.show", window_id=reminder.cohort_task.id)
            except BuildError:  # without the tasks feature: the task on its module's page
                page += "#practical-task"
        return mail.ReminderLinks(page=page, calendar=calendar)

    return links


def _parse_now(text: str | None) -> dt.datetime:
    if not text:
        return utcnow()
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not an ISO date and time such as 2026-12-21T08:00:00+00:00",
            param_hint="--now",
        ) from None
    # A time without an offset is UTC, as everything in storage is.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _line(reminder: services.Reminder) -> str:
    return f"{reminder.user.email} — {mail.subject(reminder)}"


@reminders_cli.command("send")
@click.option("--dry-run", is_flag=True, help="List what would be sent; send and record nothing.")
@click.option(
    "--now",
    "now_text",
    metavar="ISO-DATETIME",
    help="Act as if it were this time (for testing); UTC unless it has an offset.",
)
@with_appcontext
def send_command(dry_run: bool, now_text: str | None) -> None:
    """Email the reminders that are due; none is ever sent twice. Run it once a day."""
    now = _parse_now(now_text)
    policy = reminder_policy()
    if dry_run:
        reminders = services.due_reminders(session, now, policy)
        session.rollback()
        click.echo(f"Would send {len(reminders)} reminder(s) (dry run: nothing sent).")
        for reminder in reminders:
            click.echo(f"  {_line(reminder)}")
        return
    mail_from = str(config_value("INSIGHTS_MAIL_FROM", mail.DEFAULT_MAIL_FROM))
    links = link_builder()
    with mail.SmtpSender(smtp_settings()) as sender:
        report = services.send_reminders(
            session, sender, now, policy=policy, mail_from=mail_from, links=links
        )
    for reminder in report.sent:
        click.echo(f"  sent: {_line(reminder)}")
    click.echo(report.summary())
    for reminder, reason in report.failed:
        click.echo(f"  FAILED: {_line(reminder)}: {reason}", err=True)
    if report.failed:
        raise SystemExit(1)
