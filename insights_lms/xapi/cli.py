"""``flask --app insights_lms lms xapi …``: forwarding statements to the LRS.

``flush`` sends what is due once and exits (cron, or by hand); ``worker`` keeps forwarding until
SIGTERM or Ctrl-C (several can run against PostgreSQL; on SQLite run one); ``status`` prints the
outbox and the pause alert; ``requeue`` and ``resume`` undo what made statements stop. The
Statement API's client commands (``create-client``, ``deactivate-client``) are added to this
group by the web wiring (``insights_lms.cli``), since they belong to ``lrs_api``.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from insights_lms.config import ConfigError, load_settings
from insights_lms.db import session
from insights_lms.state import get_state
from insights_lms.xapi import services
from insights_lms.xapi.forwarder import Forwarder, ForwarderConfig, PassReport, run_worker
from insights_lms.xapi.models import XapiStatementStatus

NOT_CONFIGURED = (
    "No LRS is configured: set INSIGHTS_LRS_ENDPOINT (and INSIGHTS_LRS_USERNAME, "
    "INSIGHTS_LRS_PASSWORD). Statements keep waiting in the outbox until then."
)


@click.group("xapi", help="xAPI statements: forward to the LRS, status, API clients.")
def xapi_cli() -> None:
    pass


def forwarder_config() -> ForwarderConfig:
    """The forwarding settings, read when the command runs (the environment, with the app's
    ``INSIGHTS_*`` config on top); a usage error when no LRS is configured."""
    try:
        settings = load_settings(current_app.config)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    config = ForwarderConfig.from_settings(settings, str(current_app.config["SECRET_KEY"]))
    if config is None:
        raise click.UsageError(NOT_CONFIGURED)
    return config


def _forwarder(config: ForwarderConfig) -> Forwarder:
    return Forwarder(get_state().db.engine, config)


@xapi_cli.command("flush")
@with_appcontext
def flush_command() -> None:
    """Send every due statement once, print what happened, and exit.

    Exits with status 1 when sending is paused or the LRS could not take a batch (the
    statements stay queued and are retried later).
    """
    config = forwarder_config()
    forwarder = _forwarder(config)
    try:
        report = forwarder.run_pass()
    finally:
        forwarder.close()
    click.echo(f"xAPI flush to {config.endpoint}: {report.summary()}.")
    _echo_queue()
    if report.paused:
        click.echo(f"PAUSED: {report.paused}", err=True)
    elif report.failure:
        click.echo(f"Not delivered: {report.failure}", err=True)
    if report.paused or report.failure:
        raise SystemExit(1)


@xapi_cli.command("worker")
@with_appcontext
def worker_command() -> None:
    """Keep forwarding statements until SIGTERM or Ctrl-C.

    On SIGTERM the batch in hand is finished (or, if it is being split up, what is left of it
    is handed back) before the worker exits; a second signal stops at once, and the claimed
    batch is sent again by the next worker once its lease runs out.
    """
    config = forwarder_config()
    _log_to_stderr()
    forwarder = _forwarder(config)
    stop = threading.Event()
    single = " (SQLite: run one worker only)" if get_state().db.engine.name == "sqlite" else ""
    click.echo(
        f"xAPI worker {forwarder.name} forwarding to {config.endpoint} in batches of "
        f"{config.batch_size}{single}; SIGTERM or Ctrl-C stops it.",
        err=True,
    )
    with _stop_on_signals(stop):
        try:
            totals = run_worker(forwarder, stop, on_pass=_echo_pass)
        except KeyboardInterrupt:
            click.echo("xAPI worker stopped at once; its batch was handed back.", err=True)
            raise SystemExit(130) from None
        finally:
            forwarder.close()
    click.echo(f"xAPI worker stopped: {totals.summary()}.", err=True)


def _echo_pass(report: PassReport) -> None:
    if report.paused and not report.batches:
        click.echo(f"PAUSED: {report.paused}", err=True)


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM/SIGINT set ``stop``; a second one raises (the finally blocks hand back claims)."""

    def handle(signum: int, _frame: Any) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        click.echo(f"{signal.Signals(signum).name}: finishing the current batch…", err=True)
        stop.set()

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _log_to_stderr() -> None:
    logger = logging.getLogger("insights_lms.xapi")
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)


@xapi_cli.command("status")
@with_appcontext
def status_command() -> None:
    """Print the outbox counts, whether sending is paused, and the last error."""
    try:
        settings = load_settings(current_app.config)
        endpoint = settings.lrs_endpoint
    except ConfigError:
        endpoint = None
    click.echo(f"LRS: {endpoint or 'not configured (INSIGHTS_LRS_ENDPOINT)'}")
    status = _echo_queue()
    click.echo(f"Paused: {'YES' if status.is_paused else 'no'}")
    if status.is_paused:
        click.echo(f"  since {status.paused_dt:%Y-%m-%d %H:%M:%S} UTC: {status.pause_reason}")
    if status.last_error:
        assert status.last_error_dt is not None
        click.echo(
            f"Last error ({status.last_error_dt:%Y-%m-%d %H:%M:%S} UTC): {status.last_error}"
        )
    else:
        click.echo("Last error: none")
    if status.last_sent_dt:
        click.echo(f"Last sent: {status.last_sent_dt:%Y-%m-%d %H:%M:%S} UTC")


def _echo_queue() -> services.ForwardingStatus:
    status = services.forwarding_status(session)
    session.rollback()
    q = XapiStatementStatus
    click.echo(
        f"Queued: {status.count(q.QUEUED)} ({status.due} due now, {status.in_flight} being "
        f"sent, {status.waiting} waiting to retry)"
    )
    for label, state in (
        ("Sent", q.SENT),
        ("Dead", q.DEAD),
        ("Rejected", q.REJECTED),
        ("Conflict", q.CONFLICT),
    ):
        click.echo(f"{label}: {status.count(state)}")
    return status


@xapi_cli.command("requeue")
@click.option(
    "--id",
    "statement_ids",
    multiple=True,
    metavar="STATEMENT_ID",
    help="Only this statement (repeat for several).",
)
@click.option("--event", help="Only statements of this event, e.g. evidence.created.")
@click.option(
    "--status",
    "statuses",
    type=click.Choice([s.value for s in services.SET_ASIDE]),
    multiple=True,
    help="Which set-aside statements (repeat for several; default: dead).",
)
@with_appcontext
def requeue_command(
    statement_ids: tuple[str, ...], event: str | None, statuses: tuple[str, ...]
) -> None:
    """Queue set-aside statements again (all dead letters unless told otherwise)."""
    chosen = [XapiStatementStatus(s) for s in statuses]
    if not chosen:
        chosen = list(services.SET_ASIDE) if statement_ids else [XapiStatementStatus.DEAD]
    try:
        count = services.requeue(session, statement_ids=statement_ids, event=event, statuses=chosen)
    except services.XapiError as exc:
        session.rollback()
        raise click.ClickException(str(exc)) from None
    session.commit()
    click.echo(f"Re-queued {count} statement{'s' if count != 1 else ''}.")


@xapi_cli.command("resume")
@with_appcontext
def resume_command() -> None:
    """Resume sending after the LRS refused the credentials (once fixed on the LRS's side)."""
    try:
        services.resume(session)
    except services.XapiError as exc:
        session.rollback()
        raise click.ClickException(str(exc)) from None
    session.commit()
    click.echo("Sending to the LRS resumes with the next pass of a worker (or `lms xapi flush`).")
