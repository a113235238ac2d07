"""The signed-in home page (a section per role the user holds) and ``/healthz``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Blueprint, Response, jsonify, render_template
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import contains_eager, selectinload

from insights_lms.attendance.services import ModuleRecord, participant_module_records
from insights_lms.auth.models import User
from insights_lms.cohorts import services as cohorts
from insights_lms.cohorts.models import CoachAssignment, Cohort, Enrolment
from insights_lms.cohorts.timeline import Timeline, TimelineEntry, cohort_timeline
from insights_lms.conversations.queries import ConversationStatus, today_for
from insights_lms.conversations.queries import status_of as conversation_status
from insights_lms.db import session
from insights_lms.enums import CohortRole
from insights_lms.evidence.models import Evidence, EvidenceReview
from insights_lms.evidence.reviews import needs_more
from insights_lms.tasks import services as tasks
from insights_lms.tasks.services import TaskState

bp = Blueprint("core", __name__)


@dataclass(frozen=True)
class ParticipantView:
    cohort: Cohort
    timeline: Timeline
    coach: User | None
    task_states: dict[int, TaskState]
    module_records: dict[int, ModuleRecord]
    needs_more: list[tuple[Evidence, EvidenceReview]]
    conversations: ConversationStatus
    today: dt.date

    @property
    def overdue(self) -> list[TimelineEntry]:
        return [
            e
            for e in self.timeline.entries
            if e.window is not None and self.task_states[e.window.id].is_overdue
        ]


def _participant_view(enrolment: Enrolment, user: User) -> ParticipantView:
    timeline = cohort_timeline(enrolment.cohort)
    responses = tasks.responses_for(session, enrolment)
    states = {
        w.id: tasks.task_state(w, responses.get(w.id), timeline.now)
        for w in enrolment.cohort.task_windows
    }
    return ParticipantView(
        enrolment.cohort,
        timeline,
        cohorts.coach_of(session, enrolment.cohort, user),
        states,
        participant_module_records(session, user, enrolment.cohort),
        needs_more(session, enrolment),
        conversation_status(session, enrolment),
        today_for(enrolment),
    )


@dataclass(frozen=True)
class CoacheeView:
    assignment: CoachAssignment
    timeline: Timeline


@dataclass(frozen=True)
class CohortSummary:
    cohort: Cohort
    timeline: Timeline
    participants: int
    coaches: int
    unassigned: int


def _cohort_summary(cohort: Cohort, assigned: set[int]) -> CohortSummary:
    participants = cohort.members(CohortRole.PARTICIPANT)
    return CohortSummary(
        cohort,
        cohort_timeline(cohort),
        len(participants),
        len(cohort.members(CohortRole.COACH)),
        sum(1 for p in participants if p.id not in assigned),
    )


def _coachees_of(coach: User) -> list[CoachAssignment]:
    """The coach's coachees across cohorts, by name, with what the page shows of them (the
    participant, the cohort, its programme and schedule) loaded."""
    return list(
        session.scalars(
            sa.select(CoachAssignment)
            .join(CoachAssignment.participant)
            .where(CoachAssignment.coach_id == coach.id)
            .order_by(User.name)
            .options(
                contains_eager(CoachAssignment.participant),
                selectinload(CoachAssignment.cohort).options(*cohorts.schedule_and_members()),
            )
        )
    )


@bp.get("/")
@login_required
def home() -> str:
    user: User = current_user
    participating = [
        _participant_view(e, user)
        for e in cohorts.enrolments_of(session, user, CohortRole.PARTICIPANT)
    ]
    coachees = [CoacheeView(a, cohort_timeline(a.cohort)) for a in _coachees_of(user)]
    coaching = bool(cohorts.enrolments_of(session, user, CohortRole.COACH))
    facilitated_cohorts = cohorts.cohorts_facilitated_by(session, user)
    coached = cohorts.coached_participant_ids(session, [c.id for c in facilitated_cohorts])
    facilitated = [_cohort_summary(c, coached[c.id]) for c in facilitated_cohorts]
    return render_template(
        "lms/home.html",
        participating=participating,
        coachees=coachees,
        is_coach=coaching or bool(coachees),
        facilitated=facilitated,
    )


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """For load balancers and monitors: 200 when the database answers, 503 when it does not."""
    try:
        session.execute(sa.select(1))
    except SQLAlchemyError:
        # The 503 answer rolls the request's (failed) transaction back.
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200
