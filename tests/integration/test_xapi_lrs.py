"""Forwarding the outbox to a real, spec-strict LRS (Learning Locker's statement service, see
tests/lrs.py): every kind of statement the app emits arrives once and reads back the same, and
each fault ends with every statement in the LRS exactly once or visibly dead-lettered.

xAPI 1.0.3 part three: 2.1.2 (POST an array of statements), 2.1.3 (GET by statementId and
voidedStatementId; a query leaves voided statements out), 2.2 (a statement id the LRS already
has with the same content is not stored twice: what makes resends safe), 3.3 (version header).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from insights_lms.state import get_state
from insights_lms.xapi.models import XapiStatement, XapiStatementStatus
from tests.conftest import TEST_SECRET, login
from tests.factories import PASSWORD, make_user
from tests.integration.conftest import FAST_FORWARDING, forward_to
from tests.lrs import READER, WRITER, TestLRS, basic

pytestmark = pytest.mark.slow

Q = XapiStatementStatus
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
ROOT = Path(__file__).resolve().parents[2]
#: Every event the core app records (features with their own xapi.py add theirs to the outbox,
#: and are sent by the same test: it sends whatever the outbox holds).
CORE_EVENTS = {
    "attendance.recorded",
    "evidence.created",
    "evidence.deleted",
    "evidence.restored",
    "evidence.reviewed",
    "evidence.updated",
    "module.completed",
    "self_assessment.recorded",
    "task.submitted",
}


# --- helpers ---------------------------------------------------------------------------------


@pytest.fixture
def engine(app):
    with app.app_context():
        return get_state().db.engine


def outbox(engine) -> list[XapiStatement]:
    with Session(engine) as session:
        return list(session.scalars(sa.select(XapiStatement).order_by(XapiStatement.id)))


def by_status(engine) -> dict[XapiStatementStatus, int]:
    counts: dict[XapiStatementStatus, int] = {}
    for row in outbox(engine):
        counts[row.status] = counts.get(row.status, 0) + 1
    return counts


def wait_until(condition: Callable[[], Any], timeout: float = 60, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"gave up after {timeout} s waiting for {what or condition}")


def wait_until_due(engine) -> None:
    """Until every queued statement's backoff (at most INSIGHTS_XAPI_BACKOFF_CAP) is over."""
    due = [r.next_attempt_dt for r in outbox(engine) if r.status == Q.QUEUED]
    wait = (max(due) - dt.datetime.now(dt.UTC)).total_seconds() if due else 0
    assert wait <= FAST_FORWARDING["INSIGHTS_XAPI_BACKOFF_CAP"]
    if wait > 0:
        time.sleep(wait + 0.01)


def flush(runner) -> Any:
    return runner.invoke(args=["lms", "xapi", "flush"])


def contains(ours: Any, theirs: Any) -> bool:
    """Everything we sent is in what the LRS returns (which adds stored, authority, version
    and default objectTypes)."""
    if isinstance(ours, dict):
        return isinstance(theirs, dict) and all(
            k in theirs and contains(v, theirs[k]) for k, v in ours.items()
        )
    if isinstance(ours, list):
        return (
            isinstance(theirs, list)
            and len(ours) == len(theirs)
            and all(contains(a, b) for a, b in zip(ours, theirs, strict=True))
        )
    return bool(ours == theirs)


def assert_exactly_once(lrs: TestLRS, engine, *, read_each: bool = False) -> list[XapiStatement]:
    """Every sent statement is in the LRS once, nothing else is; returns the sent rows."""
    rows = [r for r in outbox(engine) if r.status == Q.SENT]
    voided = {r.object_id for r in rows if r.verb_id == VOIDED}
    listed = [s["id"] for s in lrs.all_statements()]
    assert len(listed) == len(set(listed)), "a statement is in the LRS twice"
    assert set(listed) == {r.statement_id for r in rows} - voided
    for row in rows if read_each else [r for r in rows if r.statement_id in voided]:
        stored = lrs.statement(row.statement_id, voided=row.statement_id in voided)
        assert stored is not None, row
        assert contains(row.statement, stored), (row.statement, stored)
    return rows


# --- every kind of statement -----------------------------------------------------------------


def test_every_kind_of_statement_reaches_the_lrs_once_and_reads_back_the_same(
    app, runner, engine, lrs, activity
):
    assert set(activity) >= CORE_EVENTS
    forward_to(app, lrs.endpoint)

    result = flush(runner)

    assert result.exit_code == 0, result.output
    total = len(outbox(engine))
    assert f"{total} sent, 0 rejected, 0 in conflict, 0 to retry, 0 dead" in result.output
    assert by_status(engine) == {Q.SENT: total}
    rows = assert_exactly_once(lrs, engine, read_each=True)
    assert {r.event for r in rows} == set(activity)
    assert VOIDED in {r.verb_id for r in rows}
    assert any(r.statement.get("attachments") for r in rows)

    again = flush(runner)  # nothing is sent twice
    assert again.exit_code == 0 and "0 sent" in again.output
    assert_exactly_once(lrs, engine)


# --- the LRS down, failing, hanging ----------------------------------------------------------


def test_lrs_down_statements_wait_then_all_arrive_once_it_is_back(
    app, runner, engine, lrs, activity
):
    forward_to(app, lrs.endpoint)
    lrs.stop()

    result = flush(runner)
    assert result.exit_code == 1
    assert "Not delivered: cannot connect to the LRS" in result.output
    assert by_status(engine) == {Q.QUEUED: len(outbox(engine))}  # nothing lost, nothing dead
    status = runner.invoke(args=["lms", "xapi", "status"]).output
    assert "Last error (" in status and "cannot connect to the LRS" in status

    lrs.start()
    wait_until_due(engine)
    result = flush(runner)
    assert result.exit_code == 0, result.output
    assert by_status(engine) == {Q.SENT: len(outbox(engine))}
    assert_exactly_once(lrs, engine)


def test_an_lrs_answering_500_leads_to_dead_letters_that_requeue_and_arrive(
    app, runner, engine, lrs, proxy, activity
):
    forward_to(app, proxy.endpoint, INSIGHTS_XAPI_MAX_ATTEMPTS=2, INSIGHTS_XAPI_BATCH_SIZE=1000)
    total = len(outbox(engine))
    proxy.set("error")

    first = flush(runner)
    assert first.exit_code == 1 and "the LRS answered HTTP 500" in first.output
    assert f"{total} to retry" in first.output
    wait_until_due(engine)
    second = flush(runner)
    assert f"{total} dead" in second.output
    dead = outbox(engine)
    assert {r.status for r in dead} == {Q.DEAD}
    assert all(r.last_error.startswith("Gave up after 2 attempts") for r in dead)
    assert f"Dead: {total}" in runner.invoke(args=["lms", "xapi", "status"]).output
    assert lrs.all_statements() == []

    proxy.set("pass")
    assert f"Re-queued {total} statements." in runner.invoke(args=["lms", "xapi", "requeue"]).output
    result = flush(runner)
    assert result.exit_code == 0, result.output
    assert_exactly_once(lrs, engine)
    assert by_status(engine) == {Q.SENT: total}


def test_an_lrs_hanging_past_the_read_timeout_is_retried(app, runner, engine, lrs, proxy, activity):
    forward_to(app, proxy.endpoint, INSIGHTS_XAPI_READ_TIMEOUT=0.5)
    proxy.set("hang")

    result = flush(runner)
    assert result.exit_code == 1
    assert "the LRS did not answer within 0.5 s" in result.output
    rows = outbox(engine)
    assert {(r.status, r.claimed_by) for r in rows} == {(Q.QUEUED, None)}

    proxy.set("pass")
    forward_to(app, proxy.endpoint)  # the usual read timeout: a busy LRS is not a hanging one
    wait_until_due(engine)
    assert flush(runner).exit_code == 0
    assert_exactly_once(lrs, engine)
    assert by_status(engine) == {Q.SENT: len(rows)}


def test_a_batch_stored_by_the_lrs_whose_answer_was_lost_is_resent_without_duplicates(
    app, runner, engine, lrs, proxy, activity
):
    forward_to(app, proxy.endpoint, INSIGHTS_XAPI_BATCH_SIZE=50, INSIGHTS_XAPI_READ_TIMEOUT=1)
    proxy.set("store-then-hang")

    assert flush(runner).exit_code == 1
    first_batch = proxy.posts[0]
    # The LRS has stored it; the forwarder never heard so.
    wait_until(lambda: len(lrs.all_statements()) == 50, what="the LRS to store the batch")

    proxy.set("pass")
    forward_to(app, proxy.endpoint, INSIGHTS_XAPI_BATCH_SIZE=50)
    wait_until_due(engine)
    assert flush(runner).exit_code == 0
    resent = [sid for batch in proxy.posts[1:] for sid in batch]
    assert set(first_batch) <= set(resent)  # the same statements, sent again
    assert_exactly_once(lrs, engine)
    assert by_status(engine) == {Q.SENT: len(outbox(engine))}


# --- one bad statement -----------------------------------------------------------------------


def test_one_statement_the_lrs_rejects_is_set_aside_and_the_rest_arrive(
    app, runner, engine, lrs, proxy, activity
):
    forward_to(app, proxy.endpoint, INSIGHTS_XAPI_BATCH_SIZE=100)
    with Session(engine) as session:
        bad = session.scalars(
            sa.select(XapiStatement).order_by(XapiStatement.id).offset(37)
        ).first()
        # A statement the LRS must refuse: a verb id that is not an IRI.
        bad.statement = {**bad.statement, "verb": {"id": "completed"}}
        session.commit()
        bad_id = bad.statement_id
    total = len(outbox(engine))

    result = flush(runner)

    assert result.exit_code == 0, result.output
    assert f"{total - 1} sent, 1 rejected" in result.output
    [rejected] = [r for r in outbox(engine) if r.status == Q.REJECTED]
    assert rejected.statement_id == bad_id
    assert "verb.id" in rejected.last_error and "HTTP 400" in rejected.last_error
    assert lrs.statement(bad_id) is None
    assert_exactly_once(lrs, engine)
    # Halving the batch of 100 to find the one: about 2·log2(100) requests, not 100.
    batches = math.ceil(total / 100)
    assert len(proxy.posts) <= batches + 2 * math.ceil(math.log2(100))
    assert "Rejected: 1" in runner.invoke(args=["lms", "xapi", "status"]).output


# --- refused credentials ---------------------------------------------------------------------


def test_refused_credentials_pause_and_alert_without_failing_anything(
    app, runner, client, db, engine, lrs, activity
):
    forward_to(app, lrs.endpoint, credentials=(WRITER[0], "not-the-password"))
    total = len(outbox(engine))

    result = flush(runner)

    assert result.exit_code == 1
    assert "PAUSED: The LRS at" in result.output
    assert "refused the credentials (HTTP 401: Unauthorised; user 'insights-lms')" in result.output
    assert {(r.status, r.attempts) for r in outbox(engine)} == {(Q.QUEUED, 0)}
    status = runner.invoke(args=["lms", "xapi", "status"]).output
    assert "Paused: YES" in status and f"Queued: {total}" in status
    assert flush(runner).exit_code == 1  # still paused: not one more request with them

    admin = make_user(db, is_admin=True)
    db.commit()
    login(client, admin.email, PASSWORD)
    page = client.get("/admin/xapi/")
    assert "Sending to the LRS is paused" in page.text
    assert "refused the credentials" in page.text

    forward_to(app, lrs.endpoint)  # the right password: sending resumes by itself
    result = flush(runner)
    assert result.exit_code == 0, result.output
    assert "Paused: no" in runner.invoke(args=["lms", "xapi", "status"]).output
    assert_exactly_once(lrs, engine)
    assert by_status(engine) == {Q.SENT: total}


def test_a_forbidden_client_pauses_until_an_administrator_resumes(
    app, runner, engine, lrs, activity
):
    forward_to(app, lrs.endpoint, credentials=READER)

    result = flush(runner)
    assert result.exit_code == 1
    assert "forbade sending (HTTP 403: Forbidden" in result.output

    # Fixed on the LRS's side: the same client may now write.
    lrs.client_info.clients[basic(*READER)]["scopes"] = ["all"]
    assert flush(runner).exit_code == 1  # still paused until someone says so
    assert runner.invoke(args=["lms", "xapi", "resume"]).exit_code == 0
    assert flush(runner).exit_code == 0
    assert_exactly_once(lrs, engine)
    assert by_status(engine) == {Q.SENT: len(outbox(engine))}


# --- the worker process ----------------------------------------------------------------------


@contextmanager
def worker(
    database_url: str, endpoint: str, log: Path, **extra: Any
) -> Iterator[subprocess.Popen[bytes]]:
    """``lms xapi worker`` as its own process, as in production."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INSIGHTS_")}
    env.update(
        {
            "INSIGHTS_ENV": "testing",
            "INSIGHTS_DATABASE_URL": database_url,
            "INSIGHTS_SECRET_KEY": TEST_SECRET,
            "INSIGHTS_UPLOAD_DIR": str(log.parent / "uploads"),
            "INSIGHTS_LRS_ENDPOINT": endpoint,
            "INSIGHTS_LRS_USERNAME": WRITER[0],
            "INSIGHTS_LRS_PASSWORD": WRITER[1],
            **{k: str(v) for k, v in FAST_FORWARDING.items()},
            **{k: str(v) for k, v in extra.items()},
        }
    )
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "insights_lms", "lms", "xapi", "worker"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=30)


def test_a_worker_killed_mid_batch_is_made_good_by_the_next_one(
    app, engine, database_url, lrs, proxy, activity, tmp_path
):
    log = tmp_path / "worker.log"
    total = len(outbox(engine))
    proxy.set("store-then-hang")  # the LRS stores the batch; the worker waits for the answer
    # The kill comes long before the read timeout (3 s); the lease (6 s) runs out soon after.
    with worker(database_url, proxy.endpoint, log) as first:
        assert proxy.request_seen.wait(60), log.read_text()
        first.kill()  # SIGKILL mid-batch: no chance to record or hand anything back
        first.wait(timeout=30)
    claimed = [r for r in outbox(engine) if r.claimed_by]
    # The batch in flight, and the next one if the worker had already claimed it while
    # waiting (it prepares the next batch during the HTTP request): whole batches, all held.
    assert len(claimed) in {min(total, 100), min(total, 200)}
    assert {r.status for r in claimed} == {Q.QUEUED}

    proxy.set("pass")
    # The next worker takes the unclaimed rows at once and the killed worker's batch when
    # its lease runs out, sends it again, and the LRS keeps one copy.
    with worker(database_url, proxy.endpoint, log) as second:
        wait_until(lambda: by_status(engine) == {Q.SENT: total}, what="every statement sent")
        assert stop(second) == 0
    assert "xAPI worker stopped:" in log.read_text()
    assert_exactly_once(lrs, engine)
    assert sorted(proxy.sent_ids()).count(claimed[0].statement_id) == 2


def test_sigterm_lets_the_worker_finish_its_batch_and_exit_cleanly(
    app, engine, database_url, lrs, proxy, activity, tmp_path
):
    log = tmp_path / "worker.log"
    proxy.set("hang")
    with worker(
        database_url,
        proxy.endpoint,
        log,
        INSIGHTS_XAPI_READ_TIMEOUT=2,
        INSIGHTS_XAPI_LEASE_SECONDS=60,
    ) as process:
        assert proxy.request_seen.wait(60), log.read_text()
        assert stop(process) == 0
    text = log.read_text()
    assert "SIGTERM: finishing the current batch" in text
    assert "xAPI worker stopped:" in text
    # The batch in flight was finished (its timeout recorded as an attempt), none is held.
    rows = outbox(engine)
    assert {(r.status, r.claimed_by) for r in rows} == {(Q.QUEUED, None)}
    assert {r.attempts for r in rows} <= {0, 1}
    assert any("did not answer within 2 s" in (r.last_error or "") for r in rows)


def test_several_workers_on_postgresql_send_each_statement_once(
    app, engine, database_url, db_backend, lrs, proxy, activity, tmp_path
):
    if db_backend != "postgresql":
        pytest.skip("several workers need PostgreSQL (FOR UPDATE SKIP LOCKED); SQLite runs one")
    total = len(outbox(engine))
    proxy.delay = 0.2  # slow enough an LRS that the three workers overlap
    logs = [tmp_path / f"worker{i}.log" for i in range(3)]
    with (
        worker(database_url, proxy.endpoint, logs[0], INSIGHTS_XAPI_BATCH_SIZE=5) as a,
        worker(database_url, proxy.endpoint, logs[1], INSIGHTS_XAPI_BATCH_SIZE=5) as b,
        worker(database_url, proxy.endpoint, logs[2], INSIGHTS_XAPI_BATCH_SIZE=5) as c,
    ):
        wait_until(lambda: by_status(engine) == {Q.SENT: total}, what="every statement sent")
        assert [stop(p) for p in (a, b, c)] == [0, 0, 0]
    sent = list(proxy.sent_ids())
    assert len(sent) == total == len(set(sent))  # claimed by exactly one worker each
    assert_exactly_once(lrs, engine)
    assert sum(1 for log in logs if "statement(s) sent" in log.read_text()) >= 2
