"""Signing in and out through the web: messages, throttling, CSRF, cookies, redirects."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_token, login


def test_login_page_has_labelled_fields(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert '<label for="email">Email address</label>' in page.text
    assert '<label for="password">Password</label>' in page.text
    assert 'autocomplete="current-password"' in page.text


def test_sign_in_lands_on_home_page(client, demo):
    response = login(client, "participant1@example.org")
    assert response.status_code == 200
    assert response.request.path == "/"
    assert "Welcome, Amina Rahman" in response.text


def test_wrong_password_gets_a_clear_message_and_no_session(client, demo):
    response = login(client, "participant1@example.org", "not-the-password")
    assert response.status_code == 200
    assert "do not match an account" in response.text
    assert 'role="alert"' in response.text
    assert 'value="participant1@example.org"' in response.text  # what they typed is kept
    assert client.get("/").status_code == 302


def test_empty_form_says_what_is_missing(client, demo):
    page = client.get("/login")
    response = client.post("/login", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 400
    assert "Enter your email address." in response.text
    assert "Enter your password." in response.text
    assert 'aria-invalid="true"' in response.text


def test_repeated_failures_lock_the_account_for_a_while(app, client, demo):
    limit = app.config.get("INSIGHTS_LOGIN_MAX_ATTEMPTS", 5)
    for _ in range(limit):
        login(client, "coach1@example.org", "guessing-wrongly")
    response = login(client, "coach1@example.org")  # even the right password
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.text
    assert client.get("/").status_code == 302
    # Another account is unaffected.
    assert "Welcome, Marcus Reid" in login(client, "coach2@example.org").text


def test_login_without_csrf_token_is_refused(client, demo):
    response = client.post(
        "/login", data={"email": "participant1@example.org", "password": "insights-demo"}
    )
    assert response.status_code == 400
    assert "That form has expired" in response.text
    assert client.get("/").status_code == 302


def test_logout_is_a_csrf_protected_post(client, demo):
    home = login(client, "participant1@example.org")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no token: still signed in
    assert client.get("/").status_code == 200
    response = client.post(
        "/logout", data={"csrf_token": csrf_token(home.text)}, follow_redirects=True
    )
    assert "You have signed out." in response.text
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("next_url", "landing"),
    [
        ("/framework/", "/framework/insights-school-leadership/"),
        ("https://evil.example/phish", "/"),
        ("//evil.example/phish", "/"),
    ],
)
def test_sign_in_returns_only_to_pages_on_this_site(client, demo, next_url, landing):
    page = client.get("/login")
    response = client.post(
        f"/login?next={next_url}",
        data={
            "email": "participant1@example.org",
            "password": "insights-demo",
            "csrf_token": csrf_token(page.text),
        },
        follow_redirects=True,
    )
    assert response.request.path == landing


def test_session_cookie_is_httponly_and_samesite(client, demo):
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "email": "participant1@example.org",
            "password": "insights-demo",
            "csrf_token": csrf_token(page.text),
        },
    )
    cookie = next(
        v for k, v in response.headers.items() if k == "Set-Cookie" and "insights_session" in v
    )
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_pages_require_sign_in(client, demo):
    for url in ["/", "/framework/", "/programmes/insights-2026/modules/M1", "/cohorts/demo-cohort"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.location.startswith("/login")
