"""The Statement API through HTTP, as an LRS integration pulls the demo cohort's statements.

References are to the xAPI 1.0.3 specification, part three (communication).
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from insights_lms.demo.lrs_client import add_demo_client
from insights_lms.evidence.models import Evidence
from insights_lms.evidence.services import delete_evidence
from insights_lms.lrs_api.models import XapiClientScope
from insights_lms.lrs_api.services import create_client, deactivate_client, find_client
from insights_lms.xapi.models import XapiStatement
from tests.conftest import login
from tests.factories import find_user
from tests.http.test_host_mount import host  # noqa: F401 - the host app fixture

VERSION = {"X-Experience-API-Version": "1.0.3"}
BASE = "https://insights.example.org/"
L2_3 = f"{BASE}competencies/insights-school-leadership/L2.3"


def basic(name: str, secret: str) -> dict[str, str]:
    token = base64.b64encode(f"{name}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


DEMO = {**VERSION, **basic("demo-lrs", "insights-demo")}


@pytest.fixture
def pulled(db, content) -> dict[str, Any]:
    """The demo cohort with its activity and client; one piece of evidence deleted, so that
    some statements are voided."""
    from insights_lms.demo import build_demo

    build_demo(db, activity=True)
    add_demo_client(db)
    amina = find_user(db, "participant1@example.org")
    evidence = db.scalars(sa.select(Evidence).where(Evidence.owner_id == amina.id)).first()
    assert evidence is not None
    delete_evidence(db, evidence, amina)
    db.commit()
    rows = list(db.scalars(sa.select(XapiStatement)))
    voided = {r.object_id for r in rows if r.verb_id == "http://adlnet.gov/expapi/verbs/voided"}
    assert voided
    return {
        "visible": {r.statement_id for r in rows if r.statement_id not in voided},
        "voided": voided,
        "rows": {r.statement_id: r for r in rows},
        "amina": amina,
    }


def pull_all(client, url: str, headers: dict[str, str] = DEMO) -> list[dict[str, Any]]:
    """Every page, following ``more`` until it is empty."""
    pages = []
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.text
        pages.append(response)
        url = response.get_json()["more"]
    return pages


def error_of(response) -> str:
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
    body = response.get_json()
    assert set(body) == {"error"}
    return body["error"]


# --- about ---------------------------------------------------------------------------------


def test_about_answers_without_credentials_or_version(client):
    response = client.get("/xapi/about")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
    body = response.get_json()
    assert body["version"] == ["1.0.3"]
    assert all(key.startswith("https://") for key in body["extensions"])


# --- pulling -------------------------------------------------------------------------------


def test_the_demo_client_pulls_every_statement_page_by_page(client, pulled):
    pages = pull_all(client, "/xapi/statements?limit=25")
    assert len(pages) == -(-len(pulled["visible"]) // 25)
    served = [s for page in pages for s in page.get_json()["statements"]]
    served_ids = [s["id"] for s in served]
    assert len(served_ids) == len(set(served_ids)), "a statement came twice"
    # Every statement the app emitted, except the voided ones (the voiding ones included).
    assert set(served_ids) == pulled["visible"]
    assert not set(served_ids) & pulled["voided"]
    stored = [dt.datetime.fromisoformat(s["stored"]) for s in served]
    assert stored == sorted(stored, reverse=True)  # newest first
    now = dt.datetime.now(dt.UTC)
    for page in pages:
        assert page.headers["Content-Type"] == "application/json"
        assert page.headers["X-Experience-API-Version"] == "1.0.3"
        consistent = dt.datetime.fromisoformat(page.headers["X-Experience-API-Consistent-Through"])
        assert consistent.utcoffset() == dt.timedelta(0) and consistent <= now
        more = page.get_json()["more"]
        assert more == "" or more.startswith("/xapi/statements?")
        newest = max(pulled["rows"][s["id"]].created_dt for s in page.get_json()["statements"])
        assert page.last_modified == newest.replace(microsecond=0)
    for statement in served:
        row = pulled["rows"][statement["id"]]
        assert statement["stored"] == row.created_dt.isoformat(timespec="milliseconds")
        assert statement["authority"]["account"] == {"homePage": BASE, "name": "insights-lms"}
        assert statement["version"] == "1.0.0"
        assert {
            k: v for k, v in statement.items() if k not in ("stored", "authority", "version")
        } == row.statement


def test_more_keeps_the_filters_and_paging_is_stable_as_statements_arrive(client, db, pulled):
    amina = pulled["amina"]
    agent = f'{{"account": {{"homePage": "{BASE}", "name": "{amina.public_id}"}}}}'
    first = client.get(
        "/xapi/statements", query_string={"agent": agent, "limit": 5}, headers=DEMO
    ).get_json()
    more = first["more"]
    assert parse_qs(urlsplit(more).query)["agent"] == [agent]
    # Amina deletes more evidence between two pages: new statements, one more voided.
    evidence = db.scalars(
        sa.select(Evidence).where(Evidence.owner_id == amina.id, Evidence.is_deleted.is_(False))
    ).first()
    delete_evidence(db, evidence, amina)
    db.commit()
    rest = pull_all(client, more)
    served = first["statements"] + [s for page in rest for s in page.get_json()["statements"]]
    ids = [s["id"] for s in served]
    assert len(ids) == len(set(ids))
    assert all(s["actor"]["account"]["name"] == amina.public_id for s in served)
    # The new voiding statements are newer than the first page: a fresh pull starts with them.
    newest = client.get(
        "/xapi/statements", query_string={"agent": agent, "limit": 1}, headers=DEMO
    ).get_json()["statements"][0]
    assert newest["verb"]["id"] == "http://adlnet.gov/expapi/verbs/voided"
    assert newest["id"] not in ids


def test_all_evidence_for_a_competency_in_one_query(client, pulled):
    """The issue's example: an LRS answering "all evidence for competency L2.3"."""
    pages = pull_all(
        client,
        "/xapi/statements?"
        + f"activity={L2_3}&related_activities=true&verb=http://activitystrea.ms/create",
    )
    served = [s for page in pages for s in page.get_json()["statements"]]
    assert served
    for statement in served:
        if statement["verb"]["id"] == "http://activitystrea.ms/create":
            others = statement["context"]["contextActivities"]["other"]
            assert L2_3 in [a["id"] for a in others]
        else:  # the voiding of a deleted piece of evidence about L2.3
            assert statement["object"]["objectType"] == "StatementRef"


def test_format_ids_through_http(client, pulled):
    page = client.get("/xapi/statements?limit=3&format=ids", headers=DEMO).get_json()
    for statement in page["statements"]:
        assert set(statement["verb"]) == {"id"}
        assert "name" not in statement["actor"]
    assert parse_qs(urlsplit(page["more"]).query)["format"] == ["ids"]


def test_one_statement_by_id_and_a_voided_one(client, pulled):
    live = next(iter(pulled["visible"]))
    response = client.get(f"/xapi/statements?statementId={live}", headers=DEMO)
    assert response.status_code == 200
    assert response.get_json()["id"] == live
    stored = pulled["rows"][live].created_dt
    assert response.last_modified == stored.replace(microsecond=0)
    assert "X-Experience-API-Consistent-Through" in response.headers

    voided = next(iter(pulled["voided"]))
    gone = client.get(f"/xapi/statements?statementId={voided}", headers=DEMO)
    assert gone.status_code == 404
    assert error_of(gone) == f"No statement with id {voided}."
    found = client.get(f"/xapi/statements?voidedStatementId={voided}", headers=DEMO)
    assert found.status_code == 200 and found.get_json()["id"] == voided
    not_voided = client.get(f"/xapi/statements?voidedStatementId={live}", headers=DEMO)
    assert not_voided.status_code == 404

    mixed = client.get(f"/xapi/statements?statementId={live}&limit=1", headers=DEMO)
    assert mixed.status_code == 400
    assert "only format and attachments" in error_of(mixed)


def test_bad_queries_are_explained(client, pulled):
    cases = {
        "agent=amina": "agent must be a JSON Agent",
        "attachments=true": "attachments=true is not supported",
        "since=2026-01-01T00:00:00": "since needs a time zone",
        "colour=blue": "Unknown parameter 'colour'",
    }
    for query, message in cases.items():
        response = client.get(f"/xapi/statements?{query}", headers=DEMO)
        assert response.status_code == 400
        assert message in error_of(response)


# --- version and credentials ---------------------------------------------------------------


def test_the_version_header_is_required(client, pulled):
    credentials = basic("demo-lrs", "insights-demo")
    missing = client.get("/xapi/statements", headers=credentials)
    assert missing.status_code == 400
    assert "X-Experience-API-Version header is required" in error_of(missing)
    old = client.get(
        "/xapi/statements", headers={**credentials, "X-Experience-API-Version": "0.95"}
    )
    assert old.status_code == 400
    for version in ("1.0", "1.0.0", "1.0.3"):
        ok = client.get(
            "/xapi/statements?limit=1",
            headers={**credentials, "X-Experience-API-Version": version},
        )
        assert ok.status_code == 200, version


def test_wrong_unknown_or_missing_credentials_are_refused_alike(client, db, pulled):
    deactivate_client(db, create_client(db, "old-lrs", secret="an-old-lrs-secret")[0])
    db.commit()
    attempts = {
        "none": VERSION,
        "wrong secret": {**VERSION, **basic("demo-lrs", "insights-demo-2")},
        "unknown client": {**VERSION, **basic("nobody", "insights-demo")},
        "deactivated": {**VERSION, **basic("old-lrs", "an-old-lrs-secret")},
        "bearer": {**VERSION, "Authorization": "Bearer insights-demo"},
    }
    answers = {}
    for what, headers in attempts.items():
        response = client.get("/xapi/statements", headers=headers)
        assert response.status_code == 401, what
        assert response.headers["WWW-Authenticate"].startswith('Basic realm="Insights LMS xAPI"')
        answers[what] = error_of(response)
    assert len({answers[k] for k in ("wrong secret", "unknown client", "deactivated")}) == 1
    assert "statements" not in response.text


def test_a_signed_in_session_does_not_open_the_api(client, pulled):
    login(client, "facilitator@example.org")
    assert client.get("/").status_code == 200  # signed in to the LMS
    response = client.get("/xapi/statements", headers=VERSION)
    assert response.status_code == 401


def test_last_used_is_recorded(client, db, pulled):
    client.get("/xapi/statements?limit=1", headers=DEMO)
    db.expire_all()
    used = find_client(db, "demo-lrs").last_used_dt
    assert used is not None and dt.datetime.now(dt.UTC) - used < dt.timedelta(minutes=5)


# --- writing is not for this API -----------------------------------------------------------


def test_sending_statements_is_refused_without_a_csrf_page(client, db, pulled):
    create_client(db, "writer", scope=XapiClientScope.READ_WRITE, secret="writer-secret-1")
    db.commit()
    statement = {"actor": {"mbox": "mailto:a@example.org"}, "verb": {"id": "http://x/y"}}
    read_only = client.post("/xapi/statements", json=[statement], headers=DEMO)
    assert read_only.status_code == 403
    assert error_of(read_only) == "This client may only read statements."
    writer = {**VERSION, **basic("writer", "writer-secret-1")}
    for method in (client.post, client.put):
        response = method("/xapi/statements", json=statement, headers=writer)
        assert response.status_code == 405
        assert response.headers["Allow"] == "GET, HEAD"
        assert "for pulling statements" in error_of(response)
    assert client.delete("/xapi/statements", headers=writer).status_code == 405
    anonymous = client.post("/xapi/statements", json=[statement], headers=VERSION)
    assert anonymous.status_code == 401
    count = db.scalar(sa.select(sa.func.count()).select_from(XapiStatement))
    assert count == len(pulled["rows"])


def test_nothing_else_lives_under_xapi(client, pulled):
    response = client.get("/xapi/activities", headers=DEMO)
    assert response.status_code == 404


# --- mounted in a host app -----------------------------------------------------------------


def test_the_api_works_under_a_host_apps_prefix(host):  # noqa: F811 - the imported fixture
    runner = host.test_cli_runner()
    for args in (["lms", "load-content"], ["lms", "demo-data"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    from insights_lms.lrs_api.cli import create_client_command

    result = runner.invoke(create_client_command, ["host-lrs", "--secret", "host-lrs-secret"])
    assert result.exit_code == 0, result.output
    client = host.test_client()
    assert client.get("/learning/xapi/about").get_json()["version"] == ["1.0.3"]
    headers = {**VERSION, **basic("host-lrs", "host-lrs-secret")}
    pages = pull_all(client, "/learning/xapi/statements?limit=50", headers)
    assert len(pages) > 1
    assert all(p.get_json()["more"].startswith("/learning/xapi/statements?") for p in pages[:-1])
    served = {s["id"] for p in pages for s in p.get_json()["statements"]}
    with host.app_context():
        from insights_lms.db import session

        rows = list(session.scalars(sa.select(XapiStatement)))
    voided = {r.object_id for r in rows if r.verb_id == "http://adlnet.gov/expapi/verbs/voided"}
    assert served == {r.statement_id for r in rows} - voided
    assert client.get("/xapi/statements", headers=headers).status_code == 404


# --- a standard client ---------------------------------------------------------------------


def test_a_standard_xapi_client_pulls_everything(live_server, pulled):
    """Rustici's TinCanPython, as an integration might use it: query, follow ``more``, read one
    statement back, ask what the server is."""
    import tincan

    lrs = tincan.RemoteLRS(
        endpoint=f"{live_server}/xapi/",
        username="demo-lrs",
        password="insights-demo",
        version="1.0.3",
    )
    assert lrs.about().content.version == ["1.0.3"]
    response = lrs.query_statements({"limit": 40})
    pulled_ids = []
    while True:
        assert response.success, response.data
        pulled_ids += [str(s.id) for s in response.content.statements]
        if not response.content.more:
            break
        response = lrs.more_statements(response.content)
    assert sorted(pulled_ids) == sorted(pulled["visible"])
    one = lrs.retrieve_statement(pulled_ids[0])
    assert one.success and str(one.content.id) == pulled_ids[0]
    assert one.content.stored is not None and one.content.authority is not None
