"""Starting a cohort on a date, moving its sessions, and the schedule warnings."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest

from insights_lms import signals
from insights_lms.cohorts import scheduling
from insights_lms.cohorts.models import Cohort, CohortModule
from insights_lms.enums import CohortRole
from insights_lms.programmes.models import Programme
from tests.factories import enrolled, make_cohort, make_user

LONDON = ZoneInfo("Europe/London")


def programme(db) -> Programme:
    found = db.query(Programme).one()
    return found


def session_of(cohort: Cohort, sequence: int) -> CohortModule:
    return next(cm for cm in cohort.cohort_modules if cm.module.sequence == sequence)


def local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(LONDON)


def test_the_programme_asks_for_three_weeks_between_modules(db, content):
    assert programme(db).min_gap_days == 21


def test_start_cohort_keeps_the_planned_times_and_spacing(db, content):
    prog = programme(db)
    facilitator = make_user(db)
    sent = []
    with signals.cohort_created.connected_to(lambda c, **kw: sent.append((c, kw))):
        cohort = scheduling.start_cohort(
            db, prog, "2027-c2", "Insights 2027-28", dt.date(2027, 9, 23), facilitator
        )
    first = local(session_of(cohort, 0).starts_at)
    assert (first.date(), first.time()) == (dt.date(2027, 9, 23), dt.time(9, 0))
    planned = [m.planned_start for m in prog.modules]
    got = [cm.starts_at for cm in scheduling.ordered_cohort_modules(cohort)]
    assert [(b - a).days for a, b in itertools.pairwise(planned)] == [
        (b - a).days for a, b in itertools.pairwise(got)
    ]
    assert [local(cm.starts_at).time() for cm in scheduling.ordered_cohort_modules(cohort)] == [
        local(m.planned_start).time() for m in prog.modules
    ]
    assert facilitator in cohort.members(CohortRole.FACILITATOR)
    assert sent == [(cohort, {"created_by": facilitator})]
    assert scheduling.schedule_warnings(cohort) == []
    with pytest.raises(scheduling.ScheduleError, match="already exists"):
        scheduling.start_cohort(db, prog, "2027-c2", "Again", dt.date(2027, 9, 23), facilitator)


def test_moving_a_session_moves_everything_after_it_on_the_wall_clock(db, content):
    cohort = make_cohort(db, programme(db))
    before = {cm.module.sequence: (cm.starts_at, cm.ends_at) for cm in cohort.cohort_modules}
    windows = {w.task.code: (w.opens_at, w.due_at) for w in cohort.task_windows}
    m2 = session_of(cohort, 2)
    new_start = m2.starts_at + dt.timedelta(days=7)
    sent = []
    with signals.cohort_rescheduled.connected_to(lambda c, **kw: sent.append(kw)):
        warnings = scheduling.move_cohort_module(db, m2, new_start, shift_later=True)
    assert warnings == []
    assert sent[0]["days"] == 7 and sent[0]["cohort_module"] is m2
    for cm in cohort.cohort_modules:
        old_start, old_end = before[cm.module.sequence]
        if cm.module.sequence < 2:
            assert cm.starts_at == old_start
        else:
            assert local(cm.starts_at).date() == local(old_start).date() + dt.timedelta(days=7)
            # 09:00 stays 09:00 even where the move crosses a clock change
            assert local(cm.starts_at).time() == local(old_start).time()
            assert cm.ends_at - cm.starts_at == old_end - old_start
    for window in cohort.task_windows:
        opens, due = windows[window.task.code]
        if window.task.after_module.sequence >= 2:
            assert local(window.opens_at).date() == local(opens).date() + dt.timedelta(days=7)
        if window.task.before_module.sequence >= 2:
            assert window.due_at > due
        if window.task.before_module.sequence < 2:
            assert (window.opens_at, window.due_at) == (opens, due)


def test_moving_one_session_closer_warns_about_the_spacing(db, content):
    cohort = make_cohort(db, programme(db))
    m1, m2 = session_of(cohort, 1), session_of(cohort, 2)
    new_start = dt.datetime.combine(
        local(m1.ends_at).date() + dt.timedelta(days=10), local(m2.starts_at).time(), LONDON
    )
    warnings = scheduling.move_cohort_module(db, m2, new_start, shift_later=False)
    messages = [w.message for w in warnings]
    assert any(
        "starts 10 days after Module 1 ends" in m and "at least 21 days" in m for m in messages
    )
    assert len(messages) == 1
    # the task due at the old start follows the session
    task_before = next(w for w in cohort.task_windows if w.task.before_module_id == m2.module_id)
    assert task_before.due_at == m2.starts_at


def test_a_move_that_would_close_a_task_before_it_opens_is_refused(db, content):
    cohort = make_cohort(db, programme(db))
    m2, m3 = session_of(cohort, 2), session_of(cohort, 3)
    before = [(cm.starts_at, cm.ends_at) for cm in scheduling.ordered_cohort_modules(cohort)]
    with pytest.raises(scheduling.ScheduleError, match=r"due .* before it opens"):
        scheduling.move_cohort_module(
            db, m2, m3.starts_at + dt.timedelta(days=1), shift_later=False
        )
    assert [
        (cm.starts_at, cm.ends_at) for cm in scheduling.ordered_cohort_modules(cohort)
    ] == before


def test_who_may_start_a_cohort(db, content):
    prog = programme(db)
    cohort = make_cohort(db, prog)
    facilitator = enrolled(db, cohort, CohortRole.FACILITATOR)
    participant = enrolled(db, cohort, CohortRole.PARTICIPANT)
    assert scheduling.programmes_user_may_run(db, facilitator) == [prog]
    assert scheduling.programmes_user_may_run(db, participant) == []
    stranger = make_user(db)
    assert scheduling.programmes_user_may_run(db, stranger) == []
    stranger.is_admin = True
    assert scheduling.programmes_user_may_run(db, stranger) == [prog]
