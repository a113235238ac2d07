"""Home pages per role, the framework browser, module pages, and who may see what."""

from __future__ import annotations

import re

import sqlalchemy as sa

from insights_lms.competencies.models import Competency
from insights_lms.enums import CohortRole
from insights_lms.programmes.models import Programme
from tests.conftest import login
from tests.factories import enrolled, make_cohort, make_user


def headings(html: str, level: int) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", h).strip()
        for h in re.findall(rf"<h{level}[^>]*>(.*?)</h{level}>", html, re.S)
    ]


def test_participant_home_shows_timeline_and_what_is_due_next(client, demo):
    html = login(client, "participant1@example.org").text
    assert "Your programme: Insights" in headings(html, 2)
    assert "What is due next" in headings(html, 3)
    assert "Your coach: Marcus Reid" in html
    assert html.count('class="tl-item tl-module') == 8
    assert html.count('class="tl-item tl-task') == 7
    assert html.count("tl-next") == 1
    assert "Held" in html and "Coming up" in html and "Not started" in html
    assert "Your coachees" not in html and "Cohorts you facilitate" not in html


def test_coach_home_lists_only_their_coachees(client, demo):
    html = login(client, "coach1@example.org").text
    assert "Your coachees" in headings(html, 2)
    for name in ("Priya Shah", "Daniel Osei", "Grace Adeyemi"):
        assert name in html
    for name in ("Amina Rahman", "Tom Hughes", "Sam Whitfield"):
        assert name not in html


def test_facilitator_home_lists_their_cohorts(client, demo):
    html = login(client, "facilitator@example.org").text
    assert "Cohorts you facilitate" in headings(html, 2)
    assert "Insights demo cohort" in html
    assert re.search(r"<dt>Without a coach</dt><dd>1</dd>", html)


def test_user_without_cohort_gets_a_friendly_home(client, db, content):
    make_user(db, email="new@school.example", password="a long password")
    db.commit()
    html = login(client, "new@school.example", "a long password").text
    assert "You are not in a cohort yet" in html


def test_framework_browser_shows_every_level_descriptor(client, db, demo):
    html = login(client, "coach2@example.org").text
    html = client.get("/framework/", follow_redirects=True).text
    competencies = db.scalars(sa.select(Competency)).all()
    for comp in competencies:
        assert f"{comp.code} {comp.title}" in html
        for descriptor in comp.descriptors:
            assert descriptor.text.replace("'", "&#39;")[:60] in html
    assert html.count('class="descriptor level-') == 4 * len(competencies)


def test_competency_page_shows_where_the_programme_develops_it(client, demo):
    login(client, "participant2@example.org")
    html = client.get("/framework/insights-school-leadership/L2.3").text
    assert "<h1>L2.3 " in html
    for level in ("Emerging", "Developing", "Established", "Leading"):
        assert level in html
    assert "Where the programme develops it" in html
    assert "/programmes/insights-2026/modules/" in html
    assert client.get("/framework/insights-school-leadership/Z9.9").status_code == 404


def test_module_page_shows_theme_activities_competencies_and_next_task(client, db, demo):
    login(client, "participant1@example.org")
    programme = db.scalar(sa.select(Programme))
    module = programme.modules[1]
    html = client.get(f"/programmes/insights-2026/modules/{module.code}").text
    assert f"<h1>{module.title}</h1>" in html.replace("&#39;", "'")
    assert module.theme.replace("'", "&#39;") in html
    for activity in module.activities:
        assert activity.title.replace("'", "&#39;") in html
    for comp in module.competencies:
        assert f"{comp.code} " in html
    assert module.task_after.title.replace("'", "&#39;") in html
    assert "Insights demo cohort:" in html  # the cohort's own dates


def test_module_page_is_only_for_people_in_the_programme(client, db, demo):
    make_user(db, email="outsider@school.example", password="a long password")
    db.commit()
    login(client, "outsider@school.example", "a long password")
    assert client.get("/programmes/insights-2026/modules/M1").status_code == 403
    assert client.get("/programmes/insights-2026/modules/NOPE").status_code == 404


def test_cohort_page_is_for_its_facilitators_only(client, db, demo):
    other = make_cohort(db, demo.programme)
    enrolled(
        db,
        other,
        CohortRole.FACILITATOR,
        email="other.fac@school.example",
        password="a long password",
    )
    db.commit()
    for email in ("participant1@example.org", "coach1@example.org"):
        login(client, email)
        response = client.get("/cohorts/demo-cohort")
        assert response.status_code == 403
        assert "You cannot see this page" in response.text
        client.post("/logout", data={"csrf_token": _token(client)})
    login(client, "other.fac@school.example", "a long password")
    assert client.get("/cohorts/demo-cohort").status_code == 403
    client.post("/logout", data={"csrf_token": _token(client)})
    html = login(client, "facilitator@example.org") and client.get("/cohorts/demo-cohort").text
    assert "Participants (6)" in html
    assert "No coach yet" in html  # Sam Whitfield


def _token(client) -> str:
    from tests.conftest import csrf_token

    return csrf_token(client.get("/").text)


def test_unknown_pages_are_friendly_404s(client, demo):
    login(client, "participant1@example.org")
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert client.get("/cohorts/no-such-cohort").status_code == 404


def test_pages_use_local_stylesheet_and_no_external_resources(client, demo):
    html = login(client, "participant1@example.org").text
    assert '<link rel="stylesheet" href="/assets/lms.css">' in html
    assert not re.search(r'(src|href)="https?://', html)
    with client.get("/assets/lms.css") as css:
        assert css.status_code == 200
        assert css.mimetype == "text/css"
