"""The forwarder: sends the outbox's queued statements to the LRS, in batches, exactly once.

One batch goes through three steps, each short:

1. **Claim** (one short transaction): the oldest due ``queued`` rows nobody holds are marked
   ``claimed_by`` this batch ``until`` now + the lease, then committed. On PostgreSQL the
   candidate rows are read ``FOR UPDATE SKIP LOCKED``, so several workers claim different rows
   without waiting for each other; the update re-checks the claim, so even SQLite (where there is
   no row locking, and one worker is the supported set-up) never hands one row to two batches.
2. **Send** (no transaction open): the statements exactly as stored, as one JSON array.
3. **Record** (one short transaction): what the LRS said, for the rows still claimed by this
   batch. A worker that dies between 1 and 3 leaves the claim until it expires; the rows are
   then claimed again and re-sent. Re-sending is safe: each statement's id was fixed when its
   event happened, so an LRS that already has it answers 200 (or 204) and stores nothing new.

What the LRS answers decides each row's fate:

- 200 or 204: ``sent``.
- 400 (or 413, or 409) for a batch: the batch is split in two and each half sent again, down to
  single statements, so that only the statements the LRS refuses are set aside (``rejected``
  with its error text, or ``conflict`` for a 409) and the others are stored.
- 401 or 403: forwarding **pauses** (every worker) and raises an alert: the statements stay
  queued with no attempt counted, because the credentials are wrong, not the statements.
- No answer, a timeout, 5xx, 429 or anything else: the attempt counts; the row is due again
  after an exponential backoff with jitter (at least the ``Retry-After`` the LRS asked for), and
  after ``max_attempts`` it becomes a ``dead`` letter that an administrator sees and can re-queue.

Unlike a service, the forwarder commits: its claims must be visible to other workers before
the request, and no transaction may stay open while waiting for the LRS.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import logging
import os
import random
import secrets
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from insights_lms.db import utcnow
from insights_lms.xapi.models import XapiForwarderState, XapiStatement, XapiStatementStatus
from insights_lms.xapi.transport import HttpTransport, LrsAnswer, LrsUnreachable, Transport

if TYPE_CHECKING:
    from insights_lms.config import Settings

log = logging.getLogger(__name__)

STATE_ID = 1
#: Answers to a batch that mean "something in this batch": split it to find what.
SPLIT_STATUSES = frozenset({400, 409, 413})
#: Answers that mean "not you, your credentials": pause instead of counting attempts.
AUTH_STATUSES = frozenset({401, 403})

_Q = XapiStatementStatus
_X = XapiStatement


@dataclass(frozen=True)
class ForwarderConfig:
    """Where and how to send, from the ``INSIGHTS_LRS_*`` and ``INSIGHTS_XAPI_*`` settings."""

    endpoint: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    batch_size: int = 100
    max_attempts: int = 20
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    backoff_base: float = 2.0
    backoff_cap: float = 1800.0
    poll_interval: float = 5.0
    lease_seconds: float = 300.0
    #: Identifies endpoint and credentials without revealing them (see ``credentials_key``).
    credentials_key: str = ""

    @classmethod
    def from_settings(cls, settings: Settings, secret_key: str) -> ForwarderConfig | None:
        """The configuration, or ``None`` when no LRS is configured."""
        if not settings.lrs_endpoint:
            return None
        password = settings.lrs_password.get_secret_value() if settings.lrs_password else None
        config = cls(
            endpoint=settings.lrs_endpoint,
            username=settings.lrs_username or None,
            password=password,
            batch_size=settings.xapi_batch_size,
            max_attempts=settings.xapi_max_attempts,
            connect_timeout=settings.xapi_connect_timeout,
            read_timeout=settings.xapi_read_timeout,
            backoff_base=settings.xapi_backoff_base,
            backoff_cap=settings.xapi_backoff_cap,
            poll_interval=settings.xapi_worker_poll,
            lease_seconds=settings.xapi_lease_seconds,
        )
        return dataclasses.replace(config, credentials_key=credentials_key(config, secret_key))

    def transport(self) -> HttpTransport:
        return HttpTransport(
            self.endpoint,
            self.username,
            self.password,
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
        )


def credentials_key(config: ForwarderConfig, secret_key: str) -> str:
    """An HMAC of endpoint, username and password under the app's secret key: equal for the
    same credentials, different when any of them changes, and useless to anyone reading the
    database."""
    message = "\n".join([config.endpoint, config.username or "", config.password or ""])
    return hmac.new(secret_key.encode(), message.encode(), hashlib.sha256).hexdigest()


def retry_delay(
    attempts: int, base: float, cap: float, rng: Callable[[], float] = random.random
) -> float:
    """Seconds to wait after the ``attempts``-th failure: ``base`` doubled for each failure
    before it, at most ``cap``, of which a random part (up to half) so that statements and
    workers that failed together do not all come back at the same instant."""
    ceiling = min(cap, base * 2 ** max(0, attempts - 1))
    return ceiling / 2 + rng() * ceiling / 2


def worker_name() -> str:
    """This process, as shown in ``claimed_by``: host and pid."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


# --- what happened to a batch ------------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    """A claimed row: its key, its statement id and the statement's stored JSON text."""

    id: int
    statement_id: str
    attempts: int
    text: str


@dataclass(frozen=True)
class Batch:
    """Rows claimed together; ``token`` is the claim, written to their ``claimed_by``."""

    token: str
    rows: list[Claimed]

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class Delivery:
    """The fate of each row of one batch, filled in while sending."""

    sent: list[Claimed] = field(default_factory=list)
    rejected: list[tuple[Claimed, str]] = field(default_factory=list)
    conflicts: list[tuple[Claimed, str]] = field(default_factory=list)
    #: Rows that failed to send (the attempt counts), and why; ``retry_after`` from the LRS.
    failed: list[Claimed] = field(default_factory=list)
    failure: str | None = None
    retry_after: float | None = None
    #: Rows not tried (pause, failure or stop before their turn): handed back, no attempt counted.
    released: list[Claimed] = field(default_factory=list)
    pause: str | None = None
    requests: int = 0

    @property
    def halted(self) -> bool:
        return self.pause is not None or self.failure is not None


@dataclass
class PassReport:
    """What one pass (``lms xapi flush``, or one round of the worker) did."""

    batches: int = 0
    requests: int = 0
    sent: int = 0
    rejected: int = 0
    conflicts: int = 0
    #: Failed to send and queued again for later.
    retried: int = 0
    #: Failed to send for the last allowed time: now dead letters.
    dead: int = 0
    #: The pause reason, when forwarding is (or became) paused.
    paused: str | None = None
    #: The last failure to deliver (the pass stops at the first one).
    failure: str | None = None
    stopped: bool = False

    def add(self, other: PassReport) -> None:
        for name in ("batches", "requests", "sent", "rejected", "conflicts", "retried", "dead"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.paused = other.paused or self.paused
        self.failure = other.failure or self.failure
        self.stopped = other.stopped or self.stopped

    def summary(self) -> str:
        text = (
            f"{self.sent} sent, {self.rejected} rejected, {self.conflicts} in conflict, "
            f"{self.retried} to retry, {self.dead} dead"
            f" ({self.batches} batch{'es' if self.batches != 1 else ''}, "
            f"{self.requests} request{'s' if self.requests != 1 else ''})"
        )
        return text


# --- the forwarder ---------------------------------------------------------------------------


class Forwarder:
    """Claims, sends and records batches for one process (one worker, or one ``flush``)."""

    def __init__(
        self,
        engine: Engine,
        config: ForwarderConfig,
        transport: Transport | None = None,
        *,
        name: str | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.config = config
        self.transport = transport if transport is not None else config.transport()
        self.name = name or worker_name()
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False)
        self._clock = clock
        self._rng = rng

    def close(self) -> None:
        self.transport.close()

    # -- a pass ---------------------------------------------------------------------------

    def run_pass(self, stop: threading.Event | None = None) -> PassReport:
        """Send every due statement, batch after batch, until none is due, forwarding is
        paused, the LRS fails to take a batch (retrying at once would fail again), or ``stop``
        is set (the batch in hand is finished first).

        The database work overlaps the HTTP: while one batch is with the LRS the next one is
        claimed and the previous one recorded, so the LRS, not the database, sets the pace.
        Only one request is out at a time.
        """
        report = PassReport()
        report.paused = self.check_pause()
        if report.paused or _is_set(stop):
            return report
        current = self.claim()
        sending = self._start_sending(current, stop) if current is not None else None
        while current is not None and sending is not None:
            upcoming = None
            try:
                upcoming = None if _is_set(stop) else self.claim()
                delivery = sending.result()
            except BaseException:
                self._hand_back(current, upcoming)
                raise
            if delivery.halted or _is_set(stop):
                self._hand_back(upcoming)
                report.add(self._record(current.token, delivery))
                break
            sending = self._start_sending(upcoming, stop) if upcoming is not None else None
            try:
                report.add(self._record(current.token, delivery))
            except BaseException:
                self._hand_back(upcoming)
                raise
            current = upcoming
        report.stopped = _is_set(stop)
        return report

    def deliver(self, batch: Batch, stop: threading.Event | None = None) -> PassReport:
        """Send one claimed batch and record the outcome. If sending is interrupted (a second
        SIGTERM, an unexpected error), the batch is handed back before the error goes on."""
        delivery = Delivery()
        try:
            self._send(list(batch.rows), delivery, stop)
        except BaseException:
            self._hand_back(batch)
            raise
        return self._record(batch.token, delivery)

    def _start_sending(self, batch: Batch, stop: threading.Event | None) -> _InFlight:
        def send() -> Delivery:
            delivery = Delivery()
            self._send(list(batch.rows), delivery, stop)
            return delivery

        return _InFlight(send)

    def _hand_back(self, *batches: Batch | None) -> None:
        """Release claimed batches that will not be sent or recorded now."""
        held = [batch for batch in batches if batch is not None]
        if not held:
            return
        with self._sessions.begin() as session:
            for batch in held:
                self._release(session, batch.token, batch.rows)

    # -- claiming -------------------------------------------------------------------------

    def claim(self) -> Batch | None:
        """Claim up to ``batch_size`` due rows for a new batch (committed before returning),
        or ``None`` when no row is due and free.

        One statement: ``WITH due AS MATERIALIZED (SELECT … FOR UPDATE SKIP LOCKED) UPDATE …
        WHERE id IN (SELECT id FROM due) RETURNING …``, the oldest due first (``next_attempt_dt,
        id``: the order of the status index, so no sort). The CTE is materialized so that
        PostgreSQL runs the locking ``SELECT`` once: as a plain subquery it may run again and
        claim more than ``LIMIT`` rows. The outer ``WHERE`` checks the claim again, so on
        SQLite, which has no row locks, a row still goes to one batch only.
        """
        token = f"{self.name}:{secrets.token_hex(4)}"
        with self._sessions.begin() as session:
            now = self._clock()
            free = sa.or_(_X.claimed_until.is_(None), _X.claimed_until < now)
            due = (
                sa.select(_X.id)
                .where(_X.status == _Q.QUEUED, _X.next_attempt_dt <= now, free)
                .order_by(_X.next_attempt_dt, _X.id)
                .limit(self.config.batch_size)
                .with_for_update(skip_locked=True)
                .cte("due")
                .prefix_with("MATERIALIZED", dialect="postgresql")
            )
            until = now + dt.timedelta(seconds=self.config.lease_seconds)
            rows = session.execute(
                sa.update(_X)
                .where(_X.id.in_(sa.select(due.c.id)), _X.status == _Q.QUEUED, free)
                .values(claimed_by=token, claimed_until=until)
                .returning(_X.id, _X.statement_id, _X.attempts, sa.cast(_X.statement, sa.Text))
                .execution_options(synchronize_session=False)
            ).all()
        if not rows:
            return None
        # RETURNING has no order: send the oldest first (ids grow with time).
        return Batch(token, sorted((Claimed(r[0], r[1], r[2], r[3]) for r in rows), key=_by_id))

    # -- sending --------------------------------------------------------------------------

    def _send(self, rows: list[Claimed], delivery: Delivery, stop: threading.Event | None) -> None:
        if delivery.halted or (stop is not None and stop.is_set() and delivery.requests):
            delivery.released += rows
            return
        body = b"[" + b",".join(row.text.encode("utf-8") for row in rows) + b"]"
        delivery.requests += 1
        try:
            answer = self.transport.post_statements(body)
        except LrsUnreachable as exc:
            self._fail(rows, delivery, str(exc), None)
            return
        if answer.ok:
            delivery.sent += rows
        elif answer.status in AUTH_STATUSES:
            delivery.pause = self._pause_reason(answer)
            delivery.released += rows
        elif answer.status in SPLIT_STATUSES and len(rows) > 1:
            middle = len(rows) // 2
            self._send(rows[:middle], delivery, stop)
            self._send(rows[middle:], delivery, stop)
        elif answer.status == 409:
            delivery.conflicts.append((rows[0], answer.error_text()))
        elif answer.status in SPLIT_STATUSES:
            delivery.rejected.append((rows[0], answer.error_text()))
        else:
            self._fail(rows, delivery, f"the LRS answered {answer.error_text()}", answer)

    def _fail(
        self, rows: list[Claimed], delivery: Delivery, reason: str, answer: LrsAnswer | None
    ) -> None:
        delivery.failed += rows
        delivery.failure = reason
        delivery.retry_after = answer.retry_after if answer is not None else None

    def _pause_reason(self, answer: LrsAnswer) -> str:
        who = f"user {self.config.username!r}" if self.config.username else "no username"
        meaning = "refused the credentials" if answer.status == 401 else "forbade sending"
        return (
            f"The LRS at {self.config.endpoint} {meaning} ({answer.error_text()}; {who}). "
            "Sending is paused and nothing was marked failed. Fix INSIGHTS_LRS_USERNAME / "
            "INSIGHTS_LRS_PASSWORD (sending resumes by itself once they change) or, if the "
            "LRS was fixed instead, resume from the xAPI status page or `lms xapi resume`."
        )

    # -- recording ------------------------------------------------------------------------

    def _record(self, token: str, delivery: Delivery) -> PassReport:
        """Write each row's outcome, for the rows this batch still holds (if the lease ran out
        and another worker claimed a row since, that worker records it)."""
        report = PassReport(batches=1, requests=delivery.requests)
        now = self._clock()
        with self._sessions.begin() as session:
            if delivery.sent:
                self._mark_sent(session, token, delivery.sent, now)
            for status, items in (
                (_Q.REJECTED, delivery.rejected),
                (_Q.CONFLICT, delivery.conflicts),
            ):
                self._set_aside(session, token, status, items)
            if delivery.failed:
                report.retried, report.dead = self._mark_failed(session, token, delivery, now)
            self._release(session, token, delivery.released)
            self._update_state(session, delivery, now)
        report.sent = len(delivery.sent)
        report.rejected = len(delivery.rejected)
        report.conflicts = len(delivery.conflicts)
        report.paused = delivery.pause
        report.failure = delivery.failure
        self._log(report, delivery)
        return report

    def _mark_sent(
        self, session: Session, token: str, rows: list[Claimed], now: dt.datetime
    ) -> None:
        for chunk in _chunks([row.id for row in rows], 500):
            session.execute(
                sa.update(_X)
                .where(_X.id.in_(chunk), _X.claimed_by == token)
                .values(
                    status=_Q.SENT,
                    sent_dt=now,
                    attempts=_X.attempts + 1,
                    claimed_by=None,
                    claimed_until=None,
                )
                .execution_options(synchronize_session=False)
            )

    def _set_aside(
        self,
        session: Session,
        token: str,
        status: XapiStatementStatus,
        items: list[tuple[Claimed, str]],
    ) -> None:
        for row, error in items:
            session.execute(
                sa.update(_X)
                .where(_X.id == row.id, _X.claimed_by == token)
                .values(
                    status=status,
                    last_error=error,
                    attempts=_X.attempts + 1,
                    claimed_by=None,
                    claimed_until=None,
                )
                .execution_options(synchronize_session=False)
            )

    def _mark_failed(
        self, session: Session, token: str, delivery: Delivery, now: dt.datetime
    ) -> tuple[int, int]:
        retried = dead = 0
        reason = delivery.failure or "sending failed"
        for row in delivery.failed:
            attempts = row.attempts + 1
            values: dict[str, Any] = {
                "attempts": attempts,
                "claimed_by": None,
                "claimed_until": None,
            }
            if attempts >= self.config.max_attempts:
                dead += 1
                values["status"] = _Q.DEAD
                values["last_error"] = f"Gave up after {attempts} attempts. Last: {reason}"
            else:
                retried += 1
                delay = retry_delay(
                    attempts, self.config.backoff_base, self.config.backoff_cap, self._rng
                )
                delay = max(delay, min(delivery.retry_after or 0.0, self.config.backoff_cap))
                values["next_attempt_dt"] = now + dt.timedelta(seconds=delay)
                values["last_error"] = reason
            session.execute(
                sa.update(_X)
                .where(_X.id == row.id, _X.claimed_by == token)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
        return retried, dead

    def _release(self, session: Session, token: str, rows: Sequence[Claimed]) -> None:
        """Hand rows back (no attempt counted): due again at once, for any worker."""
        for chunk in _chunks([row.id for row in rows], 500):
            session.execute(
                sa.update(_X)
                .where(_X.id.in_(chunk), _X.claimed_by == token)
                .values(claimed_by=None, claimed_until=None)
                .execution_options(synchronize_session=False)
            )

    # -- the shared state: pause, last error ----------------------------------------------

    def _update_state(self, session: Session, delivery: Delivery, now: dt.datetime) -> None:
        if not (delivery.sent or delivery.failure or delivery.pause):
            return
        state = locked_state(session)
        if delivery.sent:
            state.last_sent_dt = now
        if delivery.failure or delivery.pause:
            state.last_error = delivery.pause or delivery.failure
            state.last_error_dt = now
        if delivery.pause and state.paused_dt is None:
            state.paused_dt = now
            state.pause_reason = delivery.pause
            state.credentials_key = self.config.credentials_key

    def check_pause(self) -> str | None:
        """The pause reason if forwarding is paused for these credentials. A pause for other
        credentials (they have been changed since) is lifted here."""
        with self._sessions.begin() as session:
            state = session.get(XapiForwarderState, STATE_ID)
            if state is None or state.paused_dt is None:
                return None
            if state.credentials_key == self.config.credentials_key:
                return state.pause_reason or "Sending to the LRS is paused."
            state = locked_state(session)
            if state.paused_dt is not None and state.credentials_key != self.config.credentials_key:
                log.warning("xAPI forwarding resumes: the LRS endpoint or credentials changed")
                state.paused_dt = None
                state.pause_reason = None
                state.credentials_key = None
        return None

    def next_due_in(self) -> float | None:
        """Seconds until the next queued statement is due (0 if one is due now), or ``None``."""
        with self._sessions() as session:
            due = session.scalar(
                sa.select(sa.func.min(_X.next_attempt_dt)).where(_X.status == _Q.QUEUED)
            )
        if due is None:
            return None
        return max(0.0, (due - self._clock()).total_seconds())

    # -- the log --------------------------------------------------------------------------

    def _log(self, report: PassReport, delivery: Delivery) -> None:
        if report.sent:
            log.info("xAPI: %d statement(s) sent to the LRS", report.sent)
        for row, error in delivery.rejected:
            log.warning("xAPI: the LRS rejected statement %s: %s", row.statement_id, error)
        for row, error in delivery.conflicts:
            log.warning("xAPI: the LRS holds another statement %s: %s", row.statement_id, error)
        if delivery.pause:
            log.error("xAPI forwarding PAUSED: %s", delivery.pause)
        elif delivery.failure:
            log.warning(
                "xAPI: %d statement(s) not sent (%d to retry, %d now dead): %s",
                len(delivery.failed),
                report.retried,
                report.dead,
                delivery.failure,
            )


def _by_id(row: Claimed) -> int:
    return row.id


def _is_set(stop: threading.Event | None) -> bool:
    return stop is not None and stop.is_set()


class _InFlight:
    """One batch being sent on a background thread (daemon: a process told to stop at once
    does not wait for the LRS; the batch's lease covers what it leaves behind)."""

    def __init__(self, send: Callable[[], Delivery]) -> None:
        self._delivery: Delivery | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(send,), name="xapi-send", daemon=True
        )
        self._thread.start()

    def _run(self, send: Callable[[], Delivery]) -> None:
        try:
            self._delivery = send()
        except BaseException as exc:  # handed to the thread that waits for the result
            self._error = exc

    def result(self) -> Delivery:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._delivery is not None
        return self._delivery


def locked_state(session: Session) -> XapiForwarderState:
    """The state row, locked for update (created on first use; two workers creating it at the
    same time both end up with the one row)."""
    state = session.get(XapiForwarderState, STATE_ID, with_for_update=True)
    if state is None:
        try:
            with session.begin_nested():
                session.add(XapiForwarderState(id=STATE_ID))
        except IntegrityError:
            pass
        state = session.get(
            XapiForwarderState, STATE_ID, with_for_update=True, populate_existing=True
        )
    assert state is not None
    return state


def _chunks(ids: list[int], size: int) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


# --- the long-running worker -----------------------------------------------------------------


def run_worker(
    forwarder: Forwarder,
    stop: threading.Event,
    on_pass: Callable[[PassReport], None] | None = None,
) -> PassReport:
    """Forward until ``stop`` is set; returns the totals.

    Idle, it looks for due statements every ``poll_interval`` (sooner if a retry falls due
    first). After a pass that could not deliver, it waits like a failed statement does
    (exponential backoff with jitter), so a down LRS is probed, not hammered. Paused, it only
    looks, every ``poll_interval``, for a resume or new credentials.
    """
    config = forwarder.config
    totals = PassReport()
    failures = 0
    was_paused = False
    while not stop.is_set():
        report = forwarder.run_pass(stop)
        totals.add(report)
        if on_pass is not None and (report.batches or (report.paused and not was_paused)):
            on_pass(report)
        was_paused = report.paused is not None
        if stop.is_set():
            break
        if report.paused:
            wait = config.poll_interval
        elif report.failure:
            failures += 1
            wait = retry_delay(failures, config.backoff_base, config.backoff_cap)
        else:
            failures = 0
            due = forwarder.next_due_in()
            wait = config.poll_interval if due is None else min(config.poll_interval, due)
        if wait > 0:
            stop.wait(wait)
    totals.stopped = True
    return totals
