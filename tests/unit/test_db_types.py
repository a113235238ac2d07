"""Datetimes are timezone-aware UTC in storage on every backend."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from insights_lms.auth.models import User
from tests.factories import make_user


def test_aware_datetimes_round_trip_as_utc(db):
    user = make_user(db)
    london_summer = dt.datetime(2026, 7, 1, 9, 30, tzinfo=ZoneInfo("Europe/London"))
    user.last_login_dt = london_summer
    db.commit()
    db.expire_all()
    stored = db.scalar(sa.select(User.last_login_dt).where(User.id == user.id))
    assert stored == london_summer
    assert stored.utcoffset() == dt.timedelta(0)
    assert (stored.hour, stored.minute) == (8, 30)


def test_naive_datetimes_are_refused(db):
    user = make_user(db)
    user.last_login_dt = dt.datetime(2026, 7, 1, 9, 30)
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        db.flush()
    db.rollback()


def test_table_names_are_prefixed_and_constraints_named():
    from insights_lms.db import Base

    for table in Base.metadata.sorted_tables:
        assert table.name.startswith("lms_")
        for constraint in table.constraints:
            assert constraint.name, f"unnamed constraint on {table.name}"
