"""Module feedback through the web: a participant answers, facilitators read the summary."""

from __future__ import annotations

import sqlalchemy as sa

from insights_lms.db import utcnow
from insights_lms.enums import CohortRole
from insights_lms.feedback.models import ModuleFeedback
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD, enrolled, make_cohort


def past_module_code(demo) -> str:
    return min(
        (cm for cm in demo.cohort_modules if cm.ends_at < utcnow()), key=lambda cm: cm.starts_at
    ).module.code


def feedback_url(demo) -> str:
    return f"/cohorts/{demo.code}/modules/{past_module_code(demo)}/feedback"


def logout(client) -> None:
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})


def saved(db) -> list[ModuleFeedback]:
    db.expire_all()
    return list(db.scalars(sa.select(ModuleFeedback)))


def test_participant_answers_and_the_facilitator_sees_the_summary(client, db, demo):
    login(client, "participant1@example.org")
    page = client.get(feedback_url(demo))
    assert page.status_code == 200
    assert "How relevant was this module" in page.text
    answer = {
        "csrf_token": csrf_token(page.text),
        "relevance": "5",
        "stretch": "about_right",
        "impact": "4",
        "comment": "The <b>case studies</b> were the best part",
    }
    done = client.post(feedback_url(demo), data=answer, follow_redirects=True)
    assert "your feedback on" in done.text
    assert "Update my feedback" in done.text  # the answers are shown back, changeable
    assert [(f.relevance, f.impact) for f in saved(db)] == [(5, 4)]

    logout(client)
    login(client, "facilitator@example.org")
    results = client.get(f"/cohorts/{demo.code}/feedback")
    assert results.status_code == 200
    participants = len(demo.members(CohortRole.PARTICIPANT))
    assert f"1 of {participants}" in results.text
    assert "The &lt;b&gt;case studies&lt;/b&gt; were the best part" in results.text
    assert "Amina" not in results.text  # comments are anonymous


def test_missing_answers_keep_the_comment_and_save_nothing(client, db, demo):
    login(client, "participant1@example.org")
    page = client.get(feedback_url(demo))
    response = client.post(
        feedback_url(demo),
        data={"csrf_token": csrf_token(page.text), "relevance": "4", "comment": "Keep me"},
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "Choose whether the module served or stretched you." in response.text
    assert "Keep me" in response.text
    assert saved(db) == []


def test_feedback_needs_a_csrf_token(client, db, demo):
    login(client, "participant1@example.org")
    response = client.post(
        feedback_url(demo), data={"relevance": "4", "stretch": "about_right", "impact": "3"}
    )
    assert response.status_code == 400
    assert saved(db) == []


def test_who_may_see_what(client, db, demo):
    other = make_cohort(db, demo.programme)
    other_facilitator = enrolled(db, other, CohortRole.FACILITATOR)
    db.commit()
    assert client.get(feedback_url(demo)).status_code == 302  # to the login page
    login(client, "coach1@example.org")
    assert client.get(feedback_url(demo)).status_code == 404
    assert client.get(f"/cohorts/{demo.code}/feedback").status_code == 404
    logout(client)
    login(client, "participant1@example.org")
    assert client.get(f"/cohorts/{demo.code}/feedback").status_code == 404
    assert client.get(f"/cohorts/{demo.code}/modules/NOPE/feedback").status_code == 404
    logout(client)
    login(client, other_facilitator.email, PASSWORD)
    assert client.get(f"/cohorts/{demo.code}/feedback").status_code == 404
    assert client.get(f"/cohorts/{other.code}/feedback").status_code == 200
