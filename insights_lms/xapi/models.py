"""The xAPI outbox: every statement the app emits, written in the transaction of its event.

A statement row is added by a signal listener in the same session as the change that caused it,
so both commit or neither does. The forwarder (``forwarder.py``) claims ``queued`` rows whose
``next_attempt_dt`` has come, in batches, sends them and records what the LRS said. Rows are kept
after sending: they are the record of which statement last described an object (so that deleting
evidence can void it) and the source of the Statement API.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from insights_lms.db import Base, utcnow
from insights_lms.enums import StrEnum, enum_column

#: Long enough for any activity IRI under a reasonable base IRI, short enough to index.
IRI_MAX = 1024


class XapiStatementStatus(StrEnum):
    """Where a statement stands on its way to the LRS."""

    #: Waiting to be sent (again, after a failure, from ``next_attempt_dt``).
    QUEUED = "queued"
    #: The LRS stored it (200, or 204 for a batch it already had).
    SENT = "sent"
    #: The LRS holds a different statement with the same id (409).
    CONFLICT = "conflict"
    #: The LRS refused this statement itself (400 on a batch of one); ``last_error`` says why.
    REJECTED = "rejected"
    #: Gave up after the configured number of attempts; an administrator can re-queue it.
    DEAD = "dead"


class XapiStatement(Base):
    """One statement, as sent (and re-sent, byte for byte) to the LRS."""

    __tablename__ = "lms_xapi_statement"
    __table_args__ = (
        # What the forwarder asks for: queued rows that are due, oldest first.
        sa.Index("ix_lms_xapi_statement_status_next_attempt", "status", "next_attempt_dt"),
        # The Statement API sorts and pages on (stored time, id) and filters since/until on it.
        sa.Index("ix_lms_xapi_statement_created_dt_id", "created_dt", "id"),
        # ... and filters by verb.
        sa.Index("ix_lms_xapi_statement_verb_id", "verb_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    #: The full statement as ``tincan`` serialises it, without ``version``.
    statement: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    verb_id: Mapped[str] = mapped_column(sa.String(255))
    #: The object's activity IRI, or the statement id a voiding statement refers to.
    object_id: Mapped[str] = mapped_column(sa.String(IRI_MAX), index=True)
    #: The actor's ``public_id`` (whatever identifier the statement itself carries).
    actor_name: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    #: ``context.registration``: the participant's enrolment.
    registration: Mapped[str | None] = mapped_column(sa.String(36), index=True)
    #: The domain event that caused it, e.g. ``evidence.created``.
    event: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[XapiStatementStatus] = mapped_column(
        enum_column(XapiStatementStatus), default=XapiStatementStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_dt: Mapped[dt.datetime | None]
    #: When the LRS says it stored the statement (its ``stored``), if it told us.
    stored_dt: Mapped[dt.datetime | None]
    #: The worker sending it now, until ``claimed_until``: a worker that dies mid-batch leaves
    #: the claim behind, and the rows become due again when it runs out (see ``forwarder.py``).
    claimed_by: Mapped[str | None] = mapped_column(sa.String(64))
    claimed_until: Mapped[dt.datetime | None]

    def __repr__(self) -> str:
        return f"<XapiStatement {self.statement_id} {self.event} {self.status}>"


class XapiForwarderState(Base):
    """The forwarder's shared state: one row (``id`` 1), written by every worker.

    When the LRS refuses the credentials (401/403) forwarding pauses, for every worker, instead
    of failing statement after statement: ``paused_dt`` and ``pause_reason`` are the alert shown
    by the status page, ``lms xapi status`` and the log. ``credentials_key`` identifies (without
    revealing them) the endpoint and credentials that were refused, so that configuring new ones
    resumes sending by itself; an administrator can also resume by hand.
    """

    __tablename__ = "lms_xapi_forwarder_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    paused_dt: Mapped[dt.datetime | None]
    pause_reason: Mapped[str | None] = mapped_column(sa.Text)
    credentials_key: Mapped[str | None] = mapped_column(sa.String(64))
    #: The last failure to deliver (network, timeout, 5xx, refused credentials) and when.
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    last_error_dt: Mapped[dt.datetime | None]
    #: When a batch was last accepted by the LRS.
    last_sent_dt: Mapped[dt.datetime | None]

    @property
    def is_paused(self) -> bool:
        return self.paused_dt is not None

    def __repr__(self) -> str:
        return f"<XapiForwarderState paused={self.is_paused}>"
