"""Fixtures: a fresh app per test on SQLite or a real PostgreSQL server (``--db``).

The schema is built once per run by the real Alembic migrations (so every run also checks
them); after each test the LMS tables are emptied.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from insights_lms import create_app
from insights_lms.db import Base
from insights_lms.state import get_state

CHROMIUM = "/usr/bin/chromium"
TEST_SECRET = "test-secret-key-not-for-production"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=["sqlite", "postgresql"],
        default=os.environ.get("INSIGHTS_TEST_DB", "sqlite"),
        help="database backend for the suite (default: sqlite, or $INSIGHTS_TEST_DB)",
    )


def pytest_report_header(config: pytest.Config) -> str:
    return f"insights-lms database: {config.getoption('--db')}"


@pytest.fixture(scope="session")
def db_backend(request: pytest.FixtureRequest) -> str:
    return str(request.config.getoption("--db"))


@pytest.fixture(scope="session")
def pg_server(db_backend: str) -> Iterator[Any]:
    if db_backend != "postgresql":
        yield None
        return
    from tests.pgserver import PostgresServer

    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def database_url(db_backend: str, pg_server: Any, tmp_path_factory: pytest.TempPathFactory) -> str:
    if db_backend == "postgresql":
        return str(pg_server.url())
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'insights-test.db'}"


def make_config(database_url: str, instance: Path, **extra: Any) -> dict[str, Any]:
    return {
        "INSIGHTS_ENV": "testing",
        "INSIGHTS_DATABASE_URL": database_url,
        "INSIGHTS_SECRET_KEY": TEST_SECRET,
        "INSIGHTS_UPLOAD_DIR": str(instance / "uploads"),
        "INSTANCE_PATH": str(instance),
        **extra,
    }


@pytest.fixture(scope="session")
def _schema(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Build the schema once from the models. (The migrations are checked against the models
    by tests/integration/test_cli_and_migrations.py, on a database of their own.)"""
    app = create_app(make_config(database_url, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        Base.metadata.create_all(get_state().db.engine)
        get_state().db.engine.dispose()


def _empty_tables(session: Session) -> None:
    tables = [t for t in reversed(Base.metadata.sorted_tables)]
    if session.get_bind().dialect.name == "postgresql":
        names = ", ".join(t.name for t in tables)
        session.execute(sa.text(f"TRUNCATE TABLE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            session.execute(table.delete())
    session.commit()


@pytest.fixture
def app(database_url: str, _schema: None, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(make_config(database_url, tmp_path / "instance"))
    yield app
    with app.app_context():
        state = get_state()
        state.db.session.rollback()
        _empty_tables(state.db.session)
        state.db.session.remove()
        state.db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """A session on the app's database, like a CLI command's (services flush; tests commit).

    It deliberately does not keep an app context pushed: requests made by ``client`` during
    the test then get their own context, as they do in production.
    """
    with app.app_context():
        engine = get_state().db.engine
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
    finally:
        session.rollback()
        session.close()


@pytest.fixture
def content(db: Session) -> Any:
    """The shipped framework and programme, loaded."""
    from insights_lms import resources
    from insights_lms.content.loader import load_content_dirs

    report = load_content_dirs(db, resources.competencies_dir(), resources.modules_dir())
    db.commit()
    return report


@pytest.fixture
def demo(db: Session, content: Any) -> Any:
    """The demo cohort and its nine logins."""
    from insights_lms.demo import build_demo

    cohort, _ = build_demo(db)
    db.commit()
    return cohort


CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


def login(
    client: FlaskClient, email: str, password: str = "insights-demo", prefix: str = ""
) -> Any:
    page = client.get(f"{prefix}/login")
    return client.post(
        f"{prefix}/login",
        data={"email": email, "password": password, "csrf_token": csrf_token(page.text)},
        follow_redirects=True,
    )


# --- the real browser -------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI: .ci/run must install Debian's chromium")
        pytest.skip(
            f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
        )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def base_url() -> str | None:
    """Replaces pytest-playwright's fallback ``base_url`` fixture, which pytest 9 deprecates
    (a session fixture defined as a method of its plugin class) and which, with warnings as
    errors, would fail every browser test. Tests use absolute URLs from ``live_server``."""
    return None


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app served on 127.0.0.1 and a free port, for the browser."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def chromium_available() -> bool:
    return Path(CHROMIUM).exists() and shutil.which(CHROMIUM) is not None
