"""CSV enrolment: reading Excel's encodings, every kind of bad row, a dry run that writes
nothing, idempotent re-imports, 1,000 rows, and one-time password links."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from insights_lms import signals
from insights_lms.auth.models import User
from insights_lms.cohorts.models import Enrolment
from insights_lms.db import utcnow
from insights_lms.enrolment import services
from insights_lms.enrolment.models import InviteToken
from insights_lms.enums import CohortRole, SchoolPhase
from insights_lms.matching.models import CoachProfile

HEADER = "name,email,school,phase,role_in_school,cohort_role,strengths,phases,capacity\n"
GOOD = (
    HEADER
    + "Zoë Brontë,zoe@school.example,Bow Primary,primary,Headteacher,participant,,,\n"
    + "Omar Khan,omar@school.example,Mile End Academy,secondary,Deputy head,participant,,,\n"
    + "Helen Coach,helen@coaches.example,,,Executive head,coach,L1.2 L2.3,primary;secondary,4\n"
)


def plan(db, cohort, text: str, encoding: str = "utf-8"):
    return services.plan_import(db, cohort, services.parse_csv(text.encode(encoding)))


def people(db) -> int:
    return db.scalar(sa.select(sa.func.count(User.id)))


def test_a_clean_file_previews_then_imports(db, demo):
    before = people(db)
    preview = plan(db, demo, GOOD)
    assert preview.is_clean
    assert [r.action for r in preview.rows] == ["new user", "new user", "new user"]
    assert people(db) == before  # a dry run writes nothing
    sent = []
    with signals.user_enrolled.connected_to(lambda e, **kw: sent.append(e)):
        result = services.apply_import(db, preview, None)
    assert len(result.created) == 3 and len(result.enrolled) == 3
    assert {e.user.email for e in sent} == {
        "zoe@school.example",
        "omar@school.example",
        "helen@coaches.example",
    }
    zoe = db.scalar(sa.select(User).where(User.email == "zoe@school.example"))
    assert (zoe.name, zoe.school, zoe.school_phase) == (
        "Zoë Brontë",
        "Bow Primary",
        SchoolPhase.PRIMARY,
    )
    assert zoe.password_hash == "" and not zoe.check_password("")
    profile = db.scalar(
        sa.select(CoachProfile).join(CoachProfile.user).where(User.email == "helen@coaches.example")
    )
    assert profile.capacity == 4
    assert {s.competency_code for s in profile.strength_rows} == {"L1.2", "L2.3"}
    assert {p.phase for p in profile.phase_rows} == {SchoolPhase.PRIMARY, SchoolPhase.SECONDARY}
    assert len(result.invites) == 3


def test_reimporting_the_same_file_changes_nothing(db, demo):
    services.apply_import(db, plan(db, demo, GOOD), None)
    db.flush()
    counts = (
        people(db),
        db.scalar(sa.select(sa.func.count(Enrolment.id))),
        db.scalar(sa.select(sa.func.count(InviteToken.id))),
    )
    again = plan(db, demo, GOOD)
    assert [r.action for r in again.rows] == ["already enrolled"] * 3
    result = services.apply_import(db, again, None)
    assert (result.created, result.enrolled, result.profiles_written, result.unchanged) == (
        [],
        [],
        0,
        3,
    )
    assert counts == (
        people(db),
        db.scalar(sa.select(sa.func.count(Enrolment.id))),
        db.scalar(sa.select(sa.func.count(InviteToken.id))),
    )


def test_an_existing_account_is_enrolled_not_duplicated(db, demo):
    text = HEADER + "Amina,PARTICIPANT1@example.org,,,,coach,,,\n"
    preview = plan(db, demo, text)
    assert preview.rows[0].action == "existing user"
    result = services.apply_import(db, preview, None)
    assert result.created == [] and len(result.enrolled) == 1
    assert result.enrolled[0].user.email == "participant1@example.org"
    assert result.enrolled[0].role == CohortRole.COACH


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("Ann,not-an-email,,,,participant,,,", "is not a valid email address"),
        (",ann@school.example,,,,participant,,,", "The name is missing."),
        ("Ann,ann@school.example,,nursery,,participant,,,", "Unknown phase “nursery”"),
        ("Ann,ann@school.example,,,,headteacher,,,", "Unknown cohort role “headteacher”"),
        ("Ann,ann@school.example,,,,coach,L9.9,,", "Unknown competency code “L9.9”"),
        ("Ann,ann@school.example,,,,coach,,primary;college,", "Unknown phase “college” in phases"),
        ("Ann,ann@school.example,,,,coach,,,lots", "Capacity must be a whole number"),
        ("Ann,ann@school.example,,,,participant,L1.2,,", "can only be given for coaches"),
        (
            "Ann,zoe@school.example,,,,participant,,,",
            "Duplicate: zoe@school.example is already on line 2",
        ),
    ],
)
def test_each_kind_of_bad_row_is_reported_on_its_line(db, demo, row, message):
    text = GOOD.splitlines(keepends=True)[0] + GOOD.splitlines(keepends=True)[1] + row + "\n"
    preview = plan(db, demo, text)
    bad = preview.bad
    assert [r.line for r in bad] == [3]
    assert any(message in error for error in bad[0].errors), bad[0].errors
    assert not preview.is_clean
    before = people(db)
    with pytest.raises(services.CsvImportError, match="1 row has problems"):
        services.apply_import(db, preview, None)
    assert people(db) == before
    result = services.apply_import(db, preview, None, skip_bad_rows=True)
    assert [u.email for u in result.created] == ["zoe@school.example"]
    assert [r.line for r in result.skipped] == [3]


@pytest.mark.parametrize(
    ("encoding", "prefix", "name"),
    [
        ("utf-8", b"\xef\xbb\xbf", "UTF-8 with BOM"),
        ("cp1252", b"", "Windows-1252"),
        ("utf-8", b"", "UTF-8"),
    ],
)
def test_excel_encodings(db, demo, encoding, prefix, name):
    data = prefix + GOOD.replace("\n", "\r\n").encode(encoding)
    parsed = services.parse_csv(data)
    assert parsed.encoding == name
    assert parsed.rows[0][1]["name"] == "Zoë Brontë"
    assert parsed.rows[0][1]["email"] == "zoe@school.example"


def test_semicolons_headers_in_other_words_and_unknown_columns(db, demo):
    text = "Full name;E-mail;Role;Notes\nAnn Lee;ann@school.example;participant;likes tea\n"
    parsed = services.parse_csv(text.encode())
    assert parsed.ignored_columns == ["Notes"]
    preview = services.plan_import(db, demo, parsed)
    assert preview.is_clean and preview.rows[0].name == "Ann Lee"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"name,email\nAnn,ann@school.example\n", "missing: cohort_role"),
        (HEADER.encode(), "no people in it"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a CSV file"),
    ],
)
def test_files_that_cannot_be_read_say_why(data, message):
    with pytest.raises(services.CsvImportError, match=message):
        services.parse_csv(data)


def test_a_thousand_rows(db, demo):
    rows = [
        f"Person {n},person{n}@school.example,School {n % 40},primary,Teacher,participant,,,\n"
        for n in range(1000)
    ]
    preview = plan(db, demo, HEADER + "".join(rows))
    assert len(preview.rows) == 1000 and preview.is_clean
    result = services.apply_import(db, preview, None)
    assert len(result.created) == 1000
    assert (
        db.scalar(
            sa.select(sa.func.count(Enrolment.id)).where(
                Enrolment.cohort_id == demo.id, Enrolment.role == CohortRole.PARTICIPANT
            )
        )
        >= 1000
    )


def test_a_one_time_link_sets_the_password_once(db, demo):
    result = services.apply_import(db, plan(db, demo, GOOD), None)
    invite = result.invites[0]
    with pytest.raises(services.InviteError, match="at least 10 characters"):
        services.redeem_invite(db, invite.token, "short")
    user = services.redeem_invite(db, invite.token, "a long enough passphrase")
    assert user.check_password("a long enough passphrase")
    with pytest.raises(services.InviteError, match="expired or has already been used"):
        services.redeem_invite(db, invite.token, "another long passphrase")
    assert services.invite_for(db, "not-a-token") is None


def test_links_expire_and_a_new_link_replaces_the_old(db, demo):
    result = services.apply_import(db, plan(db, demo, GOOD), None)
    invite = result.invites[0]
    later = utcnow() + dt.timedelta(days=15)
    assert services.invite_for(db, invite.token, later) is None
    fresh = services.issue_invite(db, invite.user, None)
    assert services.invite_for(db, invite.token) is None
    assert services.invite_for(db, fresh) is not None
    assert (
        db.scalar(
            sa.select(InviteToken.token_hash).where(InviteToken.user_id == invite.user.id).limit(1)
        )
        != fresh
    )


def test_a_one_time_link_refuses_a_common_password_and_stays_usable(db, demo):
    result = services.apply_import(db, plan(db, demo, GOOD), None)
    invite = result.invites[0]
    with pytest.raises(services.InviteError, match="most common ones"):
        services.redeem_invite(db, invite.token, "password123")
    user = services.redeem_invite(db, invite.token, "a long enough passphrase")
    assert user.check_password("a long enough passphrase")
