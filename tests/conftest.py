"""Fixtures: a fresh app per test on SQLite or a real PostgreSQL server (``--db``).

The schema, the content, the demo and the rich demo are built once per run as template
databases (tests/snapshot.py); each test gets its own copy of the one its fixtures need.
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
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from insights_lms import create_app
from insights_lms.auth.models import use_password_method
from insights_lms.cohorts.models import Cohort
from insights_lms.config import load_settings
from insights_lms.state import get_state
from tests.snapshot import Snapshots, level_for

#: Views load what templates show: a test whose template runs SQL fails (tests/template_sql.py).
pytest_plugins = ["tests.template_sql"]

CHROMIUM = "/usr/bin/chromium"
TEST_SECRET = "test-secret-key-not-for-production"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=["sqlite", "postgresql"],
        default=os.environ.get("INSIGHTS_TEST_DB", "sqlite"),
        help="database backend for the suite (default: sqlite, or $INSIGHTS_TEST_DB)",
    )


def pytest_configure(config: pytest.Config) -> None:
    # The testing config's cheap scrypt parameters for every password the suite hashes.
    use_password_method(load_settings({"INSIGHTS_ENV": "testing"}).password_method)


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
def snapshots(
    db_backend: str, pg_server: Any, tmp_path_factory: pytest.TempPathFactory
) -> Snapshots:
    """The template databases (tests/snapshot.py), built on first use."""
    return Snapshots(db_backend, tmp_path_factory.mktemp("snapshots"), make_config, pg_server)


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
def _schema(snapshots: Snapshots) -> None:
    """The schema, built once from the models. (The migrations are checked against the models
    by tests/integration/test_cli_and_migrations.py, on a database of their own.)"""
    snapshots.ensure("schema")


@pytest.fixture
def database_url(
    request: pytest.FixtureRequest, snapshots: Snapshots, _schema: None, tmp_path: Path
) -> Iterator[str]:
    """The test's own database: a copy of the snapshot its fixtures need (the schema, the
    content, the demo or the rich demo), dropped afterwards."""
    url = snapshots.database_for(level_for(request.fixturenames), tmp_path)
    yield url
    snapshots.release(url)


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(make_config(database_url, tmp_path / "instance"))
    yield app
    with app.app_context():
        state = get_state()
        state.db.session.rollback()
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
def content(db: Session, snapshots: Snapshots) -> Any:
    """The shipped framework and programme, loaded (the test's database is a copy of the
    content snapshot); returns what ``load_content_dirs`` returned."""
    return snapshots.content_report()


@pytest.fixture
def demo(db: Session, content: Any, snapshots: Snapshots) -> Any:
    """The demo cohort and its nine logins (``build_demo(db)``, from the demo snapshot)."""
    return db.get(Cohort, snapshots.cohort_ids["demo"])


@pytest.fixture
def rich_demo(db: Session, content: Any, snapshots: Snapshots) -> Any:
    """The demo with its term of activity (``build_demo(db, activity=True)``, no files), from
    the rich-demo snapshot; returns the cohort."""
    return db.get(Cohort, snapshots.cohort_ids["rich_demo"])


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
