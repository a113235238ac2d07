"""Cohort schedules, enrolment, coach assignment, and the participant's timeline."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from insights_lms.cohorts import services as cohorts
from insights_lms.cohorts.timeline import cohort_timeline
from insights_lms.enums import CohortRole
from insights_lms.programmes.models import Programme
from tests.factories import enrolled, make_cohort, make_user

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def programme(db, content):
    return db.scalar(sa.select(Programme).where(Programme.code == "insights-2026"))


def test_new_cohort_copies_the_planned_schedule(db, programme):
    cohort = make_cohort(db, programme)
    assert len(cohort.cohort_modules) == len(programme.modules)
    assert len(cohort.task_windows) == len(programme.tasks)
    for session, module in zip(
        sorted(cohort.cohort_modules, key=lambda s: s.module.sequence),
        programme.modules,
        strict=True,
    ):
        assert (session.starts_at, session.ends_at) == (module.planned_start, module.planned_end)
        assert session.location == module.location


def test_cohort_shifted_by_a_year_keeps_local_times_across_daylight_saving(db, programme):
    first = programme.modules[0].planned_start.astimezone(LONDON)
    next_year = (first + dt.timedelta(days=364)).astimezone(dt.UTC)  # same weekday
    cohort = make_cohort(db, programme, first_module_start=next_year)
    for session in cohort.cohort_modules:
        planned = session.module.planned_start.astimezone(LONDON)
        actual = session.starts_at.astimezone(LONDON)
        assert actual.date() - planned.date() == dt.timedelta(days=364)
        assert actual.time() == planned.time()  # 09:00 stays 09:00 in winter and summer


def test_task_window_runs_from_end_of_module_to_start_of_next(db, programme):
    cohort = make_cohort(db, programme)
    sessions = {s.module_id: s for s in cohort.cohort_modules}
    for window in cohort.task_windows:
        assert window.opens_at == sessions[window.task.after_module_id].ends_at
        assert window.due_at == sessions[window.task.before_module_id].starts_at


def test_cohort_codes_are_unique(db, programme):
    make_cohort(db, programme, code="th-2026")
    with pytest.raises(cohorts.CohortError, match="already exists"):
        make_cohort(db, programme, code="th-2026")


def test_enrol_is_idempotent(db, programme):
    cohort = make_cohort(db, programme)
    user = make_user(db)
    first = cohorts.enrol(db, cohort, user, CohortRole.PARTICIPANT)
    assert cohorts.enrol(db, cohort, user, CohortRole.PARTICIPANT) is first
    assert first.registration  # a stable id for xAPI context.registration


def test_assign_coach_checks_roles_and_replaces_previous_coach(db, programme):
    cohort = make_cohort(db, programme)
    coach_a = enrolled(db, cohort, CohortRole.COACH)
    coach_b = enrolled(db, cohort, CohortRole.COACH)
    participant = enrolled(db, cohort, CohortRole.PARTICIPANT)
    outsider = make_user(db)
    with pytest.raises(cohorts.CohortError, match="is not a coach"):
        cohorts.assign_coach(db, cohort, outsider, participant)
    with pytest.raises(cohorts.CohortError, match="is not a participant"):
        cohorts.assign_coach(db, cohort, coach_a, outsider)
    with pytest.raises(cohorts.CohortError, match="cannot coach themselves"):
        cohorts.assign_coach(db, cohort, participant, participant)
    cohorts.assign_coach(db, cohort, coach_a, participant)
    cohorts.assign_coach(db, cohort, coach_b, participant)
    assert cohorts.coach_of(db, cohort, participant) is coach_b
    assert cohorts.coachees_of(db, coach_a) == []
    assert [a.participant for a in cohorts.coachees_of(db, coach_b)] == [participant]


def test_facilitators_see_their_cohorts_and_admins_see_all(db, programme):
    mine = make_cohort(db, programme)
    other = make_cohort(db, programme)
    facilitator = enrolled(db, mine, CohortRole.FACILITATOR)
    admin = make_user(db, is_admin=True)
    assert cohorts.cohorts_facilitated_by(db, facilitator) == [mine]
    assert set(cohorts.cohorts_facilitated_by(db, admin)) == {mine, other}


def test_timeline_interleaves_modules_and_tasks_and_knows_what_is_next(db, programme):
    cohort = make_cohort(db, programme)
    modules = sorted(cohort.cohort_modules, key=lambda s: s.module.sequence)
    # Half-way through the task after the third module.
    now = modules[2].ends_at + (modules[3].starts_at - modules[2].ends_at) / 2
    timeline = cohort_timeline(cohort, now)
    kinds = [e.kind for e in timeline.entries]
    assert kinds[:4] == ["module", "task", "module", "task"]
    assert kinds[-1] == "module"  # the celebration: no task after it
    assert timeline.modules_done == 3
    assert timeline.modules_total == len(programme.modules)
    assert [e.code for e in timeline.open_tasks] == [modules[2].module.task_after.code]
    assert timeline.next_due.kind == "task"
    assert timeline.next_module.code == modules[3].module.code
    assert [e.status for e in timeline.entries[:5]] == ["past"] * 5
    assert timeline.entries[5].status == "current"


def test_timeline_before_and_after_the_programme(db, programme):
    cohort = make_cohort(db, programme)
    first = min(s.starts_at for s in cohort.cohort_modules)
    last = max(s.ends_at for s in cohort.cohort_modules)
    before = cohort_timeline(cohort, first - dt.timedelta(days=1))
    assert before.modules_done == 0 and before.next_due.kind == "module"
    after = cohort_timeline(cohort, last + dt.timedelta(days=1))
    assert after.modules_done == after.modules_total and after.next_due is None


def test_demo_cohort_is_mid_programme(db, demo):
    timeline = cohort_timeline(demo)
    assert 0 < timeline.modules_done < timeline.modules_total
    assert len(timeline.open_tasks) == 1
    assert len(demo.members(CohortRole.PARTICIPANT)) == 6
    phases = {p.school_phase.value for p in demo.members(CohortRole.PARTICIPANT)}
    assert {"primary", "secondary", "special"} <= phases
