"""Forwarding status, re-queueing set-aside statements and resuming after a pause.

Shared by ``lms xapi status|requeue|resume`` and the status page. Like every service these
only ``flush()``: the command or request commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from insights_lms.db import utcnow
from insights_lms.errors import DomainError
from insights_lms.xapi.forwarder import STATE_ID, locked_state
from insights_lms.xapi.models import XapiForwarderState, XapiStatement, XapiStatementStatus

_Q = XapiStatementStatus
_X = XapiStatement

#: Statements that are not going to the LRS by themselves; an administrator may re-queue them.
SET_ASIDE = (_Q.DEAD, _Q.REJECTED, _Q.CONFLICT)


class XapiError(DomainError):
    """A request about the outbox that cannot be done; the message is for the user."""


@dataclass(frozen=True)
class ForwardingStatus:
    """The outbox and the forwarder at a glance."""

    counts: dict[XapiStatementStatus, int]
    #: Queued statements due now (not held by a worker).
    due: int
    #: Queued statements a worker is sending right now.
    in_flight: int
    #: Queued statements waiting for their next attempt after a failure.
    waiting: int
    oldest_queued_dt: dt.datetime | None
    paused_dt: dt.datetime | None
    pause_reason: str | None
    last_error: str | None
    last_error_dt: dt.datetime | None
    last_sent_dt: dt.datetime | None

    @property
    def is_paused(self) -> bool:
        return self.paused_dt is not None

    def count(self, status: XapiStatementStatus) -> int:
        return self.counts.get(status, 0)

    @property
    def set_aside(self) -> int:
        return sum(self.count(status) for status in SET_ASIDE)


def forwarding_status(session: Session, now: dt.datetime | None = None) -> ForwardingStatus:
    """Counts by status, what the queue is waiting for, the pause and the last error."""
    now = now or utcnow()
    counts = {status: 0 for status in XapiStatementStatus}
    for status, number in session.execute(
        sa.select(_X.status, sa.func.count()).group_by(_X.status)
    ):
        counts[XapiStatementStatus(status)] = number
    queued = sa.select(sa.func.count()).select_from(_X).where(_X.status == _Q.QUEUED)
    held = sa.and_(_X.claimed_until.is_not(None), _X.claimed_until >= now)
    in_flight = session.scalar(queued.where(held)) or 0
    waiting = session.scalar(queued.where(_X.next_attempt_dt > now, sa.not_(held))) or 0
    oldest = session.scalar(
        sa.select(_X.created_dt).where(_X.status == _Q.QUEUED).order_by(_X.id).limit(1)
    )
    state = session.get(XapiForwarderState, STATE_ID) or XapiForwarderState(id=STATE_ID)
    return ForwardingStatus(
        counts=counts,
        due=counts[_Q.QUEUED] - in_flight - waiting,
        in_flight=in_flight,
        waiting=waiting,
        oldest_queued_dt=oldest,
        paused_dt=state.paused_dt,
        pause_reason=state.pause_reason,
        last_error=state.last_error,
        last_error_dt=state.last_error_dt,
        last_sent_dt=state.last_sent_dt,
    )


def set_aside_statements(session: Session, limit: int = 100) -> list[XapiStatement]:
    """Dead, rejected and conflicting statements, newest first (what needs a person)."""
    return list(
        session.scalars(
            sa.select(_X).where(_X.status.in_(SET_ASIDE)).order_by(_X.id.desc()).limit(limit)
        )
    )


def requeue(
    session: Session,
    *,
    statement_ids: Sequence[str] = (),
    event: str | None = None,
    statuses: Collection[XapiStatementStatus] = (_Q.DEAD,),
    now: dt.datetime | None = None,
) -> int:
    """Queue set-aside statements again, due now, with their attempts reset; returns how many.

    Without ``statement_ids`` every statement in ``statuses`` (dead letters by default) is
    re-queued, or only those of ``event``. Named statements must exist and be set aside.
    """
    now = now or utcnow()
    bad = [s for s in statuses if s not in SET_ASIDE]
    if bad:
        raise XapiError(
            f"Only dead, rejected or conflicting statements can be re-queued, not {bad[0]}."
        )
    query = sa.select(_X).where(_X.status.in_(list(statuses)))
    if statement_ids:
        found = {
            row.statement_id: row
            for row in session.scalars(
                sa.select(_X)
                .where(_X.statement_id.in_(statement_ids))
                .execution_options(populate_existing=True)
            )
        }
        missing = [sid for sid in statement_ids if sid not in found]
        if missing:
            raise XapiError(f"No statement with id {missing[0]} is in the outbox.")
        queued = [sid for sid in statement_ids if found[sid].status not in statuses]
        if queued:
            status = found[queued[0]].status
            raise XapiError(f"Statement {queued[0]} is {status}, so it cannot be re-queued.")
        query = query.where(_X.statement_id.in_(statement_ids))
    if event:
        query = query.where(_X.event == event)
    # populate_existing: the rows as they are now (a worker may have changed them meanwhile).
    rows = list(session.scalars(query.execution_options(populate_existing=True)))
    for row in rows:
        row.status = _Q.QUEUED
        row.attempts = 0
        row.next_attempt_dt = now
        row.claimed_by = None
        row.claimed_until = None
    session.flush()
    return len(rows)


def resume(session: Session) -> None:
    """Lift a pause (the LRS's credentials were fixed on its side): workers send again."""
    state = session.get(XapiForwarderState, STATE_ID)
    if state is None or state.paused_dt is None:
        raise XapiError("Sending to the LRS is not paused.")
    state = locked_state(session)
    state.paused_dt = None
    state.pause_reason = None
    state.credentials_key = None
    session.flush()
