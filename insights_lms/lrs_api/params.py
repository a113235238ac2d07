"""The parameters of ``GET /xapi/statements``: which there are, how each is read, and the
parsed query (xAPI 1.0.3, part three, 2.1.3 "Query Parameters").

Paging is by position, not offset: a :class:`Cursor` is the stored time and row id of the last
statement returned, so statements recorded meanwhile never shift or repeat a page.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from insights_lms.errors import DomainError
from insights_lms.lrs_api.agents import AgentKey, agent_key
from insights_lms.xapi.models import XapiStatement

#: The most statements a page holds; also what an absent ``limit`` (or ``limit=0``) gets, as
#: the spec's default of 0 means "the maximum the server will allow" (2.1.3).
MAX_LIMIT = 500
FORMATS = ("exact", "ids", "canonical")
SINGLE_PARAMETERS = frozenset({"statementId", "voidedStatementId", "format", "attachments"})
PARAMETERS = SINGLE_PARAMETERS | {
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "ascending",
    "cursor",
}
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
_CURSOR_RE = re.compile(r"^([0-9]{1,18})-([0-9]{1,18})$")


class StatementQueryError(DomainError):
    """The request's parameters are not a valid statement query; the message says why."""


@dataclass(frozen=True)
class Cursor:
    """A position in the ordered statements: the last one returned."""

    stored: dt.datetime
    row_id: int

    def encode(self) -> str:
        return f"{(self.stored - _EPOCH) // _MICROSECOND}-{self.row_id}"

    @classmethod
    def decode(cls, text: str) -> Cursor:
        match = _CURSOR_RE.match(text)
        if match is None:
            raise StatementQueryError("The cursor is not one this server gave: follow `more`.")
        micros, row_id = (int(part) for part in match.groups())
        try:
            stored = _EPOCH + micros * _MICROSECOND
        except OverflowError:
            raise StatementQueryError(
                "The cursor is not one this server gave: follow `more`."
            ) from None
        return cls(stored, row_id)

    @classmethod
    def of(cls, row: XapiStatement) -> Cursor:
        return cls(row.created_dt, row.id)


@dataclass(frozen=True)
class StatementQuery:
    """A parsed ``GET /xapi/statements`` request."""

    statement_id: str | None = None
    voided_statement_id: str | None = None
    agent: AgentKey | None = None
    verb: str | None = None
    activity: str | None = None
    registration: str | None = None
    related_activities: bool = False
    related_agents: bool = False
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    limit: int = MAX_LIMIT
    format: str = "exact"
    ascending: bool = False
    after: Cursor | None = None

    @property
    def is_single(self) -> bool:
        return self.statement_id is not None or self.voided_statement_id is not None


# --- parsing -------------------------------------------------------------------------------


def parse_query(params: Iterable[tuple[str, str]]) -> StatementQuery:
    """The query in ``params`` (name, value pairs as in a query string), validated."""
    given: dict[str, str] = {}
    for name, value in params:
        if name not in PARAMETERS:
            raise StatementQueryError(f"Unknown parameter {name!r}.")
        if name in given:
            raise StatementQueryError(f"The parameter {name!r} is given more than once.")
        given[name] = value
    single = {"statementId", "voidedStatementId"} & given.keys()
    if len(single) == 2:
        raise StatementQueryError("Give statementId or voidedStatementId, not both.")
    if single:
        others = sorted(given.keys() - SINGLE_PARAMETERS)
        if others:
            raise StatementQueryError(
                f"With {single.pop()} only format and attachments may be given, not "
                + ", ".join(others)
                + "."
            )
    if given.get("attachments", "false") != "false":
        _boolean(given, "attachments")
        raise StatementQueryError(
            "attachments=true is not supported: attachments are referenced by fileUrl and "
            "their data is not served here. Ask with attachments=false (the default)."
        )
    query_format = given.get("format", "exact")
    if query_format not in FORMATS:
        raise StatementQueryError("format must be one of " + ", ".join(FORMATS) + ".")
    query = StatementQuery(
        statement_id=_uuid(given, "statementId"),
        voided_statement_id=_uuid(given, "voidedStatementId"),
        agent=_agent(given["agent"]) if "agent" in given else None,
        verb=_iri(given, "verb"),
        activity=_iri(given, "activity"),
        registration=_uuid(given, "registration"),
        related_activities=_boolean(given, "related_activities"),
        related_agents=_boolean(given, "related_agents"),
        since=_timestamp(given, "since"),
        until=_timestamp(given, "until"),
        limit=_limit(given),
        format=query_format,
        ascending=_boolean(given, "ascending"),
        after=Cursor.decode(given["cursor"]) if "cursor" in given else None,
    )
    return query


def _uuid(given: dict[str, str], name: str) -> str | None:
    if name not in given:
        return None
    try:
        return str(uuid.UUID(given[name]))
    except ValueError:
        raise StatementQueryError(f"{name} must be a UUID, not {given[name]!r}.") from None


def _iri(given: dict[str, str], name: str) -> str | None:
    if name not in given:
        return None
    value = given[name]
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", value):
        raise StatementQueryError(f"{name} must be an IRI, not {value!r}.")
    return value


def _boolean(given: dict[str, str], name: str) -> bool:
    value = given.get(name, "false")
    if value not in ("true", "false"):
        raise StatementQueryError(f"{name} must be true or false, not {value!r}.")
    return value == "true"


def _timestamp(given: dict[str, str], name: str) -> dt.datetime | None:
    if name not in given:
        return None
    value = given[name]
    try:
        parsed = dt.datetime.fromisoformat(value)
        if parsed.tzinfo is not None and parsed.utcoffset() is not None:
            parsed = parsed.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise StatementQueryError(
            f"{name} must be an ISO 8601 timestamp, e.g. 2026-01-31T09:00:00.000Z, not {value!r}."
        ) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise StatementQueryError(f"{name} needs a time zone, e.g. {value}Z.")
    return parsed


def _limit(given: dict[str, str]) -> int:
    value = given.get("limit", "0")
    if not re.fullmatch(r"[0-9]{1,9}", value):
        raise StatementQueryError(f"limit must be a whole number, not {value!r}.")
    number = int(value)
    # 0 asks for the server's maximum (2.1.3).
    return MAX_LIMIT if number == 0 else min(number, MAX_LIMIT)


def _agent(text: str) -> AgentKey:
    try:
        value = json.loads(text)
    except ValueError:
        raise StatementQueryError("agent must be a JSON Agent or identified Group.") from None
    if not isinstance(value, dict) or value.get("objectType", "Agent") not in ("Agent", "Group"):
        raise StatementQueryError("agent must be a JSON Agent or identified Group.")
    key = agent_key(value)
    if key is None:
        raise StatementQueryError(
            "agent must have exactly one identifier: mbox, mbox_sha1sum, openid or account "
            "(with homePage and name)."
        )
    return key
