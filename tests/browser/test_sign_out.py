"""Signing out after "Keep me signed in" in a real browser (issue 12, failure 1): reopening
the site in the same browser (a new tab with the same cookies) lands on the sign-in page, and
the old remember cookie put back by hand is refused too."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from insights_lms.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

LOGIN_URL = re.compile(r"/login(\?.*)?$")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_sign_out_after_keep_me_signed_in_really_signs_out(demo, live_server, page: Page, viewport):
    page.set_viewport_size(viewport)
    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill("participant1@example.org")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_label("Keep me signed in on this device").check()
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    context = page.context
    remember = next(c for c in context.cookies() if c["name"] == "remember_token")

    # While signed in, a new tab opens signed in: the browser really keeps the user.
    other = context.new_page()
    other.goto(f"{live_server}/")
    expect(other.get_by_role("button", name="Sign out")).to_be_visible()
    other.close()

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    assert "remember_token" not in {c["name"] for c in context.cookies()}

    # Reopening the site in the same browser lands on the sign-in page.
    reopened = context.new_page()
    reopened.set_viewport_size(viewport)
    reopened.goto(f"{live_server}/")
    expect(reopened).to_have_url(LOGIN_URL)
    expect(reopened.get_by_role("heading", level=1)).to_have_text("Sign in")

    # Even with the old remember cookie put back (and no session), the site refuses it.
    context.clear_cookies()
    context.add_cookies([remember])
    reopened.goto(f"{live_server}/")
    expect(reopened).to_have_url(LOGIN_URL)
    expect(reopened.get_by_role("button", name="Sign out")).to_have_count(0)
