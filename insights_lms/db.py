"""The project's own declarative base, column types and session access.

Insights LMS models sit on :class:`Base`, not on a Flask-SQLAlchemy ``db.Model``, so a
host application with its own Flask-SQLAlchemy instance can still use them: the
extension borrows the host's session (or creates its own) and every query goes through
:data:`session`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from flask import current_app
from sqlalchemy import DateTime, MetaData, String, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session
from werkzeug.local import LocalProxy

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC datetime on every backend.

    SQLite has no time zone type, so values are stored as naive UTC and made aware again on
    the way out; PostgreSQL stores ``timestamptz``. A naive datetime is a programming error:
    it would be silently misread by several hours, so it is refused.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: store timezone-aware datetimes only")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    """The current time, timezone-aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def new_uuid() -> str:
    """A random UUID as a string, for stable public identifiers (xAPI, feeds)."""
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    """Declarative base for every Insights LMS model (tables are prefixed ``lms_``)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        dt.datetime: UTCDateTime(),
        str: String(),
    }


def _current_session() -> Session:
    state = current_app.extensions["insights_lms"]
    sess: Session = state.db.session
    return sess


#: The request's SQLAlchemy session (the host's Flask-SQLAlchemy session when mounted).
session: Session = LocalProxy(_current_session)  # type: ignore[assignment]
