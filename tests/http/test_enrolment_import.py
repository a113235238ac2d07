"""Enrolling from CSV through the web: dry run, fix, import, one-time links; and access."""

from __future__ import annotations

import html
import io
import re

import sqlalchemy as sa

from insights_lms.audit.models import AuditRecord
from insights_lms.auth.models import User
from insights_lms.cohorts.models import Enrolment
from insights_lms.enums import CohortRole, SchoolPhase
from insights_lms.matching.models import CoachPhase, CoachProfile, CoachStrength
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD, enrolled, make_cohort, make_user

HEADER = "name,email,school,phase,role_in_school,cohort_role\n"
BAD = (
    HEADER
    + "Zoë Brontë,zoe@school.example,Bow Primary,primary,Head,participant\nOmar Khan,omar(at)school,Mile End,secondary,Deputy,participant\n"
)
FIXED = BAD.replace("omar(at)school", "omar@school.example")


def upload(client, cohort_code: str, text: str, encoding: str = "utf-8"):
    page = client.get(f"/cohorts/{cohort_code}/import")
    return client.post(
        f"/cohorts/{cohort_code}/import",
        data={
            "csrf_token": csrf_token(page.text),
            "file": (io.BytesIO(text.encode(encoding)), "people.csv"),
        },
        content_type="multipart/form-data",
    )


def confirm(client, cohort_code: str, preview_html: str, mode: str):
    text = re.search(r'name="csv_text" type="hidden" value="([^"]*)"', preview_html)
    assert text, "the preview carries the checked file"
    return client.post(
        f"/cohorts/{cohort_code}/import/confirm",
        data={
            "csrf_token": csrf_token(preview_html),
            "csv_text": html.unescape(text.group(1)),
            "mode": mode,
        },
    )


def test_facilitator_fixes_a_bad_row_then_imports_and_new_people_set_passwords(client, db, demo):
    login(client, "facilitator@example.org")
    assert "Enrol people from a CSV file" in client.get(f"/cohorts/{demo.code}").text
    preview = upload(client, demo.code, BAD)
    assert preview.status_code == 200
    assert "1 row has problems" in preview.text
    assert "Line 3 (Omar Khan)" in preview.text
    assert "is not a valid email address" in preview.text
    assert "Import the 1 good row and skip 1" in preview.text
    assert db.scalar(sa.select(User).where(User.email == "zoe@school.example")) is None

    fixed = upload(client, demo.code, FIXED, "cp1252")
    assert "Windows-1252" in fixed.text
    assert "problems" not in fixed.text
    assert "Import 2 rows" in fixed.text
    done = confirm(client, demo.code, fixed.text, "all")
    assert done.status_code == 200
    assert "2 enrolled (2 new accounts)" in done.text
    links = re.findall(r"http://localhost/welcome/[\w-]+", done.text)
    assert len(links) == 2
    board = client.get(f"/cohorts/{demo.code}/dashboard").text
    assert "Zoë Brontë" in board and "Omar Khan" in board

    again = confirm(client, demo.code, upload(client, demo.code, FIXED).text, "all")
    assert "0 enrolled (0 new accounts)" in again.text
    assert "2 already enrolled: unchanged" in again.text

    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})
    path = links[0].removeprefix("http://localhost")
    welcome = client.get(path)
    assert welcome.status_code == 200
    assert welcome.headers["Referrer-Policy"] == "no-referrer"
    mismatch = client.post(
        path,
        data={
            "csrf_token": csrf_token(welcome.text),
            "password": "a long passphrase",
            "confirm": "other",
        },
    )
    assert mismatch.status_code == 400 and "not the same" in mismatch.text
    home = client.post(
        path,
        data={
            "csrf_token": csrf_token(welcome.text),
            "password": "a long passphrase",
            "confirm": "a long passphrase",
        },
        follow_redirects=True,
    )
    assert "your password is set" in home.text
    assert client.get(path).status_code == 404  # used once


def test_a_file_that_is_not_csv_is_refused_with_a_reason(client, demo):
    login(client, "facilitator@example.org")
    response = upload(client, demo.code, "just some words\n")
    assert response.status_code == 400
    assert "missing: name, email, cohort_role" in response.text


def test_only_the_cohorts_facilitators_may_import(client, db, demo):
    other = make_cohort(db, demo.programme)
    outsider = enrolled(db, other, CohortRole.FACILITATOR)
    db.commit()
    assert client.get(f"/cohorts/{demo.code}/import").status_code == 302
    login(client, "participant1@example.org")
    assert client.get(f"/cohorts/{demo.code}/import").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})
    login(client, outsider.email, PASSWORD)
    assert client.get(f"/cohorts/{demo.code}/import").status_code == 404
    assert client.get(f"/cohorts/{demo.code}/import/sample.csv").status_code == 404
    response = client.post(
        f"/cohorts/{demo.code}/import/confirm",
        data={"csrf_token": csrf_token(client.get("/").text), "csv_text": FIXED, "mode": "all"},
    )
    assert response.status_code == 404
    assert db.scalar(sa.select(User).where(User.email == "zoe@school.example")) is None


def test_importing_needs_a_csrf_token(client, db, demo):
    login(client, "facilitator@example.org")
    response = client.post(
        f"/cohorts/{demo.code}/import/confirm", data={"csv_text": FIXED, "mode": "all"}
    )
    assert response.status_code == 400
    assert db.scalar(sa.select(User).where(User.email == "zoe@school.example")) is None


def test_the_sample_file_imports_cleanly(client, db, demo):
    login(client, "facilitator@example.org")
    sample = client.get(f"/cohorts/{demo.code}/import/sample.csv")
    assert sample.mimetype == "text/csv"
    preview = upload(client, demo.code, sample.text)
    assert "Import 2 rows" in preview.text


# --- issue 12, failure 4: the import stays within the facilitator's rights -----------------

SCOPED = "name,email,school,phase,role_in_school,cohort_role,strengths,phases,capacity\n"


def confirm_with(client, cohort_code: str, preview_html: str, mode: str, ticked: list[str]):
    text = re.search(r'name="csv_text" type="hidden" value="([^"]*)"', preview_html)
    assert text, "the preview carries the checked file"
    return client.post(
        f"/cohorts/{cohort_code}/import/confirm",
        data={
            "csrf_token": csrf_token(preview_html),
            "csv_text": html.unescape(text.group(1)),
            "mode": mode,
            "confirm_other_cohort": ticked,
        },
    )


def coach_elsewhere(db, demo) -> User:
    other = make_cohort(db, demo.programme)
    coach = enrolled(db, other, CohortRole.COACH, email="their.coach@school.example")
    db.add(
        CoachProfile(
            user=coach,
            capacity=4,
            phase_rows=[CoachPhase(phase=SchoolPhase.PRIMARY)],
            strength_rows=[CoachStrength(competency_code="L1.2")],
        )
    )
    db.commit()
    return coach


def coach_profile(db, email: str) -> tuple[int, set[SchoolPhase], set[str]]:
    db.expire_all()
    profile = db.scalar(sa.select(CoachProfile).join(CoachProfile.user).where(User.email == email))
    return (
        profile.capacity,
        {p.phase for p in profile.phase_rows},
        {s.competency_code for s in profile.strength_rows},
    )


def result_cell(preview_html: str, line: int) -> str:
    match = re.search(rf'<tr id="line-{line}"[^>]*>(.*?)</tr>', preview_html, re.S)
    assert match, f"line {line} is in the preview"
    return match.group(1)


def test_another_cohorts_coachs_profile_is_unchanged_by_a_facilitators_import(client, db, demo):
    coach_elsewhere(db, demo)
    login(client, "facilitator@example.org")
    row = "Renamed,their.coach@school.example,,,,coach,L2.3,primary;secondary,0\n"
    preview = upload(client, demo.code, SCOPED + row)
    assert preview.status_code == 200
    assert "is set only for a new account" in preview.text
    assert "an administrator imports it" in preview.text
    done = confirm_with(client, demo.code, preview.text, "all", ["their.coach@school.example"])
    assert done.status_code == 200
    assert "1 enrolled" in done.text and "coach profile" not in done.text
    assert coach_profile(db, "their.coach@school.example") == (4, {SchoolPhase.PRIMARY}, {"L1.2"})
    coach = db.scalar(sa.select(User).where(User.email == "their.coach@school.example"))
    assert coach.name != "Renamed"
    assert (
        db.scalar(
            sa.select(Enrolment.role).where(
                Enrolment.cohort_id == demo.id, Enrolment.user_id == coach.id
            )
        )
        == CohortRole.COACH
    )


def test_a_former_participant_of_another_cohort_is_enrolled_only_when_confirmed(client, db, demo):
    other = make_cohort(db, demo.programme)
    former = enrolled(db, other, CohortRole.PARTICIPANT, email="former@school.example")
    db.commit()
    login(client, "facilitator@example.org")
    file = SCOPED + "Former,former@school.example,,,,participant,,,\n"

    preview = upload(client, demo.code, file)
    assert 'name="confirm_other_cohort" value="former@school.example"' in preview.text
    held = confirm_with(client, demo.code, preview.text, "all", [])
    assert held.status_code == 200
    assert "1 row not imported because enrolling someone from another cohort" in held.text
    in_demo = sa.select(Enrolment.id).where(
        Enrolment.cohort_id == demo.id, Enrolment.user_id == former.id
    )
    db.expire_all()
    assert db.scalar(in_demo) is None

    preview = upload(client, demo.code, file)
    done = confirm_with(client, demo.code, preview.text, "all", ["former@school.example"])
    assert "1 enrolled (0 new accounts)" in done.text
    db.expire_all()
    enrolment_id = db.scalar(in_demo)
    assert enrolment_id is not None
    entry = db.scalar(
        sa.select(AuditRecord).where(
            AuditRecord.action == "enrolment.import_other_cohort_confirmed",
            AuditRecord.object_id == enrolment_id,
        )
    )
    assert entry is not None
    assert entry.actor_id == db.scalar(
        sa.select(User.id).where(User.email == "facilitator@example.org")
    )


def test_the_preview_reads_the_same_for_an_existing_and_a_new_email(client, db, demo):
    make_user(db, email="has.account@school.example")
    db.commit()
    login(client, "facilitator@example.org")
    existing = upload(client, demo.code, SCOPED + "Ann,has.account@school.example,,,,coach,,,3\n")
    new = upload(client, demo.code, SCOPED + "Ann,no.account@school.example,,,,coach,,,3\n")
    cell_existing = result_cell(existing.text, 2).replace("has.account", "EMAIL")
    cell_new = result_cell(new.text, 2).replace("no.account", "EMAIL")
    assert cell_existing == cell_new
    assert "Existing" not in existing.text and "existing user" not in existing.text.lower()


def test_overlapping_phases_and_capacity_40_are_row_messages_that_change_nothing(client, db, demo):
    coach_elsewhere(db, demo)
    login(client, "facilitator@example.org")
    overlap = upload(
        client,
        demo.code,
        SCOPED + "Coach,their.coach@school.example,,,,coach,,primary;secondary,\n",
    )
    assert overlap.status_code == 200 and "not applied" not in overlap.text
    assert "is set only for a new account" in overlap.text
    done = confirm_with(client, demo.code, overlap.text, "all", ["their.coach@school.example"])
    assert done.status_code == 200
    assert coach_profile(db, "their.coach@school.example") == (4, {SchoolPhase.PRIMARY}, {"L1.2"})

    too_many = SCOPED + "Cap,cap@school.example,,,,coach,,,40\n"
    preview = upload(client, demo.code, too_many)
    assert preview.status_code == 200
    assert "Capacity must be a whole number from 0 to 30, not “40”." in preview.text
    refused = confirm_with(client, demo.code, preview.text, "all", [])
    assert refused.status_code == 302  # back to the upload page with the message
    assert "1 row has problems" in client.get(refused.headers["Location"]).text
    assert db.scalar(sa.select(User).where(User.email == "cap@school.example")) is None
