"""``flask lms demo-data``: the demo, from the command line (``make demo`` runs it).

The demo sits above the app's wiring, so it adds its command to the ``lms`` group itself;
``insights_lms`` (the standalone app) imports this module.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from insights_lms.cli import lms_cli
from insights_lms.db import session
from insights_lms.demo import DEMO_PASSWORD, PEOPLE, DemoError, build_demo
from insights_lms.storage import get_storage, upload_transaction


@lms_cli.command("demo-data")
@click.option(
    "--programme",
    "programme_code",
    default=None,
    help="Programme code (default: the first loaded).",
)
@with_appcontext
def demo_data_command(programme_code: str | None) -> None:
    """Create the demo cohort, placed mid-programme, and its logins (safe to run again)."""
    try:
        with upload_transaction(get_storage()) as uploads:
            cohort, created = build_demo(session, programme_code, activity=True, uploads=uploads)
            session.commit()
    except DemoError as exc:
        session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(
        ("Created" if created else "Kept") + f" the demo cohort {cohort.code!r}. Logins "
        f"(password {DEMO_PASSWORD!r}):"
    )
    for person in PEOPLE:
        click.echo(f"  {person.role.value:<12} {person.email:<28} {person.name}")
    click.echo(
        "Also last year's finished cohort 'demo-cohort-finished' (same facilitator and coaches; "
        "alumni1..6@example.org), so the programme evaluation has data."
    )
    click.echo("Statement API (GET /xapi/statements, HTTP Basic): demo-lrs / insights-demo")
