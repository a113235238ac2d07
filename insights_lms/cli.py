"""The ``lms`` command group: ``flask --app insights_lms lms …``."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from insights_lms import resources
from insights_lms.auth.services import UserError, create_user
from insights_lms.cohorts.models import Cohort
from insights_lms.cohorts.services import enrol
from insights_lms.config import SECRET_KEY_FILE, write_secret_key
from insights_lms.content.loader import ContentError, load_content_dirs
from insights_lms.db import session
from insights_lms.enums import CohortRole, SchoolPhase
from insights_lms.features import feature_modules
from insights_lms.lrs_api.cli import create_client_command, deactivate_client_command
from insights_lms.migrations_util import current_revision, upgrade_to_head
from insights_lms.state import settings
from insights_lms.xapi.cli import xapi_cli


@click.group("lms", help="Insights LMS administration.")
def lms_cli() -> None:
    pass


# Each feature's command group (``insights_lms.<feature>.cli.<feature>_cli``) goes under
# ``flask lms``; a feature's cli module may also add commands to another feature's group.
for _feature, _module in feature_modules("cli"):
    _group = getattr(_module, f"{_feature}_cli", None)
    if isinstance(_group, click.Group):
        lms_cli.add_command(_group)

# The Statement API's clients live with the API (``lrs_api``, which has no group of its own);
# their commands sit under ``lms xapi`` with everything else xAPI.
xapi_cli.add_command(create_client_command)
xapi_cli.add_command(deactivate_client_command)


@lms_cli.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the database tables (Alembic upgrade to head)."""
    upgrade_to_head()
    engine = current_app.extensions["insights_lms"].db.engine
    click.echo(
        f"Database ready at revision {current_revision(engine)} ({engine.url.render_as_string()})."
    )


@lms_cli.command("load-content")
@click.option(
    "--competencies",
    "competencies_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of framework YAML (default: the shipped competencies/).",
)
@click.option(
    "--modules",
    "modules_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of programme YAML (default: the shipped modules/).",
)
@with_appcontext
def load_content_command(competencies_dir: Path | None, modules_dir: Path | None) -> None:
    """Validate and load the framework and programme YAML, all or nothing."""
    base = settings().content_dir
    competencies_dir = competencies_dir or (
        base / "competencies" if base else resources.competencies_dir()
    )
    modules_dir = modules_dir or (base / "modules" if base else resources.modules_dir())
    try:
        report = load_content_dirs(session, competencies_dir, modules_dir)
    except ContentError as exc:
        session.rollback()
        click.echo(f"Nothing was loaded: {len(exc.problems)} problem(s) in the content.", err=True)
        for problem in exc.problems:
            click.echo(f"  - {problem}", err=True)
        raise SystemExit(1) from None
    session.commit()
    click.echo(report.summary())


@lms_cli.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Prompted for when not given.",
)
@click.option("--school", default="")
@click.option("--phase", type=click.Choice([p.value for p in SchoolPhase]), default=None)
@click.option("--role-in-school", default="")
@click.option("--admin", is_flag=True, help="Site administrator: facilitates every cohort.")
@click.option("--cohort", "cohort_code", help="Enrol the new user in this cohort…")
@click.option(
    "--role",
    type=click.Choice([r.value for r in CohortRole]),
    default="participant",
    show_default=True,
    help="…with this role.",
)
@with_appcontext
def create_user_command(
    email: str,
    name: str,
    password: str,
    school: str,
    phase: str | None,
    role_in_school: str,
    admin: bool,
    cohort_code: str | None,
    role: str,
) -> None:
    """Create a user (and optionally enrol them in a cohort)."""
    cohort = None
    if cohort_code:
        cohort = session.scalar(sa.select(Cohort).where(Cohort.code == cohort_code))
        if cohort is None:
            raise click.BadParameter(f"no cohort with code {cohort_code!r}", param_hint="--cohort")
    try:
        user = create_user(
            session,
            email=email,
            name=name,
            password=password,
            school=school,
            school_phase=SchoolPhase(phase) if phase else None,
            role_in_school=role_in_school,
            is_admin=admin,
        )
    except UserError as exc:
        session.rollback()
        raise click.ClickException(str(exc)) from None
    if cohort is not None:
        enrol(session, cohort, user, CohortRole(role))
    session.commit()
    where = f", {role} in {cohort.code}" if cohort else ""
    click.echo(f"Created {user.email}{where}.")


@lms_cli.command("generate-secret-key")
@click.option("--force", is_flag=True, help="Replace an existing key (signs everyone out).")
@with_appcontext
def generate_secret_key_command(force: bool) -> None:
    """Write a new random secret key to the instance folder's secret_key file."""
    instance = Path(current_app.instance_path)
    if (instance / SECRET_KEY_FILE).exists() and not force:
        click.echo(f"{instance / SECRET_KEY_FILE} already exists; use --force to replace it.")
        return
    write_secret_key(instance)
    click.echo(f"Wrote a new secret key to {instance / SECRET_KEY_FILE}.")
