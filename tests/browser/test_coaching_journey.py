"""A developmental conversation in a real browser: the coach records it on two competencies
with an agreed action; the participant reads the shared record and the action (never the
private notes) and acknowledges it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from insights_lms.demo import DEMO_PASSWORD
from tests.browser.test_journeys import (
    assert_every_field_labelled,
    assert_headings_in_order,
    assert_no_horizontal_scrolling,
)

pytestmark = pytest.mark.browser

PRIVATE = "Private: thinking of suggesting she applies for the headship"
SHARED = "We looked at the staff survey together and agreed two changes."
ACTION = "Run a 'you said, we did' staff briefing"


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def test_coach_records_a_conversation_and_the_participant_acknowledges_it(
    demo, live_server, page: Page
):
    sign_in(page, live_server, "coach2@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Coachees").click()
    page.get_by_role("link", name="Amina Rahman").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amina Rahman")
    page.get_by_role("link", name="Record a conversation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Record a conversation with Amina Rahman"
    )
    assert_headings_in_order(page)
    assert assert_every_field_labelled(page) > 40

    page.get_by_label("Length in minutes").fill("45")
    page.get_by_label("In person").check()
    page.get_by_label(re.compile(r"^In focus: L1\.2 ")).check()
    page.get_by_label("Your rating of L1.2 (optional)").select_option(label="2 Developing")
    page.get_by_label("Level agreed for L1.2 (optional)").select_option(label="3 Established")
    page.get_by_label("Notes on L1.2 (shared)").fill("Trust is growing after the survey.")
    page.get_by_label(re.compile(r"^In focus: L2\.3 ")).check()
    page.get_by_label("Notes on L2.3 (shared)").fill("SEND review planned for next term.")
    page.get_by_label("Shared notes", exact=True).fill(SHARED)
    page.get_by_label("Private notes", exact=True).fill(PRIVATE)
    page.get_by_label("Action 1: what will be done").fill(ACTION)
    page.get_by_label("Action 1: who will do it").select_option(label="Amina Rahman")
    page.get_by_label("Action 1: competency (optional)").select_option(
        label="L1.2 Building trust and culture"
    )
    page.get_by_role("button", name="Save the conversation").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Conversation with Amina Rahman")
    expect(page.get_by_text("Saved your conversation with Amina Rahman")).to_be_visible()
    expect(page.get_by_text(PRIVATE)).to_be_visible()  # the coach sees their private notes
    focus = page.get_by_role("table", name=re.compile("Competencies in focus"))
    expect(focus.get_by_role("row", name=re.compile(r"L1\.2"))).to_contain_text("3 Established")
    expect(focus.get_by_role("row", name=re.compile(r"L2\.3"))).to_be_visible()
    assert_headings_in_order(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, "participant1@example.org")
    page.goto(f"{live_server}/conversations/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your coaching conversations")
    expect(page.get_by_text("Please read and acknowledge")).to_be_visible()
    page.get_by_role("table").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your conversation with Marcus Reid")
    expect(page.get_by_text(SHARED)).to_be_visible()
    expect(page.get_by_role("rowheader", name=ACTION)).to_be_visible()
    expect(page.get_by_text("Trust is growing after the survey.")).to_be_visible()
    expect(page.get_by_text(PRIVATE)).to_have_count(0)
    expect(page.get_by_text(re.compile("private notes", re.I))).to_have_count(0)
    assert PRIVATE not in page.content()
    assert_headings_in_order(page)
    assert_every_field_labelled(page)

    page.get_by_label("Your comment (optional)").fill("A fair summary, thank you.")
    page.get_by_role("button", name="Acknowledge this record").click()
    expect(page.get_by_text("you have acknowledged the record")).to_be_visible()
    expect(page.get_by_text("A fair summary, thank you.")).to_be_visible()
    expect(page.get_by_role("button", name="Acknowledge this record")).to_have_count(0)

    # The agreed action is on their actions page, and they can mark it done.
    page.goto(f"{live_server}/conversations/actions")
    open_actions = page.get_by_role("table", name=re.compile("open actions"))
    expect(open_actions.get_by_role("rowheader", name=ACTION)).to_be_visible()
    open_actions.get_by_role("button", name=re.compile("^Mark done")).click()
    expect(page.get_by_text(f"Marked “{ACTION}” done.")).to_be_visible()
    expect(page.get_by_text("No open actions.")).to_be_visible()
    assert PRIVATE not in page.content()


@pytest.fixture
def page_without_scripts(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_the_record_form_works_without_javascript_and_fits_a_phone(
    demo, live_server, page_without_scripts: Page
):
    page = page_without_scripts
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, live_server, "coach2@example.org")
    page.goto(f"{live_server}/coaching/")
    page.get_by_role("link", name="Amina Rahman").first.click()
    page.get_by_role("link", name="Record a conversation").click()
    assert_no_horizontal_scrolling(page)
    page.get_by_label("Length in minutes").fill("30")
    page.get_by_label("Online").check()
    page.get_by_label(re.compile(r"^In focus: L3\.2 ")).check()
    page.get_by_label("Level agreed for L3.2 (optional)").select_option(label="2 Developing")
    page.get_by_label("Private notes", exact=True).fill(PRIVATE)
    page.get_by_role("button", name="Save the conversation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Conversation with Amina Rahman")
    expect(page.get_by_text("2 Developing")).to_be_visible()
    assert_no_horizontal_scrolling(page)

    # A mistake comes back with a message and everything typed kept, still without scripts.
    page.get_by_role("link", name="Correct this record").click()
    page.get_by_label("Length in minutes").fill("0")
    page.get_by_role("button", name="Save the corrections").click()
    expect(page.get_by_role("alert")).to_contain_text("in minutes (1 to 480)")
    expect(page.get_by_label("Private notes", exact=True)).to_have_value(PRIVATE)
    assert_headings_in_order(page)
