"""The forwarder's decisions, against an in-process stand-in for the LRS (the real LRS is in
tests/integration/test_xapi_lrs.py): what each answer does to a statement, backoff and dead
letters, bisection, the pause, claims and leases, re-queueing, the CLI's words.

xAPI 1.0.3 part three, 2.1.2 (POST Statements: an array, "200 OK, Statement id(s)"), 1.2 (Basic
auth), 3.3 (X-Experience-API-Version header on every request) and 2.1.1 (PUT answers 204 No
Content when the statement is already stored; a POST of the same statement may do the same).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from insights_lms.config import ConfigError, load_settings
from insights_lms.state import get_state
from insights_lms.xapi import services
from insights_lms.xapi.forwarder import (
    Forwarder,
    ForwarderConfig,
    credentials_key,
    retry_delay,
    run_worker,
)
from insights_lms.xapi.models import XapiForwarderState, XapiStatement, XapiStatementStatus
from insights_lms.xapi.transport import LrsAnswer, LrsUnreachable, statements_url

Q = XapiStatementStatus
T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)  # in the past: due now by any clock
SECRET = "unit-test-secret"


def make_config(**overrides: Any) -> ForwarderConfig:
    values: dict[str, Any] = {
        "endpoint": "https://lrs.example.org/xapi/",
        "username": "lms",
        "password": "s3cret",
        "batch_size": 100,
        "max_attempts": 5,
        "backoff_base": 10.0,
        "backoff_cap": 600.0,
        "poll_interval": 0.01,
        "lease_seconds": 300.0,
    }
    values.update(overrides)
    config = ForwarderConfig(**values)
    return ForwarderConfig(**{**values, "credentials_key": credentials_key(config, SECRET)})


class Clock:
    def __init__(self, now: dt.datetime = T0) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


class FakeLRS:
    """Stores statements like an LRS: 400 for a batch with a statement whose verb is not an
    IRI, 409 for an id it holds with other content, else 200 with the ids. ``script`` answers
    first (an ``LrsAnswer``, an exception to raise, or a status)."""

    def __init__(self) -> None:
        self.stored: dict[str, str] = {}
        self.bodies: list[bytes] = []
        self.script: list[Any] = []
        self.closed = False

    def post_statements(self, body: bytes) -> LrsAnswer:
        self.bodies.append(body)
        if self.script:
            step = self.script.pop(0)
            if isinstance(step, BaseException):
                raise step
            if isinstance(step, int):
                return LrsAnswer(step, b'{"message":"scripted"}')
            return step
        statements = json.loads(body)
        for index, statement in enumerate(statements):
            if not statement["verb"]["id"].startswith("http"):
                return LrsAnswer(
                    400,
                    json.dumps({"warnings": [f"Problem in 'statements.{index}.verb.id'"]}).encode(),
                )
            held = self.stored.get(statement["id"])
            if held is not None and json.loads(held) != statement:
                return LrsAnswer(
                    409, json.dumps({"message": f"{statement['id']} is conflicting"}).encode()
                )
        for statement in statements:
            self.stored[statement["id"]] = json.dumps(statement)
        return LrsAnswer(200, json.dumps([s["id"] for s in statements]).encode())

    def close(self) -> None:
        self.closed = True


def statement(verb: str = "http://adlnet.gov/expapi/verbs/completed") -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": "https://x.example/", "name": "p1"},
        },
        "verb": {"id": verb, "display": {"en-GB": "did — “it”"}},
        "object": {"id": "https://x.example/modules/M1", "objectType": "Activity"},
        "timestamp": "2026-11-23T09:00:00.000+00:00",
    }


def queue(
    db: Session, count: int, *, verb: str | None = None, event: str = "test.event"
) -> list[XapiStatement]:
    rows = []
    for _ in range(count):
        data = statement(verb) if verb else statement()
        row = XapiStatement(
            statement_id=data["id"],
            statement=data,
            verb_id=data["verb"]["id"],
            object_id=data["object"]["id"],
            event=event,
            next_attempt_dt=T0,
            created_dt=T0,
        )
        db.add(row)
        rows.append(row)
    db.commit()
    return rows


@pytest.fixture
def engine(app):
    with app.app_context():
        return get_state().db.engine


@pytest.fixture
def lrs() -> FakeLRS:
    return FakeLRS()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def forwarder(engine, lrs, clock) -> Callable[..., Forwarder]:
    def build(transport: Any = None, **config: Any) -> Forwarder:
        return Forwarder(
            engine,
            make_config(**config),
            transport if transport is not None else lrs,
            name="test-worker",
            clock=clock,
            rng=lambda: 1.0,  # the top of the jitter range: the longest wait
        )

    return build


def fetch(db: Session, statement_id: str) -> XapiStatement:
    db.expire_all()
    row = db.scalar(sa.select(XapiStatement).where(XapiStatement.statement_id == statement_id))
    assert row is not None
    return row


def statuses(db: Session) -> dict[XapiStatementStatus, int]:
    db.expire_all()
    return dict(
        db.execute(
            sa.select(XapiStatement.status, sa.func.count()).group_by(XapiStatement.status)
        ).all()
    )


def stored_text(db: Session, row: XapiStatement) -> bytes:
    return db.scalar(
        sa.select(sa.cast(XapiStatement.statement, sa.Text)).where(XapiStatement.id == row.id)
    ).encode()


# --- success ---------------------------------------------------------------------------------


def test_batches_are_posted_as_json_arrays_of_the_statements_exactly_as_stored(db, lrs, forwarder):
    rows = queue(db, 5)
    report = forwarder(batch_size=2).run_pass()

    assert (report.sent, report.batches, report.requests) == (5, 3, 3)
    assert [len(json.loads(b)) for b in lrs.bodies] == [2, 2, 1]
    # Byte for byte what the outbox holds, oldest first: a resend is the identical statement.
    expected = b"[" + b",".join(stored_text(db, r) for r in rows[:2]) + b"]"
    assert lrs.bodies[0] == expected
    assert set(lrs.stored) == {r.statement_id for r in rows}


def test_sent_statements_are_marked_sent_with_the_time_and_kept(db, forwarder, clock):
    [row] = queue(db, 1)
    forwarder().run_pass()
    row = fetch(db, row.statement_id)
    assert row.status == Q.SENT
    assert row.sent_dt == clock.now
    assert row.attempts == 1
    assert row.claimed_by is None and row.claimed_until is None
    assert db.get(XapiForwarderState, 1).last_sent_dt == clock.now


def test_204_without_a_body_counts_as_sent(db, lrs, forwarder):
    queue(db, 3)
    lrs.script = [LrsAnswer(204, b"")]
    report = forwarder().run_pass()
    assert report.sent == 3
    assert statuses(db) == {Q.SENT: 3}


def test_a_pass_with_nothing_due_sends_nothing(db, lrs, forwarder, clock):
    queue(db, 2)
    forwarder().run_pass()
    report = forwarder().run_pass()
    assert (report.sent, report.requests) == (0, 0)
    assert len(lrs.bodies) == 1


# --- a 400 or 409 on a batch: bisect ---------------------------------------------------------


def test_one_bad_statement_is_set_aside_and_the_rest_of_its_batch_is_stored(db, lrs, forwarder):
    good = queue(db, 7)
    [bad] = queue(db, 1, verb="completed")
    more = queue(db, 8)

    report = forwarder(batch_size=16).run_pass()

    assert (report.sent, report.rejected) == (15, 1)
    assert set(lrs.stored) == {r.statement_id for r in good + more}
    bad = fetch(db, bad.statement_id)
    assert bad.status == Q.REJECTED
    assert bad.last_error == "HTTP 400: Problem in 'statements.0.verb.id'"
    # Halving 16 down to the one: far fewer requests than one per statement.
    assert report.requests <= 1 + 2 * 4
    assert statuses(db) == {Q.SENT: 15, Q.REJECTED: 1}


def test_two_bad_statements_in_one_batch_are_both_found(db, lrs, forwarder):
    rows = queue(db, 3) + queue(db, 1, verb="bad-1") + queue(db, 3) + queue(db, 1, verb="bad-2")
    report = forwarder().run_pass()
    assert (report.sent, report.rejected) == (6, 2)
    assert {r.statement_id for r in rows if fetch(db, r.statement_id).status == Q.REJECTED} == {
        rows[3].statement_id,
        rows[7].statement_id,
    }


def test_a_409_marks_only_the_conflicting_statement(db, lrs, forwarder):
    rows = queue(db, 4)
    lrs.stored[rows[2].statement_id] = json.dumps({"id": rows[2].statement_id, "other": True})
    report = forwarder().run_pass()
    assert (report.sent, report.conflicts) == (3, 1)
    conflict = fetch(db, rows[2].statement_id)
    assert conflict.status == Q.CONFLICT
    assert "is conflicting" in conflict.last_error


# --- 401/403: pause, fail nothing ------------------------------------------------------------


@pytest.mark.parametrize("code", [401, 403])
def test_refused_credentials_pause_sending_without_failing_any_statement(
    db, lrs, forwarder, code, caplog
):
    queue(db, 250)
    lrs.script = [code]
    report = forwarder().run_pass()

    assert report.paused and f"HTTP {code}" in report.paused
    assert "INSIGHTS_LRS_PASSWORD" in report.paused
    assert len(lrs.bodies) == 1  # it stopped at the first refusal
    db.expire_all()
    rows = list(db.scalars(sa.select(XapiStatement)))
    assert {r.status for r in rows} == {Q.QUEUED}
    assert {r.attempts for r in rows} == {0}
    assert {r.claimed_by for r in rows} == {None}
    status = services.forwarding_status(db)
    assert status.is_paused and status.pause_reason == report.paused
    assert status.due == 250
    assert any("PAUSED" in r.message and r.levelname == "ERROR" for r in caplog.records)

    again = forwarder().run_pass()  # every worker stays paused: nothing is sent
    assert again.paused == report.paused and len(lrs.bodies) == 1


def test_new_credentials_lift_the_pause_by_themselves(db, lrs, forwarder):
    queue(db, 3)
    lrs.script = [401]
    assert forwarder().run_pass().paused
    report = forwarder(password="the-right-one").run_pass()
    assert report.paused is None and report.sent == 3
    assert not services.forwarding_status(db).is_paused


def test_an_administrator_resumes_after_the_lrs_is_fixed(db, lrs, forwarder):
    queue(db, 3)
    lrs.script = [403]
    forwarder().run_pass()
    services.resume(db)
    db.commit()
    assert forwarder().run_pass().sent == 3
    with pytest.raises(services.XapiError, match="not paused"):
        services.resume(db)


# --- failures: retry with backoff, then dead letters -----------------------------------------


@pytest.mark.parametrize(
    "failure, words",
    [
        (
            LrsUnreachable("cannot connect to the LRS at x (Connection refused)"),
            "Connection refused",
        ),
        (500, "the LRS answered HTTP 500: scripted"),
        (LrsAnswer(502, b"<html>Bad gateway</html>"), "HTTP 502: <html>Bad gateway</html>"),
    ],
)
def test_a_failed_batch_is_retried_after_a_backoff(db, lrs, forwarder, clock, failure, words):
    rows = queue(db, 3)
    lrs.script = [failure]
    report = forwarder().run_pass()

    assert (report.sent, report.retried, report.dead) == (0, 3, 0)
    assert words in report.failure
    for row in rows:
        row = fetch(db, row.statement_id)
        assert row.status == Q.QUEUED and row.attempts == 1
        assert words in row.last_error
        assert row.next_attempt_dt == clock.now + dt.timedelta(seconds=10)  # base, top of jitter
        assert row.claimed_by is None
    assert words in db.get(XapiForwarderState, 1).last_error

    assert forwarder().run_pass().requests == 0  # not due yet
    clock.advance(10)
    assert forwarder().run_pass().sent == 3
    assert set(lrs.stored) == {r.statement_id for r in rows}


def test_a_pass_stops_at_the_first_failed_batch(db, lrs, forwarder, clock):
    queue(db, 10)
    lrs.script = [500]
    report = forwarder(batch_size=2).run_pass()
    assert len(lrs.bodies) == 1 and report.retried == 2
    assert services.forwarding_status(db, now=clock.now).due == 8  # untouched: no attempt counted


def test_the_wait_doubles_with_each_failure_up_to_the_cap(db, lrs, forwarder, clock):
    [row] = queue(db, 1)
    waits = []
    for _ in range(4):
        lrs.script = [503]
        forwarder(max_attempts=10, backoff_base=10, backoff_cap=50).run_pass()
        row = fetch(db, row.statement_id)
        waits.append((row.next_attempt_dt - clock.now).total_seconds())
        clock.now = row.next_attempt_dt
    assert waits == [10, 20, 40, 50]


def test_retry_after_from_the_lrs_is_respected(db, lrs, forwarder, clock):
    [row] = queue(db, 1)
    lrs.script = [LrsAnswer(429, b"slow down", retry_after=120)]
    forwarder().run_pass()
    assert fetch(db, row.statement_id).next_attempt_dt == clock.now + dt.timedelta(seconds=120)


def test_retry_delay_has_jitter_within_half_of_the_doubled_wait():
    assert retry_delay(1, 2, 100, rng=lambda: 0.0) == 1
    assert retry_delay(1, 2, 100, rng=lambda: 1.0) == 2
    assert retry_delay(3, 2, 100, rng=lambda: 0.5) == 6
    assert retry_delay(30, 2, 100, rng=lambda: 1.0) == 100
    delays = {retry_delay(4, 2, 100) for _ in range(50)}
    assert all(8 <= d <= 16 for d in delays) and len(delays) > 1


def test_after_the_last_attempt_a_statement_is_a_visible_dead_letter(
    db, lrs, forwarder, clock, caplog
):
    rows = queue(db, 2, event="evidence.created")
    for _ in range(3):
        lrs.script = [500]
        report = forwarder(max_attempts=3).run_pass()
        clock.advance(3600)
    assert report.dead == 2
    for row in rows:
        row = fetch(db, row.statement_id)
        assert row.status == Q.DEAD and row.attempts == 3
        assert row.last_error.startswith(
            "Gave up after 3 attempts. Last: the LRS answered HTTP 500"
        )
    assert services.forwarding_status(db).count(Q.DEAD) == 2
    assert [r.statement_id for r in services.set_aside_statements(db)] == [
        r.statement_id for r in reversed(rows)
    ]
    assert forwarder().run_pass().requests == 0  # dead letters are not retried by themselves


def test_requeued_dead_letters_are_sent_again(db, lrs, forwarder, clock):
    rows = queue(db, 2)
    lrs.script = [500]
    forwarder(max_attempts=1).run_pass()
    assert statuses(db) == {Q.DEAD: 2}

    assert services.requeue(db, now=clock.now) == 2
    db.commit()
    row = fetch(db, rows[0].statement_id)
    assert (row.status, row.attempts, row.next_attempt_dt) == (Q.QUEUED, 0, clock.now)
    assert forwarder().run_pass().sent == 2


def test_requeue_by_id_or_event(db, lrs, forwarder):
    a = queue(db, 2, event="evidence.created")
    b = queue(db, 2, event="task.submitted")
    lrs.script = [500]
    forwarder(max_attempts=1).run_pass()

    assert services.requeue(db, statement_ids=[a[0].statement_id]) == 1
    assert services.requeue(db, event="task.submitted") == 2
    db.commit()
    assert fetch(db, a[1].statement_id).status == Q.DEAD
    assert {fetch(db, r.statement_id).status for r in [a[0], *b]} == {Q.QUEUED}


def test_requeue_refuses_unknown_or_queued_statements(db):
    [row] = queue(db, 1)
    with pytest.raises(services.XapiError, match="No statement with id nope"):
        services.requeue(db, statement_ids=["nope"])
    with pytest.raises(services.XapiError, match="is queued, so it cannot be re-queued"):
        services.requeue(db, statement_ids=[row.statement_id])
    with pytest.raises(services.XapiError, match="not sent"):
        services.requeue(db, statuses=[Q.SENT])


def test_rejected_statements_can_be_requeued_by_id(db, lrs, forwarder):
    [bad] = queue(db, 1, verb="completed")
    forwarder().run_pass()
    assert services.requeue(db, statement_ids=[bad.statement_id], statuses=services.SET_ASIDE) == 1
    db.commit()
    assert fetch(db, bad.statement_id).status == Q.QUEUED


# --- claims, leases, several workers, stopping -----------------------------------------------


def test_a_claimed_batch_is_not_claimed_again_until_its_lease_runs_out(db, forwarder, clock, lrs):
    queue(db, 3)
    first = forwarder(batch_size=2).claim()
    second = forwarder(batch_size=2).claim()
    assert first is not None and second is not None
    assert len(first) == 2 and len(second) == 1
    assert not {r.id for r in first.rows} & {r.id for r in second.rows}
    assert forwarder().claim() is None
    assert services.forwarding_status(db, now=clock.now).in_flight == 3

    # The worker holding ``first`` died: after the lease, its rows are claimed and sent again.
    clock.advance(301)
    report = forwarder().run_pass()
    assert report.sent == 3  # ``second``'s lease ran out too
    assert statuses(db) == {Q.SENT: 3}


def test_a_worker_whose_lease_ran_out_does_not_overwrite_the_new_claim(db, forwarder, clock, lrs):
    [row] = queue(db, 1)
    slow = forwarder()
    stale = slow.claim()
    clock.advance(301)
    fresh = forwarder().claim()
    assert fresh is not None and fresh.rows[0].id == stale.rows[0].id

    lrs.script = [500]
    slow.deliver(stale)  # the slow worker's failure is not recorded over the live claim
    row = fetch(db, row.statement_id)
    assert row.attempts == 0 and row.claimed_by == fresh.token
    forwarder().deliver(fresh)
    assert fetch(db, row.statement_id).status == Q.SENT


def test_stopping_during_bisection_hands_back_what_is_left(db, lrs, forwarder):
    queue(db, 3)
    queue(db, 1, verb="bad")
    stop = threading.Event()

    class StopAfterFirst(FakeLRS):
        def post_statements(self, body: bytes) -> LrsAnswer:
            stop.set()  # SIGTERM arrives while the first request is out
            return lrs.post_statements(body)

    report = forwarder(StopAfterFirst()).run_pass(stop)
    assert report.stopped and report.requests == 1
    db.expire_all()
    rows = list(db.scalars(sa.select(XapiStatement)))
    assert {(r.status, r.attempts, r.claimed_by) for r in rows} == {(Q.QUEUED, 0, None)}


def test_an_interrupted_send_hands_the_batch_back(db, lrs, forwarder):
    queue(db, 3)
    lrs.script = [KeyboardInterrupt()]  # a second SIGTERM while waiting for the LRS
    with pytest.raises(KeyboardInterrupt):
        forwarder().run_pass()
    db.expire_all()
    rows = list(db.scalars(sa.select(XapiStatement)))
    assert {(r.status, r.attempts, r.claimed_by) for r in rows} == {(Q.QUEUED, 0, None)}


def test_postgresql_workers_skip_rows_another_worker_is_claiming(db, engine, forwarder, db_backend):
    if db_backend != "postgresql":
        pytest.skip("FOR UPDATE SKIP LOCKED is PostgreSQL's; SQLite runs one worker")
    rows = queue(db, 4)
    with Session(engine) as other:
        # Another worker is in the middle of its claim transaction, holding two row locks.
        locked = other.scalars(
            sa.select(XapiStatement.id).order_by(XapiStatement.id).limit(2).with_for_update()
        ).all()
        batch = forwarder().claim()  # does not wait for the lock: takes the other rows
        assert batch is not None
        assert [r.id for r in batch.rows] == [r.id for r in rows[2:]]
        assert not set(locked) & {r.id for r in batch.rows}
        other.rollback()


def test_the_worker_keeps_forwarding_until_stopped(db, engine, lrs, clock):
    queue(db, 3)
    stop = threading.Event()
    forwarder = Forwarder(engine, make_config(), lrs, clock=clock)
    seen = []

    def on_pass(report):
        seen.append(report.sent)
        if sum(seen) == 3:
            stop.set()

    thread = threading.Thread(target=run_worker, args=(forwarder, stop, on_pass))
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert sum(seen) == 3 and len(lrs.stored) == 3


# --- status ----------------------------------------------------------------------------------


def test_status_tells_due_in_flight_and_waiting_apart(db, lrs, forwarder, clock):
    queue(db, 6)
    lrs.script = [500]
    forwarder(batch_size=2).run_pass()  # 2 waiting to retry
    forwarder(batch_size=1).claim()  # 1 being sent
    status = services.forwarding_status(db, now=clock.now)
    assert status.count(Q.QUEUED) == 6
    assert (status.due, status.in_flight, status.waiting) == (3, 1, 2)
    assert status.oldest_queued_dt == T0
    assert "HTTP 500" in status.last_error


# --- configuration and the command line ------------------------------------------------------


def test_settings_refuse_a_lease_shorter_than_a_request():
    with pytest.raises(ConfigError, match="INSIGHTS_XAPI_LEASE_SECONDS"):
        load_settings({"INSIGHTS_XAPI_READ_TIMEOUT": "60", "INSIGHTS_XAPI_LEASE_SECONDS": "30"})
    with pytest.raises(ConfigError, match="INSIGHTS_XAPI_BACKOFF_CAP"):
        load_settings({"INSIGHTS_XAPI_BACKOFF_BASE": "10", "INSIGHTS_XAPI_BACKOFF_CAP": "5"})


def test_the_config_comes_from_settings_and_keeps_the_password_out_of_sight():
    settings = load_settings(
        {
            "INSIGHTS_LRS_ENDPOINT": "https://lrs.example.org/xapi",
            "INSIGHTS_LRS_USERNAME": "lms",
            "INSIGHTS_LRS_PASSWORD": "s3cret",
            "INSIGHTS_XAPI_BATCH_SIZE": "50",
        }
    )
    config = ForwarderConfig.from_settings(settings, SECRET)
    assert config is not None and config.batch_size == 50 and config.password == "s3cret"
    assert "s3cret" not in repr(config) and "s3cret" not in config.credentials_key
    other = ForwarderConfig.from_settings(
        load_settings(
            {
                "INSIGHTS_LRS_ENDPOINT": "https://lrs.example.org/xapi",
                "INSIGHTS_LRS_USERNAME": "lms",
                "INSIGHTS_LRS_PASSWORD": "new",
            }
        ),
        SECRET,
    )
    assert other.credentials_key != config.credentials_key
    assert ForwarderConfig.from_settings(load_settings({}), SECRET) is None
    assert (
        statements_url("https://lrs.example.org/xapi") == "https://lrs.example.org/xapi/statements"
    )


def test_flush_without_an_lrs_says_what_to_set(app, runner, db):
    queue(db, 2)
    result = runner.invoke(args=["lms", "xapi", "flush"])
    assert result.exit_code == 2
    assert "No LRS is configured: set INSIGHTS_LRS_ENDPOINT" in result.output


def test_status_prints_counts_pause_and_last_error(app, runner, db, lrs, forwarder):
    queue(db, 3)
    queue(db, 1, verb="bad")
    lrs.script = [LrsAnswer(200, b"[]"), 401]
    forwarder(batch_size=2).run_pass()  # 2 sent, then a 401 pauses

    result = runner.invoke(args=["lms", "xapi", "status"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "LRS: not configured (INSIGHTS_LRS_ENDPOINT)" in lines
    assert "Queued: 2 (2 due now, 0 being sent, 0 waiting to retry)" in lines
    assert "Sent: 2" in lines and "Dead: 0" in lines
    assert "Rejected: 0" in lines and "Conflict: 0" in lines
    assert "Paused: YES" in lines
    assert any("refused the credentials (HTTP 401" in line for line in lines)
    assert any(line.startswith("Last error (") for line in lines)


def test_requeue_and_resume_commands(app, runner, db, lrs, forwarder, clock):
    rows = queue(db, 2, event="task.submitted")
    lrs.script = [500]
    forwarder(max_attempts=1).run_pass()

    result = runner.invoke(args=["lms", "xapi", "requeue", "--id", rows[0].statement_id])
    assert result.exit_code == 0 and "Re-queued 1 statement." in result.output
    result = runner.invoke(args=["lms", "xapi", "requeue"])
    assert "Re-queued 1 statement." in result.output
    result = runner.invoke(args=["lms", "xapi", "requeue", "--id", "missing"])
    assert result.exit_code == 1 and "No statement with id missing" in result.output
    assert statuses(db) == {Q.QUEUED: 2}

    result = runner.invoke(args=["lms", "xapi", "resume"])
    assert result.exit_code == 1 and "not paused" in result.output
    clock.now = dt.datetime.now(dt.UTC)  # the command re-queued them as due now
    lrs.script = [401]
    forwarder().run_pass()
    result = runner.invoke(args=["lms", "xapi", "resume"])
    assert result.exit_code == 0, result.output
    assert not services.forwarding_status(db).is_paused


# --- the transport's words -------------------------------------------------------------------


def test_the_lrs_error_text_is_its_message_or_warnings():
    assert LrsAnswer(401, b'{"errorId":"x","message":"Unauthorised"}').error_text() == (
        "HTTP 401: Unauthorised"
    )
    warnings = b'{"errorId":"x","warnings":["Problem in \'statements.0.verb.id\'","Other"]}'
    assert LrsAnswer(400, warnings).error_text() == (
        "HTTP 400: Problem in 'statements.0.verb.id'; Other"
    )
    assert LrsAnswer(502, b"<h1>Bad gateway</h1>").error_text() == "HTTP 502: <h1>Bad gateway</h1>"
    assert LrsAnswer(500, b"").error_text() == "HTTP 500"
    assert len(LrsAnswer(400, b"x" * 10_000).error_text()) == 2000
    assert LrsAnswer(204, b"").ok and LrsAnswer(200, b"[]").ok and not LrsAnswer(201, b"").ok


def test_retry_after_in_seconds_or_as_a_date():
    from insights_lms.xapi.transport import _retry_after

    assert _retry_after("120") == 120
    assert _retry_after(None) is None and _retry_after("soon") is None
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    assert 280 < _retry_after(later.strftime("%a, %d %b %Y %H:%M:%S GMT")) <= 300
