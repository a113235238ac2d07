"""Putting statements in the outbox, and finding which statements still stand for an object.

``queue`` only adds the row to the event's session: it is flushed and committed (or rolled back)
together with the change that caused it. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
import tincan
from sqlalchemy.orm import Session

from insights_lms.xapi import statements
from insights_lms.xapi.models import XapiStatement
from insights_lms.xapi.vocabulary import ADLVerbs


def queue(
    session: Session, statement: tincan.Statement, *, event: str, actor_name: str | None
) -> XapiStatement:
    """Add ``statement`` to the outbox in ``session`` (queued, due now)."""
    data = statements.to_json(statement)
    registration = data.get("context", {}).get("registration")
    row = XapiStatement(
        statement_id=data["id"],
        statement=data,
        verb_id=data["verb"]["id"],
        object_id=statements.object_id(statement),
        actor_name=actor_name,
        registration=registration,
        event=event,
    )
    session.add(row)
    return row


def _matches(
    row: XapiStatement, object_id: str, verb_ids: Collection[str], registration: str | None
) -> bool:
    return (
        row.object_id == object_id
        and row.verb_id in verb_ids
        and (registration is None or row.registration == registration)
    )


def standing_statements(
    session: Session,
    object_id: str,
    verb_ids: Collection[str],
    *,
    registration: str | None = None,
) -> list[XapiStatement]:
    """The statements about ``object_id`` with one of ``verb_ids`` that no statement voids,
    oldest first; statements added in this session but not yet flushed count too."""
    query = sa.select(XapiStatement).where(
        XapiStatement.object_id == object_id, XapiStatement.verb_id.in_(list(verb_ids))
    )
    if registration is not None:
        query = query.where(XapiStatement.registration == registration)
    rows = list(session.scalars(query.order_by(XapiStatement.id)))
    pending = [row for row in session.new if isinstance(row, XapiStatement)]
    rows += [
        row
        for row in pending
        if row not in rows and _matches(row, object_id, verb_ids, registration)
    ]
    if not rows:
        return []
    ids = [row.statement_id for row in rows]
    voided = set(
        session.scalars(
            sa.select(XapiStatement.object_id).where(
                XapiStatement.verb_id == ADLVerbs.VOIDED.iri, XapiStatement.object_id.in_(ids)
            )
        )
    )
    voided |= {row.object_id for row in pending if row.verb_id == ADLVerbs.VOIDED.iri}
    return [row for row in rows if row.statement_id not in voided]
