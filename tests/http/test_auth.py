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


# --- signing out ends every way back in (issue 12, failures 1 and 2) ------------------------


def _login_remembered(client, email="participant1@example.org", password="insights-demo"):
    page = client.get("/login")
    return client.post(
        "/login",
        data={
            "email": email,
            "password": password,
            "remember": "y",
            "csrf_token": csrf_token(page.text),
        },
        follow_redirects=True,
    )


def _cookie(client, name):
    cookie = client.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    return cookie.value


def _sign_out(client, url="/logout"):
    page = client.get("/")
    return client.post(url, data={"csrf_token": csrf_token(page.text)})


def test_sign_out_deletes_the_remember_cookie(client, demo):
    _login_remembered(client)
    assert client.get_cookie("remember_token") is not None
    response = _sign_out(client)
    deletions = [
        v
        for k, v in response.headers.items()
        if k == "Set-Cookie" and v.startswith("remember_token=")
    ]
    assert deletions, "the sign-out response does not delete remember_token"
    assert "Expires=Thu, 01 Jan 1970" in deletions[0]
    assert client.get_cookie("remember_token") is None
    assert client.get("/").status_code == 302


def test_old_remember_cookie_is_refused_after_sign_out(app, client, demo):
    _login_remembered(client)
    remember = _cookie(client, "remember_token")
    _sign_out(client)
    thief = app.test_client()
    thief.set_cookie("remember_token", remember)
    response = thief.get("/")
    assert response.status_code == 302
    assert response.location.startswith("/login")


def test_copied_session_cookie_is_refused_after_sign_out(app, client, demo):
    login(client, "participant1@example.org")
    copied = _cookie(client, "insights_session")
    _sign_out(client)
    thief = app.test_client()
    thief.set_cookie("insights_session", copied)
    response = thief.get("/")
    assert response.status_code == 302
    assert response.location.startswith("/login")


def test_sign_out_everywhere_ends_the_other_devices(app, client, demo):
    laptop = app.test_client()
    _login_remembered(laptop)
    laptop_remember = _cookie(laptop, "remember_token")
    login(client, "participant1@example.org")
    account = client.get("/account")
    assert account.status_code == 200
    assert "Sign out everywhere" in account.text
    response = client.post(
        "/logout/everywhere", data={"csrf_token": csrf_token(account.text)}, follow_redirects=True
    )
    assert "You have signed out on every device." in response.text
    assert client.get("/").status_code == 302
    assert laptop.get("/").status_code == 302  # its session is refused
    restored = app.test_client()
    restored.set_cookie("remember_token", laptop_remember)
    assert restored.get("/").status_code == 302  # and its remember cookie too


def test_sign_out_everywhere_is_a_csrf_protected_post(client, demo):
    login(client, "participant1@example.org")
    assert client.get("/logout/everywhere").status_code == 405
    client.post("/logout/everywhere")  # no token: nothing happens
    assert client.get("/").status_code == 200


def _change_password(client, current, new, confirm=None):
    page = client.get("/account")
    return client.post(
        "/account",
        data={
            "current": current,
            "password": new,
            "confirm": new if confirm is None else confirm,
            "csrf_token": csrf_token(page.text),
        },
        follow_redirects=True,
    )


def test_password_change_signs_out_the_other_devices_but_not_this_one(app, client, demo):
    other = app.test_client()
    _login_remembered(other, "coach1@example.org")
    other_remember = _cookie(other, "remember_token")
    _login_remembered(client, "coach1@example.org")
    response = _change_password(client, "insights-demo", "a-much-longer-passphrase")
    assert "Your password is changed" in response.text
    assert client.get("/").status_code == 200  # this device carries on
    assert other.get("/").status_code == 302  # the other device is refused
    restored = app.test_client()
    restored.set_cookie("remember_token", other_remember)
    assert restored.get("/").status_code == 302
    # This device's remember cookie was replaced by one that works with the new token.
    fresh = app.test_client()
    fresh.set_cookie("remember_token", _cookie(client, "remember_token"))
    assert fresh.get("/").status_code == 200
    assert "do not match" in login(app.test_client(), "coach1@example.org").text
    assert (
        "Welcome" in login(app.test_client(), "coach1@example.org", "a-much-longer-passphrase").text
    )


def test_password_change_refusals_are_clear_messages(app, client, demo):
    other = app.test_client()
    login(other, "coach1@example.org")
    login(client, "coach1@example.org")
    wrong = _change_password(client, "not-my-password", "a-much-longer-passphrase")
    assert wrong.status_code == 400
    assert "Your current password is not right" in wrong.text
    short = _change_password(client, "insights-demo", "short")
    assert short.status_code == 400
    assert "at least 10 characters" in short.text
    common = _change_password(client, "insights-demo", "password12")
    assert common.status_code == 400
    assert "one of the most common" in common.text
    differ = _change_password(client, "insights-demo", "a-much-longer-passphrase", "another-one-x")
    assert differ.status_code == 400
    assert "The two new passwords are not the same." in differ.text
    assert other.get("/").status_code == 200  # nothing changed
    assert "Welcome" in login(app.test_client(), "coach1@example.org").text
