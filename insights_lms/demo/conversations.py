"""Demo conversations: Marcus Reid (coach2) with Amina Rahman twice, and Helen Okafor (coach1)
with Priya Shah once, with shared and private notes, ratings, agreed levels, agreed actions
(one done, others open), Amina's preparations and an acknowledged record.

Everything goes through the services, so the demo shows real records (and their ratings and
xAPI statements). Called from ``demo_activity.add_activity`` for a new demo cohort.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from insights_lms.auth.models import User
from insights_lms.cohorts.models import Cohort, Enrolment
from insights_lms.competencies.models import Competency, Level
from insights_lms.conversations.commands import (
    acknowledge_conversation,
    record_conversation,
    save_preparation,
)
from insights_lms.conversations.models import ActionOwner, ActionStatus, ConversationMode
from insights_lms.conversations.validation import (
    ActionInput,
    ActionReview,
    ConversationInput,
    FocusInput,
)
from insights_lms.enums import CohortRole

DAY = dt.timedelta(days=1)
#: A moment as a day in the programme's time zone.
Day = Callable[[dt.datetime], dt.date]


def _user(session: Session, email: str) -> User:
    user = session.scalar(sa.select(User).where(User.email == email))
    assert user is not None, email
    return user


def _enrolment(session: Session, cohort: Cohort, email: str) -> Enrolment:
    enrolment = session.scalar(
        sa.select(Enrolment)
        .join(Enrolment.user)
        .where(
            Enrolment.cohort_id == cohort.id,
            User.email == email,
            Enrolment.role == CohortRole.PARTICIPANT,
        )
    )
    assert enrolment is not None, email
    return enrolment


def add_demo(session: Session, cohort: Cohort, now: dt.datetime) -> None:
    """Add the demo conversations to ``cohort`` (its coaches must already be assigned)."""
    framework = cohort.programme.framework
    codes = {c.code: c for c in framework.competencies}
    levels = {level.value: level for level in framework.scale.levels}
    zone = ZoneInfo(cohort.programme.time_zone)

    def day(when: dt.datetime) -> dt.date:
        return when.astimezone(zone).date()

    _amina(session, cohort, now, codes, levels, day)
    _priya(session, cohort, now, codes, levels, day)


def _focus(
    competency: Competency,
    notes: str,
    coach: Level | None = None,
    agreed: Level | None = None,
) -> FocusInput:
    return FocusInput(
        competency.id,
        notes,
        coach_level_id=coach.id if coach else None,
        agreed_level_id=agreed.id if agreed else None,
    )


def _amina(
    session: Session,
    cohort: Cohort,
    now: dt.datetime,
    codes: dict[str, Competency],
    levels: dict[int, Level],
    day: Day,
) -> None:
    coach = _user(session, "coach2@example.org")
    enrolment = _enrolment(session, cohort, "participant1@example.org")
    amina = enrolment.user
    first_at, second_at = now - 42 * DAY, now - 14 * DAY

    first = record_conversation(
        session,
        enrolment,
        coach,
        ConversationInput(
            held_on=day(first_at),
            minutes=60,
            mode=ConversationMode.IN_PERSON,
            focus=[
                _focus(
                    codes["L1.2"],
                    "Staff describe the culture as 'friendly but guarded'. Amina wants trust "
                    "that survives disagreement.",
                    levels[2],
                    levels[2],
                ),
                _focus(
                    codes["L1.3"],
                    "The lunchtime rota decision: she gathered views for weeks. Try naming "
                    "what is known, what is not, and when she will decide.",
                    levels[2],
                    levels[3],
                ),
            ],
            shared_notes="We started from Amina's staff voice survey. Two themes: staff want "
            "decisions explained, and they want to see that what they say changes "
            "something.\n\n- Agreed to close the loop on the survey publicly.\n"
            "- Agreed to try a decision log on one live decision.",
            private_notes="Amina mentioned she might apply for the headship at Stepney next "
            "year. Not to raise it until she does; keep the focus on her current school.",
            actions=[
                ActionInput(
                    "Run a 'you said, we did' staff briefing on the survey",
                    ActionOwner.PARTICIPANT,
                    day(first_at + 14 * DAY),
                    codes["L1.2"].id,
                ),
                ActionInput(
                    "Keep a decision log for the lunchtime rota change",
                    ActionOwner.PARTICIPANT,
                    day(first_at + 28 * DAY),
                    codes["L1.3"].id,
                ),
            ],
            next_on=day(second_at),
        ),
        now=first_at,
    )
    acknowledge_conversation(
        session,
        first,
        amina,
        "A fair record. I'd add that the survey also showed workload worries.",
        now=first_at + 2 * DAY,
    )

    save_preparation(
        session,
        enrolment,
        amina,
        "The briefing went well: people said it felt like the first time anyone told them "
        "what happened to their views. I want to talk about the curriculum deep dives next: "
        "how do I get subject leads to own them?",
        [codes["L1.2"].id, codes["L2.1"].id],
        now=second_at - 3 * DAY,
    )
    briefing, log = first.actions
    record_conversation(
        session,
        enrolment,
        coach,
        ConversationInput(
            held_on=day(second_at),
            minutes=45,
            mode=ConversationMode.ONLINE,
            focus=[
                _focus(
                    codes["L1.2"],
                    "The 'you said, we did' briefing landed well; two staff asked to join the "
                    "working group.",
                    levels[3],
                    levels[3],
                ),
                _focus(
                    codes["L2.1"],
                    "Subject leads can describe their sequencing but not yet why. Start with "
                    "two who are keen.",
                    levels[2],
                    levels[2],
                ),
            ],
            shared_notes="Good progress on trust: the briefing showed staff their views "
            "count. Next, curriculum leadership: Amina will coach two subject leads through a "
            "deep dive rather than leading it herself.",
            private_notes="She seemed tired: check in on workload next time before the agenda.",
            actions=[
                ActionInput(
                    "Coach two subject leads through a curriculum deep dive",
                    ActionOwner.PARTICIPANT,
                    day(now + 14 * DAY),
                    codes["L2.1"].id,
                ),
                ActionInput(
                    "Send Amina the deep-dive question prompts",
                    ActionOwner.COACH,
                    day(second_at + 3 * DAY),
                    codes["L2.1"].id,
                ),
            ],
            reviews=[
                ActionReview(briefing.id, ActionStatus.DONE, "Held on a Monday briefing."),
                ActionReview(
                    log.id, ActionStatus.OPEN, "Started; the rota decision moved to next term."
                ),
            ],
            next_on=day(now + 14 * DAY),
        ),
        now=second_at,
    )
    # Amina has already started preparing for the next one.
    save_preparation(
        session,
        enrolment,
        amina,
        "I want to look at how I handled the subject leads' pushback.",
        [codes["L2.1"].id, codes["L3.2"].id],
        now=now - DAY,
    )


def _priya(
    session: Session,
    cohort: Cohort,
    now: dt.datetime,
    codes: dict[str, Competency],
    levels: dict[int, Level],
    day: Day,
) -> None:
    coach = _user(session, "coach1@example.org")
    enrolment = _enrolment(session, cohort, "participant3@example.org")
    held_at = now - 20 * DAY
    conversation = record_conversation(
        session,
        enrolment,
        coach,
        ConversationInput(
            held_on=day(held_at),
            minutes=50,
            mode=ConversationMode.ONLINE,
            focus=[
                _focus(
                    codes["L3.2"],
                    "The timetable change: Priya has a plan but no story for why.",
                    levels[2],
                    levels[2],
                ),
                _focus(codes["L2.2"], "Instructional coaching for the maths department."),
            ],
            shared_notes="We mapped who the timetable change affects and what each group "
            "needs to hear. Priya will write a one-page case for change.",
            private_notes="Tension with the head over the pace of change: listen for it.",
            actions=[
                ActionInput(
                    "Write a one-page case for the timetable change",
                    ActionOwner.PARTICIPANT,
                    day(now + 10 * DAY),
                    codes["L3.2"].id,
                ),
            ],
            next_on=day(now + 10 * DAY),
        ),
        now=held_at,
    )
    acknowledge_conversation(session, conversation, enrolment.user, now=held_at + DAY)
