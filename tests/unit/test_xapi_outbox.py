"""The xAPI outbox: a statement is stored with its event or not at all, ready for a forwarder;
corrections void what they replace (xAPI 1.0.3 part two, 2.3.2 "Voided")."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from insights_lms.assessment.models import AssessmentOccasion
from insights_lms.assessment.services import record_self_assessment
from insights_lms.attendance.models import AttendanceStatus
from insights_lms.attendance.services import complete_module, record_attendance
from insights_lms.auth.models import User
from insights_lms.cohorts.models import Cohort, CohortModule
from insights_lms.competencies.models import Competency
from insights_lms.context.services import update_context
from insights_lms.evidence.models import Evidence
from insights_lms.evidence.services import (
    EvidenceInput,
    create_evidence,
    delete_evidence,
    restore_evidence,
    update_evidence,
)
from insights_lms.evidence.xapi import EVIDENCE_VERBS
from insights_lms.storage import FilesystemStorage, Uploads
from insights_lms.tasks.services import save_response
from insights_lms.xapi import outbox
from insights_lms.xapi.models import XapiStatement, XapiStatementStatus
from tests.factories import find_user as user
from tests.factories import participant_enrolment as enrolment_of

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
ATTENDED = "http://adlnet.gov/expapi/verbs/attended"
MAX_FILE = 20 * 1024 * 1024


def rows(db, **where: Any) -> list[XapiStatement]:
    query = sa.select(XapiStatement).order_by(XapiStatement.id)
    for name, value in where.items():
        query = query.where(getattr(XapiStatement, name) == value)
    return list(db.scalars(query))


def count(db, model: type = XapiStatement) -> int:
    return db.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def past_session(cohort: Cohort, index: int = 0) -> CohortModule:
    now = dt.datetime.now(dt.UTC)
    return [s for s in sorted(cohort.cohort_modules, key=lambda s: s.starts_at) if s.ends_at < now][
        index
    ]


def evidence_input(db, title: str = "Staff voice survey") -> EvidenceInput:
    codes = ["L1.2", "L2.3"]
    ids = list(db.scalars(sa.select(Competency.id).where(Competency.code.in_(codes))))
    return EvidenceInput(title, dt.date(2026, 11, 2), "What staff told us.", ids)


def add_evidence(db, email: str = "participant1@example.org") -> Evidence:
    owner = user(db, email)
    return create_evidence(
        db,
        None,
        enrolment=enrolment_of(db, email),
        user=owner,
        data=evidence_input(db),
        max_file_size=MAX_FILE,
    ).evidence


# --- the row, ready for a forwarder ---------------------------------------------------------


def test_a_statement_is_queued_for_sending_with_what_a_forwarder_needs(db, demo):
    before = dt.datetime.now(dt.UTC)
    evidence = add_evidence(db)
    db.commit()

    [row] = rows(db)
    assert row.event == "evidence.created"
    assert row.status == XapiStatementStatus.QUEUED
    assert row.attempts == 0
    assert before <= row.next_attempt_dt <= dt.datetime.now(dt.UTC)
    assert row.last_error is None and row.sent_dt is None and row.stored_dt is None
    assert row.created_dt.tzinfo is not None
    assert row.statement_id == row.statement["id"]
    assert row.verb_id == "http://activitystrea.ms/create"
    assert row.object_id == f"https://insights.example.org/evidence/{evidence.public_id}"
    assert row.actor_name == evidence.owner.public_id
    assert row.registration == evidence.enrolment.registration
    assert "version" not in row.statement


def test_statement_ids_are_unique_and_the_database_refuses_a_duplicate(db, demo):
    add_evidence(db)
    add_evidence(db, "participant2@example.org")
    db.commit()
    first, second = rows(db)
    assert first.statement_id != second.statement_id
    db.add(
        XapiStatement(
            statement_id=first.statement_id,
            statement=first.statement,
            verb_id=first.verb_id,
            object_id=first.object_id,
            event="test.duplicate",
        )
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.commit()
    db.rollback()
    assert count(db) == 2


# --- same transaction as the event ------------------------------------------------------------


def test_a_rolled_back_event_leaves_no_statement(db, demo):
    amina = user(db, "participant1@example.org")
    enrolment = enrolment_of(db, amina.email)
    add_evidence(db)
    db.commit()
    assert count(db) == 1

    session = past_session(demo)
    record_attendance(
        db, session, {amina.id: (AttendanceStatus.PRESENT, "")}, user(db, "facilitator@example.org")
    )
    complete_module(db, session, amina, "Learned", "Will trial")
    level = demo.programme.framework.scale.levels[1]
    competency = demo.programme.framework.competencies[0]
    record_self_assessment(
        db, enrolment, AssessmentOccasion.START, None, {competency.id: (level.id, "")}
    )
    window = sorted(demo.task_windows, key=lambda w: w.opens_at)[3]
    save_response(db, enrolment, window, amina, text="Done", submit=True)
    add_evidence(db)
    assert count(db) == 6  # flushed with the events, not yet committed
    db.rollback()

    assert count(db) == 1
    assert count(db, Evidence) == 1
    assert [row.event for row in rows(db)] == ["evidence.created"]


def test_statements_commit_with_their_event_through_the_web(app, client, db, demo):
    from tests.conftest import csrf_token, login

    login(client, "participant1@example.org")
    page = client.get("/evidence/new")
    competency = db.scalar(sa.select(Competency).where(Competency.code == "L2.3"))
    data = {
        "csrf_token": csrf_token(page.text),
        "title": "Reading audit",
        "occurred_on": "2026-11-02",
        "narrative": "",
        "competencies": [str(competency.id)],
        "module": "",
        "task": "",
    }
    assert client.post("/evidence/new", data=data).status_code == 302
    refused = client.post("/evidence/new", data={**data, "title": ""})
    assert refused.status_code == 400  # a refused form records nothing
    [row] = rows(db)
    assert row.event == "evidence.created"
    assert row.statement["object"]["definition"]["name"] == {"en-GB": "Reading audit"}


# --- evidence: deletion voids, restoring states afresh ------------------------------------


def test_deleting_evidence_voids_every_statement_that_still_describes_it(db, demo, tmp_path):
    evidence = add_evidence(db)
    owner = evidence.owner
    uploads = Uploads(FilesystemStorage(tmp_path))
    for title in ("Staff voice survey (v2)", "Staff voice survey (v3)"):
        update_evidence(
            db,
            uploads,
            evidence,
            user=owner,
            data=evidence_input(db, title),
            max_file_size=MAX_FILE,
        )
    db.commit()
    created, update2, update3 = rows(db)

    delete_evidence(db, evidence, owner)
    db.commit()
    voidings = rows(db, event="evidence.deleted")
    # The latest statement first, then back to the create: none of them counts any more.
    assert [v.statement["object"] for v in voidings] == [
        {"objectType": "StatementRef", "id": s.statement_id} for s in (update3, update2, created)
    ]
    assert all(v.verb_id == VOIDED and v.actor_name == owner.public_id for v in voidings)
    assert [v.object_id for v in voidings] == [
        update3.statement_id,
        update2.statement_id,
        created.statement_id,
    ]
    assert outbox.standing_statements(db, created.object_id, EVIDENCE_VERBS) == []

    delete_evidence(db, evidence, owner)  # already deleted: nothing happens, nothing is sent
    assert len(rows(db, event="evidence.deleted")) == 3

    restore_evidence(db, evidence, owner)
    db.commit()
    [restored] = rows(db, event="evidence.restored")
    assert restored.verb_id == "http://activitystrea.ms/create"
    assert restored.statement_id not in {r.statement_id for r in (created, update2, update3)}
    assert outbox.standing_statements(db, created.object_id, EVIDENCE_VERBS) == [restored]

    delete_evidence(db, evidence, owner)
    db.commit()
    last = rows(db, event="evidence.deleted")[3:]
    assert [v.statement["object"]["id"] for v in last] == [restored.statement_id]


def test_statements_not_yet_flushed_are_found_when_deciding_what_to_void(db, demo, tmp_path):
    evidence = add_evidence(db)
    db.flush()
    iri = f"https://insights.example.org/evidence/{evidence.public_id}"
    with db.no_autoflush:
        update_evidence(
            db,
            Uploads(FilesystemStorage(tmp_path)),
            evidence,
            user=evidence.owner,
            data=evidence_input(db, "Renamed"),
            max_file_size=MAX_FILE,
        )
        pending = [r for r in db.new if isinstance(r, XapiStatement)]
        assert [r.event for r in pending] == ["evidence.updated"]
        standing = outbox.standing_statements(db, iri, EVIDENCE_VERBS)
    assert [r.event for r in standing] == ["evidence.created", "evidence.updated"]


# --- attendance: only attending is stated; corrections void ---------------------------------


def test_register_corrections_void_the_attended_statement_they_replace(db, demo):
    facilitator = user(db, "facilitator@example.org")
    amina, tom, priya = (user(db, f"participant{n}@example.org") for n in (1, 2, 3))
    session = past_session(demo, 1)

    def register(**marks: tuple[AttendanceStatus, str]) -> None:
        people = {"amina": amina, "tom": tom, "priya": priya}
        record_attendance(
            db,
            session,
            {people[k].id: v for k, v in marks.items()},
            facilitator,
            now=session.ends_at,
        )
        db.commit()

    def attended_now(person: User) -> list[str]:
        """The attendance status the LRS would see for ``person`` after voiding."""
        key = "https://insights.example.org/xapi/extensions/attendance-status"
        standing = outbox.standing_statements(
            db,
            rows(db, verb_id=ATTENDED)[0].object_id,
            [ATTENDED],
            registration=enrolment_of(db, person.email).registration,
        )
        return [row.statement["context"]["extensions"][key] for row in standing]

    register(
        amina=(AttendanceStatus.PRESENT, ""),
        tom=(AttendanceStatus.LATE, ""),
        priya=(AttendanceStatus.APOLOGIES, ""),
    )
    assert len(rows(db)) == 2  # apologies: no statement
    assert (attended_now(amina), attended_now(tom), attended_now(priya)) == (
        ["present"],
        ["late"],
        [],
    )

    register(amina=(AttendanceStatus.PRESENT, "Left at 3pm"), tom=(AttendanceStatus.LATE, ""))
    assert len(rows(db)) == 2  # a new note (and an unchanged mark) changes nothing in the LRS

    register(
        amina=(AttendanceStatus.ABSENT, "Marked by mistake"),
        tom=(AttendanceStatus.PRESENT, ""),
        priya=(AttendanceStatus.PRESENT, "Came after all"),
    )
    assert (attended_now(amina), attended_now(tom), attended_now(priya)) == (
        [],
        ["present"],
        ["present"],
    )
    voidings = rows(db, verb_id=VOIDED)
    assert len(voidings) == 2
    assert all(v.actor_name == facilitator.public_id for v in voidings)
    assert all(v.event == "attendance.recorded" for v in voidings)


# --- events that send nothing ----------------------------------------------------------------


def test_school_context_and_edited_reflections_send_no_statement(db, demo):
    amina = user(db, "participant1@example.org")
    update_context(db, amina, "primary", 412, 46, "Two-form entry beside an estate.", {})
    session = past_session(demo)
    complete_module(db, session, amina, "First thoughts", "First trial")
    complete_module(db, session, amina, "Second thoughts", "Another trial")
    db.commit()
    [row] = rows(db)
    assert row.event == "module.completed"
    assert "First thoughts" in row.statement["result"]["response"]
