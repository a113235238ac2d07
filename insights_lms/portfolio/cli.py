"""``flask --app insights_lms lms portfolio …``: PDF portfolios from the command line."""

from __future__ import annotations

import click


@click.group("portfolio", help="PDF progress portfolios.")
def portfolio_cli() -> None:
    pass
