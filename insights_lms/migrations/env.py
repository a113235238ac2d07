"""Alembic environment for Insights LMS: our own metadata, our own version table."""

from __future__ import annotations

from typing import Any

from alembic import context
from flask import current_app

from insights_lms import models  # noqa: F401  (fills Base.metadata)
from insights_lms.db import Base
from insights_lms.migrations_util import VERSION_TABLE

target_metadata = Base.metadata


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    # A host application's tables share the database: never touch them.
    if type_ == "table":
        return bool(name and name.startswith("lms_"))
    return True


def run_migrations() -> None:
    engine = current_app.extensions["insights_lms"].db.engine
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table=VERSION_TABLE,
            include_object=include_object,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported; run against a database.")
run_migrations()
