"""Registers for module sessions and module completion with reflection (services, no HTTP)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from insights_lms import signals
from insights_lms.attendance.models import Attendance, AttendanceStatus, ModuleCompletion
from insights_lms.attendance.services import (
    AttendanceError,
    CompletionError,
    cohort_completion_counts,
    complete_module,
    module_in_cohorts,
    participant_module_records,
    record_attendance,
    register_for,
)
from insights_lms.auth.models import User
from insights_lms.cohorts.models import Cohort, CohortModule
from insights_lms.enums import CohortRole
from tests.factories import enrolled, make_cohort, make_user

PRESENT, LATE = AttendanceStatus.PRESENT, AttendanceStatus.LATE
ABSENT, APOLOGIES = AttendanceStatus.ABSENT, AttendanceStatus.APOLOGIES


def person(db, email: str) -> User:
    return db.scalar(sa.select(User).where(User.email == email))


def sessions(cohort: Cohort) -> list[CohortModule]:
    return sorted(cohort.cohort_modules, key=lambda cm: cm.module.sequence)


@pytest.fixture
def facilitator(db, demo) -> User:
    return person(db, "facilitator@example.org")


@pytest.fixture
def amina(db, demo) -> User:
    return person(db, "participant1@example.org")


@pytest.fixture
def tom(db, demo) -> User:
    return person(db, "participant2@example.org")


@pytest.fixture
def past(demo) -> CohortModule:
    """Module 1 of the demo cohort: held a few months ago."""
    return sessions(demo)[1]


@pytest.fixture
def future(demo) -> CohortModule:
    """Module 4 of the demo cohort: not yet held."""
    return sessions(demo)[4]


class Received:
    """A signal receiver that remembers what it was sent."""

    def __init__(self) -> None:
        self.calls: list[tuple[object, dict[str, object]]] = []

    def __call__(self, sender: object, **kwargs: object) -> None:
        self.calls.append((sender, kwargs))


# --- registers ---------------------------------------------------------------------------


def test_facilitator_records_a_register_and_each_mark_is_signalled(
    db, demo, past, facilitator, amina, tom
):
    received = Received()
    with signals.attendance_recorded.connected_to(received):
        rows = record_attendance(
            db,
            past,
            {amina.id: (PRESENT, ""), tom.id: ("apologies", " Ofsted visit ")},
            facilitator,
        )
    db.commit()
    assert {(r.participant.email, r.status, r.note) for r in rows} == {
        ("participant1@example.org", PRESENT, ""),
        ("participant2@example.org", APOLOGIES, "Ofsted visit"),
    }
    assert all(r.recorded_by is facilitator and r.id is not None for r in rows)
    assert len(received.calls) == 2
    for sender, kwargs in received.calls:
        assert isinstance(sender, Attendance)
        assert kwargs == {"recorded_by": facilitator}
    assert {s.participant_id for s, _ in received.calls} == {amina.id, tom.id}


def test_changing_a_mark_updates_the_row_and_signals_again(db, demo, past, facilitator, amina):
    first = dt.datetime.now(dt.UTC)
    record_attendance(db, past, {amina.id: (ABSENT, "")}, facilitator, now=first)
    received = Received()
    later = first + dt.timedelta(hours=2)
    with signals.attendance_recorded.connected_to(received):
        record_attendance(db, past, {amina.id: (LATE, "Arrived 10:15")}, facilitator, now=later)
    rows = db.scalars(sa.select(Attendance).where(Attendance.participant_id == amina.id)).all()
    assert len(rows) == 1
    assert (rows[0].status, rows[0].note, rows[0].recorded_dt) == (LATE, "Arrived 10:15", later)
    assert [s for s, _ in received.calls] == [rows[0]]


def test_saving_an_unchanged_register_again_sends_no_signal(db, demo, past, facilitator, amina):
    record_attendance(db, past, {amina.id: (PRESENT, "")}, facilitator)
    received = Received()
    with signals.attendance_recorded.connected_to(received):
        record_attendance(db, past, {amina.id: (PRESENT, "")}, facilitator)
    assert received.calls == []


def test_participants_left_out_of_a_save_keep_their_mark(db, demo, past, facilitator, amina, tom):
    record_attendance(db, past, {amina.id: (PRESENT, ""), tom.id: (ABSENT, "")}, facilitator)
    record_attendance(db, past, {tom.id: (PRESENT, "")}, facilitator)
    marks = {row.participant.id: row.attendance for row in register_for(db, past)}
    assert marks[amina.id].status == PRESENT and marks[tom.id].status == PRESENT


def test_register_refuses_people_who_are_not_participants_and_saves_nothing(
    db, demo, past, facilitator, amina
):
    coach = person(db, "coach1@example.org")
    outsider = make_user(db, name="Olive Outsider")
    for who in (coach, outsider):
        with pytest.raises(AttendanceError, match=f"{who.name} is not a participant"):
            record_attendance(
                db, past, {amina.id: (PRESENT, ""), who.id: (PRESENT, "")}, facilitator
            )
    with pytest.raises(AttendanceError, match="is not a participant"):
        record_attendance(db, past, {999_999: (PRESENT, "")}, facilitator)
    assert db.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 0


def test_register_for_a_future_session_is_refused_with_a_clear_message(
    db, demo, future, facilitator, amina
):
    with pytest.raises(AttendanceError, match="has not happened yet: its register opens when"):
        record_attendance(db, future, {amina.id: (PRESENT, "")}, facilitator)
    # It opens the moment the session starts.
    rows = record_attendance(
        db, future, {amina.id: (PRESENT, "")}, facilitator, now=future.starts_at
    )
    assert rows[0].status == PRESENT


def test_only_the_cohorts_facilitators_or_an_admin_take_its_register(db, demo, past, amina):
    other_cohort = make_cohort(db, demo.programme)
    other_facilitator = enrolled(db, other_cohort, CohortRole.FACILITATOR)
    for email in ("participant2@example.org", "coach1@example.org"):
        with pytest.raises(AttendanceError, match="Only the facilitators"):
            record_attendance(db, past, {amina.id: (PRESENT, "")}, person(db, email))
    with pytest.raises(AttendanceError, match="Only the facilitators"):
        record_attendance(db, past, {amina.id: (PRESENT, "")}, other_facilitator)
    admin = make_user(db, is_admin=True)
    assert record_attendance(db, past, {amina.id: (PRESENT, "")}, admin)[0].recorded_by is admin


def test_register_refuses_unknown_statuses_long_notes_and_an_empty_save(
    db, demo, past, facilitator, amina
):
    with pytest.raises(AttendanceError, match="Choose present, late, apologies, absent for Amina"):
        record_attendance(db, past, {amina.id: ("asleep", "")}, facilitator)
    with pytest.raises(AttendanceError, match="200 characters"):
        record_attendance(db, past, {amina.id: (PRESENT, "x" * 201)}, facilitator)
    with pytest.raises(AttendanceError, match="Mark at least one participant"):
        record_attendance(db, past, {}, facilitator)


def test_register_lists_every_participant_by_name_with_their_mark(
    db, demo, past, facilitator, amina
):
    record_attendance(db, past, {amina.id: (LATE, "")}, facilitator)
    rows = register_for(db, past)
    assert [r.participant.name for r in rows] == [
        "Amina Rahman",
        "Daniel Osei",
        "Grace Adeyemi",
        "Priya Shah",
        "Sam Whitfield",
        "Tom Hughes",
    ]
    assert [r.attendance.status if r.attendance else None for r in rows] == [LATE] + [None] * 5


# --- completion --------------------------------------------------------------------------


def test_completing_a_module_saves_the_reflection_and_signals_once(db, demo, past, amina):
    received = Received()
    with signals.module_completed.connected_to(received):
        done = complete_module(db, past, amina, "  Trust is built slowly. ", "Open staff forum.")
    db.commit()
    assert (done.learned, done.will_trial) == ("Trust is built slowly.", "Open staff forum.")
    assert done.completed_dt == done.updated_dt
    assert received.calls == [(done, {"user": amina})]
    assert isinstance(received.calls[0][0], ModuleCompletion)


def test_editing_the_reflection_keeps_completed_dt_and_sends_no_second_signal(
    db, demo, past, amina
):
    first = dt.datetime.now(dt.UTC)
    done = complete_module(db, past, amina, "First thoughts", "Try A", now=first)
    received = Received()
    later = first + dt.timedelta(days=3)
    with signals.module_completed.connected_to(received):
        again = complete_module(db, past, amina, "Second thoughts", "Try B", now=later)
    assert again is done
    assert (again.learned, again.will_trial) == ("Second thoughts", "Try B")
    assert (again.completed_dt, again.updated_dt) == (first, later)
    assert again.is_edited
    assert received.calls == []
    assert db.scalar(sa.select(sa.func.count()).select_from(ModuleCompletion)) == 1


def test_a_module_cannot_be_completed_before_its_session_starts(db, demo, future, amina):
    with pytest.raises(CompletionError, match="has not happened yet: you can record it"):
        complete_module(db, future, amina, "Learned", "Will trial")
    just_before = future.starts_at - dt.timedelta(minutes=1)
    with pytest.raises(CompletionError, match="has not happened yet"):
        complete_module(db, future, amina, "Learned", "Will trial", now=just_before)
    assert complete_module(db, future, amina, "Learned", "Trial", now=future.starts_at).id


@pytest.mark.parametrize(
    ("learned", "will_trial", "field", "message"),
    [
        ("", "Trial", "learned", "Write what you learned."),
        ("   \n ", "Trial", "learned", "Write what you learned."),
        ("Learned", "", "will_trial", "Write what you will trial back in school."),
        ("x" * 4001, "Trial", "learned", "to 4000 characters or fewer (you wrote 4001)"),
        ("Learned", "y" * 4001, "will_trial", "to 4000 characters or fewer"),
    ],
)
def test_both_reflection_answers_are_required_and_bounded(
    db, demo, past, amina, learned, will_trial, field, message
):
    with pytest.raises(
        CompletionError, match=message.replace("(", r"\(").replace(")", r"\)")
    ) as exc:
        complete_module(db, past, amina, learned, will_trial)
    assert exc.value.field == field
    assert db.scalar(sa.select(sa.func.count()).select_from(ModuleCompletion)) == 0


def test_a_reflection_of_exactly_4000_characters_is_accepted(db, demo, past, amina):
    assert len(complete_module(db, past, amina, "x" * 4000, "y" * 4000).learned) == 4000


def test_only_participants_of_the_cohort_complete_its_modules(db, demo, past):
    coach = person(db, "coach1@example.org")
    outsider = make_user(db, name="Olive Outsider")
    for who in (coach, outsider):
        with pytest.raises(CompletionError, match=f"{who.name} is not a participant in"):
            complete_module(db, past, who, "Learned", "Trial")


# --- what the home page and facilitators read ---------------------------------------------


def test_participant_module_records_give_each_session_its_own_record(
    db, demo, facilitator, amina, tom
):
    s = sessions(demo)
    record_attendance(db, s[0], {amina.id: (PRESENT, ""), tom.id: (PRESENT, "")}, facilitator)
    record_attendance(db, s[1], {amina.id: (APOLOGIES, "Governors")}, facilitator)
    record_attendance(db, s[2], {amina.id: (LATE, "")}, facilitator)
    mine = complete_module(db, s[0], amina, "Purpose matters", "Share my why")
    complete_module(db, s[1], tom, "Tom's learning", "Tom's trial")

    records = participant_module_records(db, amina, demo)
    assert set(records) == {cm.id for cm in demo.cohort_modules}
    assert records[s[0].id].completion is mine and records[s[0].id].attended is True
    assert records[s[0].id].attendance_label == "Attended"
    assert records[s[1].id].attended is False and records[s[1].id].completion is None
    assert records[s[1].id].attendance_label == "Apologies"
    assert records[s[2].id].attended is True
    assert records[s[2].id].attendance_label == "Attended (late)"
    assert records[s[3].id].attended is None and records[s[3].id].attendance_label == "Not recorded"
    assert [records[cm.id].started for cm in s] == [True] * 4 + [False] * (len(s) - 4)
    for record in records.values():  # nothing of Tom's
        assert record.completion in (None, mine)
        assert record.attendance is None or record.attendance.participant_id == amina.id


def test_cohort_completion_counts_count_attendance_including_late_and_completions(
    db, demo, facilitator, amina, tom
):
    s = sessions(demo)
    priya = person(db, "participant3@example.org")
    record_attendance(
        db,
        s[1],
        {amina.id: (PRESENT, ""), tom.id: (LATE, ""), priya.id: (ABSENT, "")},
        facilitator,
    )
    complete_module(db, s[1], amina, "L", "T")
    complete_module(db, s[2], tom, "L", "T")
    counts = cohort_completion_counts(db, demo)
    assert counts[s[1].id] == (1, 2)
    assert counts[s[2].id] == (1, 0)
    assert counts[s[0].id] == (0, 0)
    assert set(counts) == {cm.id for cm in demo.cohort_modules}


def test_module_in_cohorts_gives_dates_own_record_and_task_windows(
    db, demo, amina, facilitator, past
):
    module = past.module
    mine = module_in_cohorts(db, amina, module)
    assert mine.cohort_modules == [(demo, past)]
    [(cohort, record)] = mine.records
    assert cohort is demo and record.cohort_module is past and record.started
    task = module.task_after
    assert task is not None
    assert [(c, w.task_id) for c, w in mine.windows] == [(demo, task.id)]
    # A facilitator sees the cohort's dates and windows, but has no record of their own.
    theirs = module_in_cohorts(db, facilitator, module)
    assert theirs.cohort_modules == [(demo, past)] and theirs.records == []
    assert len(theirs.windows) == 1
