"""A facilitator in a real browser: a CSV with one bad row is checked, fixed and imported, and
the new participants appear on the cohort dashboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from insights_lms.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

HEADER = "name,email,school,phase,role_in_school,cohort_role\n"
WITH_A_BAD_ROW = (
    HEADER
    + "Ruth Adebayo,ruth@school.example,Bow Primary,primary,Headteacher,participant\n"
    + "Leon Miles,leon@school.example,Mile End Academy,college,Deputy head,participant\n"
)
FIXED = WITH_A_BAD_ROW.replace(",college,", ",secondary,")


def test_facilitator_imports_a_csv_after_fixing_a_bad_row(demo, live_server, page: Page, tmp_path):
    bad, good = tmp_path / "people.csv", tmp_path / "people-fixed.csv"
    bad.write_text(WITH_A_BAD_ROW, encoding="utf-8")
    good.write_text(FIXED, encoding="utf-8-sig")  # Excel's "CSV UTF-8" adds a BOM

    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill("facilitator@example.org")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name=demo.title).first.click()
    page.get_by_role("link", name="Enrol people from a CSV file").click()

    page.get_by_label("CSV file").set_input_files(bad)
    page.get_by_role("button", name="Check the file").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("1 row has problems")
    expect(summary).to_contain_text("Unknown phase “college”")
    expect(page.get_by_role("button", name="Import the 1 good row and skip 1")).to_be_visible()

    page.get_by_role("link", name="Upload a corrected file").click()
    page.get_by_label("CSV file").set_input_files(good)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("UTF-8 with BOM")).to_be_visible()
    page.get_by_role("button", name="Import 2 rows").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enrolment imported")
    expect(page.get_by_text("2 enrolled (2 new accounts)")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Links for new people to choose their password")
    ).to_be_visible()

    page.get_by_role("link", name="Go to the cohort dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cohort dashboard")
    coverage = page.get_by_role(
        "table", name="Evidence count and agreed level, participants by competencies"
    )
    expect(coverage.get_by_role("rowheader", name="Ruth Adebayo")).to_be_visible()
    expect(coverage.get_by_role("rowheader", name="Leon Miles")).to_be_visible()
