"""Practical task responses: drafts, submission, states and overdue."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from insights_lms import signals
from insights_lms.auth.models import User
from insights_lms.cohorts.models import Enrolment
from insights_lms.enums import CohortRole
from insights_lms.tasks import services
from insights_lms.tasks.services import TaskError


@pytest.fixture
def participant(db, demo):
    user = db.scalar(sa.select(User).where(User.email == "participant1@example.org"))
    enrolment = db.scalar(
        sa.select(Enrolment).where(
            Enrolment.user_id == user.id, Enrolment.role == CohortRole.PARTICIPANT
        )
    )
    windows = sorted(demo.task_windows, key=lambda w: w.opens_at)
    return user, enrolment, windows


def test_states_through_the_life_of_a_task(db, participant):
    user, enrolment, windows = participant
    window = windows[-1]
    before = window.opens_at - dt.timedelta(days=1)
    during = window.opens_at + dt.timedelta(days=1)
    after = window.due_at + dt.timedelta(hours=1)
    assert services.task_state(window, None, before).code == "not_open"
    assert services.task_state(window, None, during).label == "Not started"
    late = services.task_state(window, None, after)
    assert late.is_overdue and late.label == "Not started — overdue"
    draft = services.save_response(db, enrolment, window, user, text="Trying it", now=during)
    assert services.task_state(window, draft, during).code == "in_progress"
    assert services.task_state(window, draft, after).is_overdue
    submitted = services.save_response(
        db, enrolment, window, user, text="Done", submit=True, now=after
    )
    state = services.task_state(window, submitted, after)
    assert state.code == "submitted" and not state.is_overdue


def test_draft_then_submit_sends_one_signal_and_is_final(db, participant):
    user, enrolment, windows = participant
    window = windows[3]  # the open one in the demo
    received = []

    def receiver(sender, **kwargs):
        received.append((sender, kwargs))

    with signals.task_submitted.connected_to(receiver):
        services.save_response(db, enrolment, window, user, text="Draft")
        assert received == []
        response = services.save_response(db, enrolment, window, user, text="Final", submit=True)
    assert received == [(response, {"user": user})]
    assert services.has_submitted(db, user, window)
    with pytest.raises(TaskError, match="already submitted"):
        services.save_response(db, enrolment, window, user, text="Changed my mind")


def test_cannot_respond_before_the_task_opens_or_submit_empty(db, participant):
    user, enrolment, windows = participant
    with pytest.raises(TaskError, match="not open yet"):
        services.save_response(db, enrolment, windows[-1], user, text="Early")
    with pytest.raises(TaskError, match="Write your response"):
        services.save_response(db, enrolment, windows[3], user, text="   ", submit=True)


def test_only_own_evidence_can_be_attached(db, participant):
    from insights_lms.evidence.models import Evidence

    user, enrolment, windows = participant
    other = db.scalar(
        sa.select(Enrolment).join(User).where(User.email == "participant2@example.org")
    )
    theirs = Evidence(
        enrolment=other, owner=other.user, title="Theirs", occurred_on=dt.date(2026, 1, 1)
    )
    db.add(theirs)
    db.flush()
    with pytest.raises(TaskError, match="only your own evidence"):
        services.save_response(db, enrolment, windows[3], user, text="x", evidence_ids=[theirs.id])


def test_another_participant_cannot_use_someones_enrolment(db, participant):
    _, enrolment, windows = participant
    intruder = db.scalar(sa.select(User).where(User.email == "participant2@example.org"))
    with pytest.raises(TaskError, match="Only the participant"):
        services.save_response(db, enrolment, windows[3], intruder, text="x")
