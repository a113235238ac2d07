"""Security headers on every LMS answer (issue 12, failure 5) and e-mailed links that never
take their host from the request (issue 12, failure 6)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from insights_lms import create_app
from insights_lms.demo import PEOPLE
from insights_lms.extension import InsightsLMS
from insights_lms.security import allow_frame_ancestors
from insights_lms.state import get_state
from tests.conftest import csrf_token, login, make_config
from tests.http.test_enrolment_import import FIXED, upload
from tests.http.test_template_queries import crawl

BASE_URL = "https://lms.example.org"


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The suite's app, with INSIGHTS_BASE_URL set as production requires."""
    app = create_app(make_config(database_url, tmp_path / "instance", INSIGHTS_BASE_URL=BASE_URL))
    yield app
    with app.app_context():
        state = get_state()
        state.db.session.rollback()
        state.db.session.remove()
        state.db.engine.dispose()


class RecordingClient(FlaskClient):
    """A test client that keeps the headers of every GET answer, by URL."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answers: dict[str, tuple[str, dict[str, str]]] = {}

    def get(self, *args: Any, **kwargs: Any) -> TestResponse:
        response = super().get(*args, **kwargs)
        self.answers[str(args[0])] = (response.mimetype, dict(response.headers))
        return response


def assert_page_headers(url: str, headers: dict[str, str]) -> None:
    csp = headers.get("Content-Security-Policy", "")
    assert "default-src 'none'" in csp, (url, csp)
    assert "script-src 'self'" in csp and "style-src 'self'" in csp, (url, csp)
    assert "unsafe-inline" not in csp, (url, csp)
    assert "frame-ancestors 'none'" in csp, (url, csp)
    assert headers.get("X-Frame-Options") == "DENY", url
    assert headers.get("X-Content-Type-Options") == "nosniff", url
    assert headers.get("Referrer-Policy") in {"strict-origin-when-cross-origin", "no-referrer"}
    permissions = headers.get("Permissions-Policy", "")
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in permissions, (url, permissions)
    assert "Strict-Transport-Security" not in headers, url


@pytest.mark.parametrize("email", [person.email for person in PEOPLE])
def test_every_page_a_demo_login_reaches_has_the_security_headers(app, demo, email):
    client = RecordingClient(app, app.response_class, use_cookies=True)
    login(client, email)
    pages = crawl(client)
    assert len(pages) > 5, pages
    html_pages = 0
    for url, (mimetype, headers) in client.answers.items():
        assert headers.get("X-Content-Type-Options") == "nosniff", url
        assert "frame-ancestors 'none'" in headers.get("Content-Security-Policy", ""), url
        if mimetype == "text/html":
            html_pages += 1
            assert_page_headers(url, headers)
    assert html_pages > 5


def test_sign_in_error_pages_and_assets_have_the_headers(client, demo):
    assert_page_headers("/login", dict(client.get("/login").headers))
    login(client, "facilitator@example.org")
    missing = client.get("/cohorts/NO-SUCH-COHORT")
    assert missing.status_code == 404
    assert_page_headers("a 404 page", dict(missing.headers))
    unknown = client.get("/no/such/page/at/all")
    assert unknown.status_code == 404
    assert_page_headers("the standalone app's 404 page", dict(unknown.headers))
    css = client.get("/assets/lms.css")
    assert css.status_code == 200
    assert css.headers["X-Content-Type-Options"] == "nosniff"
    css.close()


def test_the_statement_api_answers_nosniff_without_a_page_policy(client, content):
    answer = client.get("/xapi/about")
    assert answer.mimetype == "application/json"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Content-Security-Policy"] == "frame-ancestors 'none'"


def test_a_view_keeps_a_stricter_header_it_set_itself(app, client, demo):
    login(client, "facilitator@example.org")
    preview = upload(client, demo.code, FIXED)
    text = re.search(r'name="csv_text" type="hidden" value="([^"]*)"', preview.text)
    assert text
    done = client.post(
        f"/cohorts/{demo.code}/import/confirm",
        data={"csrf_token": csrf_token(preview.text), "csv_text": html.unescape(text.group(1))},
    )
    path = re.findall(r"https://lms.example.org(/welcome/[\w-]+)", done.text)[0]
    welcome = app.test_client().get(path)
    assert welcome.status_code == 200
    assert welcome.headers["Referrer-Policy"] == "no-referrer"
    assert_page_headers(path, dict(welcome.headers))


def test_registered_origins_may_frame_the_pages(app, client):
    allow_frame_ancestors(app, lambda: ["https://platform.example"])
    page = client.get("/login")
    assert "frame-ancestors https://platform.example" in page.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in page.headers


def test_frame_ancestors_setting_is_read(database_url, tmp_path):
    app = create_app(
        make_config(
            database_url,
            tmp_path / "instance",
            INSIGHTS_FRAME_ANCESTORS="https://a.example https://b.example:8443",
        )
    )
    page = app.test_client().get("/login")
    assert (
        "frame-ancestors https://a.example https://b.example:8443"
        in (page.headers["Content-Security-Policy"])
    )


def test_hsts_only_in_production(database_url, tmp_path, client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    production = create_app(
        make_config(
            database_url, tmp_path / "prod", INSIGHTS_ENV="production", INSIGHTS_BASE_URL=BASE_URL
        )
    )
    page = production.test_client().get("/login", base_url="https://lms.example.org")
    assert page.status_code == 200
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]


def test_the_headers_stay_on_the_lms_blueprint_of_a_host_app(database_url, tmp_path):
    host = Flask("host", instance_path=str(tmp_path / "host"))
    host.config.update(make_config(database_url, tmp_path / "host"), SECRET_KEY="h" * 40)
    host.config["SQLALCHEMY_DATABASE_URI"] = database_url

    @host.get("/")
    def home() -> str:
        return "<p>The host's page</p>"

    InsightsLMS(host, url_prefix="/learning")
    client = host.test_client()
    assert "Content-Security-Policy" not in client.get("/").headers
    assert_page_headers("/learning/login", dict(client.get("/learning/login").headers))


class Outbox:
    """Stands in for ``SmtpSender``: keeps what would have been sent."""

    sent: list[EmailMessage] = []

    def __init__(self, _settings: Any) -> None:
        pass

    def __enter__(self) -> Any:
        return Outbox.sent.append

    def __exit__(self, *_exc: object) -> None:
        pass


def test_a_forged_host_never_reaches_the_mailed_welcome_link(client, demo, monkeypatch):
    monkeypatch.setattr("insights_lms.enrolment.views.SmtpSender", Outbox)
    Outbox.sent = []
    # Every request of this visit names the attacker's host (as a forged Host header would).
    client.environ_base["HTTP_HOST"] = "attacker.example"
    login(client, "facilitator@example.org")
    preview = upload(client, demo.code, FIXED)
    text = re.search(r'name="csv_text" type="hidden" value="([^"]*)"', preview.text)
    assert text
    done = client.post(
        f"/cohorts/{demo.code}/import/confirm",
        data={
            "csrf_token": csrf_token(preview.text),
            "csv_text": html.unescape(text.group(1)),
            "mode": "all",
        },
    )
    assert done.status_code == 200, done.text
    assert len(Outbox.sent) == 2
    for message in Outbox.sent:
        body = message.get_content()
        assert "attacker.example" not in body
        assert re.search(r"https://lms\.example\.org/welcome/[\w-]+", body), body
    assert "attacker.example" not in done.text
    assert len(re.findall(r"https://lms\.example\.org/welcome/[\w-]+", done.text)) == 2
