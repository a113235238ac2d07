"""``GET /xapi/statements`` over the outbox: finding statements, one or a page at a time.

The outbox (:class:`~insights_lms.xapi.models.XapiStatement`) holds every statement the app
emitted, whatever became of its forwarding, so the app can answer as a read-only LRS. References
are to the xAPI 1.0.3 specification, part three (data processing and communication), section
2.1 "Statement Resource". The request's parameters are read in
:mod:`~insights_lms.lrs_api.params`, agents are identified in
:mod:`~insights_lms.lrs_api.agents`, the filters run as :mod:`~insights_lms.lrs_api.filters`
says and statements are served in the formats of :mod:`~insights_lms.lrs_api.formats`; this
module is what the views call, and names the pieces of the others they use.

Paging is by position, not offset: the ``more`` cursor is the stored time and row id of the last
statement returned, so statements recorded meanwhile never shift or repeat a page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from insights_lms.db import utcnow
from insights_lms.lrs_api.agents import authority
from insights_lms.lrs_api.filters import (
    StatementFilter,
    is_statement_ref,
    is_voided,
    not_voided,
    time_conditions,
)
from insights_lms.lrs_api.formats import iso, present
from insights_lms.lrs_api.params import Cursor, StatementQuery, StatementQueryError, parse_query
from insights_lms.xapi.models import XapiStatement

__all__ = [
    "CONSISTENCY_MARGIN",
    "StatementPage",
    "StatementQueryError",
    "authority",
    "consistent_through",
    "find_statements",
    "get_statement",
    "iso",
    "parse_query",
    "present",
]

#: ``X-Experience-API-Consistent-Through`` is this far behind now. A statement is stored (its
#: ``stored`` is set) when its event's transaction writes it and is seen once that transaction
#: commits, which for requests and commands is well within this margin.
CONSISTENCY_MARGIN = dt.timedelta(seconds=60)
# How many candidate rows are read at a time when a filter is finished in Python.
_CHUNK = 200


@dataclass(frozen=True)
class StatementPage:
    """Up to ``limit`` statements, and where the next page starts (``None``: no more)."""

    rows: list[XapiStatement]
    more: Cursor | None


def _order(ascending: bool) -> list[ColumnElement[Any]]:
    if ascending:
        return [XapiStatement.created_dt.asc(), XapiStatement.id.asc()]
    return [XapiStatement.created_dt.desc(), XapiStatement.id.desc()]


def _after(cursor: Cursor, ascending: bool) -> ColumnElement[bool]:
    """Strictly past ``cursor`` in the order of the query."""
    stored, row_id = XapiStatement.created_dt, XapiStatement.id
    if ascending:
        return sa.or_(
            stored > cursor.stored, sa.and_(stored == cursor.stored, row_id > cursor.row_id)
        )
    return sa.or_(stored < cursor.stored, sa.and_(stored == cursor.stored, row_id < cursor.row_id))


def find_statements(session: Session, query: StatementQuery, *, base_iri: str) -> StatementPage:
    """The statements matching ``query`` (never a voided one), newest stored first unless
    ``ascending``, from the query's cursor on."""
    if query.is_single:
        raise ValueError("a single-statement query: use get_statement")
    matcher = StatementFilter(session, query, base_iri)
    conditions = [not_voided(XapiStatement), *time_conditions(query)]
    if matcher.active:
        direct = matcher.sql(XapiStatement)
        target = aliased(XapiStatement)
        targets = sa.select(target.statement_id).where(*matcher.sql(target))
        # A StatementRef's object_id is the statement id it targets (see outbox.queue).
        conditions.append(sa.or_(sa.and_(sa.true(), *direct), XapiStatement.object_id.in_(targets)))
    base = sa.select(XapiStatement).where(*conditions).order_by(*_order(query.ascending))
    wanted = query.limit + 1
    chunk = wanted if matcher.exact_in_sql else max(wanted, _CHUNK)
    found: list[XapiStatement] = []
    position = query.after
    while len(found) < wanted:
        statement = base if position is None else base.where(_after(position, query.ascending))
        rows = list(session.scalars(statement.limit(chunk)))
        found += rows if matcher.exact_in_sql else _exact(session, matcher, rows)
        if len(rows) < chunk:
            break
        position = Cursor.of(rows[-1])
    page = found[: query.limit]
    more = Cursor.of(page[-1]) if len(found) > query.limit and page else None
    return StatementPage(page, more)


def _exact(
    session: Session, matcher: StatementFilter, rows: list[XapiStatement]
) -> list[XapiStatement]:
    """``rows`` that meet the filter themselves or through the statement they target."""
    direct = {row.id for row in rows if matcher.matches(row.statement)}
    # Only the statements that do not match themselves are judged by their target.
    refs = {
        row.id: row.object_id
        for row in rows
        if row.id not in direct and is_statement_ref(row.statement)
    }
    targets: set[str] = set()
    if refs:
        query = sa.select(XapiStatement).where(XapiStatement.statement_id.in_(list(refs.values())))
        targets = {t.statement_id for t in session.scalars(query) if matcher.matches(t.statement)}
    return [row for row in rows if row.id in direct or refs.get(row.id) in targets]


def get_statement(session: Session, statement_id: str, *, voided: bool) -> XapiStatement | None:
    """The statement with this id: only if it is not voided (``statementId``), or only if it
    is (``voidedStatementId``); ``None`` otherwise (2.1.4)."""
    return session.scalar(
        sa.select(XapiStatement).where(
            XapiStatement.statement_id == statement_id,
            is_voided(XapiStatement) if voided else not_voided(XapiStatement),
        )
    )


def consistent_through(now: dt.datetime | None = None) -> dt.datetime:
    """The time up to which every statement stored is visible to a query (2.1.3)."""
    return (now or utcnow()) - CONSISTENCY_MARGIN
