"""xAPI statements for every participant event, as an LRS integration would receive them.

Each event goes through the real service; the statement is read back from the outbox and
checked against the profile (docs/xapi.md) and against Ralph's strict xAPI 1.0.3 model.
References are to the xAPI 1.0.3 specification, part two (data), section 2.4.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from ralph.models.xapi.base.statements import BaseXapiStatement

from insights_lms.assessment.models import AssessmentOccasion
from insights_lms.assessment.services import record_self_assessment
from insights_lms.attendance.models import AttendanceStatus
from insights_lms.attendance.services import complete_module, record_attendance
from insights_lms.auth.models import User
from insights_lms.cohorts.models import Cohort, CohortModule
from insights_lms.competencies.models import Competency
from insights_lms.evidence import xapi as evidence_xapi
from insights_lms.evidence.models import Evidence, EvidenceFile
from insights_lms.evidence.services import (
    EvidenceInput,
    Upload,
    create_evidence,
    delete_evidence,
    restore_evidence,
    update_evidence,
)
from insights_lms.storage import FilesystemStorage, Uploads
from insights_lms.tasks.services import save_response
from insights_lms.xapi import statements
from insights_lms.xapi.models import XapiStatement
from insights_lms.xapi.options import XapiOptions, actor_identifier, plain_file_url
from insights_lms.xapi.vocabulary import ActivityStreamsVerbs
from tests import samples
from tests.conftest import csrf_token, login
from tests.factories import find_user as user
from tests.factories import participant_enrolment as enrolment_of

BASE = "https://insights.example.org/"
PROGRAMME = f"{BASE}programmes/insights-2026"
COHORT = f"{BASE}cohorts/demo-cohort"
COMPETENCIES = f"{BASE}competencies/insights-school-leadership/"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(\+00:00|Z)$")
MAX_FILE = 20 * 1024 * 1024


# --- helpers -----------------------------------------------------------------------------


def outbox(db, event: str | None = None) -> list[dict[str, Any]]:
    query = sa.select(XapiStatement).order_by(XapiStatement.id)
    if event is not None:
        query = query.where(XapiStatement.event == event)
    return [row.statement for row in db.scalars(query)]


def competency(db, code: str) -> Competency:
    found = db.scalar(sa.select(Competency).where(Competency.code == code))
    assert found is not None
    return found


def past_sessions(cohort: Cohort) -> list[CohortModule]:
    now = dt.datetime.now(dt.UTC)
    return [s for s in sorted(cohort.cohort_modules, key=lambda s: s.starts_at) if s.ends_at < now]


def ids(activities: list[dict[str, Any]] | None) -> list[str]:
    return [a["id"] for a in activities or []]


def assert_well_formed(db, statement: dict[str, Any]) -> None:
    """What every statement of the profile promises, whatever its event."""
    BaseXapiStatement.model_validate(statement)
    assert "version" not in statement  # 2.4.10: set by the LRS, not by the provider
    assert uuid.UUID(statement["id"]).version == 4
    assert TIMESTAMP.match(statement["timestamp"]), statement["timestamp"]
    text = json.dumps(statement)
    assert "mailto:" not in text and "mbox" not in text
    for email in db.scalars(sa.select(User.email)):
        assert email not in text
    assert statement["actor"]["account"]["homePage"] == BASE
    if statement["object"].get("objectType") == "Activity":
        assert statement["context"]["platform"] == "Insights LMS"
        assert statement["context"]["language"] == "en-GB"


def assert_account(statement: dict[str, Any], person: User) -> None:
    assert statement["actor"]["account"] == {"homePage": BASE, "name": person.public_id}
    assert statement["actor"]["name"] == person.name


def evidence_input(db, title: str = "Staff voice survey", **overrides: Any) -> EvidenceInput:
    values: dict[str, Any] = {
        "title": title,
        "occurred_on": dt.date(2026, 11, 2),
        "narrative": "We asked all staff what helps. 41 replied.",
        "competency_ids": [competency(db, "L1.2").id, competency(db, "L2.3").id],
    }
    values.update(overrides)
    return EvidenceInput(**values)


# --- one statement per event -------------------------------------------------------------


def test_completing_a_module_states_it_with_the_reflection_as_response(db, demo):
    amina = user(db, "participant1@example.org")
    session = past_sessions(demo)[0]
    complete_module(db, session, amina, "Values guide decisions.", "A values check at SLT.")
    db.commit()

    [statement] = outbox(db, "module.completed")
    assert_well_formed(db, statement)
    assert_account(statement, amina)
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    module = session.module
    assert statement["object"]["id"] == f"{PROGRAMME}/modules/{module.code}"
    assert statement["object"]["definition"]["name"] == {"en-GB": module.title}
    assert statement["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/module"
    assert statement["result"]["completion"] is True
    assert "Values guide decisions." in statement["result"]["response"]
    assert "A values check at SLT." in statement["result"]["response"]
    context = statement["context"]
    assert context["registration"] == enrolment_of(db, amina.email).registration
    assert ids(context["contextActivities"]["grouping"]) == [COHORT, PROGRAMME]
    assert ids(context["contextActivities"]["other"]) == [
        COMPETENCIES + c.code for c in module.competencies
    ]


def test_attendance_states_present_and_late_with_the_facilitator_as_instructor(db, demo):
    facilitator = user(db, "facilitator@example.org")
    people = [user(db, f"participant{n}@example.org") for n in (1, 2, 3, 4)]
    session = past_sessions(demo)[1]
    marks = dict(
        zip(
            [p.id for p in people],
            [
                (AttendanceStatus.PRESENT, ""),
                (AttendanceStatus.LATE, "Traffic"),
                (AttendanceStatus.ABSENT, ""),
                (AttendanceStatus.APOLOGIES, "Ofsted visit"),
            ],
            strict=True,
        )
    )
    record_attendance(db, session, marks, facilitator, now=session.ends_at)
    db.commit()

    attended = outbox(db, "attendance.recorded")
    assert [s["actor"]["account"]["name"] for s in attended] == [
        people[0].public_id,
        people[1].public_id,
    ]
    status_key = f"{BASE}xapi/extensions/attendance-status"
    assert [s["context"]["extensions"][status_key] for s in attended] == ["present", "late"]
    for statement in attended:
        assert_well_formed(db, statement)
        assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/attended"
        assert statement["object"]["id"] == f"{PROGRAMME}/modules/{session.module.code}"
        assert statement["context"]["instructor"]["account"]["name"] == facilitator.public_id
        assert ids(statement["context"]["contextActivities"]["grouping"]) == [COHORT, PROGRAMME]
        # The facilitator's register notes stay in the app.
        assert "Traffic" not in json.dumps(statement)
    assert attended[0]["context"]["registration"] == enrolment_of(db, people[0].email).registration
    assert attended[0]["timestamp"].startswith(session.starts_at.strftime("%Y-%m-%dT%H:%M"))


def test_submitting_a_task_states_it_under_the_module_before_it(db, demo):
    amina = user(db, "participant1@example.org")
    enrolment = enrolment_of(db, amina.email)
    window = sorted(demo.task_windows, key=lambda w: w.opens_at)[3]
    evidence = create_evidence(
        db, None, enrolment=enrolment, user=amina, data=evidence_input(db), max_file_size=MAX_FILE
    ).evidence
    save_response(db, enrolment, window, amina, text="Drafting", evidence_ids=[evidence.id])
    assert outbox(db, "task.submitted") == []  # a draft is not a submission
    save_response(
        db, enrolment, window, amina, text="I trialled it.", evidence_ids=[evidence.id], submit=True
    )
    db.commit()

    [statement] = outbox(db, "task.submitted")
    assert_well_formed(db, statement)
    assert_account(statement, amina)
    task = window.task
    assert statement["verb"] == {
        "id": "http://activitystrea.ms/submit",
        "display": {"en-GB": "submitted"},
    }
    assert statement["object"]["id"] == f"{PROGRAMME}/tasks/{task.code}"
    assert (
        statement["object"]["definition"]["type"]
        == "http://adlnet.gov/expapi/activities/performance"
    )
    assert statement["result"] == {
        "completion": True,
        "response": "I trialled it.",
        "extensions": {f"{BASE}xapi/extensions/evidence": [f"{BASE}evidence/{evidence.public_id}"]},
    }
    activities = statement["context"]["contextActivities"]
    assert ids(activities["parent"]) == [f"{PROGRAMME}/modules/{task.after_module.code}"]
    assert ids(activities["grouping"]) == [COHORT, PROGRAMME]
    assert ids(activities["other"]) == [COMPETENCIES + c.code for c in task.competencies]
    assert statement["context"]["registration"] == enrolment.registration


def test_evidence_is_created_and_updated_with_its_competencies_in_context(db, demo, tmp_path):
    amina = user(db, "participant1@example.org")
    enrolment = enrolment_of(db, amina.email)
    module = demo.programme.modules[1]
    window = sorted(demo.task_windows, key=lambda w: w.opens_at)[0]
    evidence = create_evidence(
        db,
        None,
        enrolment=enrolment,
        user=amina,
        data=evidence_input(db, module_id=module.id, cohort_task_id=window.id),
        max_file_size=MAX_FILE,
    ).evidence
    update_evidence(
        db,
        Uploads(FilesystemStorage(tmp_path)),
        evidence,
        user=amina,
        data=evidence_input(
            db, "Staff voice survey, term 2", competency_ids=[competency(db, "L2.3").id]
        ),
        max_file_size=MAX_FILE,
    )
    db.commit()

    created, updated = outbox(db, "evidence.created") + outbox(db, "evidence.updated")
    for statement in (created, updated):
        assert_well_formed(db, statement)
        assert_account(statement, amina)
        assert statement["object"]["id"] == f"{BASE}evidence/{evidence.public_id}"
        assert statement["object"]["definition"]["type"] == "http://activitystrea.ms/article"
        assert statement["context"]["registration"] == enrolment.registration
        assert ids(statement["context"]["contextActivities"]["grouping"]) == [COHORT, PROGRAMME]
        assert statement["context"]["extensions"] == {
            f"{BASE}xapi/extensions/occurred-on": "2026-11-02"
        }
        assert "attachments" not in statement
    assert created["verb"]["id"] == "http://activitystrea.ms/create"
    assert updated["verb"]["id"] == "http://activitystrea.ms/update"
    assert created["object"]["definition"]["name"] == {"en-GB": "Staff voice survey"}
    assert created["object"]["definition"]["description"] == {
        "en-GB": "We asked all staff what helps. 41 replied."
    }
    assert updated["object"]["definition"]["name"] == {"en-GB": "Staff voice survey, term 2"}
    assert ids(created["context"]["contextActivities"]["parent"]) == [
        f"{PROGRAMME}/modules/{module.code}",
        f"{PROGRAMME}/tasks/{window.task.code}",
    ]
    # "All evidence for competency L2.3" is one query on contextActivities.other.
    assert ids(created["context"]["contextActivities"]["other"]) == [
        COMPETENCIES + "L1.2",
        COMPETENCIES + "L2.3",
    ]
    assert ids(updated["context"]["contextActivities"]["other"]) == [COMPETENCIES + "L2.3"]


def test_deleting_evidence_voids_it_and_restoring_states_it_afresh(db, demo):
    amina = user(db, "participant1@example.org")
    enrolment = enrolment_of(db, amina.email)
    evidence = create_evidence(
        db, None, enrolment=enrolment, user=amina, data=evidence_input(db), max_file_size=MAX_FILE
    ).evidence
    db.commit()
    [created] = outbox(db, "evidence.created")

    delete_evidence(db, evidence, amina)
    db.commit()
    [voiding] = outbox(db, "evidence.deleted")
    assert_well_formed(db, voiding)
    assert voiding["verb"]["id"] == "http://adlnet.gov/expapi/verbs/voided"
    assert voiding["object"] == {"objectType": "StatementRef", "id": created["id"]}
    assert voiding["context"] == {"registration": enrolment.registration}  # no platform (2.4.6)

    restore_evidence(db, evidence, amina)
    db.commit()
    [restored] = outbox(db, "evidence.restored")
    assert_well_formed(db, restored)
    assert restored["verb"]["id"] == "http://activitystrea.ms/create"
    assert restored["object"]["id"] == created["object"]["id"]
    assert restored["id"] not in (created["id"], voiding["id"])


def test_a_self_rating_is_scored_on_the_competency_with_the_scale(db, demo):
    amina = user(db, "participant1@example.org")
    enrolment = enrolment_of(db, amina.email)
    framework = demo.programme.framework
    levels = {lv.value: lv for lv in framework.scale.levels}
    l23, l11 = competency(db, "L2.3"), competency(db, "L1.1")
    record_self_assessment(
        db,
        enrolment,
        AssessmentOccasion.START,
        None,
        {l23.id: (levels[2].id, "  Less sure than I thought. "), l11.id: (levels[3].id, "")},
    )
    session = past_sessions(demo)[1]
    record_self_assessment(
        db,
        enrolment,
        AssessmentOccasion.AFTER_MODULE,
        session.module,
        {l23.id: (levels[3].id, "")},
        now=session.ends_at + dt.timedelta(days=1),
    )
    db.commit()

    occasion = f"{BASE}xapi/extensions/occasion"
    by_key = {
        (s["context"]["extensions"][occasion], s["object"]["id"].rsplit("/", 1)[1]): s
        for s in outbox(db, "self_assessment.recorded")
    }
    assert sorted(by_key) == [("after_module", "L2.3"), ("start", "L1.1"), ("start", "L2.3")]
    start_l11, start_l23 = by_key["start", "L1.1"], by_key["start", "L2.3"]
    after_l23 = by_key["after_module", "L2.3"]
    for statement in (start_l11, start_l23, after_l23):
        assert_well_formed(db, statement)
        assert_account(statement, amina)
        assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/scored"
        definition = statement["object"]["definition"]
        assert definition["type"] == "https://w3id.org/xapi/tla/activity-types/competency"
        assert statement["context"]["registration"] == enrolment.registration
    assert start_l23["object"]["id"] == COMPETENCIES + "L2.3"
    assert start_l23["object"]["definition"]["name"] == {"en-GB": f"L2.3 {l23.title}"}
    assert start_l23["result"]["score"] == {"raw": 2.0, "min": 1.0, "max": 4.0, "scaled": 0.5}
    assert start_l23["result"]["response"] == "Less sure than I thought."
    assert start_l23["result"]["extensions"] == {
        f"{BASE}xapi/extensions/level": {
            "value": 2,
            "code": levels[2].code,
            "title": levels[2].title,
        }
    }
    assert "response" not in start_l11["result"]
    assert start_l11["result"]["score"]["scaled"] == 0.75
    assert start_l23["context"]["extensions"] == {occasion: "start"}
    assert "parent" not in start_l23["context"]["contextActivities"]
    assert after_l23["context"]["extensions"] == {occasion: "after_module"}
    assert ids(after_l23["context"]["contextActivities"]["parent"]) == [
        f"{PROGRAMME}/modules/{session.module.code}"
    ]


# --- identifiers and configuration ---------------------------------------------------------


def test_actors_can_be_identified_by_mbox_or_its_hash_when_configured(db, demo):
    amina = user(db, "participant1@example.org")
    evidence = create_evidence(
        db,
        None,
        enrolment=enrolment_of(db, amina.email),
        user=amina,
        data=evidence_input(db),
        max_file_size=MAX_FILE,
    ).evidence
    by_kind = {}
    for kind in ("account", "mbox", "mbox_sha1sum"):
        options = XapiOptions(BASE, plain_file_url(BASE), actor_identifier(kind))
        statement = statements.to_json(
            evidence_xapi.evidence_described(evidence, ActivityStreamsVerbs.CREATE, options, None)
        )
        BaseXapiStatement.model_validate(statement)
        by_kind[kind] = statement["actor"]
    digest = hashlib.sha1(b"mailto:participant1@example.org").hexdigest()
    assert by_kind["account"] == {
        "objectType": "Agent",
        "name": amina.name,
        "account": {"name": amina.public_id, "homePage": BASE},
    }
    assert by_kind["mbox"] == {
        "objectType": "Agent",
        "name": amina.name,
        "mbox": "mailto:participant1@example.org",
    }
    assert by_kind["mbox_sha1sum"] == {
        "objectType": "Agent",
        "name": amina.name,
        "mbox_sha1sum": digest,
    }
    with pytest.raises(ValueError, match="INSIGHTS_XAPI_ACTOR_IDENTIFIER must be one of"):
        actor_identifier("email")


def test_the_app_config_chooses_the_identifier_and_base_iri(app, db, demo):
    app.config["INSIGHTS_XAPI_ACTOR_IDENTIFIER"] = "mbox_sha1sum"
    state = app.extensions["insights_lms"]
    state.settings = state.settings.model_copy(
        update={"xapi_base_iri": "https://lms.trust.example/"}
    )
    amina = user(db, "participant1@example.org")
    with app.app_context():
        create_evidence(
            db,
            None,
            enrolment=enrolment_of(db, amina.email),
            user=amina,
            data=evidence_input(db),
            max_file_size=MAX_FILE,
        )
    [statement] = outbox(db, "evidence.created")
    BaseXapiStatement.model_validate(statement)
    assert set(statement["actor"]) == {"objectType", "name", "mbox_sha1sum"}
    assert statement["object"]["id"].startswith("https://lms.trust.example/evidence/")
    assert ids(statement["context"]["contextActivities"]["grouping"]) == [
        "https://lms.trust.example/cohorts/demo-cohort",
        "https://lms.trust.example/programmes/insights-2026",
    ]


def test_without_an_app_context_the_environment_gives_the_base_iri(db, demo, monkeypatch):
    monkeypatch.setenv("INSIGHTS_XAPI_BASE_IRI", "https://env.example.org/lms")
    amina = user(db, "participant1@example.org")
    record_self_assessment(
        db,
        enrolment_of(db, amina.email),
        AssessmentOccasion.START,
        None,
        {competency(db, "L2.3").id: (demo.programme.framework.scale.levels[0].id, "")},
    )
    [statement] = outbox(db, "self_assessment.recorded")
    assert statement["object"]["id"] == (
        "https://env.example.org/lms/competencies/insights-school-leadership/L2.3"
    )
    assert statement["actor"]["account"]["homePage"] == "https://env.example.org/lms/"


def test_timestamps_are_utc_with_milliseconds_even_on_a_whole_second():
    whole = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert statements.utc_millis(whole).isoformat(timespec="milliseconds") == (
        "2026-03-01T08:30:00.000+00:00"
    )
    fine = dt.datetime(2026, 3, 1, 9, 30, 5, 123987, tzinfo=dt.UTC)
    assert statements.utc_millis(fine).microsecond == 123000


# --- attachments -------------------------------------------------------------------------


def test_evidence_files_are_attachments_with_hash_and_download_url(db, demo, tmp_path):
    amina = user(db, "participant1@example.org")
    uploads = Uploads(FilesystemStorage(tmp_path))
    png = samples.png()
    evidence = create_evidence(
        db,
        uploads,
        enrolment=enrolment_of(db, amina.email),
        user=amina,
        data=evidence_input(db),
        files=[Upload("plan.pdf", io.BytesIO(samples.PDF)), Upload("wall.png", io.BytesIO(png))],
        max_file_size=MAX_FILE,
    ).evidence
    db.commit()

    [statement] = outbox(db, "evidence.created")
    assert_well_formed(db, statement)
    pdf, image = evidence.files
    assert statement["attachments"] == [
        {
            "usageType": "http://id.tincanapi.com/attachment/supporting_media",
            "display": {"en-GB": "plan.pdf"},
            "contentType": "application/pdf",
            "length": len(samples.PDF),
            "sha2": hashlib.sha256(samples.PDF).hexdigest(),
            "fileUrl": f"{BASE}evidence/files/{pdf.public_id}",
        },
        {
            "usageType": "http://id.tincanapi.com/attachment/supporting_media",
            "display": {"en-GB": "wall.png"},
            "contentType": "image/png",
            "length": len(png),
            "sha2": hashlib.sha256(png).hexdigest(),
            "fileUrl": f"{BASE}evidence/files/{image.public_id}",
        },
    ]


def test_attachment_urls_from_the_web_download_the_file_for_a_signed_in_viewer(
    app, client, db, demo
):
    login(client, "participant1@example.org")
    page = client.get("/evidence/new")
    ids_ = [str(competency(db, "L1.2").id)]
    response = client.post(
        "/evidence/new",
        data={
            "csrf_token": csrf_token(page.text),
            "title": "Plan on a page",
            "occurred_on": "2026-11-02",
            "narrative": "",
            "competencies": ids_,
            "module": "",
            "task": "",
            "files": [(io.BytesIO(samples.PDF), "plan.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    [statement] = outbox(db, "evidence.created")
    assert_well_formed(db, statement)
    stored = db.scalar(sa.select(EvidenceFile))
    [attachment] = statement["attachments"]
    assert attachment["sha2"] == stored.sha256 == hashlib.sha256(samples.PDF).hexdigest()
    assert attachment["fileUrl"] == f"{BASE}evidence/files/{stored.public_id}"
    assert "description" not in statement["object"]["definition"]  # no narrative given
    path = attachment["fileUrl"].removeprefix(BASE.rstrip("/"))
    with client.get(path) as download:
        assert download.status_code == 200 and download.data == samples.PDF
    # The URL is not a public link: without signing in it leads to the login page.
    anonymous = app.test_client().get(path)
    assert anonymous.status_code == 302 and "/login" in anonymous.location


# --- the demo: every statement valid -------------------------------------------------------


def test_every_statement_of_the_rich_demo_is_valid_xapi(db, content):
    from insights_lms.demo import build_demo

    build_demo(db, activity=True, uploads=None)
    db.commit()
    # Deleting and restoring adds the two remaining kinds: voiding and re-stating.
    amina = user(db, "participant1@example.org")
    evidence = db.scalars(sa.select(Evidence).where(Evidence.owner_id == amina.id)).first()
    assert evidence is not None
    delete_evidence(db, evidence, amina)
    restore_evidence(db, evidence, amina)
    db.commit()

    rows = list(db.scalars(sa.select(XapiStatement).order_by(XapiStatement.id)))
    assert {row.event for row in rows} == {
        "attendance.recorded",
        "module.completed",
        "self_assessment.recorded",
        "evidence.created",
        "evidence.deleted",
        "evidence.restored",
        "evidence.reviewed",
        "task.submitted",
        "challenge.posted",
        "challenge.answered",
        "challenge.resolved",
        "case_study.shared",
        "rating.recorded",
        "conversation.recorded",
        "conversation.acknowledged",
        "action.agreed",
        "action.completed",
    }
    assert len({row.statement_id for row in rows}) == len(rows)
    for row in rows:
        assert_well_formed(db, row.statement)
        stamp = dt.datetime.fromisoformat(row.statement["timestamp"])
        assert stamp.utcoffset() == dt.timedelta(0)
        assert row.statement["id"] == row.statement_id
        assert row.verb_id == row.statement["verb"]["id"]
        assert row.object_id == row.statement["object"]["id"]
