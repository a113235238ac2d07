"""The practical task page: draft, submit with evidence, states, access."""

from __future__ import annotations

import sqlalchemy as sa

from insights_lms.tasks.models import ResponseStatus, TaskResponse
from tests.conftest import csrf_token, login


def open_window(demo):
    return sorted(demo.task_windows, key=lambda w: w.opens_at)[3]


def test_participant_saves_a_draft_then_submits(client, db, demo):
    window = open_window(demo)
    login(client, "participant1@example.org")
    page = client.get(f"/tasks/{window.id}")
    assert page.status_code == 200
    assert f"<h1>{window.task.title}</h1>" in page.text.replace("&#39;", "'")
    assert "Not started" in page.text and '<label for="response">Your response</label>' in page.text
    token = csrf_token(page.text)
    draft = client.post(
        f"/tasks/{window.id}",
        data={"csrf_token": token, "response": "Week 1: met staff.", "save": "Save draft"},
        follow_redirects=True,
    )
    assert "Saved your draft" in draft.text and "In progress" in draft.text
    assert "Week 1: met staff." in draft.text
    done = client.post(
        f"/tasks/{window.id}",
        data={
            "csrf_token": token,
            "response": "Week 1: met staff.\n\nWeek 3: **it worked**.",
            "submit": "Submit task",
        },
        follow_redirects=True,
    )
    assert "Submitted “" in done.text and "<strong>it worked</strong>" in done.text
    assert "<textarea" not in done.text  # read-only once submitted
    assert db.scalar(sa.select(TaskResponse.status)) == ResponseStatus.SUBMITTED


def test_submitting_empty_keeps_nothing_and_says_why(client, db, demo):
    window = open_window(demo)
    login(client, "participant1@example.org")
    token = csrf_token(client.get(f"/tasks/{window.id}").text)
    response = client.post(
        f"/tasks/{window.id}", data={"csrf_token": token, "response": "  ", "submit": "Submit task"}
    )
    assert response.status_code == 400
    assert "Write your response before submitting" in response.text
    assert db.scalar(sa.select(sa.func.count()).select_from(TaskResponse)) == 0


def test_future_task_is_not_open(client, demo):
    window = sorted(demo.task_windows, key=lambda w: w.opens_at)[-1]
    login(client, "participant1@example.org")
    page = client.get(f"/tasks/{window.id}")
    assert "Not open yet" in page.text and "<textarea" not in page.text
    token = csrf_token(page.text)
    refused = client.post(
        f"/tasks/{window.id}", data={"csrf_token": token, "response": "early", "save": "1"}
    )
    assert refused.status_code == 400 and "not open yet" in refused.text


def test_past_task_without_submission_is_overdue(client, demo):
    window = sorted(demo.task_windows, key=lambda w: w.opens_at)[0]
    login(client, "participant2@example.org")
    assert "Not started — overdue" in client.get(f"/tasks/{window.id}").text
    assert "Not started — overdue" in client.get("/tasks/").text


def test_other_people_get_404_and_csrf_is_required(client, db, demo):
    window = open_window(demo)
    login(client, "participant1@example.org")
    token = csrf_token(client.get(f"/tasks/{window.id}").text)
    assert (
        client.post(f"/tasks/{window.id}", data={"response": "x", "save": "1"}).status_code == 400
    )
    client.post(
        f"/tasks/{window.id}", data={"csrf_token": token, "response": "Mine only", "save": "1"}
    )
    client.post("/logout", data={"csrf_token": token})
    login(client, "participant2@example.org")
    assert "Mine only" not in client.get(f"/tasks/{window.id}").text  # their own, empty form
    for email in ("coach2@example.org", "facilitator@example.org"):
        client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})
        login(client, email)
        assert client.get(f"/tasks/{window.id}").status_code == 404
    assert client.get("/tasks/999999").status_code == 404
