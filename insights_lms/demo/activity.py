"""What the demo participants have already done: registers, reflections, self-ratings,
evidence (with files when a file store is given) and a submitted practical task.

Everything goes through the same services as the web pages, so the demo shows real records.
"""

from __future__ import annotations

import datetime as dt
import io

import sqlalchemy as sa
from sqlalchemy.orm import Session

from insights_lms.assessment.models import AssessmentOccasion
from insights_lms.assessment.services import record_self_assessment
from insights_lms.attendance.models import AttendanceStatus
from insights_lms.attendance.services import complete_module, record_attendance
from insights_lms.auth.models import User
from insights_lms.cohorts.models import Cohort, CohortModule, Enrolment
from insights_lms.competencies.models import Competency
from insights_lms.context.services import update_context
from insights_lms.demo.conversations import add_demo as add_conversations_demo
from insights_lms.demo.matching import add_demo as add_matching_demo
from insights_lms.demo.peer import add_demo as add_peer_demo
from insights_lms.enums import CohortRole
from insights_lms.evidence.models import Evidence, ReviewOutcome
from insights_lms.evidence.reviews import review_evidence
from insights_lms.evidence.services import (
    EvidenceInput,
    Upload,
    create_evidence,
    school_challenges_of_programme,
)
from insights_lms.feedback.services import give_feedback
from insights_lms.storage import Uploads
from insights_lms.tasks.services import save_response

DAY = dt.timedelta(days=1)

REFLECTIONS = [
    (
        "Naming my values out loud changes how staff read my decisions.",
        "Open each SLT meeting by linking one decision to our values.",
    ),
    (
        "Under uncertainty I rush to certainty; a decision log slows me down usefully.",
        "Keep a decision log for the lunchtime rota change and review it with my coach.",
    ),
    (
        "Trust grows from small promises kept, not from big announcements.",
        "Run a 'you said, we did' staff briefing every half term.",
    ),
    (
        "Curriculum intent means little unless middle leaders can say it in their own words.",
        "Coach two subject leads through a deep dive on their curriculum sequencing.",
    ),
]

EVIDENCE = {
    "participant1@example.org": [
        (
            "Staff voice survey: what helps you do your best work?",
            40,
            ["L1.2", "L2.2"],
            "We asked **all 46 staff** three open questions. 41 replied.\n\n"
            "- Workload: marking policy named by 18 people\n"
            "- Trust: 'being asked before things change'\n"
            "- Development: more time to watch each other teach\n\nWe shared the results at the "
            "next briefing and agreed two changes with the staff council.",
            True,
        ),
        (
            "Decision log: moving to a two-sitting lunchtime",
            25,
            ["L1.3"],
            "A dated log of options, who we consulted, what we knew and did not know, and what "
            "we decided. Reviewed with my coach after three weeks.",
            False,
        ),
        (
            "Attendance deep dive with the governing board",
            10,
            ["L3.1", "L4.1"],
            "Persistent absence in Year 4 had reached 19%. We presented the pattern by family "
            "circumstance, not by class, and agreed a family-liaison pilot.",
            False,
        ),
    ],
    "participant2@example.org": [
        (
            "Curriculum map review with subject leads",
            20,
            ["L2.1"],
            "Each subject lead presented one unit: what comes before it and what it prepares for.",
            False,
        ),
    ],
    "participant3@example.org": [
        (
            "Coaching triads for early-career teachers",
            30,
            ["L2.2"],
            "Three triads met fortnightly for a half term; each teacher set one small goal.",
            False,
        ),
        (
            "Letter to families about the new behaviour policy",
            12,
            ["L4.1", "L1.1"],
            "Drafted with the parent forum; two rounds of comments before it went out.",
            False,
        ),
    ],
    "participant5@example.org": [
        (
            "EHCP review process redesigned with families",
            15,
            ["L2.3"],
            "Reviews now start with the young person's one-page profile, written with them.",
            False,
        ),
    ],
}


def _user(session: Session, email: str) -> User:
    user = session.scalar(sa.select(User).where(User.email == email))
    assert user is not None
    return user


def _enrolment(session: Session, cohort: Cohort, user: User) -> Enrolment:
    enrolment = session.scalar(
        sa.select(Enrolment).where(
            Enrolment.cohort_id == cohort.id,
            Enrolment.user_id == user.id,
            Enrolment.role == CohortRole.PARTICIPANT,
        )
    )
    assert enrolment is not None
    return enrolment


def _chart_png() -> bytes:
    """A small bar chart of the survey replies, drawn with Pillow."""
    from PIL import Image, ImageDraw  # drawing is only for this demo file: not at start-up

    img = Image.new("RGB", (640, 360), "white")
    draw = ImageDraw.Draw(img)
    for i, (label, value) in enumerate([("Workload", 18), ("Trust", 12), ("Development", 11)]):
        x = 60 + i * 190
        draw.rectangle([x, 320 - value * 14, x + 120, 320], fill=(59, 42, 120))
        draw.text((x, 330), f"{label} ({value})", fill="black")
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def add_activity(
    session: Session, cohort: Cohort, now: dt.datetime, uploads: Uploads | None = None
) -> None:
    """Fill the demo cohort with a term's worth of participation up to ``now``."""
    facilitator = _user(session, "facilitator@example.org")
    participants = cohort.members(CohortRole.PARTICIPANT)
    past = [
        s for s in sorted(cohort.cohort_modules, key=lambda s: s.module.sequence) if s.ends_at < now
    ]
    _registers(session, past, participants, facilitator)
    _reflections(session, past, participants)
    _feedback(session, past, participants)
    _self_ratings(session, cohort, past, participants)
    add_matching_demo(session, cohort, now)
    _context(session, cohort, now)
    _evidence(session, cohort, now, uploads)
    _reviews(session, cohort)
    add_conversations_demo(session, cohort, now)
    _tasks(session, cohort, now)
    add_peer_demo(session, cohort, now)


def _reviews(session: Session, cohort: Cohort) -> None:
    """Amina's coach has reviewed two of her pieces of evidence (just now: a review dated
    before the evidence was last changed would count as awaiting review again)."""
    coach = _user(session, "coach2@example.org")
    amina = _user(session, "participant1@example.org")
    items = {
        e.title: e
        for e in session.scalars(sa.select(Evidence).where(Evidence.owner_id == amina.id))
    }
    survey = next((e for t, e in items.items() if t.startswith("Staff voice survey")), None)
    log = next((e for t, e in items.items() if t.startswith("Decision log")), None)
    if survey is not None:
        review_evidence(
            session,
            survey,
            coach,
            ReviewOutcome.ACCEPTED,
            "Strong evidence of listening: the two agreed changes show the impact.",
        )
    if log is not None:
        review_evidence(
            session,
            log,
            coach,
            ReviewOutcome.NEEDS_MORE,
            "Add what you would decide differently now, and one piece of feedback "
            "from the staff affected.",
        )


def _context(session: Session, cohort: Cohort, now: dt.datetime) -> None:
    """Amina's school context at the start of the year and as it stands now."""
    amina = _user(session, "participant1@example.org")
    challenges = {c.code: c for c in school_challenges_of_programme(session, cohort.programme_id)}
    if not challenges:
        return
    start = min(s.starts_at for s in cohort.cohort_modules)
    weights = {
        "child-poverty": 4,
        "pupil-attendance": 3,
        "staff-recruitment-retention": 3,
        "disadvantage-gap": 3,
        "send-needs": 2,
        "mental-health": 2,
        "constrained-resources": 3,
    }
    notes = (
        "Two-form entry primary beside a large estate regeneration; 58% of pupils are "
        "eligible for free school meals and 31 home languages are spoken."
    )
    update_context(
        session,
        amina,
        "primary",
        412,
        46,
        notes,
        {challenges[c].id: (w, "") for c, w in weights.items() if c in challenges},
        now=start,
    )
    if "pupil-attendance" in challenges:
        update_context(
            session,
            amina,
            "primary",
            412,
            46,
            notes,
            {
                challenges["pupil-attendance"].id: (
                    2,
                    "Family-liaison pilot: Year 4 persistent absence down from 19% to 12%.",
                )
            },
            now=now - 5 * DAY,
        )


def _registers(
    session: Session, past: list[CohortModule], participants: list[User], facilitator: User
) -> None:
    exceptions = {
        ("participant6@example.org", 2): AttendanceStatus.ABSENT,
        ("participant4@example.org", 3): AttendanceStatus.APOLOGIES,
        ("participant2@example.org", 1): AttendanceStatus.LATE,
    }
    for index, cm in enumerate(past):
        marks = {
            p.id: (exceptions.get((p.email, index), AttendanceStatus.PRESENT), "")
            for p in participants
        }
        record_attendance(session, cm, marks, facilitator, now=cm.ends_at)


def _reflections(session: Session, past: list[CohortModule], participants: list[User]) -> None:
    done = {
        "participant1@example.org": len(past),
        "participant2@example.org": 2,
        "participant3@example.org": 1,
    }
    for person in participants:
        for index, cm in enumerate(past[: done.get(person.email, 0)]):
            learned, trial = REFLECTIONS[index % len(REFLECTIONS)]
            complete_module(session, cm, person, learned, trial, now=cm.ends_at + DAY)


#: (relevance, serve or stretch, expected impact, comment) per demo participant, varied by module.
FEEDBACK = [
    (5, "about_right", 4, "The leadership provocation made me rethink how I run briefings."),
    (4, "too_comfortable", 3, ""),
    (3, "too_much", 3, "A lot to take in: more time for the goldfish bowl, please."),
    (4, "about_right", 5, ""),
]


def _feedback(session: Session, past: list[CohortModule], participants: list[User]) -> None:
    """Most participants answer the feedback survey after most past modules."""
    for p_index, person in enumerate(participants):
        for m_index, cm in enumerate(past):
            if (p_index + m_index) % 4 == 3:
                continue  # not everyone answers every time
            relevance, stretch, impact, comment = FEEDBACK[(p_index + m_index) % len(FEEDBACK)]
            give_feedback(
                session,
                cm,
                person,
                relevance=relevance,
                stretch=stretch,
                impact=impact,
                comment=comment,
                now=cm.ends_at + DAY,
            )


def _self_ratings(
    session: Session, cohort: Cohort, past: list[CohortModule], participants: list[User]
) -> None:
    competencies = cohort.programme.framework.competencies
    levels = {lv.value: lv for lv in cohort.programme.framework.scale.levels}
    for n, person in enumerate(participants):
        enrolment = _enrolment(session, cohort, person)
        base = {c.id: (levels[1 + (i + n) % 2].id, "") for i, c in enumerate(competencies)}
        record_self_assessment(
            session,
            enrolment,
            AssessmentOccasion.START,
            None,
            base,
            now=past[0].ends_at + DAY if past else None,
        )
        if person.email != "participant1@example.org":
            continue
        for step, cm in enumerate(past[1::2], start=1):
            grown = {
                c.id: (
                    levels[min(4, 1 + (i % 2) + step)].id,
                    "More confident after the decision log." if c.code == "L1.3" else "",
                )
                for i, c in enumerate(competencies)
            }
            record_self_assessment(
                session,
                enrolment,
                AssessmentOccasion.AFTER_MODULE,
                cm.module,
                grown,
                now=cm.ends_at + 2 * DAY,
            )


def _evidence(session: Session, cohort: Cohort, now: dt.datetime, uploads: Uploads | None) -> None:
    by_code = {
        c.code: c
        for c in session.scalars(
            sa.select(Competency).where(Competency.framework_id == cohort.programme.framework_id)
        )
    }
    max_size = 20 * 1024 * 1024
    for email, items in EVIDENCE.items():
        user = _user(session, email)
        enrolment = _enrolment(session, cohort, user)
        for title, days_ago, codes, narrative, with_files in items:
            files: list[Upload] = []
            if with_files and uploads is not None:
                files = [
                    Upload("survey-summary.txt", io.BytesIO(narrative.encode())),
                    Upload("survey-chart.png", io.BytesIO(_chart_png())),
                ]
            create_evidence(
                session,
                uploads,
                enrolment=enrolment,
                user=user,
                data=EvidenceInput(
                    title, (now - days_ago * DAY).date(), narrative, [by_code[c].id for c in codes]
                ),
                files=files,
                max_file_size=max_size,
            )


def _tasks(session: Session, cohort: Cohort, now: dt.datetime) -> None:
    windows = sorted(cohort.task_windows, key=lambda w: w.opens_at)
    first = windows[0]
    amina = _user(session, "participant1@example.org")
    enrolment = _enrolment(session, cohort, amina)
    save_response(
        session,
        enrolment,
        first,
        amina,
        text="I named one of our values at the start of every SLT meeting for four weeks and "
        "linked it to a decision on the agenda.\n\nWhat happened: the deputy began doing the "
        "same in phase meetings. Next: ask staff in the survey whether decisions feel fair.",
        submit=True,
        now=first.opens_at + (first.due_at - first.opens_at) * 0.7,
    )
    open_now = [w for w in windows if w.opens_at <= now < w.due_at]
    if open_now:
        tom = _user(session, "participant2@example.org")
        save_response(
            session,
            _enrolment(session, cohort, tom),
            open_now[0],
            tom,
            text="Planning: I will start with Year 5 maths and science.",
            now=now,
        )
