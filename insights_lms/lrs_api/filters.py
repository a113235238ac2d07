"""The filters of a statement query: as SQL conditions (exact, or a superset) and exactly, in
Python, on a statement; voiding; ``since`` and ``until``.

How the filters run:

* ``verb``, ``activity`` (not related), ``registration``, ``since``, ``until`` and the paging
  position are exact SQL conditions (``object_id`` and ``registration`` are indexed).
* ``agent`` without ``related_agents`` is narrowed in SQL on the indexed ``actor_name`` (the
  public id of the user the statement is about), found from the agent's identifier: an
  account's ``name``, or the users whose email gives that ``mbox``/``mbox_sha1sum``; then every
  candidate is checked exactly in Python. A statement whose actor used an email the user has
  since changed is therefore not found by its old ``mbox``.
* ``related_activities`` and ``related_agents`` are narrowed with ``LIKE`` on the statement's
  JSON text (the identifier as a quoted JSON string: a scan of the table, no index can help),
  then checked exactly in Python.
* A statement whose object is a StatementRef (a voiding statement) meets a filter when the
  statement it targets does (2.1.3 "Filter Conditions for StatementRefs"); voided statements are
  left out of every list (2.1.4), the statements that void them are not. The rule is applied
  one level deep: the app's only StatementRefs are voidings, which target plain statements.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from insights_lms.lrs_api.agents import actor_names, agent_key, agents_in, authority
from insights_lms.lrs_api.params import StatementQuery
from insights_lms.xapi.models import XapiStatement
from insights_lms.xapi.vocabulary import ADLVerbs

VOIDED = ADLVerbs.VOIDED.iri
_MILLISECOND = dt.timedelta(milliseconds=1)
_CONTEXT_ACTIVITY_KINDS = ("parent", "grouping", "category", "other")


def activities_in(statement: dict[str, Any], *, related: bool) -> list[str]:
    """The activity ids a filter on ``activity`` looks at (the object; with ``related``, also
    the context activities and the same inside a SubStatement)."""
    found: list[str] = []
    target = statement.get("object")
    if isinstance(target, dict) and target.get("objectType", "Activity") == "Activity":
        found.append(target.get("id", ""))
    if related:
        kinds = (statement.get("context") or {}).get("contextActivities") or {}
        for kind in _CONTEXT_ACTIVITY_KINDS:
            found += [a.get("id", "") for a in as_list(kinds.get(kind)) if isinstance(a, dict)]
        if isinstance(target, dict) and target.get("objectType") == "SubStatement":
            found += activities_in(target, related=True)
    return found


def as_list(value: Any) -> list[Any]:
    """A contextActivities value: a list, or a single object (which the spec allows)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _json_text(table: Any) -> ColumnElement[str]:
    return sa.cast(table.statement, sa.Text)


def _mentions(table: Any, value: str) -> ColumnElement[bool]:
    """The statement's JSON text contains ``value`` as a JSON string (a superset: the exact
    check follows in Python). Both escapings of non-ASCII text are tried."""
    tokens = {json.dumps(value), json.dumps(value, ensure_ascii=False)}
    return sa.or_(*(_json_text(table).contains(token, autoescape=True) for token in tokens))


class StatementFilter:
    """The non-time filters of a query: as SQL (a superset) and exactly, on a statement."""

    def __init__(self, session: Session, query: StatementQuery, base_iri: str) -> None:
        self.query = query
        self.authority_key = agent_key(authority(base_iri))
        self.actor_names: list[str] = []
        if query.agent is not None and not query.related_agents:
            self.actor_names = actor_names(session, query.agent)

    @property
    def active(self) -> bool:
        q = self.query
        return any(v is not None for v in (q.agent, q.verb, q.activity, q.registration))

    @property
    def exact_in_sql(self) -> bool:
        """Whether the SQL conditions alone decide (nothing is left to check in Python)."""
        return self.query.agent is None and not (
            self.query.activity is not None and self.query.related_activities
        )

    @property
    def matches_every_agent(self) -> bool:
        """``related_agents`` for the authority: every statement served names it."""
        return self.query.related_agents and self.query.agent == self.authority_key

    def sql(self, table: Any) -> list[ColumnElement[bool]]:
        q = self.query
        conditions: list[ColumnElement[bool]] = []
        if q.verb is not None:
            conditions.append(table.verb_id == q.verb)
        if q.registration is not None:
            conditions.append(table.registration == q.registration)
        if q.activity is not None:
            if q.related_activities:
                conditions.append(_mentions(table, q.activity))
            else:
                conditions.append(table.object_id == q.activity)
        if q.agent is not None and not self.matches_every_agent:
            if q.related_agents:
                conditions.append(_mentions(table, q.agent[-1]))
            else:
                conditions.append(table.actor_name.in_(self.actor_names))
        return conditions

    def matches(self, statement: dict[str, Any]) -> bool:
        q = self.query
        if q.verb is not None and (statement.get("verb") or {}).get("id") != q.verb:
            return False
        if q.registration is not None:
            registration = (statement.get("context") or {}).get("registration")
            if str(registration).lower() != q.registration:
                return False
        if q.activity is not None and q.activity not in activities_in(
            statement, related=q.related_activities
        ):
            return False
        if q.agent is not None and not self.matches_every_agent:
            keys = {agent_key(a) for a in agents_in(statement, related=q.related_agents)}
            if q.agent not in keys:
                return False
        return True


def is_statement_ref(statement: dict[str, Any]) -> bool:
    target = statement.get("object")
    return isinstance(target, dict) and target.get("objectType") == "StatementRef"


def is_voided(table: Any) -> ColumnElement[bool]:
    """A voiding statement targets it (found on the indexed ``object_id``)."""
    voiding = aliased(XapiStatement)
    return sa.exists().where(voiding.verb_id == VOIDED, voiding.object_id == table.statement_id)


def not_voided(table: Any) -> ColumnElement[bool]:
    return ~is_voided(table)


def _next_ms(value: dt.datetime) -> dt.datetime | None:
    """The start of the millisecond after ``value``'s (``None`` past the last one there is)."""
    try:
        return value.replace(microsecond=value.microsecond // 1000 * 1000) + _MILLISECOND
    except OverflowError:
        return None


def time_conditions(query: StatementQuery) -> list[ColumnElement[bool]]:
    """``since`` (exclusive) and ``until`` (inclusive) on ``stored`` as served, which is cut to
    the millisecond: a statement stored at 10:00:00.123456 is served as 10:00:00.123 and so is
    not "since 10:00:00.123"."""
    conditions: list[ColumnElement[bool]] = []
    if query.since is not None:
        after = _next_ms(query.since)
        conditions.append(sa.false() if after is None else XapiStatement.created_dt >= after)
    if query.until is not None:
        before = _next_ms(query.until)
        if before is not None:  # else: until the end of time
            conditions.append(XapiStatement.created_dt < before)
    return conditions
