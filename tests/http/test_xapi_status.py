"""The xAPI forwarding status page: what facilitators and administrators see, what only
administrators may do (re-queue dead letters, resume after a pause), and who may not look."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest

from insights_lms.xapi.models import XapiForwarderState, XapiStatement, XapiStatementStatus
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD, make_user

Q = XapiStatementStatus
PAGE = "/admin/xapi/"
WHEN = dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.UTC)


def add(
    db, status: XapiStatementStatus, event: str = "evidence.created", error: str | None = None
) -> XapiStatement:
    statement_id = str(uuid.uuid4())
    row = XapiStatement(
        statement_id=statement_id,
        statement={"id": statement_id, "verb": {"id": "http://activitystrea.ms/create"}},
        verb_id="http://activitystrea.ms/create",
        object_id="https://insights.example.org/evidence/x",
        event=event,
        status=status,
        attempts=20 if status == Q.DEAD else 1,
        last_error=error,
        created_dt=WHEN,
    )
    db.add(row)
    return row


@pytest.fixture
def outbox(db, demo):
    """3 queued, 5 sent, 2 dead, 1 rejected (its error text as an LRS might echo it), and the
    forwarder's last error."""
    rows = {
        Q.QUEUED: [add(db, Q.QUEUED) for _ in range(3)],
        Q.SENT: [add(db, Q.SENT) for _ in range(5)],
        Q.DEAD: [
            add(db, Q.DEAD, "task.submitted", "Gave up after 20 attempts. Last: HTTP 502")
            for _ in range(2)
        ],
        Q.REJECTED: [
            add(
                db,
                Q.REJECTED,
                error="HTTP 400: Problem in 'statements.0.result.response'. <script>x</script>",
            )
        ],
    }
    db.add(
        XapiForwarderState(
            id=1,
            last_error="cannot connect to the LRS at https://lrs.example.org/xapi/statements",
            last_error_dt=WHEN,
            last_sent_dt=WHEN,
        )
    )
    db.commit()
    return rows


@pytest.fixture
def admin(db, demo):
    user = make_user(db, is_admin=True)
    db.commit()
    return user


def sign_in_admin(client, admin) -> None:
    login(client, admin.email, PASSWORD)


def figure(html: str, label: str) -> str:
    match = re.search(rf'<th scope="row">{label}</th><td>(\d+)</td>', html)
    assert match, f"no {label} row"
    return match.group(1)


def status_of(db, row: XapiStatement) -> XapiStatementStatus:
    db.expire_all()
    return db.get(XapiStatement, row.id).status


# --- what people see -------------------------------------------------------------------------


def test_a_facilitator_sees_the_counts_and_last_error_but_no_buttons(client, outbox):
    login(client, "facilitator@example.org")
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.text
    assert html.count("<h1") == 1 and "<h1>xAPI forwarding</h1>" in html
    assert [figure(html, s) for s in ("Queued", "Sent", "Dead", "Rejected", "Conflict")] == [
        "3",
        "5",
        "2",
        "1",
        "0",
    ]
    assert "3 due now, 0 being sent, 0 waiting to retry" in html
    assert "cannot connect to the LRS at https://lrs.example.org/xapi/statements" in html
    assert "No LRS is configured" in html
    # Read-only: no forms, and not the statements themselves (their errors may quote content).
    assert '<form method="post" action="/admin/xapi' not in html
    assert "Statements set aside" not in html
    assert "result.response" not in html


def test_an_administrator_sees_the_set_aside_statements_escaped(client, admin, outbox):
    sign_in_admin(client, admin)
    html = client.get(PAGE).text
    assert "Statements set aside" in html
    rejected = outbox[Q.REJECTED][0]
    assert rejected.statement_id in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x</script>" not in html
    for row in outbox[Q.DEAD]:
        assert f'action="/admin/xapi/statements/{row.statement_id}/requeue"' in html
    assert "Re-queue all 2 dead letters" in html
    assert outbox[Q.SENT][0].statement_id not in html  # sent statements are not listed


@pytest.mark.parametrize(
    "email", ["participant1@example.org", "coach1@example.org"], ids=["participant", "coach"]
)
def test_participants_and_coaches_may_not_see_it(client, outbox, email):
    login(client, email)
    assert client.get(PAGE).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- the pause alert -------------------------------------------------------------------------


def pause(db) -> None:
    state = db.get(XapiForwarderState, 1)
    state.paused_dt = WHEN
    state.pause_reason = (
        "The LRS at https://lrs.example.org/xapi/ refused the credentials (HTTP 401)."
    )
    state.credentials_key = "k"
    db.commit()


def test_the_pause_is_an_alert_everyone_who_may_look_sees(client, db, admin, outbox):
    pause(db)
    login(client, "facilitator@example.org")
    html = client.get(PAGE).text
    assert 'role="alert"' in html and "Sending to the LRS is paused" in html
    assert "refused the credentials (HTTP 401)" in html
    assert "3 statements wait to be sent" in html
    assert "Resume sending" not in html

    client.post("/logout", data={"csrf_token": csrf_token(html)})
    sign_in_admin(client, admin)
    assert "Resume sending" in client.get(PAGE).text


def test_an_administrator_resumes_sending(client, db, admin, outbox):
    pause(db)
    sign_in_admin(client, admin)
    token = csrf_token(client.get(PAGE).text)
    response = client.post("/admin/xapi/resume", data={"csrf_token": token}, follow_redirects=True)
    assert "Sending to the LRS resumes with the worker" in response.text
    assert "Sending to the LRS is paused" not in response.text
    db.expire_all()
    assert db.get(XapiForwarderState, 1).paused_dt is None

    again = client.post("/admin/xapi/resume", data={"csrf_token": token}, follow_redirects=True)
    assert "Sending to the LRS is not paused." in again.text


def test_a_facilitator_cannot_resume(client, db, outbox):
    pause(db)
    login(client, "facilitator@example.org")
    token = csrf_token(client.get(PAGE).text)
    assert client.post("/admin/xapi/resume", data={"csrf_token": token}).status_code == 403
    db.expire_all()
    assert db.get(XapiForwarderState, 1).paused_dt == WHEN


# --- re-queueing -----------------------------------------------------------------------------


def test_an_administrator_requeues_every_dead_letter(client, db, admin, outbox):
    sign_in_admin(client, admin)
    token = csrf_token(client.get(PAGE).text)
    response = client.post("/admin/xapi/requeue", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE)
    html = client.get(PAGE).text
    assert "Re-queued 2 dead letters." in html
    assert figure(html, "Queued") == "5" and figure(html, "Dead") == "0"
    assert all(status_of(db, row) == Q.QUEUED for row in outbox[Q.DEAD])
    assert status_of(db, outbox[Q.REJECTED][0]) == Q.REJECTED  # only dead letters
    db.expire_all()
    assert {db.get(XapiStatement, r.id).attempts for r in outbox[Q.DEAD]} == {0}

    client.post("/admin/xapi/requeue", data={"csrf_token": token})
    assert "There were no dead letters to re-queue." in client.get(PAGE).text


def test_an_administrator_requeues_one_statement(client, db, admin, outbox):
    sign_in_admin(client, admin)
    token = csrf_token(client.get(PAGE).text)
    rejected = outbox[Q.REJECTED][0]
    response = client.post(
        f"/admin/xapi/statements/{rejected.statement_id}/requeue",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert f"Re-queued statement {rejected.statement_id} (evidence.created)." in response.text
    assert status_of(db, rejected) == Q.QUEUED
    assert all(status_of(db, row) == Q.DEAD for row in outbox[Q.DEAD])

    sent = outbox[Q.SENT][0]
    refused = client.post(
        f"/admin/xapi/statements/{sent.statement_id}/requeue",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert "is sent, so it cannot be re-queued" in refused.text
    assert status_of(db, sent) == Q.SENT
    missing = client.post(
        f"/admin/xapi/statements/{uuid.uuid4()}/requeue", data={"csrf_token": token}
    )
    assert missing.status_code == 404


def test_requeueing_needs_a_csrf_token(client, db, admin, outbox):
    sign_in_admin(client, admin)
    assert client.post("/admin/xapi/requeue").status_code == 400
    dead = outbox[Q.DEAD][0]
    assert client.post(f"/admin/xapi/statements/{dead.statement_id}/requeue").status_code == 400
    assert client.post("/admin/xapi/resume").status_code == 400
    assert status_of(db, dead) == Q.DEAD


@pytest.mark.parametrize(
    "email",
    ["facilitator@example.org", "participant1@example.org", "coach1@example.org"],
)
def test_only_administrators_may_requeue(client, db, outbox, email):
    login(client, email)
    token = csrf_token(client.get("/").text)
    dead = outbox[Q.DEAD][0]
    assert client.post("/admin/xapi/requeue", data={"csrf_token": token}).status_code == 403
    assert (
        client.post(
            f"/admin/xapi/statements/{dead.statement_id}/requeue", data={"csrf_token": token}
        ).status_code
        == 403
    )
    assert status_of(db, dead) == Q.DEAD
