"""Time zone helpers: storage is UTC, people see the programme's local time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def shift_local(value: dt.datetime, days: int, zone: ZoneInfo) -> dt.datetime:
    """Move ``value`` by whole days on the local wall clock (09:00 stays 09:00 across DST)."""
    local = value.astimezone(zone).replace(tzinfo=None) + dt.timedelta(days=days)
    return local.replace(tzinfo=zone).astimezone(dt.UTC)


def local(value: dt.datetime, zone: str | ZoneInfo) -> dt.datetime:
    """``value`` in the given time zone."""
    return value.astimezone(ZoneInfo(zone) if isinstance(zone, str) else zone)


def format_local(
    value: dt.datetime | None, zone: str | ZoneInfo, fmt: str = "%a %-d %b %Y, %H:%M"
) -> str:
    """A human date and time in the programme's zone, e.g. ``Thu 5 Nov 2026, 09:00``."""
    if value is None:
        return ""
    return local(value, zone).strftime(fmt)
