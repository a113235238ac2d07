"""GET /healthz: 200 with the database up, 503 when it cannot be reached."""

from __future__ import annotations

from pathlib import Path

from insights_lms import create_app
from tests.conftest import make_config


def test_healthz_reports_ok_when_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_needs_no_login(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 302  # while every page does


def test_healthz_503_when_database_unreachable(tmp_path: Path):
    # A PostgreSQL URL on a port where nothing listens: the connection is refused.
    from tests.pgserver import free_port

    url = f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/nothing?connect_timeout=2"
    app = create_app(make_config(url, tmp_path / "instance"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable"}
