"""``GET /xapi/statements`` over the outbox: parameters, filters, voiding, paging and formats.

The outbox (:class:`~insights_lms.xapi.models.XapiStatement`) holds every statement the app
emitted, whatever became of its forwarding, so the app can answer as a read-only LRS. References
are to the xAPI 1.0.3 specification, part three (data processing and communication), section
2.1 "Statement Resource".

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

Paging is by position, not offset: the ``more`` cursor is the stored time and row id of the last
statement returned, so statements recorded meanwhile never shift or repeat a page.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from insights_lms.auth.models import User
from insights_lms.db import utcnow
from insights_lms.errors import DomainError
from insights_lms.xapi.models import XapiStatement
from insights_lms.xapi.statements import PLATFORM, utc_millis
from insights_lms.xapi.vocabulary import ADLVerbs

VOIDED = ADLVerbs.VOIDED.iri
#: The most statements a page holds; also what an absent ``limit`` (or ``limit=0``) gets, as
#: the spec's default of 0 means "the maximum the server will allow" (2.1.3).
MAX_LIMIT = 500
#: ``X-Experience-API-Consistent-Through`` is this far behind now. A statement is stored (its
#: ``stored`` is set) when its event's transaction writes it and is seen once that transaction
#: commits, which for requests and commands is well within this margin.
CONSISTENCY_MARGIN = dt.timedelta(seconds=60)
FORMATS = ("exact", "ids", "canonical")
#: The version a statement without one is given on the way out (part two, 2.4.10).
DEFAULT_VERSION = "1.0.0"
AUTHORITY_ACCOUNT = "insights-lms"
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
# How many candidate rows are read at a time when a filter is finished in Python.
_CHUNK = 200
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
_MILLISECOND = dt.timedelta(milliseconds=1)
_CURSOR_RE = re.compile(r"^([0-9]{1,18})-([0-9]{1,18})$")
_CONTEXT_ACTIVITY_KINDS = ("parent", "grouping", "category", "other")

#: An agent's inverse functional identifier: ``("mbox", "mailto:…")``, ``("mbox_sha1sum",
#: hex)``, ``("openid", uri)`` or ``("account", homePage, name)``.
AgentKey = tuple[str, ...]


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


@dataclass(frozen=True)
class StatementPage:
    """Up to ``limit`` statements, and where the next page starts (``None``: no more)."""

    rows: list[XapiStatement]
    more: Cursor | None


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


# --- agents --------------------------------------------------------------------------------


def agent_key(agent: Any) -> AgentKey | None:
    """The identifier of an Agent or identified Group, or ``None`` (none, or more than one)."""
    if not isinstance(agent, dict):
        return None
    present = [kind for kind in ("mbox", "mbox_sha1sum", "openid", "account") if kind in agent]
    if len(present) != 1:
        return None
    kind = present[0]
    value = agent[kind]
    if kind == "account":
        if not isinstance(value, dict):
            return None
        home, name = value.get("homePage"), value.get("name")
        if not isinstance(home, str) or not isinstance(name, str):
            return None
        return (kind, home, name)
    if not isinstance(value, str):
        return None
    # Email addresses and hex digests are compared without regard to case.
    return (kind, value.lower() if kind in ("mbox", "mbox_sha1sum") else value)


def authority(base_iri: str) -> dict[str, Any]:
    """The agent that vouches for every statement served: the app itself."""
    return {
        "objectType": "Agent",
        "name": PLATFORM,
        "account": {"homePage": base_iri, "name": AUTHORITY_ACCOUNT},
    }


def _actor_names(session: Session, key: AgentKey) -> list[str]:
    """The ``actor_name`` values (user public ids) a statement by this agent can have."""
    kind = key[0]
    if kind == "account":
        return [key[2]]
    if kind == "mbox":
        email = key[1].removeprefix("mailto:")
        return list(session.scalars(sa.select(User.public_id).where(User.email == email)))
    if kind == "mbox_sha1sum":
        return [
            public_id
            for public_id, email in session.execute(sa.select(User.public_id, User.email))
            if _sha1(f"mailto:{email}") == key[1]
        ]
    return []  # the app never identifies people by OpenID


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def _agents_in(statement: dict[str, Any], *, related: bool) -> list[Any]:
    """The Agent/Group objects a filter on ``agent`` looks at (actor and object; with
    ``related``, also instructor, team and the same inside a SubStatement), and the members of
    any group among them (a group with the agent as member matches, 2.1.3)."""
    found = [statement.get("actor")]
    target = statement.get("object")
    if isinstance(target, dict) and target.get("objectType") in ("Agent", "Group"):
        found.append(target)
    if related:
        context = statement.get("context") or {}
        found += [context.get("instructor"), context.get("team")]
        if isinstance(target, dict) and target.get("objectType") == "SubStatement":
            found += _agents_in(target, related=True)
    members = [
        member
        for agent in found
        if isinstance(agent, dict) and isinstance(agent.get("member"), list)
        for member in agent["member"]
    ]
    return found + members


def _activities_in(statement: dict[str, Any], *, related: bool) -> list[str]:
    """The activity ids a filter on ``activity`` looks at (the object; with ``related``, also
    the context activities and the same inside a SubStatement)."""
    found: list[str] = []
    target = statement.get("object")
    if isinstance(target, dict) and target.get("objectType", "Activity") == "Activity":
        found.append(target.get("id", ""))
    if related:
        kinds = (statement.get("context") or {}).get("contextActivities") or {}
        for kind in _CONTEXT_ACTIVITY_KINDS:
            found += [a.get("id", "") for a in _as_list(kinds.get(kind)) if isinstance(a, dict)]
        if isinstance(target, dict) and target.get("objectType") == "SubStatement":
            found += _activities_in(target, related=True)
    return found


def _as_list(value: Any) -> list[Any]:
    """A contextActivities value: a list, or a single object (which the spec allows)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# --- filtering -----------------------------------------------------------------------------


def _json_text(table: Any) -> ColumnElement[str]:
    return sa.cast(table.statement, sa.Text)


def _mentions(table: Any, value: str) -> ColumnElement[bool]:
    """The statement's JSON text contains ``value`` as a JSON string (a superset: the exact
    check follows in Python). Both escapings of non-ASCII text are tried."""
    tokens = {json.dumps(value), json.dumps(value, ensure_ascii=False)}
    return sa.or_(*(_json_text(table).contains(token, autoescape=True) for token in tokens))


class _Filter:
    """The non-time filters of a query: as SQL (a superset) and exactly, on a statement."""

    def __init__(self, session: Session, query: StatementQuery, base_iri: str) -> None:
        self.query = query
        self.authority_key = agent_key(authority(base_iri))
        self.actor_names: list[str] = []
        if query.agent is not None and not query.related_agents:
            self.actor_names = _actor_names(session, query.agent)

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
        if q.activity is not None and q.activity not in _activities_in(
            statement, related=q.related_activities
        ):
            return False
        if q.agent is not None and not self.matches_every_agent:
            keys = {agent_key(a) for a in _agents_in(statement, related=q.related_agents)}
            if q.agent not in keys:
                return False
        return True


def _is_statement_ref(statement: dict[str, Any]) -> bool:
    target = statement.get("object")
    return isinstance(target, dict) and target.get("objectType") == "StatementRef"


def _voided(table: Any) -> ColumnElement[bool]:
    """A voiding statement targets it (found on the indexed ``object_id``)."""
    voiding = aliased(XapiStatement)
    return sa.exists().where(voiding.verb_id == VOIDED, voiding.object_id == table.statement_id)


def _not_voided(table: Any) -> ColumnElement[bool]:
    return ~_voided(table)


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


def _next_ms(value: dt.datetime) -> dt.datetime | None:
    """The start of the millisecond after ``value``'s (``None`` past the last one there is)."""
    try:
        return value.replace(microsecond=value.microsecond // 1000 * 1000) + _MILLISECOND
    except OverflowError:
        return None


def _time_conditions(query: StatementQuery) -> list[ColumnElement[bool]]:
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


def find_statements(session: Session, query: StatementQuery, *, base_iri: str) -> StatementPage:
    """The statements matching ``query`` (never a voided one), newest stored first unless
    ``ascending``, from the query's cursor on."""
    if query.is_single:
        raise ValueError("a single-statement query: use get_statement")
    matcher = _Filter(session, query, base_iri)
    conditions = [_not_voided(XapiStatement), *_time_conditions(query)]
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


def _exact(session: Session, matcher: _Filter, rows: list[XapiStatement]) -> list[XapiStatement]:
    """``rows`` that meet the filter themselves or through the statement they target."""
    direct = {row.id for row in rows if matcher.matches(row.statement)}
    # Only the statements that do not match themselves are judged by their target.
    refs = {
        row.id: row.object_id
        for row in rows
        if row.id not in direct and _is_statement_ref(row.statement)
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
            _voided(XapiStatement) if voided else _not_voided(XapiStatement),
        )
    )


def consistent_through(now: dt.datetime | None = None) -> dt.datetime:
    """The time up to which every statement stored is visible to a query (2.1.3)."""
    return (now or utcnow()) - CONSISTENCY_MARGIN


def iso(value: dt.datetime) -> str:
    """A timestamp as served: UTC, to the millisecond, with its offset."""
    return utc_millis(value).isoformat(timespec="milliseconds")


# --- what is served ------------------------------------------------------------------------

#: Picks the best of a language map's languages for the request (``Accept-Language``).
LanguagePicker = Callable[[Sequence[str]], str | None]


def present(
    row: XapiStatement,
    *,
    base_iri: str,
    statement_format: str = "exact",
    pick_language: LanguagePicker | None = None,
) -> dict[str, Any]:
    """The statement as an LRS serves it: with ``stored`` (when the app recorded it),
    ``authority`` (the app) and ``version`` (1.0.0 when the producer set none), in ``format``."""
    data = copy.deepcopy(row.statement)
    data["stored"] = iso(row.created_dt)
    data["authority"] = authority(base_iri)
    data.setdefault("version", DEFAULT_VERSION)
    if statement_format == "ids":
        return _ids_statement(data)
    if statement_format == "canonical":
        _filter_languages(data, pick_language or (lambda _languages: None))
    return data


def _ids_agent(agent: Any) -> Any:
    if not isinstance(agent, dict):
        return agent
    out: dict[str, Any] = {}
    if "objectType" in agent:
        out["objectType"] = agent["objectType"]
    key = agent_key(agent)
    if key is not None:
        kind = key[0]
        out[kind] = agent[kind]
    elif isinstance(agent.get("member"), list):  # an anonymous group: its members identify it
        out["member"] = [_ids_agent(member) for member in agent["member"]]
    return out


def _ids_object(target: Any) -> Any:
    if not isinstance(target, dict):
        return target
    kind = target.get("objectType", "Activity")
    if kind == "Activity":
        return {key: target[key] for key in ("objectType", "id") if key in target}
    if kind in ("Agent", "Group"):
        return _ids_agent(target)
    if kind == "SubStatement":
        return _ids_statement(target)
    return target  # a StatementRef is already only an id


def _ids_statement(data: dict[str, Any]) -> dict[str, Any]:
    """``format=ids``: agents, activities and verbs reduced to what identifies them."""
    out = dict(data)
    out["actor"] = _ids_agent(data.get("actor"))
    if isinstance(data.get("verb"), dict):
        out["verb"] = {"id": data["verb"].get("id")}
    out["object"] = _ids_object(data.get("object"))
    if "authority" in data:
        out["authority"] = _ids_agent(data["authority"])
    context = data.get("context")
    if isinstance(context, dict):
        context = dict(context)
        for role in ("instructor", "team"):
            if role in context:
                context[role] = _ids_agent(context[role])
        kinds = context.get("contextActivities")
        if isinstance(kinds, dict):
            context["contextActivities"] = {
                kind: [_ids_object(a) for a in _as_list(value)] for kind, value in kinds.items()
            }
        out["context"] = context
    return out


def _best(language_map: Any, pick_language: LanguagePicker) -> Any:
    if not isinstance(language_map, dict) or len(language_map) <= 1:
        return language_map
    chosen = pick_language(list(language_map)) or next(iter(language_map))
    return {chosen: language_map[chosen]}


def _filter_activity(activity: Any, pick_language: LanguagePicker) -> None:
    if not isinstance(activity, dict) or not isinstance(activity.get("definition"), dict):
        return
    definition = activity["definition"]
    for key in ("name", "description"):
        if key in definition:
            definition[key] = _best(definition[key], pick_language)
    for components in ("choices", "scale", "source", "target", "steps"):
        for component in definition.get(components) or []:
            if isinstance(component, dict) and "description" in component:
                component["description"] = _best(component["description"], pick_language)


def _filter_languages(data: dict[str, Any], pick_language: LanguagePicker) -> None:
    """``format=canonical``: one language per language map of verbs and activities, the best
    for the request. The definitions are as the statement gave them (the app's own are the
    canonical ones: it is the only source of its activities)."""
    verb = data.get("verb")
    if isinstance(verb, dict) and "display" in verb:
        verb["display"] = _best(verb["display"], pick_language)
    target = data.get("object")
    if isinstance(target, dict) and target.get("objectType") == "SubStatement":
        _filter_languages(target, pick_language)
    else:
        _filter_activity(target, pick_language)
    kinds = (data.get("context") or {}).get("contextActivities") or {}
    for value in kinds.values():
        for activity in _as_list(value):
            _filter_activity(activity, pick_language)
