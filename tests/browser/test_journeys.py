"""Real-browser journeys: Debian's Chromium, driven by Playwright, against a live server.

Each role signs in through the form and sees its own home page; a wrong password gets a clear
message; a participant is refused a facilitator's page. The pages are also checked for what
the issue asks of every page: a label on every field, headings in order, usable without
JavaScript and on a phone-width screen.

Locators are accessible ones (label, role and accessible name) on purpose: when they find
the element, the label or heading a screen reader relies on exists.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from insights_lms.demo import DEMO_COHORT, DEMO_PASSWORD

pytestmark = pytest.mark.browser

PARTICIPANT = "participant1@example.org"  # Amina Rahman, coached by Marcus Reid (coach2)
COACH = "coach1@example.org"  # Helen Okafor: Priya Shah, Daniel Osei, Grace Adeyemi
FACILITATOR = "facilitator@example.org"  # Farah Begum

PROGRAMME_TITLE = "Insights"
COHORT_TITLE = f"{PROGRAMME_TITLE} demo cohort"
FRAMEWORK_TITLE = "Insights School Leadership Framework"
COMPETENCY = "L1.1 Vision, values and ethical leadership"
MODULE = "Curriculum and teaching that last"  # M3: the demo cohort is in the task after it
TASK_AFTER_MODULE = "A curriculum and coaching deep dive"  # T4
MODULES_IN_PROGRAMME = 8  # M0 to M7
TASKS_IN_PROGRAMME = 7  # T1 to T7, one between each pair of modules
LEVELS = ["1 Emerging", "2 Developing", "3 Established", "4 Leading"]
PHONE = {"width": 375, "height": 740}

LOGIN_URL = re.compile(r"/login(\?.*)?$")


# --- helpers ---------------------------------------------------------------------------


def sign_in(page: Page, base: str, email: str, password: str = DEMO_PASSWORD) -> None:
    """Fill and send the sign-in form, as a person would."""
    page.goto(f"{base}/login")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def signed_in(page: Page, base: str, email: str) -> None:
    """Sign in and check it worked (home page, signed-in navigation)."""
    sign_in(page, base, email)
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def main_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Main")


def timeline_of(page: Page) -> Locator:
    """The programme timeline: the list whose entries include practical tasks."""
    return page.get_by_role("list").filter(
        has=page.get_by_role("heading", name=re.compile(r"^Practical task:"))
    )


def assert_headings_in_order(page: Page) -> None:
    """Exactly one h1, the first heading, and no level skipped on the way down."""
    tags = page.eval_on_selector_all(
        "h1, h2, h3, h4, h5, h6", "els => els.map(el => el.tagName.toLowerCase())"
    )
    levels = [int(tag[1]) for tag in tags]
    where = f"{page.url}: headings {tags}"
    assert levels.count(1) == 1, f"{where}: expected exactly one h1"
    assert levels[0] == 1, f"{where}: the first heading is not the h1"
    for previous, current in itertools.pairwise(levels):
        assert current <= previous + 1, f"{where}: h{previous} is followed by h{current}"


LABELLED_FIELDS_JS = """
els => els
  .filter(el => !['hidden', 'submit'].includes((el.getAttribute('type') || '').toLowerCase()))
  .filter(el => el.checkVisibility())
  .map(el => ({
    field: el.outerHTML.slice(0, 120),
    labels: el.labels ? el.labels.length : 0,
  }))
"""


def assert_every_field_labelled(page: Page) -> int:
    """Every visible input, select and textarea has a <label>; returns how many were found."""
    fields = page.eval_on_selector_all("input, select, textarea", LABELLED_FIELDS_JS)
    unlabelled = [f["field"] for f in fields if f["labels"] == 0]
    assert not unlabelled, f"{page.url}: fields without a label: {unlabelled}"
    return len(fields)


def assert_no_horizontal_scrolling(page: Page) -> None:
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["inner"] + 1, (
        f"{page.url} scrolls sideways at {widths['inner']}px: the page is {widths['scroll']}px wide"
    )


@pytest.fixture
def no_js_page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh context with JavaScript switched off."""
    context: BrowserContext = browser.new_context(java_script_enabled=False)
    try:
        yield context.new_page()
    finally:
        context.close()


# --- signing in as each role -----------------------------------------------------------


def test_participant_sees_programme_then_module_then_framework(demo, live_server, page: Page):
    signed_in(page, live_server, PARTICIPANT)

    # Home: their programme, what is due next, and the timeline.
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Amina Rahman")
    expect(page.get_by_role("status")).to_contain_text("Welcome, Amina Rahman.")
    expect(
        page.get_by_role("heading", name=f"Your programme: {PROGRAMME_TITLE}", level=2)
    ).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Your coach: Marcus Reid")
    due_next = page.get_by_role("heading", name="What is due next", level=3)
    expect(due_next).to_be_visible()
    expect(page.get_by_role("heading", name="Programme timeline", level=3)).to_be_visible()

    timeline = timeline_of(page)
    expect(timeline).to_have_count(1)
    entries = timeline.get_by_role("listitem")
    expect(entries).to_have_count(MODULES_IN_PROGRAMME + TASKS_IN_PROGRAMME)
    expect(timeline.get_by_role("heading", level=4)).to_have_count(
        MODULES_IN_PROGRAMME + TASKS_IN_PROGRAMME
    )
    # Every module and every task title links to its page; past modules also offer to
    # record them as completed.
    expect(timeline.locator("h4 a")).to_have_count(MODULES_IN_PROGRAMME + TASKS_IN_PROGRAMME)
    expect(timeline.get_by_role("link", name=re.compile("^Record it as completed"))).to_have_count(
        4
    )
    expect(timeline.get_by_role("heading", name=re.compile(r"^Practical task:"))).to_have_count(
        TASKS_IN_PROGRAMME
    )
    expect(timeline.get_by_role("link", name=MODULE, exact=True)).to_be_visible()

    # Exactly one entry is marked Next, and it is what "What is due next" talks about.
    next_entry = entries.filter(has=page.get_by_text("Next", exact=True))
    expect(next_entry).to_have_count(1)
    expect(next_entry).to_contain_text(f"Practical task: {TASK_AFTER_MODULE}")
    expect(next_entry).to_contain_text("Not started")
    due_next_box = due_next.locator("xpath=..")
    expect(due_next_box).to_contain_text(f"Practical task {TASK_AFTER_MODULE}, due")
    expect(due_next_box.get_by_role("link", name="Open the task")).to_be_visible()

    # Open a module from the timeline.
    timeline.get_by_role("link", name=MODULE, exact=True).click()
    expect(page).to_have_url(re.compile(r"/programmes/[^/]+/modules/M3$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(MODULE)
    objectives = page.get_by_role("region", name="Objectives")
    expect(objectives.get_by_role("heading", name="Objectives", level=2)).to_be_visible()
    assert objectives.get_by_role("listitem").count() >= 1
    activities = page.get_by_role("region", name="Activities")
    expect(activities.get_by_role("heading", name="Activities", level=2)).to_be_visible()
    assert activities.get_by_role("heading", level=3).count() >= 1
    expect(page.get_by_role("region", name="When and where")).to_contain_text(COHORT_TITLE)
    expect(
        page.get_by_role(
            "heading", name=f"Practical task after this module: {TASK_AFTER_MODULE}", level=2
        )
    ).to_be_visible()

    # Browse the competency framework from the navigation.
    main_nav(page).get_by_role("link", name="Competency framework").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(FRAMEWORK_TITLE)
    expect(main_nav(page).get_by_role("link", name="Competency framework")).to_have_attribute(
        "aria-current", "page"
    )
    scale = page.get_by_role("region", name=re.compile(r"^The scale: "))
    expect(scale.get_by_role("listitem")).to_have_count(len(LEVELS))
    article = page.get_by_role("article", name=COMPETENCY)
    expect(article.get_by_role("term")).to_have_text(LEVELS)

    # A competency's own page: the four level descriptors, each with a description.
    article.get_by_role("link", name=COMPETENCY).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(COMPETENCY)
    descriptors = page.get_by_role("region", name="Level descriptors")
    expect(descriptors.get_by_role("term")).to_have_text(LEVELS)
    definitions = descriptors.get_by_role("definition")
    expect(definitions).to_have_count(len(LEVELS))
    for text in definitions.all_inner_texts():
        assert len(text.strip()) > 20, f"a level descriptor is empty or a placeholder: {text!r}"


def test_coach_sees_only_their_coachees(demo, live_server, page: Page):
    signed_in(page, live_server, COACH)

    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Helen Okafor")
    expect(page.get_by_role("heading", name="Your coachees", level=2)).to_be_visible()
    table = page.get_by_role("table", name="Participants you coach")
    rows = table.get_by_role("rowheader")
    expect(rows).to_have_count(3)
    for name in ("Priya Shah", "Daniel Osei", "Grace Adeyemi"):
        expect(rows.filter(has_text=name)).to_have_count(1)
    expect(table).not_to_contain_text("Amina Rahman")
    expect(page.get_by_role("main")).not_to_contain_text("Amina Rahman")
    # A coach is not a participant, and does not facilitate.
    expect(page.get_by_role("heading", name=re.compile(r"^Your programme"))).to_have_count(0)
    expect(page.get_by_role("heading", name="Cohorts you facilitate")).to_have_count(0)


def test_facilitator_opens_cohort_and_sees_participants_and_coaches(demo, live_server, page: Page):
    signed_in(page, live_server, FACILITATOR)

    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Farah Begum")
    expect(page.get_by_role("heading", name="Cohorts you facilitate", level=2)).to_be_visible()
    expect(page.get_by_role("heading", name="Your coachees")).to_have_count(0)

    page.get_by_role("link", name=COHORT_TITLE, exact=True).click()
    expect(page).to_have_url(f"{live_server}/cohorts/{DEMO_COHORT}")
    expect(page.get_by_role("heading", level=1)).to_have_text(COHORT_TITLE)
    expect(page.get_by_role("heading", name="Participants (6)", level=2)).to_be_visible()
    table = page.get_by_role("table", name="Participants and their coaches")
    expect(table.get_by_role("rowheader")).to_have_count(6)
    rows = table.get_by_role("row")
    expect(rows.filter(has_text="Sam Whitfield")).to_contain_text("No coach yet")
    expect(rows.filter(has_text="Amina Rahman")).to_contain_text("Marcus Reid")
    expect(rows.filter(has_text="Priya Shah")).to_contain_text("Helen Okafor")
    expect(table.get_by_text("No coach yet")).to_have_count(1)
    expect(page.get_by_role("heading", name="Schedule", level=2)).to_be_visible()


# --- failures and signing out ----------------------------------------------------------


def test_wrong_password_gives_clear_message_and_does_not_sign_in(demo, live_server, page: Page):
    page.goto(f"{live_server}/login")
    page.get_by_label("Email address", exact=True).fill(PARTICIPANT)
    page.get_by_label("Password", exact=True).fill("not-the-password")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Sign in", exact=True).click()
    assert answer.value.status == 200

    expect(page).to_have_url(f"{live_server}/login")
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("do not match")
    expect(alert.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_label("Email address", exact=True)).to_have_value(PARTICIPANT)
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    page.goto(f"{live_server}/")
    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()


def test_sign_out_ends_the_session(demo, live_server, page: Page):
    signed_in(page, live_server, PARTICIPANT)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_role("status")).to_contain_text("You have signed out.")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    page.goto(f"{live_server}/")
    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()


def test_participant_cannot_open_a_cohort_page(demo, live_server, page: Page):
    signed_in(page, live_server, PARTICIPANT)

    response = page.goto(f"{live_server}/cohorts/{DEMO_COHORT}")
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot see this page")
    expect(page.get_by_role("main")).not_to_contain_text("Sam Whitfield")
    page.get_by_role("link", name="Back to your home page").click()
    expect(page).to_have_url(f"{live_server}/")


# --- without JavaScript, on a phone, and structure -------------------------------------


def test_works_without_javascript(demo, live_server, no_js_page: Page):
    page = no_js_page
    signed_in(page, live_server, PARTICIPANT)
    expect(page.get_by_role("heading", name=f"Your programme: {PROGRAMME_TITLE}")).to_be_visible()

    timeline_of(page).get_by_role("link", name=MODULE, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(MODULE)

    main_nav(page).get_by_role("link", name="Competency framework").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(FRAMEWORK_TITLE)
    page.get_by_role("article", name=COMPETENCY).get_by_role("link", name=COMPETENCY).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(COMPETENCY)

    main_nav(page).get_by_role("link", name="Home").click()
    expect(page).to_have_url(f"{live_server}/")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(LOGIN_URL)
    page.goto(f"{live_server}/")
    expect(page).to_have_url(LOGIN_URL)

    # A wrong password is explained without JavaScript too.
    sign_in(page, live_server, PARTICIPANT, "not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("do not match")


def test_no_horizontal_scrolling_at_phone_width(demo, live_server, page: Page):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/login")
    assert_no_horizontal_scrolling(page)

    signed_in(page, live_server, PARTICIPANT)
    expect(timeline_of(page)).to_be_visible()
    assert_no_horizontal_scrolling(page)

    main_nav(page).get_by_role("link", name="Competency framework").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(FRAMEWORK_TITLE)
    assert_no_horizontal_scrolling(page)

    page.get_by_role("article", name=COMPETENCY).get_by_role("link", name=COMPETENCY).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(COMPETENCY)
    assert_no_horizontal_scrolling(page)

    main_nav(page).get_by_role("link", name="Home").click()
    timeline_of(page).get_by_role("link", name=MODULE, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(MODULE)
    assert_no_horizontal_scrolling(page)


def test_facilitator_pages_fit_a_phone(demo, live_server, page: Page):
    page.set_viewport_size(PHONE)
    signed_in(page, live_server, FACILITATOR)
    assert_no_horizontal_scrolling(page)
    page.get_by_role("link", name=COHORT_TITLE, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(COHORT_TITLE)
    assert_no_horizontal_scrolling(page)


def test_login_page_headings_and_labels(demo, live_server, page: Page):
    page.goto(f"{live_server}/login")
    assert_headings_in_order(page)
    # email, password and "keep me signed in" are all labelled
    assert assert_every_field_labelled(page) == 3
    expect(page.get_by_label("Keep me signed in on this device")).to_be_visible()

    # ... and still are when the page comes back with an error.
    sign_in(page, live_server, PARTICIPANT, "not-the-password")
    expect(page.get_by_role("alert")).to_be_visible()
    assert_headings_in_order(page)
    assert assert_every_field_labelled(page) == 3


def test_participant_pages_headings_and_labels(demo, live_server, page: Page):
    signed_in(page, live_server, PARTICIPANT)
    assert_headings_in_order(page)
    assert_every_field_labelled(page)

    timeline_of(page).get_by_role("link", name=MODULE, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(MODULE)
    assert_headings_in_order(page)
    assert_every_field_labelled(page)

    main_nav(page).get_by_role("link", name="Competency framework").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(FRAMEWORK_TITLE)
    assert_headings_in_order(page)
    assert_every_field_labelled(page)

    page.get_by_role("article", name=COMPETENCY).get_by_role("link", name=COMPETENCY).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(COMPETENCY)
    assert_headings_in_order(page)
    assert_every_field_labelled(page)


@pytest.mark.parametrize("email", [COACH, FACILITATOR])
def test_staff_home_pages_headings_and_labels(demo, live_server, page: Page, email: str):
    signed_in(page, live_server, email)
    assert_headings_in_order(page)
    assert_every_field_labelled(page)
    if email == FACILITATOR:
        page.get_by_role("link", name=COHORT_TITLE, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(COHORT_TITLE)
        assert_headings_in_order(page)
        assert_every_field_labelled(page)
