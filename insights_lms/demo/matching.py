"""Demo data for matching and ratings: the coaches' profiles, a school context for the one
participant still without a coach (so the matching page has reasons to show), and coach and
facilitator ratings so that the progress map shows every rater.

Called by ``demo_activity.add_activity`` after the self-ratings, like the other demo steps;
everything goes through the same services as the web pages.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from insights_lms.auth.models import User
from insights_lms.cohorts.models import Cohort, Enrolment
from insights_lms.context.services import update_context
from insights_lms.enums import CohortRole
from insights_lms.evidence.services import school_challenges_of_programme
from insights_lms.matching.profiles import ProfileInput, save_profile
from insights_lms.ratings.models import RatingKind
from insights_lms.ratings.services import record_ratings

DAY = dt.timedelta(days=1)

PROFILES = {
    "coach1@example.org": ProfileInput(
        capacity=4,
        phases=["secondary", "special", "all_through"],
        strengths=["L1.3", "L2.3", "L3.1"],
        challenges=["send-needs", "mental-health", "staff-recruitment-retention"],
        bio="Headteacher of Riverside Secondary for nine years, and before that deputy head of "
        "a special school. Led two schools through a change of trust; National Leader of "
        "Education.",
    ),
    "coach2@example.org": ProfileInput(
        capacity=3,
        phases=["primary"],
        strengths=["L2.1", "L2.2", "L4.1"],
        challenges=["child-poverty", "pupil-attendance", "disadvantage-gap"],
        bio="Headteacher of Canal Side Primary for twelve years; led its curriculum redesign "
        "and its family-liaison work on attendance.",
    ),
}

#: The participant left without a coach in the demo, and their school as they describe it.
UNMATCHED = "participant6@example.org"
UNMATCHED_CONTEXT = {
    "send-needs": 4,
    "staff-recruitment-retention": 3,
    "mental-health": 3,
    "constrained-resources": 2,
}

#: (rater, kind, participant, days ago, {competency code: (level value, note)}).
RATINGS: list[tuple[str, RatingKind, str, int, dict[str, tuple[int, str]]]] = [
    (
        "coach2@example.org",
        RatingKind.COACH,
        "participant1@example.org",
        12,
        {
            "L1.2": (3, "The staff survey and what followed show trust being built on purpose."),
            "L1.3": (2, "The decision log is a good habit; next, test options with staff."),
            "L2.2": (2, ""),
        },
    ),
    (
        "facilitator@example.org",
        RatingKind.FACILITATOR,
        "participant1@example.org",
        6,
        {
            "L1.3": (3, "Led the decision-making case at module 3 with real clarity."),
            "L4.1": (2, ""),
        },
    ),
    (
        "coach2@example.org",
        RatingKind.COACH,
        "participant2@example.org",
        9,
        {"L2.1": (2, "Curriculum intent is clear to SLT; middle leaders not yet.")},
    ),
    (
        "coach1@example.org",
        RatingKind.COACH,
        "participant3@example.org",
        8,
        {"L2.3": (3, "Inclusion plan is well evidenced."), "L3.2": (2, "")},
    ),
]


def _user(session: Session, email: str) -> User | None:
    return session.scalar(sa.select(User).where(User.email == email))


def _participant_enrolment(session: Session, cohort: Cohort, user: User) -> Enrolment | None:
    return session.scalar(
        sa.select(Enrolment).where(
            Enrolment.cohort_id == cohort.id,
            Enrolment.user_id == user.id,
            Enrolment.role == CohortRole.PARTICIPANT,
        )
    )


def add_demo(session: Session, cohort: Cohort, now: dt.datetime) -> None:
    """Coach profiles, the unmatched participant's school context, coach and facilitator
    ratings. Demo people missing from the cohort are skipped."""
    for email, data in PROFILES.items():
        coach = _user(session, email)
        if coach is not None:
            save_profile(session, coach, data, editor=coach, now=now - 20 * DAY)
    _unmatched_context(session, cohort, now)
    _ratings(session, cohort, now)


def _unmatched_context(session: Session, cohort: Cohort, now: dt.datetime) -> None:
    sam = _user(session, UNMATCHED)
    if sam is None or _participant_enrolment(session, cohort, sam) is None:
        return
    challenges = {
        c.code: c.id for c in school_challenges_of_programme(session, cohort.programme_id)
    }
    update_context(
        session,
        sam,
        "special",
        118,
        86,
        "An all-age special school for pupils with complex learning needs; a third of the "
        "teaching posts were filled by agency staff last year.",
        {challenges[code]: (w, "") for code, w in UNMATCHED_CONTEXT.items() if code in challenges},
        now=now - 15 * DAY,
    )


def _ratings(session: Session, cohort: Cohort, now: dt.datetime) -> None:
    framework = cohort.programme.framework
    competencies = {c.code: c.id for c in framework.competencies}
    levels = {level.value: level.id for level in framework.scale.levels}
    for rater_email, kind, participant_email, days_ago, given in RATINGS:
        rater, participant = _user(session, rater_email), _user(session, participant_email)
        if rater is None or participant is None:
            continue
        enrolment = _participant_enrolment(session, cohort, participant)
        if enrolment is None:
            continue
        ratings = {
            competencies[code]: (levels[value], note)
            for code, (value, note) in given.items()
            if code in competencies and value in levels
        }
        if ratings:
            record_ratings(session, enrolment, rater, kind, ratings, now=now - days_ago * DAY)
