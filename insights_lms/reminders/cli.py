"""``flask --app insights_lms lms reminders …``."""

from __future__ import annotations

import click


@click.group("reminders", help="Email reminders before tasks are due and before modules.")
def reminders_cli() -> None:
    pass
