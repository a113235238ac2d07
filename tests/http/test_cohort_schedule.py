"""Facilitators start cohorts and move sessions through the web."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from insights_lms.cohorts.models import Cohort
from insights_lms.enums import CohortRole
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD, enrolled, make_cohort


def cohort_by_code(db, code: str) -> Cohort | None:
    db.expire_all()
    return db.scalar(sa.select(Cohort).where(Cohort.code == code))


def test_a_facilitator_starts_a_cohort_and_sees_its_schedule(client, db, demo):
    login(client, "facilitator@example.org")
    home = client.get("/")
    assert "Start a new cohort" in home.text
    page = client.get("/cohorts/new")
    form = {
        "csrf_token": csrf_token(page.text),
        "programme": demo.programme.code,
        "title": "Insights 2027-28",
        "code": "insights-2027",
        "first_day": "2027-09-23",
    }
    done = client.post("/cohorts/new", data=form, follow_redirects=True)
    assert done.status_code == 200
    assert "Insights 2027-28 is created with 8 module sessions." in done.text
    assert "Thu 23 Sep 2027, 09:00" in done.text
    assert "Check these dates" not in done.text
    cohort = cohort_by_code(db, "insights-2027")
    assert cohort is not None
    assert [u.email for u in cohort.members(CohortRole.FACILITATOR)] == ["facilitator@example.org"]
    assert "Insights 2027-28" in client.get("/").text


def test_bad_cohort_details_are_explained_and_nothing_is_created(client, db, demo):
    login(client, "facilitator@example.org")
    page = client.get("/cohorts/new")
    form = {
        "csrf_token": csrf_token(page.text),
        "programme": demo.programme.code,
        "title": "Keep this title",
        "code": "Bad Code!",
        "first_day": "2027-09-23",
    }
    response = client.post("/cohorts/new", data=form)
    assert response.status_code == 400
    assert "Use lower-case letters, digits and hyphens" in response.text
    assert "Keep this title" in response.text
    form["code"] = demo.code
    duplicate = client.post("/cohorts/new", data=form)
    assert duplicate.status_code == 400
    assert "already exists" in duplicate.text
    assert db.scalar(sa.select(sa.func.count(Cohort.id))) == 1


def test_moving_a_session_closer_than_the_programme_asks_warns(client, db, demo):
    login(client, "facilitator@example.org")
    schedule = client.get(f"/cohorts/{demo.code}/schedule")
    assert schedule.status_code == 200
    assert "at least 21 days" in schedule.text
    m1 = next(cm for cm in demo.cohort_modules if cm.module.sequence == 1)
    m2 = next(cm for cm in demo.cohort_modules if cm.module.sequence == 2)
    url = f"/cohorts/{demo.code}/schedule/{m2.module.code}"
    page = client.get(url)
    assert 'value="y"' in page.text or "checked" in page.text
    day = (m1.ends_at + dt.timedelta(days=10)).date().isoformat()
    moved = client.post(
        url,
        data={"csrf_token": csrf_token(page.text), "day": day, "start": "13:00"},
        follow_redirects=True,
    )
    assert moved.status_code == 200
    assert "moved to" in moved.text
    assert "starts 10 days after Module 1 ends" in moved.text
    assert "the programme asks for at least 21 days between modules" in moved.text
    refreshed = next(
        cm for cm in cohort_by_code(db, demo.code).cohort_modules if cm.module.sequence == 2
    )
    assert refreshed.starts_at.date().isoformat() == day


def test_an_impossible_move_is_refused_and_changes_nothing(client, db, demo):
    login(client, "facilitator@example.org")
    m1 = next(cm for cm in demo.cohort_modules if cm.module.sequence == 1)
    m2 = next(cm for cm in demo.cohort_modules if cm.module.sequence == 2)
    before = m2.starts_at
    url = f"/cohorts/{demo.code}/schedule/{m2.module.code}"
    page = client.get(url)
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(page.text),
            "day": m1.starts_at.date().isoformat(),
            "start": "08:00",
        },
    )
    assert response.status_code == 400
    assert "before it opens" in response.text
    assert "Nothing was changed" in response.text
    refreshed = next(
        cm for cm in cohort_by_code(db, demo.code).cohort_modules if cm.module.sequence == 2
    )
    assert refreshed.starts_at == before


def test_schedule_pages_are_for_the_cohorts_facilitators(client, db, demo):
    other = make_cohort(db, demo.programme)
    outsider = enrolled(db, other, CohortRole.FACILITATOR)
    db.commit()
    m2 = next(cm for cm in demo.cohort_modules if cm.module.sequence == 2)
    login(client, outsider.email, PASSWORD)
    assert client.get(f"/cohorts/{demo.code}/schedule").status_code == 404
    assert client.get(f"/cohorts/{demo.code}/schedule/{m2.module.code}").status_code == 404
    assert client.get("/cohorts/new").status_code == 200  # they run a cohort of this programme
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})
    login(client, "participant1@example.org")
    assert client.get("/cohorts/new").status_code == 403
    assert client.get(f"/cohorts/{demo.code}/schedule").status_code == 404


def test_moving_needs_a_csrf_token(client, db, demo):
    login(client, "facilitator@example.org")
    m2 = next(cm for cm in demo.cohort_modules if cm.module.sequence == 2)
    before = m2.starts_at
    response = client.post(
        f"/cohorts/{demo.code}/schedule/{m2.module.code}",
        data={"day": "2030-01-01", "start": "09:00"},
    )
    assert response.status_code == 400
    db.expire_all()
    assert (
        next(
            cm for cm in cohort_by_code(db, demo.code).cohort_modules if cm.module.sequence == 2
        ).starts_at
        == before
    )
