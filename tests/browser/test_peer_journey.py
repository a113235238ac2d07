"""A goldfish-bowl challenge in a real browser: participant1 sets out a challenge on two
competencies, participant2 asks a clarifying question and makes a suggestion, participant1
records the decision, and the challenge shows as decided to both of them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from insights_lms.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

TITLE = "Restructuring the SEND team"


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def test_a_challenge_is_posted_questioned_and_decided(
    demo, live_server, page: Page, browser: Browser
):
    # participant1 posts a challenge on two competencies, for a goldfish-bowl session.
    sign_in(page, live_server, "participant1@example.org")
    page.goto(f"{live_server}/peer/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Peer learning")
    page.get_by_role("link", name="Post a challenge").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Context").fill(
        "Our SENCo retires in July; two TAs want more responsibility."
    )
    page.get_by_label("The decision to make").fill("Do I appoint internally or advertise?")
    page.get_by_label("L1.3 Decision-making under uncertainty").check()
    page.get_by_label(re.compile(r"^L2\.3 ")).check()
    sessions = page.get_by_label("Module session (optional)")
    staffing = sessions.locator("option", has_text="goldfish bowl: The staffing decision")
    sessions.select_option(staffing.get_attribute("value"))
    page.get_by_role("button", name="Post the challenge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text("Posted your challenge")).to_be_visible()
    expect(page.locator(".challenge-state")).to_have_text("Open")
    expect(page.get_by_role("link", name="L1.3 Decision-making under uncertainty")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^L2\.3 "))).to_be_visible()
    challenge_url = page.url

    # participant2, in their own browser context, adds a question and a suggestion.
    context = browser.new_context()
    peer = context.new_page()
    try:
        sign_in(peer, live_server, "participant2@example.org")
        peer.goto(f"{live_server}/peer/cohorts/demo-cohort")
        peer.get_by_role("link", name=TITLE).click()
        peer.get_by_label("A clarifying question").check()
        peer.get_by_label("Your question or suggestion").fill("Who else could lead SEND?")
        peer.get_by_role("button", name="Add to the challenge").click()
        expect(peer.get_by_text("Added your question")).to_be_visible()
        peer.get_by_label("A suggestion").check()
        peer.get_by_label("Your question or suggestion").fill("Ask the TAs what support they need.")
        peer.get_by_role("button", name="Add to the challenge").click()
        expect(peer.get_by_text("Added your suggestion")).to_be_visible()
        expect(peer.get_by_role("heading", name="Question from Tom Hughes")).to_be_visible()
        expect(peer.get_by_role("heading", name="Suggestion from Tom Hughes")).to_be_visible()

        # participant1 sees both and records the decision.
        page.goto(challenge_url)
        expect(page.get_by_text("Who else could lead SEND?")).to_be_visible()
        expect(page.get_by_text("Ask the TAs what support they need.")).to_be_visible()
        page.get_by_label("What you decided").fill("Advertise externally, and mentor both TAs.")
        page.get_by_role("button", name="Record my decision").click()
        expect(page.get_by_text("Recorded your decision")).to_be_visible()
        expect(page.locator(".challenge-state")).to_have_text("Decided")
        expect(page.get_by_text("Advertise externally, and mentor both TAs.")).to_be_visible()
        expect(page.get_by_role("button", name="Record what happened")).to_be_visible()

        # The challenge shows as decided on the cohort's list, and is closed to new ideas.
        page.goto(f"{live_server}/peer/cohorts/demo-cohort")
        row = page.get_by_role("row", name=re.compile(TITLE))
        expect(row.locator(".challenge-state")).to_have_text("Decided")
        expect(row.get_by_role("cell").nth(3)).to_have_text("1")  # questions
        peer.reload()
        expect(peer.locator(".challenge-state")).to_have_text("Decided")
        expect(peer.get_by_role("button", name="Add to the challenge")).to_have_count(0)
        expect(peer.get_by_text("closed to new questions and suggestions")).to_be_visible()

        # It counts for both: on participant1's "My challenges" and participant2's contributions.
        page.goto(f"{live_server}/peer/")
        expect(
            page.get_by_role("region", name="My challenges").get_by_role("link", name=TITLE)
        ).to_be_visible()
        peer.goto(f"{live_server}/peer/")
        expect(
            peer.get_by_role("region", name="My contributions").get_by_role("link", name=TITLE)
        ).to_have_count(2)
    finally:
        context.close()
