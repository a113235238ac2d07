"""The calendar page, resetting the link, and the feed a calendar app subscribes to."""

from __future__ import annotations

import re
from html import unescape

import icalendar
import sqlalchemy as sa

from insights_lms.auth.models import User
from insights_lms.enums import CohortRole
from tests.conftest import csrf_token, login
from tests.factories import enrolled, make_cohort, utc

FEED_RE = re.compile(
    r'<input[^>]*id="url"[^>]*value="([^"]+)"|<input[^>]*value="([^"]+)"[^>]*id="url"'
)


def feed_url(html: str) -> str:
    match = FEED_RE.search(html)
    assert match, "the page shows no calendar link"
    return unescape(match.group(1) or match.group(2))


def feed_path(html: str) -> str:
    url = feed_url(html)
    assert url.startswith("http://localhost/calendar/") and url.endswith(".ics")
    return url.removeprefix("http://localhost")


def test_calendar_page_needs_sign_in(client, demo):
    response = client.get("/calendar/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_calendar_page_shows_the_link_in_a_labelled_read_only_field(client, demo):
    login(client, "participant1@example.org")
    html = client.get("/calendar/").text
    assert "<h1>Your calendar</h1>" in html
    assert '<label for="url">Your personal calendar link</label>' in html
    assert re.search(r'<input[^>]*id="url"[^>]*readonly', html)
    assert 'aria-describedby="url-hint"' in html
    assert feed_path(html)
    for app_name in ("Outlook", "Google Calendar", "Apple Calendar"):
        assert f"<h3>{app_name}</h3>" in html
    assert "Reset my calendar link" in html
    assert "The old link stops working" in html
    assert 'href="webcal://localhost/calendar/' in html
    # The link is stable: showing the page again does not change it.
    assert feed_url(client.get("/calendar/").text) == feed_url(html)


def test_the_feed_needs_no_sign_in_and_is_valid_icalendar(client, app, demo):
    login(client, "participant1@example.org")
    path = feed_path(client.get("/calendar/").text)
    calendar_app = app.test_client()  # no cookies: a calendar app cannot sign in
    response = calendar_app.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == "inline; filename=insights.ics"
    assert response.headers["Cache-Control"] == "private, max-age=300"
    cal = icalendar.Calendar.from_ical(response.data)
    assert str(cal["X-WR-CALNAME"]) == "Insights LMS \N{EN DASH} Amina Rahman"
    found = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert len(found) == len(demo.cohort_modules) + len(demo.task_windows)
    module = demo.cohort_modules[1]
    event = found[f"session-{module.id}@localhost"]
    assert event["DTSTART"].dt == module.starts_at
    assert str(event["URL"]) == (
        f"http://localhost/programmes/insights-2026/modules/{module.module.code}"
    )
    # Each due date links to a page the participant can open.
    task = found[f"task-{demo.task_windows[3].id}@localhost"]
    assert str(task["URL"]) in (
        f"http://localhost/tasks/{demo.task_windows[3].id}",  # the task's own page
        f"http://localhost/programmes/insights-2026/modules/{demo.cohort_modules[3].module.code}"
        "#practical-task",  # without the tasks feature
    )
    assert client.get(str(task["URL"]).removeprefix("http://localhost")).status_code == 200


def test_a_participants_feed_holds_none_of_another_cohorts_sessions(client, db, demo):
    other = make_cohort(db, demo.programme, first_module_start=utc(2027, 9, 23, 8))
    enrolled(db, other, CohortRole.PARTICIPANT)
    db.commit()
    login(client, "participant1@example.org")
    data = client.get(feed_path(client.get("/calendar/").text)).data
    uids = {str(e["UID"]) for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}
    assert {f"session-{cm.id}@localhost" for cm in demo.cohort_modules} <= uids
    assert not uids & {f"session-{cm.id}@localhost" for cm in other.cohort_modules}
    assert not uids & {f"task-{w.id}@localhost" for w in other.task_windows}


def test_coach_feed_has_sessions_but_no_due_dates(client, demo):
    login(client, "coach1@example.org")
    data = client.get(feed_path(client.get("/calendar/").text)).data
    summaries = [str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(data).walk("VEVENT")]
    assert len(summaries) == len(demo.cohort_modules)
    assert not [s for s in summaries if s.startswith("Due:")]


def test_reset_gives_a_new_link_and_the_old_one_stops_working(client, demo):
    login(client, "participant1@example.org")
    html = client.get("/calendar/").text
    old = feed_path(html)
    response = client.post(
        "/calendar/reset", data={"csrf_token": csrf_token(html)}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "Your calendar link has been reset" in response.text
    new = feed_path(response.text)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_reset_without_csrf_token_is_refused_and_keeps_the_link(client, demo):
    login(client, "participant1@example.org")
    old = feed_path(client.get("/calendar/").text)
    assert client.post("/calendar/reset").status_code == 400
    assert client.post("/calendar/reset", data={"csrf_token": "forged"}).status_code == 400
    assert feed_path(client.get("/calendar/").text) == old
    assert client.get(old).status_code == 200


def test_reset_needs_sign_in_and_a_post(client, demo):
    assert client.get("/calendar/reset").status_code == 405
    login(client, "participant1@example.org")
    assert client.get("/calendar/reset").status_code == 405


def test_unknown_or_another_users_old_token_is_a_404(client, app, demo):
    assert client.get("/calendar/not-a-real-token.ics").status_code == 404
    assert client.get("/calendar/.ics").status_code == 404
    login(client, "participant1@example.org")
    html = client.get("/calendar/").text
    old = feed_path(html)
    client.post("/calendar/reset", data={"csrf_token": csrf_token(html)})
    # Another participant, signed in, cannot reach the first one's old feed either.
    other = app.test_client()
    login(other, "participant2@example.org")
    assert other.get(old).status_code == 404
    assert feed_path(other.get("/calendar/").text) != old


def test_each_participant_sees_only_their_own_link(client, app, demo):
    login(client, "participant1@example.org")
    first = feed_path(client.get("/calendar/").text)
    other = app.test_client()
    login(other, "participant2@example.org")
    second = feed_path(other.get("/calendar/").text)
    assert first != second
    name = str(icalendar.Calendar.from_ical(other.get(second).data)["X-WR-CALNAME"])
    assert name == "Insights LMS \N{EN DASH} Tom Hughes"


def test_a_deactivated_users_feed_is_a_404(client, db, demo):
    login(client, "participant3@example.org")
    path = feed_path(client.get("/calendar/").text)
    user = db.scalar(sa.select(User).where(User.email == "participant3@example.org"))
    user.is_active = False
    db.commit()
    assert client.get(path).status_code == 404
