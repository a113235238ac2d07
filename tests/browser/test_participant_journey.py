"""The participant's loop in a real browser: evidence with files on the progress map, the open
practical task submitted with that evidence, and a self-assessment recorded."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from insights_lms.demo import DEMO_PASSWORD
from tests import samples

pytestmark = pytest.mark.browser


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def test_participant_adds_evidence_submits_the_task_and_rates_themself(
    demo, live_server, page: Page, tmp_path
):
    pdf = tmp_path / "coaching-plan.pdf"
    pdf.write_bytes(samples.PDF)
    image = tmp_path / "walkthrough.png"
    image.write_bytes(samples.png(900, 600, "navy"))
    sign_in(page, live_server, "participant1@example.org")

    # Evidence with a PDF and an image, tagged to two competencies.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Evidence").click()
    page.get_by_role("link", name="Add evidence").click()
    page.get_by_label("Title").fill("Curriculum walkthrough with subject leads")
    page.get_by_label("Date").fill("2026-11-10")
    page.get_by_label("Narrative").fill("Three subject leads walked the Year 5 curriculum with me.")
    page.get_by_label("L2.1 Curriculum leadership").check()
    page.get_by_label(re.compile(r"^L2\.2 ")).check()
    page.get_by_label("Add files").set_input_files([pdf, image])
    page.get_by_role("button", name="Save evidence").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Curriculum walkthrough with subject leads"
    )
    expect(page.get_by_role("link", name="Download coaching-plan.pdf")).to_be_visible()
    expect(page.get_by_role("img", name="Preview of walkthrough.png")).to_be_visible()
    preview_loaded = page.get_by_role("img", name="Preview of walkthrough.png").evaluate(
        "img => img.complete && img.naturalWidth > 0"
    )
    assert preview_loaded

    # It shows on the progress map against both competencies, which are no longer gaps.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Progress").click()
    for code in ("L2\\.1", "L2\\.2"):
        row = page.locator(f"#c-{code}")
        expect(
            row.get_by_role("link", name="Curriculum walkthrough with subject leads")
        ).to_be_visible()
        expect(row).not_to_have_class(re.compile(r"\bgap\b"))
    expect(page.locator(".progress-row.gap").first).to_be_visible()  # others still are

    # Submit the open practical task with that evidence.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    page.get_by_role("link", name="Open the task").click()
    expect(page.locator(".task-state").first).to_have_text("Not started")
    page.get_by_role("textbox", name="Your response").fill(
        "We trialled a curriculum deep dive in Year 5."
    )
    page.get_by_label("Curriculum walkthrough with subject leads").check()
    page.get_by_role("button", name="Submit task").click()
    expect(page.get_by_text("Submitted “")).to_be_visible()
    expect(page.locator(".task-state").first).to_have_text("Submitted")
    expect(
        page.get_by_role("link", name="Curriculum walkthrough with subject leads")
    ).to_be_visible()
    expect(page.get_by_role("textbox", name="Your response")).to_have_count(0)

    # Record a self-assessment.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Self-assessment").click()
    page.get_by_role("link", name=re.compile("Rate yourself")).first.click()
    l21 = page.locator("fieldset", has=page.get_by_role("heading", name=re.compile(r"^L2\.1 ")))
    l21.get_by_label("3 Established").check()
    l21.get_by_label("Your comment on L2.1 (optional)").fill(
        "The walkthrough showed I can lead this."
    )
    page.get_by_role("button", name="Save my self-assessment").click()
    expect(
        page.get_by_text(re.compile(r"Saved your self-assessment of \d+ competenc"))
    ).to_be_visible()
    expect(page.get_by_text("The walkthrough showed I can lead this.")).to_be_visible()

    # And the progress map now shows the new self rating.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Progress").click()
    expect(page.locator("#c-L2\\.1 .rating")).to_contain_text("3 Established")
