"""``flask --app insights_lms lms xapi …``: forwarding statements to the LRS."""

from __future__ import annotations

import click


@click.group("xapi", help="xAPI statements: forward to the LRS, status, API clients.")
def xapi_cli() -> None:
    pass
