"""The demo's finished cohort: last year's run of the same programme, complete, so that the
programme evaluation has something to show (baseline-to-latest ratings of every rater, module
feedback on every module, registers, reflections and submitted tasks).

Its participants are alumni with their own logins (``alumni1@example.org`` …, the demo
password); the demo's facilitator ran it and its coaches coached it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from insights_lms.assessment.models import AssessmentOccasion
from insights_lms.assessment.services import record_self_assessment
from insights_lms.attendance.models import AttendanceStatus
from insights_lms.attendance.services import complete_module, record_attendance
from insights_lms.auth.models import User
from insights_lms.auth.services import create_user
from insights_lms.cohorts import services as cohorts
from insights_lms.cohorts.models import Cohort, Enrolment
from insights_lms.enums import CohortRole, SchoolPhase
from insights_lms.feedback.services import give_feedback
from insights_lms.programmes.models import Programme
from insights_lms.ratings.models import RatingKind
from insights_lms.ratings.services import record_rating
from insights_lms.tasks.services import save_response

FINISHED_COHORT = "demo-cohort-finished"
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Alumnus:
    email: str
    name: str
    school: str
    phase: SchoolPhase
    role_in_school: str
    coach: str
    #: How many levels their practice moved over the year (self, coach view).
    growth: int


ALUMNI = [
    Alumnus(
        "alumni1@example.org",
        "Joy Mensah",
        "Stepney Park Primary",
        SchoolPhase.PRIMARY,
        "Headteacher",
        "coach1@example.org",
        2,
    ),
    Alumnus(
        "alumni2@example.org",
        "Kwame Boateng",
        "Limehouse Secondary",
        SchoolPhase.SECONDARY,
        "Deputy headteacher",
        "coach2@example.org",
        1,
    ),
    Alumnus(
        "alumni3@example.org",
        "Hannah Price",
        "Wapping Primary",
        SchoolPhase.PRIMARY,
        "Deputy headteacher",
        "coach1@example.org",
        1,
    ),
    Alumnus(
        "alumni4@example.org",
        "Ravi Patel",
        "Isle of Dogs Academy",
        SchoolPhase.ALL_THROUGH,
        "Head of school",
        "coach2@example.org",
        2,
    ),
    Alumnus(
        "alumni5@example.org",
        "Chloe Martin",
        "Poplar Special School",
        SchoolPhase.SPECIAL,
        "Headteacher",
        "coach1@example.org",
        0,
    ),
    Alumnus(
        "alumni6@example.org",
        "Yusuf Ali",
        "Bromley-by-Bow Primary",
        SchoolPhase.PRIMARY,
        "Assistant headteacher",
        "coach2@example.org",
        1,
    ),
]

#: (relevance, serve or stretch, expected impact, comment) by module position, varied per person.
FEEDBACK = [
    [
        (5, "about_right", 4, "A strong start: the purpose exercise stayed with me all year."),
        (4, "too_comfortable", 3, ""),
    ],
    [
        (4, "about_right", 4, ""),
        (5, "about_right", 5, "The decision log changed how our SLT works."),
    ],
    [(3, "too_much", 3, "Too much content for one afternoon."), (4, "too_much", 4, "")],
    [
        (5, "about_right", 5, "Curriculum deep dives with peers were the best session."),
        (4, "about_right", 4, ""),
    ],
    [
        (4, "too_comfortable", 2, "We already do most of this in our trust."),
        (3, "too_comfortable", 3, ""),
    ],
    [(5, "about_right", 4, ""), (4, "about_right", 4, "The study visit was worth the travel.")],
    [(4, "about_right", 4, ""), (5, "about_right", 5, "")],
    [
        (5, "about_right", 5, "A fitting celebration; I will miss the cohort."),
        (5, "about_right", 4, ""),
    ],
]


def finished_cohort_start(current_start: dt.datetime) -> dt.datetime:
    """The same weekday 52 weeks before the current demo cohort started."""
    return current_start - dt.timedelta(weeks=52)


def add_finished_cohort(
    session: Session,
    programme: Programme,
    current_start: dt.datetime,
    password: str,
    password_hash: str,
) -> Cohort | None:
    """Create last year's finished cohort with a year of activity (nothing if it exists)."""
    if session.scalar(sa.select(Cohort.id).where(Cohort.code == FINISHED_COHORT)) is not None:
        return None
    cohort = cohorts.create_cohort(
        session,
        programme,
        FINISHED_COHORT,
        f"{programme.title}: last year's cohort (finished)",
        first_module_start=finished_cohort_start(current_start),
    )
    staff = {
        email: session.scalar(sa.select(User).where(User.email == email))
        for email in ("facilitator@example.org", "coach1@example.org", "coach2@example.org")
    }
    facilitator = staff["facilitator@example.org"]
    assert facilitator is not None
    cohorts.enrol(session, cohort, facilitator, CohortRole.FACILITATOR)
    for email in ("coach1@example.org", "coach2@example.org"):
        coach = staff[email]
        assert coach is not None
        cohorts.enrol(session, cohort, coach, CohortRole.COACH)
    people: list[tuple[Alumnus, User, Enrolment]] = []
    for alumnus in ALUMNI:
        user = session.scalar(sa.select(User).where(User.email == alumnus.email))
        if user is None:
            user = create_user(
                session,
                email=alumnus.email,
                name=alumnus.name,
                password=password,
                school=alumnus.school,
                school_phase=alumnus.phase,
                role_in_school=alumnus.role_in_school,
                password_hash=password_hash,
            )
        enrolment = cohorts.enrol(session, cohort, user, CohortRole.PARTICIPANT)
        coach = staff[alumnus.coach]
        assert coach is not None
        cohorts.assign_coach(session, cohort, coach, user)
        people.append((alumnus, user, enrolment))
    _year(session, cohort, people, facilitator, staff)
    return cohort


def _year(
    session: Session,
    cohort: Cohort,
    people: list[tuple[Alumnus, User, Enrolment]],
    facilitator: User,
    staff: dict[str, User | None],
) -> None:
    sessions = sorted(cohort.cohort_modules, key=lambda cm: cm.module.sequence)
    framework = cohort.programme.framework
    levels = {level.value: level for level in framework.scale.levels}
    top = max(levels)
    competencies = list(framework.competencies)
    first, last = sessions[0], sessions[-1]
    # Registers, reflections and feedback for every module.
    for index, cm in enumerate(sessions):
        marks = {
            user.id: (
                AttendanceStatus.APOLOGIES if (n + index) % 9 == 4 else AttendanceStatus.PRESENT,
                "",
            )
            for n, (_a, user, _e) in enumerate(people)
        }
        record_attendance(session, cm, marks, facilitator, now=cm.ends_at)
        for n, (_alumnus, user, _enrolment) in enumerate(people):
            complete_module(
                session,
                cm,
                user,
                f"What mattered most in {cm.module.title} was trying it in my own school.",
                "Trial one change with my senior team before the next module.",
                now=cm.ends_at + DAY,
            )
            relevance, stretch, impact, comment = FEEDBACK[index % len(FEEDBACK)][n % 2]
            give_feedback(
                session,
                cm,
                user,
                relevance=max(1, relevance - (n % 3 == 2)),
                stretch=stretch,
                impact=impact,
                comment=comment if n < 2 else "",
                now=cm.ends_at + DAY,
            )
    # Every practical task submitted on time.
    for window in sorted(cohort.task_windows, key=lambda w: w.opens_at):
        for alumnus, user, enrolment in people:
            save_response(
                session,
                enrolment,
                window,
                user,
                text=f"{alumnus.name.split()[0]}'s trial of “{window.task.title}”: what I did, "
                "what changed, and what I will keep doing.",
                submit=True,
                now=window.opens_at + (window.due_at - window.opens_at) * 0.8,
            )
    # Ratings: self at the start and the end; the coach's view mid-year and at the end;
    # levels agreed in coaching at the start and the end.
    for n, (alumnus, _user, enrolment) in enumerate(people):
        coach = staff[alumnus.coach]
        assert coach is not None
        start_levels, end_levels = {}, {}
        for c_index, competency in enumerate(competencies):
            base = 1 + (n + c_index) % 2
            grow = alumnus.growth if c_index % 3 else max(0, alumnus.growth - 1)
            start_levels[competency.id] = base
            end_levels[competency.id] = min(top, base + grow)
        record_self_assessment(
            session,
            enrolment,
            AssessmentOccasion.START,
            None,
            {cid: (levels[v].id, "") for cid, v in start_levels.items()},
            now=first.ends_at,
        )
        record_self_assessment(
            session,
            enrolment,
            AssessmentOccasion.END,
            None,
            {cid: (levels[v].id, "") for cid, v in end_levels.items()},
            now=last.ends_at,
        )
        mid = sessions[len(sessions) // 2]
        for c_index, competency in enumerate(competencies[:6]):
            begin, end = start_levels[competency.id], end_levels[competency.id]
            for when, value, kind in (
                (first.ends_at + 14 * DAY, begin, RatingKind.AGREED),
                (mid.ends_at + 7 * DAY, min(top, begin + (end - begin + 1) // 2), RatingKind.COACH),
                (last.starts_at - 7 * DAY, max(1, end - (c_index == 5)), RatingKind.COACH),
                (last.starts_at - 7 * DAY, end, RatingKind.AGREED),
            ):
                record_rating(session, enrolment, competency, levels[value], coach, kind, now=when)
