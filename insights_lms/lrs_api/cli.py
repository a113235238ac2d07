"""``lms xapi create-client`` and ``lms xapi deactivate-client``: Statement API credentials.

``insights_lms.cli`` (the web wiring) adds these to the ``lms xapi`` group, so that everything
xAPI is under ``lms xapi``; this module has no group of its own.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from insights_lms.db import session
from insights_lms.lrs_api.models import XapiClientScope
from insights_lms.lrs_api.services import (
    XapiClientError,
    create_client,
    deactivate_client,
    find_client,
)

SCOPES = {"read": XapiClientScope.READ, "read-write": XapiClientScope.READ_WRITE}


@click.command("create-client")
@click.argument("name")
@click.option(
    "--scope",
    type=click.Choice(list(SCOPES)),
    default="read",
    show_default=True,
    help="read: pull statements. read-write: reserved for sending them (read-only for now).",
)
@click.option(
    "--secret",
    default=None,
    help="Use this secret (at least 12 characters) instead of a generated one; it stays in "
    "your shell history, so prefer the generated one outside the demo.",
)
@with_appcontext
def create_client_command(name: str, scope: str, secret: str | None) -> None:
    """Create credentials for the Statement API; the secret is shown only this once."""
    try:
        client, secret = create_client(session, name, scope=SCOPES[scope], secret=secret)
    except XapiClientError as exc:
        session.rollback()
        raise click.ClickException(str(exc)) from None
    session.commit()
    click.echo(f"Created the Statement API client {client.name} ({scope}).")
    click.echo(f"  key (Basic-auth username): {client.name}")
    click.echo(f"  secret:                    {secret}")
    click.echo("Keep the secret now: only its hash is stored, it cannot be shown again.")


@click.command("deactivate-client")
@click.argument("name")
@with_appcontext
def deactivate_client_command(name: str) -> None:
    """Refuse a Statement API client's credentials from now on."""
    client = find_client(session, name)
    if client is None:
        raise click.ClickException(f"No Statement API client named {name}.")
    deactivate_client(session, client)
    session.commit()
    click.echo(f"Deactivated the Statement API client {name}: its credentials no longer work.")
