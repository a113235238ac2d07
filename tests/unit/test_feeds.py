"""Personal calendar feeds: what they contain, and the secret token that reaches them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
import sqlalchemy as sa

from insights_lms.enums import CohortRole
from insights_lms.feeds.services import build_calendar, feed_for, reset_feed, user_for_token
from insights_lms.programmes.models import Programme
from tests.factories import enrolled, make_cohort, make_user, utc

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def programme(db, content):
    return db.scalars(sa.select(Programme)).one()


@pytest.fixture
def cohort(db, programme):
    cohort = make_cohort(db, programme)
    db.commit()
    return cohort


def events(data: bytes) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(data)
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def test_participant_feed_has_every_session_and_task_due_date_in_utc(db, cohort):
    amina = enrolled(db, cohort, CohortRole.PARTICIPANT, name="Amina Rahman")
    db.commit()
    data = build_calendar(db, amina, host="lms.example.org")
    cal = icalendar.Calendar.from_ical(data)
    assert str(cal["X-WR-CALNAME"]) == "Insights LMS \N{EN DASH} Amina Rahman"
    found = events(data)
    assert len(found) == len(cohort.cohort_modules) + len(cohort.task_windows) == 15
    for cm in cohort.cohort_modules:
        event = found[f"session-{cm.id}@lms.example.org"]
        assert str(event["SUMMARY"]) == f"{cm.module.title} (Insights)"
        assert event["DTSTART"].dt == cm.starts_at
        assert event["DTSTART"].dt.utcoffset() == dt.timedelta(0)
        assert event["DTEND"].dt == cm.ends_at
        assert str(event["LOCATION"]) == cm.location
        assert f"Theme: {cm.module.theme}" in str(event["DESCRIPTION"])
        assert "DTSTAMP" in event
    for window in cohort.task_windows:
        event = found[f"task-{window.id}@lms.example.org"]
        assert str(event["SUMMARY"]) == f"Due: {window.task.title}"
        assert event["DTSTART"].dt == window.due_at
        assert str(event["TRANSP"]) == "TRANSPARENT"


def test_local_nine_oclock_is_written_as_utc_across_daylight_saving(db, cohort):
    amina = enrolled(db, cohort, CohortRole.PARTICIPANT)
    db.commit()
    data = build_calendar(db, amina)
    launch, winter = cohort.cohort_modules[0], cohort.cohort_modules[4]
    # The launch is in British Summer Time, module 4 in winter: both start at 09:00 in London.
    assert launch.starts_at.astimezone(LONDON).hour == 9
    assert f"DTSTART:{launch.starts_at:%Y%m%d}T080000Z".encode() in data
    assert f"DTSTART:{winter.starts_at:%Y%m%d}T090000Z".encode() in data
    assert b"TZID" not in data


def test_feed_links_each_event_to_its_page_when_given_a_url_builder(db, cohort):
    amina = enrolled(db, cohort, CohortRole.PARTICIPANT)
    db.commit()
    found = events(
        build_calendar(db, amina, module_url=lambda m: f"https://lms.example.org/m/{m.code}")
    )
    first = cohort.cohort_modules[0]
    assert "https://lms.example.org/m/M0" in str(found[f"session-{first.id}@insights-lms"]["URL"])
    task_event = found[f"task-{cohort.task_windows[0].id}@insights-lms"]
    assert str(task_event["URL"]) == "https://lms.example.org/m/M0#practical-task"


def test_coaches_and_facilitators_get_sessions_but_no_task_due_dates(db, cohort):
    coach = enrolled(db, cohort, CohortRole.COACH)
    facilitator = enrolled(db, cohort, CohortRole.FACILITATOR)
    db.commit()
    for user in (coach, facilitator):
        summaries = [str(e["SUMMARY"]) for e in events(build_calendar(db, user)).values()]
        assert len(summaries) == len(cohort.cohort_modules)
        assert not any(s.startswith("Due:") for s in summaries)


def test_feed_holds_only_the_users_own_cohorts(db, programme, cohort):
    other = make_cohort(db, programme, first_module_start=utc(2027, 9, 23, 8))
    amina = enrolled(db, cohort, CohortRole.PARTICIPANT)
    enrolled(db, other, CohortRole.PARTICIPANT)
    db.commit()
    found = events(build_calendar(db, amina))
    own = {f"session-{cm.id}@insights-lms" for cm in cohort.cohort_modules}
    assert own <= set(found)
    for cm in other.cohort_modules:
        assert f"session-{cm.id}@insights-lms" not in found
    starts = {e["DTSTART"].dt for e in found.values()}
    assert not starts & {cm.starts_at for cm in other.cohort_modules}


def test_a_user_in_no_cohort_gets_a_valid_empty_calendar(db, content):
    user = make_user(db)
    db.commit()
    cal = icalendar.Calendar.from_ical(build_calendar(db, user))
    assert cal.walk("VEVENT") == []
    assert str(cal["VERSION"]) == "2.0"


def test_feed_is_created_once_and_reset_replaces_the_token(db, content):
    user = make_user(db)
    feed = feed_for(db, user)
    db.commit()
    first = feed.token
    assert len(first) >= 40
    assert feed_for(db, user).token == first
    assert user_for_token(db, first) == user
    assert reset_feed(db, user).token != first
    db.commit()
    assert feed_for(db, user).reset_dt is not None
    assert user_for_token(db, first) is None
    assert user_for_token(db, feed_for(db, user).token) == user


def test_each_user_has_their_own_token_and_unknown_tokens_match_nobody(db, content):
    one, two = make_user(db), make_user(db)
    assert feed_for(db, one).token != feed_for(db, two).token
    db.commit()
    assert user_for_token(db, "not-a-token") is None
    assert user_for_token(db, "") is None


def test_a_deactivated_users_feed_stops_working(db, content):
    user = make_user(db)
    token = feed_for(db, user).token
    user.is_active = False
    db.commit()
    assert user_for_token(db, token) is None
