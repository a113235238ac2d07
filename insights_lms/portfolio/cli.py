"""``flask --app insights_lms lms portfolio …``: PDF portfolios from the command line."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from insights_lms.auth.models import User
from insights_lms.cohorts.models import Cohort, Enrolment
from insights_lms.db import session
from insights_lms.enums import CohortRole
from insights_lms.portfolio.export import ExportJob, export, worker_config
from insights_lms.portfolio.render import portfolio_filename
from insights_lms.state import get_state


@click.group("portfolio", help="PDF progress portfolios.")
def portfolio_cli() -> None:
    pass


@portfolio_cli.command("export")
@click.option("--cohort", "cohort_code", required=True, help="The cohort's code.")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the PDFs to (created if missing). Each PDF is readable by you only; "
    "a file of the same name is replaced.",
)
@click.option(
    "--user",
    "emails",
    multiple=True,
    help="Only this participant, by email (repeat for several).",
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes (default: the number of CPU cores).",
)
@click.option("--embed-attachments", is_flag=True, help="Embed evidence files in the PDFs.")
@click.option(
    "--verbose", is_flag=True, help="List each portfolio with its time, size and worker memory."
)
@with_appcontext
def export_command(
    cohort_code: str,
    out_dir: Path,
    emails: tuple[str, ...],
    jobs: int | None,
    embed_attachments: bool,
    verbose: bool,
) -> None:
    """Render the portfolio of every participant of a cohort, in parallel worker processes.

    Failures are listed at the end and make the command exit with status 1; nothing is
    skipped silently.
    """
    cohort = session.scalar(sa.select(Cohort).where(Cohort.code == cohort_code))
    if cohort is None:
        raise click.BadParameter(f"no cohort with code {cohort_code!r}", param_hint="--cohort")
    enrolments = list(
        session.scalars(
            sa.select(Enrolment)
            .join(Enrolment.user)
            .where(Enrolment.cohort_id == cohort.id, Enrolment.role == CohortRole.PARTICIPANT)
            .order_by(User.name, User.id)
        )
    )
    if emails:
        wanted = {e.strip().lower() for e in emails}
        found = {e.user.email.lower() for e in enrolments}
        missing = sorted(wanted - found)
        if missing:
            raise click.BadParameter(
                f"not a participant of {cohort.code}: {', '.join(missing)}", param_hint="--user"
            )
        enrolments = [e for e in enrolments if e.user.email.lower() in wanted]
    if not enrolments:
        click.echo(f"{cohort.title} has no participants: nothing to export.")
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    work = [
        ExportJob(e.id, e.user.name, e.user.email, str(out_dir / portfolio_filename(e)))
        for e in enrolments
    ]
    workers = jobs or os.cpu_count() or 1
    app_factory = get_state().app_factory
    if app_factory is None:
        raise click.ClickException(
            "This app was mounted without an app_factory: pass InsightsLMS(app, "
            "app_factory=...) so that export workers can build it again."
        )
    config = worker_config(current_app._get_current_object())  # type: ignore[attr-defined]

    def end_transaction() -> None:
        # Nothing to keep: end the transaction so that no connection is in use while forking.
        session.rollback()
        session.close()

    results = []
    started = time.perf_counter()
    with click.progressbar(
        length=len(work),
        label=f"Rendering {len(work)} portfolio{'s' if len(work) != 1 else ''}",
        show_pos=True,
        file=sys.stderr,
    ) as bar:
        for result in export(
            work,
            config,
            app_factory=app_factory,
            workers=workers,
            embed_attachments=embed_attachments,
            before_start=end_transaction,
        ):
            results.append(result)
            bar.update(1)
    elapsed = time.perf_counter() - started
    if verbose:
        for result in sorted(results, key=lambda r: r.job.name.casefold()):
            click.echo(
                f"  {result.job.name}: {'ok' if result.ok else 'FAILED'}, "
                f"{result.seconds:.2f} s, {result.size / 1024:.0f} KB, worker {result.pid} "
                f"peak {result.peak_rss_mb:.0f} MB (private {result.private_mb:.0f} MB)"
            )
    failures = [r for r in results if not r.ok]
    click.echo(
        f"Wrote {len(results) - len(failures)} of {len(work)} portfolios to {out_dir} "
        f"in {elapsed:.1f} s ({min(workers, len(work))} worker processes)."
    )
    if failures:
        click.echo(f"{len(failures)} failed:", err=True)
        for result in sorted(failures, key=lambda r: r.job.name.casefold()):
            click.echo(f"  - {result.job.name} <{result.job.email}>: {result.error}", err=True)
        raise SystemExit(1)
