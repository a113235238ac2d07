"""Peer learning in the demo cohort: a goldfish-bowl challenge worked on at a past module session
and resolved (questions and suggestions from two peers, the owner's decision and what happened),
an open challenge for the next goldfish bowl, and a case study shared and featured.

Everything goes through the peer services (so signals fire and xAPI statements are queued, as on
the web pages), dated in the past relative to ``now``.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from insights_lms.auth.models import User
from insights_lms.cohorts.access import own_participant_enrolment
from insights_lms.cohorts.models import Cohort, CohortModule, Enrolment
from insights_lms.competencies.models import Competency
from insights_lms.peer import case_studies, challenges
from insights_lms.peer.case_studies import CaseStudyInput
from insights_lms.peer.challenges import ChallengeInput
from insights_lms.peer.models import CaseStudy, GoldfishChallenge

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def _user(session: Session, email: str) -> User:
    found = session.scalar(sa.select(User).where(User.email == email))
    if found is None:
        raise LookupError(f"demo user {email} is missing")
    return found


def _participant(session: Session, cohort: Cohort, email: str) -> tuple[User, Enrolment]:
    person = _user(session, email)
    enrolment = own_participant_enrolment(session, person, cohort.code)
    if enrolment is None:
        raise LookupError(f"demo user {email} is not a participant of {cohort.code}")
    return person, enrolment


def _competencies(session: Session, cohort: Cohort, *codes: str) -> list[int]:
    rows = session.execute(
        sa.select(Competency.code, Competency.id).where(
            Competency.framework_id == cohort.programme.framework_id,
            Competency.code.in_(codes),
        )
    )
    found = {code: id_ for code, id_ in rows}
    return [found[code] for code in codes if code in found]


def _goldfish_modules(cohort: Cohort) -> list[CohortModule]:
    return [c.cohort_module for c in challenges.cohort_module_choices(cohort) if c.goldfish_bowls]


def add_demo(
    session: Session, cohort: Cohort, now: dt.datetime
) -> list[GoldfishChallenge | CaseStudy]:
    """Add the demo's challenges and case study to ``cohort``; returns what was created."""
    bowls = _goldfish_modules(cohort)
    past = [cm for cm in bowls if cm.ends_at < now]
    upcoming = [cm for cm in bowls if cm.starts_at > now]
    created: list[GoldfishChallenge | CaseStudy] = [
        _resolved_challenge(session, cohort, past[0] if past else None, now),
        _open_challenge(session, cohort, upcoming[0] if upcoming else None, now),
        _featured_case_study(session, cohort, now),
    ]
    session.flush()
    return created


def _resolved_challenge(
    session: Session, cohort: Cohort, cohort_module: CohortModule | None, now: dt.datetime
) -> GoldfishChallenge:
    """Tom's staffing decision, brought to the goldfish bowl of a past module."""
    tom, enrolment = _participant(session, cohort, "participant2@example.org")
    amina = _user(session, "participant1@example.org")
    daniel = _user(session, "participant4@example.org")
    start = cohort_module.starts_at + 2 * HOUR if cohort_module else now - 60 * DAY
    challenge = challenges.post_challenge(
        session,
        enrolment=enrolment,
        user=tom,
        data=ChallengeInput(
            title="Replacing our deputy: promote from within or advertise?",
            context=(
                "Our deputy head leaves at Easter. Two of our phase leaders would like the "
                "role; one is ready now, the other in a year or two. Staff morale is fragile "
                "after a difficult Ofsted, and the budget for next year is **not yet set**.\n\n"
                "- 14 teachers, 2 phase leaders, 1 SENCo\n"
                "- The governors want a decision by the spring meeting"
            ),
            decision_to_make=(
                "Do I appoint internally now, advertise externally, or make an interim "
                "arrangement until the budget is known?"
            ),
            competency_ids=_competencies(session, cohort, "L1.3", "L3.2"),
            cohort_module_id=cohort_module.id if cohort_module else None,
        ),
        now=start,
    )
    question = challenges.add_contribution(
        session,
        challenge,
        user=amina,
        kind="question",
        text="What would the phase leader who is *not* appointed need to hear from you?",
        now=start + 20 * dt.timedelta(minutes=1),
    )
    challenges.add_contribution(
        session,
        challenge,
        user=daniel,
        kind="question",
        text="If the budget falls short, which option is hardest to undo?",
        now=start + 25 * dt.timedelta(minutes=1),
    )
    challenges.add_contribution(
        session,
        challenge,
        user=amina,
        kind="suggestion",
        text="Offer an interim, time-limited deputy role with a clear review date and a "
        "development plan for the second candidate.",
        now=start + 35 * dt.timedelta(minutes=1),
    )
    challenges.add_contribution(
        session,
        challenge,
        user=daniel,
        kind="suggestion",
        text="Ask the governors to agree the criteria before any names are discussed.",
        now=start + 40 * dt.timedelta(minutes=1),
    )
    challenges.answer_question(
        session,
        question,
        user=tom,
        answer="That the door is open, with a named development plan and a date to review it.",
        now=start + 50 * dt.timedelta(minutes=1),
    )
    decided = min(start + 7 * DAY, now - 2 * DAY)
    challenges.record_decision(
        session,
        challenge,
        user=tom,
        resolution=(
            "An interim deputy for two terms, from within, with the criteria agreed by "
            "governors first and a development plan for the other phase leader. Daniel's "
            "question about what is hardest to undo decided it."
        ),
        now=decided,
    )
    challenges.record_outcome(
        session,
        challenge,
        user=tom,
        outcome=(
            "The interim deputy has led the spring moderation well and staff survey scores on "
            "'leaders listen' rose from 58% to 71%. The second phase leader is leading our "
            "writing project. We will advertise the substantive post in June."
        ),
        now=max(decided + HOUR, min(start + 56 * DAY, now - DAY)),
    )
    return challenge


def _open_challenge(
    session: Session, cohort: Cohort, cohort_module: CohortModule | None, now: dt.datetime
) -> GoldfishChallenge:
    """Grace's challenge for the next goldfish bowl, with one question so far."""
    grace, enrolment = _participant(session, cohort, "participant5@example.org")
    challenge = challenges.post_challenge(
        session,
        enrolment=enrolment,
        user=grace,
        data=ChallengeInput(
            title="Sharing our outreach team with mainstream schools",
            context=(
                "Three local primaries have asked for our outreach team's support with pupils "
                "with complex needs. The team is five people and already stretched; the local "
                "authority offers funding for one year only."
            ),
            decision_to_make=(
                "Do we accept the one-year funding and grow the team, or offer a smaller "
                "service within our current capacity?"
            ),
            competency_ids=_competencies(session, cohort, "L2.3", "L4.2"),
            cohort_module_id=cohort_module.id if cohort_module else None,
        ),
        now=now - 3 * DAY,
    )
    challenges.add_contribution(
        session,
        challenge,
        user=_user(session, "participant6@example.org"),
        kind="question",
        text="What does your outreach team itself want?",
        now=now - 2 * DAY,
    )
    return challenge


def _featured_case_study(session: Session, cohort: Cohort, now: dt.datetime) -> CaseStudy:
    """Amina's case study, shared with the cohort and featured by the facilitator."""
    amina, enrolment = _participant(session, cohort, "participant1@example.org")
    study = case_studies.create_case_study(
        session,
        enrolment=enrolment,
        user=amina,
        data=CaseStudyInput(
            title="'You said, we did': staff voice that changes things",
            context=(
                "A two-form entry primary with 46 staff. Our staff survey showed that fewer "
                "than half felt 'asked before things change'."
            ),
            what_i_did=(
                "1. Asked all staff three open questions (41 replied).\n"
                "2. Shared every theme back at the next briefing, including the awkward ones.\n"
                "3. Agreed two changes with the staff council, and said which we could not "
                "change and why.\n"
                "4. Repeated the cycle each half term with a one-page 'you said, we did'."
            ),
            impact=(
                "Agreement with 'leaders listen' rose from 46% to 68% in two terms. Marking "
                "workload was named by 18 people in the autumn and by 5 in the spring."
            ),
            transferable=(
                "The cycle matters more than the survey: report back quickly, say what you "
                "will not change as clearly as what you will, and keep the format the same "
                "each time so staff can see the pattern."
            ),
            competency_ids=_competencies(session, cohort, "L1.2", "L2.2"),
        ),
        now=now - 12 * DAY,
    )
    case_studies.share_case_study(session, study, user=amina, now=now - 10 * DAY)
    case_studies.set_featured(
        session,
        study,
        user=_user(session, "facilitator@example.org"),
        featured=True,
        now=now - 5 * DAY,
    )
    return study
