"""The `lms` commands on a fresh database, and migrations that match the models."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from insights_lms import create_app
from insights_lms.auth.models import User
from insights_lms.cohorts.models import Cohort, Enrolment
from insights_lms.db import Base
from insights_lms.migrations_util import VERSION_TABLE, head_revision
from insights_lms.state import get_state
from tests.conftest import make_config


def fresh_app(tmp_path, db_backend, pg_server):
    if db_backend == "postgresql":
        url = pg_server.create_database(f"fresh_{tmp_path.name[-12:].lower().replace('-', '_')}")
    else:
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
    return create_app(make_config(url, tmp_path / "instance"))


def test_init_creates_schema_at_head_and_is_idempotent(tmp_path, db_backend, pg_server):
    app = fresh_app(tmp_path, db_backend, pg_server)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["lms", "init"])
    assert first.exit_code == 0, first.output
    assert f"revision {head_revision()}" in first.output
    second = runner.invoke(args=["lms", "init"])
    assert second.exit_code == 0, second.output
    with app.app_context():
        engine = get_state().db.engine
        tables = set(sa.inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert VERSION_TABLE in tables
        with engine.connect() as conn:
            # The migrations describe exactly the models: nothing left for autogenerate.
            ctx = MigrationContext.configure(
                conn, opts={"version_table": VERSION_TABLE, "compare_type": True}
            )
            diff = [d for d in compare_metadata(ctx, Base.metadata) if "lms_" in repr(d)]
        assert diff == []
        engine.dispose()


def test_load_content_demo_data_and_create_user(tmp_path, db_backend, pg_server):
    app = fresh_app(tmp_path, db_backend, pg_server)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["lms", "init"]).exit_code == 0
    loaded = runner.invoke(args=["lms", "load-content"])
    assert loaded.exit_code == 0, loaded.output
    assert "Loaded 1 framework(s) (insights-school-leadership)" in loaded.output

    demo = runner.invoke(args=["lms", "demo-data"])
    assert demo.exit_code == 0, demo.output
    for email in ["facilitator@example.org", "coach1@example.org", "coach2@example.org"] + [
        f"participant{i}@example.org" for i in range(1, 7)
    ]:
        assert email in demo.output
    assert "insights-demo" in demo.output
    again = runner.invoke(args=["lms", "demo-data"])
    assert again.exit_code == 0 and "Kept the demo cohort" in again.output

    created = runner.invoke(
        args=[
            "lms",
            "create-user",
            "--email",
            "New.Head@School.example",
            "--name",
            "New Head",
            "--phase",
            "secondary",
            "--cohort",
            "demo-cohort",
            "--role",
            "participant",
        ],
        input="a good long password\na good long password\n",
    )
    assert created.exit_code == 0, created.output
    assert "Created new.head@school.example, participant in demo-cohort." in created.output
    duplicate = runner.invoke(
        args=[
            "lms",
            "create-user",
            "--email",
            "new.head@school.example",
            "--name",
            "X",
            "--password",
            "another long password",
        ]
    )
    assert duplicate.exit_code == 1 and "already exists" in duplicate.output
    unknown = runner.invoke(
        args=[
            "lms",
            "create-user",
            "--email",
            "x@school.example",
            "--name",
            "X",
            "--password",
            "another long password",
            "--cohort",
            "nope",
        ]
    )
    assert unknown.exit_code == 2 and "no cohort with code 'nope'" in unknown.output

    with app.app_context():
        session = get_state().db.session
        # The nine demo logins, six alumni of last year's finished cohort, and the new head.
        assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 16
        assert session.scalar(sa.select(sa.func.count()).select_from(Cohort)) == 2
        # Demo cohort: 9 and the new head; finished cohort: facilitator, two coaches, six alumni.
        assert session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 19
        session.remove()
        get_state().db.engine.dispose()


def test_demo_data_without_content_explains_what_to_run(tmp_path, db_backend, pg_server):
    app = fresh_app(tmp_path, db_backend, pg_server)
    runner = app.test_cli_runner()
    runner.invoke(args=["lms", "init"])
    result = runner.invoke(args=["lms", "demo-data"])
    assert result.exit_code == 1
    assert "lms load-content" in result.output
    with app.app_context():
        get_state().db.engine.dispose()


#: Rows of a database at revision 0005 that the renamed tables hold or refer to (raw SQL: the
#: models describe the head, not 0005).
ROWS_AT_0005 = [
    "INSERT INTO lms_framework (id, code, title, version, description, source)"
    " VALUES (7, 'f', 'F', '1', '', '')",
    "INSERT INTO lms_programme (id, code, title, description, framework_id, time_zone)"
    " VALUES (8, 'p', 'P', '', 7, 'Europe/London')",
    "INSERT INTO lms_challenge (id, programme_id, code, title, description, position)"
    " VALUES (41, 8, 'oracy', 'Oracy', '', 0)",
    "INSERT INTO lms_user (id, public_id, email, name, password_hash, session_token, school,"
    " role_in_school, is_active, is_admin, created_dt)"
    " VALUES (5, 'u5', 'head@example.org', 'Head', '', 't', '', '', TRUE, FALSE,"
    " '2026-01-05 09:00:00+00:00')",
    "INSERT INTO lms_school_context (id, user_id, notes, updated_dt)"
    " VALUES (3, 5, '', '2026-01-05 09:00:00+00:00')",
    "INSERT INTO lms_context_challenge_rating (id, school_context_id, challenge_id, weight,"
    " comment, rated_dt) VALUES (9, 3, 41, 3, 'rising', '2026-01-05 09:00:00+00:00')",
]


def test_renaming_the_school_challenge_tables_keeps_every_row_and_reference(
    tmp_path, db_backend, pg_server
):
    """Migration 0006 renames lms_challenge and lms_context_challenge_rating in place: a
    database at 0005 with a challenge and a school's rating of it comes out with the same rows
    and ids, and the rating's foreign key now refers to the renamed table."""
    app = fresh_app(tmp_path, db_backend, pg_server)
    runner = app.test_cli_runner()
    at_0005 = runner.invoke(args=["db", "upgrade", "0005"])
    assert at_0005.exit_code == 0, at_0005.output
    with app.app_context():
        engine = get_state().db.engine
        with engine.begin() as conn:
            for statement in ROWS_AT_0005:
                conn.execute(sa.text(statement))
        engine.dispose()

    upgraded = runner.invoke(args=["lms", "init"])
    assert upgraded.exit_code == 0, upgraded.output
    with app.app_context():
        engine = get_state().db.engine
        inspector = sa.inspect(engine)
        tables = set(inspector.get_table_names())
        assert {"lms_school_challenge", "lms_school_challenge_rating"} <= tables
        assert not {"lms_challenge", "lms_context_challenge_rating"} & tables
        [fk] = [
            fk
            for fk in inspector.get_foreign_keys("lms_school_challenge_rating")
            if fk["constrained_columns"] == ["challenge_id"]
        ]
        assert fk["referred_table"] == "lms_school_challenge"
        with engine.begin() as conn:
            challenge = conn.execute(
                sa.text("SELECT id, programme_id, code, title FROM lms_school_challenge")
            ).all()
            rating = conn.execute(
                sa.text(
                    "SELECT id, school_context_id, challenge_id, weight, comment"
                    " FROM lms_school_challenge_rating"
                )
            ).all()
        assert challenge == [(41, 8, "oracy", "Oracy")]
        assert rating == [(9, 3, 41, 3, "rising")]
        engine.dispose()

    # And back: the downgrade restores the old names with the same rows.
    down = runner.invoke(args=["db", "downgrade", "0005"])
    assert down.exit_code == 0, down.output
    with app.app_context():
        engine = get_state().db.engine
        with engine.begin() as conn:
            back = conn.execute(
                sa.text("SELECT id, challenge_id FROM lms_context_challenge_rating")
            )
            assert back.all() == [(9, 41)]
        engine.dispose()
