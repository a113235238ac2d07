"""CSV enrolment within the facilitator's rights (issue 12, failure 4): the import never edits
an existing account's coach profile unless an administrator imports, never enrols someone from
another cohort without a confirmation that is audited, reads the same for new and existing
e-mails the facilitator does not already see, and turns every row error into a message."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from insights_lms.audit.models import AuditRecord
from insights_lms.auth.models import User
from insights_lms.cohorts.models import Cohort, Enrolment
from insights_lms.enrolment import services
from insights_lms.enums import CohortRole, SchoolPhase
from insights_lms.matching.models import CAPACITY_MAX, CoachPhase, CoachProfile, CoachStrength
from tests.factories import enrolled, find_user, make_cohort, make_user

HEADER = "name,email,school,phase,role_in_school,cohort_role,strengths,phases,capacity\n"


def plan(db, cohort: Cohort, text: str, importer: User | None, confirmed=()):
    parsed = services.parse_csv((HEADER + text).encode())
    return services.plan_import(db, cohort, parsed, importer, confirmed=confirmed)


def other_cohorts_coach(db, demo) -> User:
    other = make_cohort(db, demo.programme)
    coach = enrolled(db, other, CohortRole.COACH, email="elsewhere.coach@school.example")
    db.add(
        CoachProfile(
            user=coach,
            capacity=4,
            phase_rows=[CoachPhase(phase=SchoolPhase.PRIMARY)],
            strength_rows=[CoachStrength(competency_code="L1.2")],
        )
    )
    db.flush()
    return coach


def profile_of(db, user: User) -> tuple[int, set[SchoolPhase], set[str]]:
    profile = db.scalar(sa.select(CoachProfile).where(CoachProfile.user_id == user.id))
    db.refresh(profile)
    return (
        profile.capacity,
        {p.phase for p in profile.phase_rows},
        {s.competency_code for s in profile.strength_rows},
    )


def roles_in(db, cohort: Cohort, user: User) -> set[CohortRole]:
    return set(
        db.scalars(
            sa.select(Enrolment.role).where(
                Enrolment.cohort_id == cohort.id, Enrolment.user_id == user.id
            )
        )
    )


def audits(db) -> list[AuditRecord]:
    return list(
        db.scalars(sa.select(AuditRecord).where(AuditRecord.action == services.AUDIT_OTHER_COHORT))
    )


COACH_ROW = "Renamed,elsewhere.coach@school.example,New School,,,coach,L2.3,secondary,0\n"


def test_a_facilitator_never_changes_another_cohorts_coachs_profile(db, demo):
    coach = other_cohorts_coach(db, demo)
    facilitator = find_user(db, "facilitator@example.org")
    preview = plan(db, demo, COACH_ROW, facilitator, confirmed=[coach.email])
    row = preview.rows[0]
    assert row.ok and not row.profile_applies
    assert "set only for a new account" in row.profile_note
    assert "administrator" in row.profile_note
    result = services.apply_import(db, preview, facilitator)
    assert result.profiles_written == 0 and len(result.enrolled) == 1
    db.flush()
    assert profile_of(db, coach) == (4, {SchoolPhase.PRIMARY}, {"L1.2"})
    db.refresh(coach)
    assert (coach.name, coach.school) != ("Renamed", "New School")
    assert roles_in(db, demo, coach) == {CohortRole.COACH}  # enrolled here in their role


def test_an_administrator_may_import_an_existing_coachs_profile_even_overlapping_phases(db, demo):
    coach = other_cohorts_coach(db, demo)
    admin = make_user(db, is_admin=True)
    text = "Coach,elsewhere.coach@school.example,,,,coach,L1.2 L2.3,primary;secondary,5\n"
    preview = plan(db, demo, text, admin, confirmed=[coach.email])
    assert preview.rows[0].profile_note == ""
    result = services.apply_import(db, preview, admin)
    assert result.profiles_written == 1 and not result.failed
    db.flush()
    assert profile_of(db, coach) == (
        5,
        {SchoolPhase.PRIMARY, SchoolPhase.SECONDARY},
        {"L1.2", "L2.3"},
    )


def test_overlapping_phases_for_another_cohorts_coach_give_a_message_and_change_nothing(db, demo):
    coach = other_cohorts_coach(db, demo)
    facilitator = find_user(db, "facilitator@example.org")
    text = "Coach,elsewhere.coach@school.example,,,,coach,,primary;secondary,\n"
    preview = plan(db, demo, text, facilitator, confirmed=[coach.email])
    assert preview.rows[0].profile_note
    result = services.apply_import(db, preview, facilitator)
    assert not result.failed and result.profiles_written == 0
    db.flush()
    assert profile_of(db, coach) == (4, {SchoolPhase.PRIMARY}, {"L1.2"})


def test_a_former_participant_of_another_cohort_needs_a_confirmation_that_is_audited(db, demo):
    other = make_cohort(db, demo.programme)
    former = enrolled(db, other, CohortRole.PARTICIPANT, email="former@school.example")
    facilitator = find_user(db, "facilitator@example.org")
    text = "Former,former@school.example,,,,participant,,,\n"

    preview = plan(db, demo, text, facilitator)
    assert preview.rows[0].needs_confirmation and not preview.rows[0].confirmed
    result = services.apply_import(db, preview, facilitator)
    assert [r.email for r in result.held] == ["former@school.example"]
    assert result.enrolled == [] and roles_in(db, demo, former) == set()
    assert audits(db) == []

    preview = plan(db, demo, text, facilitator, confirmed=["Former@School.example"])
    result = services.apply_import(db, preview, facilitator)
    assert result.held == [] and len(result.enrolled) == 1
    assert roles_in(db, demo, former) == {CohortRole.PARTICIPANT}
    [entry] = audits(db)
    assert entry.actor_id == facilitator.id
    assert (entry.object_type, entry.object_id) == ("Enrolment", result.enrolled[0].id)
    assert entry.detail["email"] == "former@school.example"
    assert entry.detail["cohort"] == demo.code


def test_new_and_existing_emails_read_the_same_unless_the_facilitator_sees_the_person(db, demo):
    make_user(db, email="known@school.example")  # an account in no cohort of theirs
    facilitator = find_user(db, "facilitator@example.org")
    text = (
        "Known,known@school.example,,,,coach,L1.2,primary,3\n"
        "Unknown,unknown@school.example,,,,coach,L1.2,primary,3\n"
        "Own,participant1@example.org,,,,coach,L1.2,primary,3\n"
    )
    known, unknown, own = plan(db, demo, text, facilitator).rows
    assert (known.action, unknown.action) == ("existing user", "new user")
    assert known.shown_action == unknown.shown_action
    assert known.profile_note == unknown.profile_note
    assert known.needs_confirmation == unknown.needs_confirmation is False
    # someone in the facilitator's own cohort: saying they have an account reveals nothing
    assert own.visible and own.shown_action.startswith("Existing user")
    assert "already has an account" in own.profile_note


def test_capacity_over_the_database_limit_is_a_row_message(db, demo):
    facilitator = find_user(db, "facilitator@example.org")
    assert services.MAX_CAPACITY == CAPACITY_MAX
    preview = plan(db, demo, "Cap,cap@school.example,,,,coach,,,40\n", facilitator)
    [row] = preview.bad
    assert any(f"from 0 to {CAPACITY_MAX}" in e for e in row.errors), row.errors
    before = db.scalar(sa.select(sa.func.count(User.id)))
    result = services.apply_import(db, preview, facilitator, skip_bad_rows=True)
    assert result.created == [] and db.scalar(sa.select(sa.func.count(User.id))) == before
    assert db.scalar(sa.select(User).where(User.email == "cap@school.example")) is None


def test_a_row_the_database_refuses_is_a_message_and_the_other_rows_import(db, demo, monkeypatch):
    facilitator = find_user(db, "facilitator@example.org")
    real_enrol = services.enrol

    def refusing(session, cohort, user, role, **kw):
        if user.email == "refused@school.example":
            session.flush()
            raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))
        return real_enrol(session, cohort, user, role, **kw)

    monkeypatch.setattr(services, "enrol", refusing)
    text = (
        "Refused,refused@school.example,,,,participant,,,\n"
        "Fine,fine@school.example,,,,participant,,,\n"
    )
    preview = plan(db, demo, text, facilitator)
    result = services.apply_import(db, preview, facilitator)
    assert [r.email for r in result.failed] == ["refused@school.example"]
    assert "could not be saved" in result.failed[0].errors[0]
    assert [u.email for u in result.created] == ["fine@school.example"]
    assert [i.user.email for i in result.invites] == ["fine@school.example"]
    assert db.scalar(sa.select(User).where(User.email == "refused@school.example")) is None
