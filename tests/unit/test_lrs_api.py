"""The Statement API's clients and its query service, without HTTP.

Statements are written straight into the outbox here, so that each test controls exactly what
is stored and when. References are to the xAPI 1.0.3 specification, part three, section 2.1
("Statement Resource"), unless they say otherwise.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import LanguageAccept

from insights_lms.demo.lrs_client import add_demo_client
from insights_lms.lrs_api import query as q
from insights_lms.lrs_api import services
from insights_lms.lrs_api.cli import create_client_command, deactivate_client_command
from insights_lms.lrs_api.models import XapiClient, XapiClientScope
from insights_lms.lrs_api.params import Cursor, StatementQuery, StatementQueryError, parse_query
from insights_lms.xapi.models import XapiStatement
from tests.factories import make_user

BASE = "https://insights.example.org/"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
ATTENDED = "http://adlnet.gov/expapi/verbs/attended"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
MODULE = f"{BASE}programmes/insights-2026/modules/M1"
COHORT = f"{BASE}cohorts/demo-cohort"
L2_3 = f"{BASE}competencies/insights-school-leadership/L2.3"
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


# --- writing statements straight into the outbox ------------------------------------------


def account(public_id: str, home: str = BASE) -> dict[str, Any]:
    return {
        "objectType": "Agent",
        "name": "Someone",
        "account": {"homePage": home, "name": public_id},
    }


def activity(iri: str, name: str = "An activity") -> dict[str, Any]:
    return {"objectType": "Activity", "id": iri, "definition": {"name": {"en-GB": name}}}


def put(
    db,
    *,
    actor: dict[str, Any],
    verb: str = COMPLETED,
    target: dict[str, Any] | None = None,
    stored: dt.datetime = T0,
    registration: str | None = None,
    context: dict[str, Any] | None = None,
) -> XapiStatement:
    """A statement as the outbox holds it (``actor_name`` is what the listeners record)."""
    target = target or activity(MODULE)
    data: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": actor,
        "verb": {"id": verb, "display": {"en-GB": verb.rsplit("/", 1)[-1]}},
        "object": target,
        "timestamp": "2026-03-02T09:00:00.000+00:00",
    }
    context = dict(context or {})
    if registration:
        context["registration"] = registration
    if context:
        data["context"] = context
    account_ = actor.get("account") or {}
    row = XapiStatement(
        statement_id=data["id"],
        statement=data,
        verb_id=verb,
        object_id=target.get("id", ""),
        actor_name=account_.get("name"),
        registration=registration,
        event="test",
        created_dt=stored,
    )
    db.add(row)
    db.flush()
    return row


def void(db, row: XapiStatement, *, actor: dict[str, Any], stored: dt.datetime) -> XapiStatement:
    return put(
        db,
        actor=actor,
        verb=VOIDED,
        target={"objectType": "StatementRef", "id": row.statement_id},
        stored=stored,
        registration=row.registration,
    )


def ids(rows: list[XapiStatement]) -> list[str]:
    return [row.statement_id for row in rows]


def find(db, **params: str) -> list[XapiStatement]:
    return q.find_statements(db, parse_query(params.items()), base_iri=BASE).rows


def minutes(n: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


@pytest.fixture
def amina() -> dict[str, Any]:
    return account(str(uuid.uuid4()))


@pytest.fixture
def tom() -> dict[str, Any]:
    return account(str(uuid.uuid4()))


# --- clients -------------------------------------------------------------------------------


def test_a_new_client_gets_a_generated_secret_and_only_its_hash_is_kept(db):
    client, secret = services.create_client(db, "trust-lrs")
    db.commit()
    assert client.scope == XapiClientScope.READ and client.is_active
    assert len(secret) >= 32
    assert secret not in client.secret_hash and client.secret_hash.startswith("scrypt:")
    assert services.authenticate(db, "trust-lrs", secret) is client
    assert services.authenticate(db, "trust-lrs", secret + "x") is None
    # Another client made the same way gets another secret.
    _, other = services.create_client(db, "university-lrs")
    assert other != secret


def test_unknown_client_and_wrong_secret_look_the_same(db):
    services.create_client(db, "trust-lrs", secret="a-long-enough-secret")
    db.commit()
    assert services.authenticate(db, "nobody", "a-long-enough-secret") is None
    assert services.authenticate(db, "trust-lrs", "the-wrong-secret-here") is None
    assert services.authenticate(db, "", "") is None


def test_a_given_secret_is_used_and_checked(db):
    client, secret = services.create_client(
        db, "trust-lrs", scope=XapiClientScope.READ_WRITE, secret="chosen-secret-123"
    )
    assert secret == "chosen-secret-123"
    assert client.scope == XapiClientScope.READ_WRITE
    assert services.authenticate(db, "trust-lrs", "chosen-secret-123") is client


@pytest.mark.parametrize(
    ("name", "secret", "message"),
    [
        ("", None, "A client name is required."),
        ("trust lrs", None, "is not a valid client name"),
        ("trust:lrs", None, "is not a valid client name"),
        ("-trust", None, "is not a valid client name"),
        ("x" * 101, None, "is not a valid client name"),
        ("trust-lrs", "short", "at least 12 characters"),
        ("existing", None, "A client named existing already exists."),
    ],
)
def test_bad_clients_are_refused_with_a_reason(db, name, secret, message):
    services.create_client(db, "existing")
    with pytest.raises(services.XapiClientError, match=message):
        services.create_client(db, name, secret=secret)
    assert db.scalar(sa.select(sa.func.count()).select_from(XapiClient)) == 1


def test_a_deactivated_client_is_refused_even_after_a_recent_success(db):
    client, secret = services.create_client(db, "trust-lrs")
    assert services.authenticate(db, "trust-lrs", secret) is client  # remembered as verified
    services.deactivate_client(db, client)
    db.commit()
    assert services.authenticate(db, "trust-lrs", secret) is None


def test_a_new_secret_replaces_the_old_one_at_once(db):
    client, secret = services.create_client(db, "trust-lrs")
    assert services.authenticate(db, "trust-lrs", secret) is client
    from werkzeug.security import generate_password_hash

    client.secret_hash = generate_password_hash("a-brand-new-secret", method="scrypt")
    db.flush()
    assert services.authenticate(db, "trust-lrs", secret) is None
    assert services.authenticate(db, "trust-lrs", "a-brand-new-secret") is client


def test_last_used_is_recorded_but_not_on_every_request(db):
    client, secret = services.create_client(db, "trust-lrs")
    assert client.last_used_dt is None
    services.authenticate(db, "trust-lrs", secret, now=T0)
    assert client.last_used_dt == T0
    services.authenticate(db, "trust-lrs", secret, now=T0 + dt.timedelta(seconds=30))
    assert client.last_used_dt == T0
    services.authenticate(db, "trust-lrs", secret, now=T0 + dt.timedelta(minutes=2))
    assert client.last_used_dt == T0 + dt.timedelta(minutes=2)


def test_the_demo_client_is_read_only_and_made_once(db):
    first = add_demo_client(db)
    db.commit()
    assert add_demo_client(db) is first
    assert db.scalar(sa.select(sa.func.count()).select_from(XapiClient)) == 1
    assert first.name == "demo-lrs" and first.scope == XapiClientScope.READ
    assert services.authenticate(db, "demo-lrs", "insights-demo") is first


def test_create_client_command_prints_the_secret_once(runner, db):
    result = runner.invoke(create_client_command, ["trust-lrs"])
    assert result.exit_code == 0, result.output
    assert "key (Basic-auth username): trust-lrs" in result.output
    secret = next(
        line.split(":", 1)[1].strip() for line in result.output.splitlines() if "secret:" in line
    )
    client = services.authenticate(db, "trust-lrs", secret)
    assert client is not None and client.scope == XapiClientScope.READ
    db.commit()

    result = runner.invoke(
        create_client_command, ["writer", "--scope", "read-write", "--secret", "chosen-secret-1"]
    )
    assert result.exit_code == 0, result.output
    assert "chosen-secret-1" in result.output
    writer = services.authenticate(db, "writer", "chosen-secret-1")
    assert writer is not None and writer.scope == XapiClientScope.READ_WRITE
    db.commit()

    again = runner.invoke(create_client_command, ["trust-lrs"])
    assert again.exit_code == 1 and "already exists" in again.output


def test_deactivate_client_command(runner, db):
    runner.invoke(create_client_command, ["trust-lrs", "--secret", "chosen-secret-1"])
    result = runner.invoke(deactivate_client_command, ["trust-lrs"])
    assert result.exit_code == 0, result.output
    assert services.authenticate(db, "trust-lrs", "chosen-secret-1") is None
    missing = runner.invoke(deactivate_client_command, ["nobody"])
    assert missing.exit_code == 1 and "No Statement API client named nobody" in missing.output


# --- parameters ----------------------------------------------------------------------------

AGENT = json.dumps({"account": {"homePage": BASE, "name": "abc"}})


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"verbs": COMPLETED}, "Unknown parameter 'verbs'"),
        ({"statementId": str(uuid.uuid4()), "verb": COMPLETED}, "only format and attachments"),
        ({"voidedStatementId": str(uuid.uuid4()), "limit": "1"}, "only format and attachments"),
        (
            {"statementId": str(uuid.uuid4()), "voidedStatementId": str(uuid.uuid4())},
            "not both",
        ),
        ({"statementId": "42"}, "statementId must be a UUID"),
        ({"registration": "not-a-uuid"}, "registration must be a UUID"),
        ({"agent": "amina"}, "agent must be a JSON Agent"),
        ({"agent": "[]"}, "agent must be a JSON Agent"),
        ({"agent": '{"objectType": "Activity", "id": "http://x"}'}, "agent must be a JSON Agent"),
        ({"agent": '{"name": "Amina"}'}, "exactly one identifier"),
        ({"agent": '{"mbox": "mailto:a@b.org", "openid": "http://x"}'}, "exactly one identifier"),
        ({"agent": '{"account": {"name": "abc"}}'}, "exactly one identifier"),
        ({"verb": "completed"}, "verb must be an IRI"),
        ({"activity": ""}, "activity must be an IRI"),
        ({"related_agents": "yes"}, "related_agents must be true or false"),
        ({"ascending": "True"}, "ascending must be true or false"),
        ({"since": "2026-03-02T09:00:00"}, "since needs a time zone"),
        ({"until": "yesterday"}, "until must be an ISO 8601 timestamp"),
        ({"limit": "-1"}, "limit must be a whole number"),
        ({"limit": "ten"}, "limit must be a whole number"),
        ({"format": "full"}, "format must be one of exact, ids, canonical"),
        ({"attachments": "true"}, "attachments=true is not supported"),
        ({"attachments": "maybe"}, "attachments must be true or false"),
        ({"cursor": "page-2"}, "The cursor is not one this server gave"),
        ({"cursor": "9" * 18 + "-1"}, "The cursor is not one this server gave"),
    ],
)
def test_bad_parameters_are_refused_with_a_reason(params, message):
    with pytest.raises(StatementQueryError, match=message):
        parse_query(params.items())


def test_a_parameter_given_twice_is_refused():
    with pytest.raises(StatementQueryError, match="'verb' is given more than once"):
        parse_query([("verb", COMPLETED), ("verb", ATTENDED)])


def test_parameters_are_read_with_their_defaults():
    # No limit is limit=0: "the maximum the server will allow" (2.1.3).
    assert parse_query([]) == StatementQuery(limit=500, format="exact", ascending=False)
    parsed = parse_query(
        {
            "agent": json.dumps({"objectType": "Agent", "mbox": "mailto:Amina@Example.org"}),
            "verb": COMPLETED,
            "activity": MODULE,
            "registration": "37434AC9-AE64-48E0-A649-62C73F352EE8",
            "related_activities": "true",
            "related_agents": "false",
            "since": "2026-03-02T10:00:00.000+01:00",
            "until": "2026-03-03T09:00:00Z",
            "format": "ids",
            "attachments": "false",
            "ascending": "true",
        }.items()
    )
    assert parsed.agent == ("mbox", "mailto:amina@example.org")
    assert parsed.registration == "37434ac9-ae64-48e0-a649-62c73f352ee8"
    assert parsed.since == T0 and parsed.until == T0 + dt.timedelta(days=1)
    assert parsed.related_activities and not parsed.related_agents and parsed.ascending
    assert parsed.format == "ids"


@pytest.mark.parametrize(("given", "limit"), [("0", 500), ("1", 1), ("500", 500), ("5000", 500)])
def test_limit_zero_means_the_maximum_and_more_is_capped(given, limit):
    assert parse_query([("limit", given)]).limit == limit


def test_single_statement_queries_accept_format_and_attachments():
    statement_id = str(uuid.uuid4())
    parsed = parse_query(
        [("statementId", statement_id.upper()), ("format", "ids"), ("attachments", "false")]
    )
    assert parsed.statement_id == statement_id and parsed.is_single


# --- results: order, voiding ---------------------------------------------------------------


def test_newest_stored_first_unless_ascending(db, amina):
    first = put(db, actor=amina, stored=minutes(1))
    second = put(db, actor=amina, stored=minutes(2))
    third = put(db, actor=amina, stored=minutes(3))
    assert ids(find(db)) == ids([third, second, first])
    assert ids(find(db, ascending="true")) == ids([first, second, third])


def test_voided_statements_are_left_out_and_their_voiding_statements_are_not(db, amina, tom):
    kept = put(db, actor=amina, stored=minutes(1))
    voided = put(db, actor=amina, stored=minutes(2))
    voiding = void(db, voided, actor=tom, stored=minutes(3))
    assert ids(find(db)) == ids([voiding, kept])


def test_a_voiding_statement_meets_the_filters_its_target_meets(db, amina, tom):
    """2.1.3, "Filter Conditions for StatementRefs": a client following verb=completed learns
    that a completed statement it may hold has been voided."""
    done = put(db, actor=amina, stored=minutes(1))
    withdrawn = put(db, actor=amina, stored=minutes(2))
    voiding = void(db, withdrawn, actor=tom, stored=minutes(3))
    put(db, actor=amina, verb=ATTENDED, stored=minutes(4))
    assert ids(find(db, verb=COMPLETED)) == ids([voiding, done])
    assert ids(find(db, activity=MODULE, verb=COMPLETED)) == ids([voiding, done])
    # Amina is the actor of the voided statement (not of the voiding one, which Tom made).
    agent = json.dumps(amina)
    assert ids(find(db, agent=agent, verb=COMPLETED)) == ids([voiding, done])
    assert ids(find(db, verb=VOIDED)) == ids([voiding])
    # since/until apply to the voiding statement itself, not to its target.
    assert ids(find(db, verb=COMPLETED, since=minutes(2.5).isoformat())) == ids([voiding])


def test_single_statements_and_voided_ones(db, amina):
    live = put(db, actor=amina)
    voided = put(db, actor=amina)
    voiding = void(db, voided, actor=amina, stored=minutes(1))
    assert q.get_statement(db, live.statement_id, voided=False) is live
    assert q.get_statement(db, voided.statement_id, voided=False) is None  # 2.1.4: 404
    assert q.get_statement(db, voided.statement_id, voided=True) is voided
    assert q.get_statement(db, live.statement_id, voided=True) is None
    assert q.get_statement(db, voiding.statement_id, voided=False) is voiding
    assert q.get_statement(db, str(uuid.uuid4()), voided=False) is None


# --- filters -------------------------------------------------------------------------------


def test_verb_and_registration(db, amina):
    registration = str(uuid.uuid4())
    mine = put(db, actor=amina, registration=registration, stored=minutes(1))
    put(db, actor=amina, registration=str(uuid.uuid4()), stored=minutes(2))
    attended = put(db, actor=amina, verb=ATTENDED, registration=registration, stored=minutes(3))
    assert ids(find(db, registration=registration)) == ids([attended, mine])
    assert ids(find(db, registration=registration, verb=ATTENDED)) == ids([attended])


def test_activity_is_the_object_unless_related_activities(db, amina):
    about = put(db, actor=amina, target=activity(L2_3), stored=minutes(1))
    evidence = put(
        db,
        actor=amina,
        target=activity(f"{BASE}evidence/abc"),
        context={"contextActivities": {"other": [activity(L2_3)], "grouping": [activity(COHORT)]}},
        stored=minutes(2),
    )
    # A single object where a list is expected is allowed by the spec (part two, 2.4.6.2).
    single = put(
        db,
        actor=amina,
        target=activity(f"{BASE}evidence/def"),
        context={"contextActivities": {"parent": activity(L2_3)}},
        stored=minutes(3),
    )
    nested = put(
        db,
        actor=amina,
        target={
            "objectType": "SubStatement",
            "actor": amina,
            "verb": {"id": COMPLETED},
            "object": activity(L2_3),
        },
        stored=minutes(4),
    )
    put(db, actor=amina, target=activity(COHORT), stored=minutes(5))
    assert ids(find(db, activity=L2_3)) == ids([about])
    assert ids(find(db, activity=L2_3, related_activities="true")) == ids(
        [nested, single, evidence, about]
    )


def test_an_activity_is_matched_whole_not_as_part_of_a_longer_iri(db, amina):
    """The JSON text is searched to narrow the candidates; the exact check follows."""
    put(db, actor=amina, target=activity(L2_3 + "0"), stored=minutes(1))
    put(
        db,
        actor=amina,
        target=activity(f"{BASE}evidence/x"),
        context={"extensions": {f"{BASE}xapi/extensions/note": L2_3}},  # a value, not an activity
        stored=minutes(2),
    )
    underscored = f"{BASE}competencies/insights_school/L2_3"
    put(db, actor=amina, target=activity(f"{BASE}competencies/insightsXschool/L2X3"))
    assert find(db, activity=L2_3, related_activities="true") == []
    # "_" and "%" are LIKE wildcards: they must match only themselves.
    assert find(db, activity=underscored, related_activities="true") == []
    percent = put(db, actor=amina, target=activity(f"{BASE}a%25b"), stored=minutes(3))
    assert ids(find(db, activity=f"{BASE}a%25b", related_activities="true")) == ids([percent])


def test_agent_by_account_is_the_actor_or_object(db, amina, tom):
    by_amina = put(db, actor=amina, stored=minutes(1))
    put(db, actor=tom, stored=minutes(2))
    about_amina = put(db, actor=tom, target=amina, stored=minutes(3))
    # The same account name on another system is another person.
    elsewhere = account(amina["account"]["name"], home="https://other.example.org/")
    put(db, actor=elsewhere, stored=minutes(4))
    agent = json.dumps({"objectType": "Agent", "account": amina["account"]})
    # The agent as object is found from candidates its actor_name gives: only by_amina here,
    # (statements about an agent are not indexed by actor_name; the app makes none).
    assert ids(find(db, agent=agent)) == ids([by_amina])
    assert ids(find(db, agent=agent, related_agents="true")) == ids([about_amina, by_amina])


def test_agent_by_instructor_needs_related_agents(db, amina, tom):
    taught = put(db, actor=amina, context={"instructor": tom}, stored=minutes(1))
    by_tom = put(db, actor=tom, stored=minutes(2))
    in_team = put(
        db,
        actor=amina,
        context={"team": {"objectType": "Group", "account": tom["account"]}},
        stored=minutes(3),
    )
    agent = json.dumps(tom)
    assert ids(find(db, agent=agent)) == ids([by_tom])
    assert ids(find(db, agent=agent, related_agents="true")) == ids([in_team, by_tom, taught])


def test_a_group_with_the_agent_as_member_matches(db, amina, tom):
    team = {"objectType": "Group", "name": "SLT", "member": [amina, tom]}
    by_team = put(db, actor=team, stored=minutes(1))
    with_team = put(db, actor=tom, context={"team": team}, stored=minutes(2))
    agent = json.dumps(amina)
    assert ids(find(db, agent=agent, related_agents="true")) == ids([with_team, by_team])


def test_related_agents_for_the_authority_is_every_statement(db, amina, tom):
    rows = [put(db, actor=amina, stored=minutes(1)), put(db, actor=tom, stored=minutes(2))]
    app = json.dumps(q.authority(BASE))
    assert ids(find(db, agent=app, related_agents="true")) == ids(rows[::-1])
    assert find(db, agent=app) == []


def test_agent_by_mbox_or_its_sha1_finds_the_users_statements(db):
    """With INSIGHTS_XAPI_ACTOR_IDENTIFIER=mbox (or mbox_sha1sum) the actor is an email."""
    user = make_user(db, email="amina@school.example")
    other = make_user(db, email="tom@school.example")
    digest = hashlib.sha1(b"mailto:amina@school.example").hexdigest()

    def by(person, **identifier):
        row = put(db, actor={"objectType": "Agent", **identifier})
        row.actor_name = person.public_id
        db.flush()
        return row

    mailed = by(user, mbox="mailto:amina@school.example")
    hashed = by(user, mbox_sha1sum=digest)
    by(other, mbox="mailto:tom@school.example")
    assert ids(find(db, agent=json.dumps({"mbox": "mailto:Amina@school.example"}))) == ids([mailed])
    assert ids(find(db, agent=json.dumps({"mbox_sha1sum": digest.upper()}))) == ids([hashed])
    assert find(db, agent=json.dumps({"mbox": "mailto:nobody@school.example"})) == []
    assert find(db, agent=json.dumps({"openid": "https://id.example.org/amina"})) == []


def test_since_is_exclusive_and_until_inclusive_to_the_millisecond_served(db, amina):
    """``stored`` is served to the millisecond: asking since a served value must not give
    that statement again, even though it was stored with microseconds."""
    early = put(db, actor=amina, stored=T0.replace(microsecond=123_456))
    late = put(db, actor=amina, stored=T0.replace(microsecond=124_001))
    served = q.iso(early.created_dt)
    assert served == "2026-03-02T09:00:00.123+00:00"
    assert ids(find(db, since=served)) == ids([late])
    assert ids(find(db, until=served)) == ids([early])
    assert ids(find(db, since="2026-03-02T09:00:00.1229Z")) == ids([late, early])
    assert find(db, since="9999-12-31T23:59:59.9999Z") == []
    assert ids(find(db, until="9999-12-31T23:59:59.9999Z")) == ids([late, early])


# --- paging --------------------------------------------------------------------------------


def follow(db, params: dict[str, str], base_iri: str = BASE) -> list[list[str]]:
    """Every page, following ``more`` to the end."""
    pages = []
    query = parse_query(params.items())
    while True:
        page = q.find_statements(db, query, base_iri=base_iri)
        pages.append(ids(page.rows))
        if page.more is None:
            return pages
        query = parse_query({**params, "cursor": page.more.encode()}.items())


def test_paging_returns_each_statement_once_in_order(db, amina):
    rows = [put(db, actor=amina, stored=minutes(i)) for i in range(5)]
    # Two statements stored in the same microsecond: the row order breaks the tie.
    rows.append(put(db, actor=amina, stored=minutes(4)))
    newest_first = ids(sorted(rows, key=lambda r: (r.created_dt, r.id), reverse=True))
    assert follow(db, {"limit": "2"}) == [newest_first[0:2], newest_first[2:4], newest_first[4:]]
    assert follow(db, {"limit": "3", "ascending": "true"}) == [
        newest_first[::-1][0:3],
        newest_first[::-1][3:],
    ]
    # An exact number of pages ends without an empty one.
    assert len(follow(db, {"limit": "6"})) == 1


def test_statements_recorded_while_paging_do_not_shift_the_pages(db, amina):
    rows = [put(db, actor=amina, stored=minutes(i)) for i in range(4)]
    first = q.find_statements(db, parse_query([("limit", "2")]), base_iri=BASE)
    assert ids(first.rows) == ids([rows[3], rows[2]])
    assert first.more is not None
    newer = put(db, actor=amina, stored=minutes(10))
    rest = q.find_statements(
        db, parse_query([("limit", "2"), ("cursor", first.more.encode())]), base_iri=BASE
    )
    assert ids(rest.rows) == ids([rows[1], rows[0]]) and rest.more is None
    # Newest first, the new statement is on a new first page, not repeated or lost.
    assert ids(find(db, limit="1")) == ids([newer])


def test_paging_with_a_filter_finished_in_python_reads_in_chunks(db, amina, tom, monkeypatch):
    """related_agents narrows on the JSON text, which also finds the agent's id where it is
    not an agent: those candidates are dropped, and reading goes on to fill the page."""
    monkeypatch.setattr(q, "_CHUNK", 3)
    note = {"extensions": {f"{BASE}xapi/extensions/note": amina["account"]["name"]}}
    taught = []
    for i in range(12):
        if i % 3 == 0:
            put(db, actor=tom, context=note, stored=minutes(i))  # only mentions Amina
        else:
            taught.append(put(db, actor=tom, context={"instructor": amina}, stored=minutes(i)))
    agent = json.dumps(amina)
    pages = follow(
        db, {"agent": agent, "related_agents": "true", "limit": "3", "ascending": "true"}
    )
    assert [len(page) for page in pages] == [3, 3, 2]
    assert [i for page in pages for i in page] == ids(taught)


def test_cursor_round_trips_to_the_microsecond():
    cursor = Cursor(dt.datetime(2026, 3, 2, 9, 0, 0, 123_456, tzinfo=dt.UTC), 42)
    assert Cursor.decode(cursor.encode()) == cursor


# --- what is served ------------------------------------------------------------------------


def test_served_statements_carry_stored_authority_and_version(db, amina):
    row = put(db, actor=amina, stored=T0.replace(microsecond=5_999))
    served = q.present(row, base_iri=BASE)
    assert served["stored"] == "2026-03-02T09:00:00.005+00:00"
    assert served["authority"] == {
        "objectType": "Agent",
        "name": "Insights LMS",
        "account": {"homePage": BASE, "name": "insights-lms"},
    }
    assert served["version"] == "1.0.0"  # part two, 2.4.10: none given means 1.0.0
    assert "stored" not in row.statement  # the outbox keeps what was sent to the LRS


def test_format_ids_keeps_only_identifiers(db, amina, tom):
    row = put(
        db,
        actor=amina,
        target=activity(MODULE, "Module one"),
        context={"instructor": tom, "contextActivities": {"grouping": [activity(COHORT)]}},
    )
    served = q.present(row, base_iri=BASE, statement_format="ids")
    assert served["actor"] == {"objectType": "Agent", "account": amina["account"]}
    assert served["verb"] == {"id": COMPLETED}
    assert served["object"] == {"objectType": "Activity", "id": MODULE}
    assert served["context"]["instructor"] == {"objectType": "Agent", "account": tom["account"]}
    assert served["context"]["contextActivities"] == {
        "grouping": [{"objectType": "Activity", "id": COHORT}]
    }
    assert served["authority"] == {
        "objectType": "Agent",
        "account": {"homePage": BASE, "name": "insights-lms"},
    }
    assert served["id"] == row.statement_id and "stored" in served


def test_format_canonical_keeps_the_best_language_for_the_reader(db, amina):
    row = put(
        db,
        actor=amina,
        target={
            "objectType": "Activity",
            "id": MODULE,
            "definition": {"name": {"en-GB": "Module one", "fr": "Module un"}},
        },
    )
    row.statement["verb"]["display"] = {"en-GB": "completed", "fr": "a terminé"}

    def picker(header: str):
        return LanguageAccept([(header, 1)]).best_match

    french = q.present(row, base_iri=BASE, statement_format="canonical", pick_language=picker("fr"))
    assert french["object"]["definition"]["name"] == {"fr": "Module un"}
    assert french["verb"]["display"] == {"fr": "a terminé"}
    unknown = q.present(
        row, base_iri=BASE, statement_format="canonical", pick_language=picker("de")
    )
    assert unknown["object"]["definition"]["name"] == {"en-GB": "Module one"}
    exact = q.present(row, base_iri=BASE)
    assert exact["object"]["definition"]["name"] == {"en-GB": "Module one", "fr": "Module un"}
