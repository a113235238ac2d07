"""Developmental conversations: recording (with ratings, agreed levels and actions), reviewing
open actions, correcting, preparing, acknowledging, who may see what, the signals, the coach's
overview, and the xAPI statements (checked with Ralph; never any private or free text)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import sqlalchemy as sa
from ralph.models.xapi.base.statements import BaseXapiStatement

from insights_lms import signals
from insights_lms.coaching.services import coachee_overview
from insights_lms.cohorts.models import Enrolment
from insights_lms.competencies.models import Competency, Level
from insights_lms.conversations import access, commands, queries
from insights_lms.conversations.models import (
    ActionOwner,
    ActionStatus,
    ActionUpdate,
    AgreedAction,
    Conversation,
    ConversationMode,
    PrivateNote,
)
from insights_lms.conversations.validation import (
    ActionInput,
    ActionReview,
    ConversationError,
    ConversationInput,
    CorrectionInput,
    FocusInput,
)
from insights_lms.ratings.models import CompetencyRating, RatingKind
from insights_lms.ratings.services import latest_ratings
from insights_lms.xapi.models import XapiStatement
from tests.factories import find_user as user
from tests.factories import make_user
from tests.factories import participant_enrolment as enrolment_of

PRIVATE = "Private: worried about her workload and the governors"
SHARED = "We looked at the staff survey and **two agreed changes**."
BASE = "https://insights.example.org/"


def competency(db, code: str) -> Competency:
    found = db.scalar(sa.select(Competency).where(Competency.code == code))
    assert found is not None
    return found


def level(enrolment: Enrolment, value: int) -> Level:
    return next(lv for lv in enrolment.cohort.programme.framework.scale.levels if lv.value == value)


def days_ago(n: int) -> dt.date:
    return dt.date.today() - dt.timedelta(days=n)


def conversation_input(db, enrolment: Enrolment, **overrides: Any) -> ConversationInput:
    values: dict[str, Any] = {
        "held_on": days_ago(2),
        "minutes": 50,
        "mode": ConversationMode.ONLINE,
        "focus": [
            FocusInput(
                competency(db, "L1.2").id,
                "Trust is growing.",
                coach_level_id=level(enrolment, 2).id,
                agreed_level_id=level(enrolment, 3).id,
            ),
            FocusInput(competency(db, "L2.3").id, "SEND review next term."),
        ],
        "shared_notes": SHARED,
        "private_notes": PRIVATE,
        "actions": [
            ActionInput(
                "Run a 'you said, we did' briefing",
                ActionOwner.PARTICIPANT,
                days_ago(-14),
                competency(db, "L1.2").id,
            ),
            ActionInput("Send the article on SEND audits", ActionOwner.COACH),
            ActionInput(),  # a blank row is skipped
        ],
        "next_on": days_ago(-28),
    }
    values.update(overrides)
    return ConversationInput(**values)


def record(db, email: str = "participant1@example.org", coach: str = "coach2@example.org", **kw):
    enrolment = enrolment_of(db, email)
    return commands.record_conversation(
        db, enrolment, user(db, coach), conversation_input(db, enrolment, **kw)
    )


def count(db, model: type) -> int:
    return db.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def outbox(db, event: str | None = None) -> list[dict[str, Any]]:
    query = sa.select(XapiStatement).order_by(XapiStatement.id)
    if event:
        query = query.where(XapiStatement.event == event)
    return [row.statement for row in db.scalars(query)]


# --- recording ----------------------------------------------------------------------------


def test_the_coach_records_a_conversation_with_ratings_levels_and_actions(db, demo):
    conversation = record(db)
    enrolment = enrolment_of(db, "participant1@example.org")
    assert [f.competency.code for f in conversation.focus] == ["L1.2", "L2.3"]
    l12, l23 = conversation.focus
    assert l12.coach_rating.kind == RatingKind.COACH and l12.coach_rating.level.value == 2
    assert l12.agreed_rating.kind == RatingKind.AGREED and l12.agreed_rating.level.value == 3
    assert l12.notes == "Trust is growing."
    assert l23.coach_rating is None and l23.agreed_rating is None
    # Recorded through the ratings service: the progress map's latest ratings show them.
    latest = latest_ratings(db, enrolment)
    assert latest[RatingKind.COACH][l12.competency_id].id == l12.coach_rating_id
    assert latest[RatingKind.AGREED][l12.competency_id].id == l12.agreed_rating_id
    assert PRIVATE not in l12.agreed_rating.note and "conversation of" in l12.agreed_rating.note
    assert [(a.description, a.owner, a.status) for a in conversation.actions] == [
        ("Run a 'you said, we did' briefing", ActionOwner.PARTICIPANT, ActionStatus.OPEN),
        ("Send the article on SEND audits", ActionOwner.COACH, ActionStatus.OPEN),
    ]
    assert conversation.actions[0].competency.code == "L1.2"
    assert conversation.shared_notes == SHARED and conversation.minutes == 50
    assert conversation.next_on == days_ago(-28)
    assert not conversation.is_acknowledged


def test_private_notes_are_for_that_coach_alone(db, demo):
    conversation = record(db)
    coach = user(db, "coach2@example.org")
    assert access.private_notes_for(db, conversation, coach) == PRIVATE
    admin = make_user(db, is_admin=True)
    for other in (
        user(db, "participant1@example.org"),
        user(db, "facilitator@example.org"),
        user(db, "coach1@example.org"),
        admin,
    ):
        assert access.private_notes_for(db, conversation, other) is None
    # Not on the conversation's own row, so loading or serialising it never carries them.
    columns = {c.name: getattr(conversation, c.key) for c in Conversation.__table__.columns}
    assert PRIVATE not in json.dumps(columns, default=str)


def test_recording_sends_the_signals(db, demo):
    received: list[tuple[str, Any, dict[str, Any]]] = []

    def listen(name: str):
        def receiver(sender: Any, **kwargs: Any) -> None:
            received.append((name, sender, kwargs))

        return receiver

    coach = user(db, "coach2@example.org")
    receivers = {
        "recorded": listen("recorded"),
        "agreed": listen("agreed"),
        "rating": listen("rating"),
    }
    with (
        signals.conversation_recorded.connected_to(receivers["recorded"]),
        signals.action_agreed.connected_to(receivers["agreed"]),
        signals.rating_recorded.connected_to(receivers["rating"]),
    ):
        conversation = record(db)
    names = [name for name, _, _ in received]
    assert names.count("recorded") == 1 and names.count("agreed") == 2
    assert names.count("rating") == 2  # the coach's rating and the agreed level of L1.2
    assert ("recorded", conversation, {"user": coach}) in received
    assert [s for n, s, _ in received if n == "agreed"] == conversation.actions


@pytest.mark.parametrize(
    ("overrides", "message", "field"),
    [
        ({"focus": []}, "Choose at least one competency in focus", None),
        ({"held_on": days_ago(-1)}, "cannot be in the future", "held_on"),
        ({"minutes": 0}, r"in minutes \(1 to 480\)", "minutes"),
        ({"minutes": 481}, r"in minutes \(1 to 480\)", "minutes"),
        ({"mode": "by carrier pigeon"}, "Choose in person or online.", "mode"),
        ({"next_on": days_ago(3)}, "The next conversation must be after this one", "next_on"),
        ({"private_notes": "x" * 20_001}, "Keep the private notes to 20,000", "private_notes"),
        (
            {"actions": [ActionInput("", due_on=days_ago(-3))]},
            "Say what action 1 is",
            "action_1_description",
        ),
        (
            {"actions": [ActionInput(), ActionInput("Observe a lesson", due_on=days_ago(5))]},
            "Action 2 cannot be due before the conversation.",
            "action_2_due",
        ),
        (
            {"actions": [ActionInput("x" * 501)]},
            "Keep action 1 to 500 characters",
            "action_1_description",
        ),
        (
            {"actions": [ActionInput("Read", owner="the caretaker")]},
            "Choose who will do action 1.",
            "action_1_owner",
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(db, demo, overrides, message, field):
    with pytest.raises(ConversationError, match=message) as caught:
        record(db, **overrides)
    assert caught.value.field == field
    for model in (Conversation, AgreedAction, CompetencyRating, PrivateNote):
        assert count(db, model) == 0


def test_levels_and_competencies_must_come_from_the_framework(db, demo):
    enrolment = enrolment_of(db, "participant1@example.org")
    l11 = competency(db, "L1.1")
    with pytest.raises(ConversationError, match=r"Choose one of the levels for L1\.1") as caught:
        record(db, focus=[FocusInput(l11.id, coach_level_id=999_999)])
    assert caught.value.field == f"coach_level_{l11.id}"
    with pytest.raises(ConversationError, match="participant's framework"):
        record(db, focus=[FocusInput(999_999)])
    with pytest.raises(ConversationError, match="Link actions to competencies"):
        record(db, actions=[ActionInput("Read", competency_id=999_999)])
    assert count(db, CompetencyRating) == 0 and enrolment.id


@pytest.mark.parametrize(
    "email", ["coach1@example.org", "facilitator@example.org", "participant1@example.org"]
)
def test_only_the_participants_coach_records(db, demo, email):
    with pytest.raises(ConversationError, match="Only the participant's coach"):
        record(db, coach=email)
    assert count(db, Conversation) == 0


# --- open actions, reviewed at the next conversation -------------------------------------


def test_open_actions_are_reviewed_at_the_next_conversation(db, demo):
    first = record(db, held_on=days_ago(30), next_on=days_ago(2))
    briefing, article = first.actions
    enrolment = first.enrolment
    assert queries.open_actions(db, enrolment) == [briefing, article]  # due date first
    completed: list[Any] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        completed.append((sender, kwargs))

    coach = user(db, "coach2@example.org")
    with signals.action_completed.connected_to(receiver):
        second = record(
            db,
            actions=[],
            reviews=[
                ActionReview(briefing.id, ActionStatus.DONE, "Staff loved it."),
                ActionReview(article.id, ActionStatus.OPEN, "Still looking for it."),
            ],
        )
    assert completed == [(briefing, {"user": coach})]
    assert briefing.status == ActionStatus.DONE and article.status == ActionStatus.OPEN
    reviewed = queries.reviews_in(db, second)
    assert [(u.action, u.status, u.comment) for u in reviewed] == [
        (briefing, ActionStatus.DONE, "Staff loved it."),
        (article, ActionStatus.OPEN, "Still looking for it."),
    ]
    assert queries.open_actions(db, enrolment) == [article]
    assert queries.closed_actions(db, enrolment) == [briefing]


def test_dropping_an_action_needs_a_reason_and_closed_actions_cannot_be_reviewed(db, demo):
    first = record(db, held_on=days_ago(30), next_on=days_ago(2))
    briefing = first.actions[0]
    with pytest.raises(ConversationError, match="Say why the action is dropped") as caught:
        record(db, reviews=[ActionReview(briefing.id, ActionStatus.DROPPED, " ")])
    assert caught.value.field == f"review_{briefing.id}_comment"
    record(db, reviews=[ActionReview(briefing.id, ActionStatus.DROPPED, "No longer needed.")])
    assert briefing.status == ActionStatus.DROPPED
    with pytest.raises(ConversationError, match="no longer open"):
        record(db, reviews=[ActionReview(briefing.id, ActionStatus.DONE, "")])


def test_another_participants_action_cannot_be_reviewed(db, demo):
    other = record(db, email="participant2@example.org")
    with pytest.raises(ConversationError, match="no longer open"):
        record(db, reviews=[ActionReview(other.actions[0].id, ActionStatus.DONE, "")])
    assert other.actions[0].status == ActionStatus.OPEN


def test_the_participant_marks_their_own_action_done(db, demo):
    conversation = record(db)
    briefing, article = conversation.actions
    participant = user(db, "participant1@example.org")
    commands.complete_action(db, briefing, participant)
    assert briefing.status == ActionStatus.DONE
    assert [(u.status, u.by) for u in briefing.updates] == [(ActionStatus.DONE, participant)]
    with pytest.raises(ConversationError, match="already done"):
        commands.complete_action(db, briefing, participant)
    with pytest.raises(ConversationError, match="This action is your coach's"):
        commands.complete_action(db, article, participant)
    for email in ("coach1@example.org", "facilitator@example.org", "participant2@example.org"):
        with pytest.raises(ConversationError, match="Only the participant or their coach"):
            commands.complete_action(db, article, user(db, email))
    commands.complete_action(db, article, user(db, "coach2@example.org"), "Sent.")
    assert article.status == ActionStatus.DONE and count(db, ActionUpdate) == 2


# --- correcting and acknowledging ---------------------------------------------------------


def correction(conversation: Conversation, **overrides: Any) -> CorrectionInput:
    values: dict[str, Any] = {
        "held_on": conversation.held_on,
        "minutes": conversation.minutes,
        "mode": conversation.mode,
        "shared_notes": conversation.shared_notes,
        "private_notes": PRIVATE,
        "focus_notes": {f.competency_id: f.notes for f in conversation.focus},
        "next_on": conversation.next_on,
    }
    values.update(overrides)
    return CorrectionInput(**values)


def test_the_coach_corrects_the_record_until_it_is_acknowledged(db, demo):
    conversation = record(db)
    coach = user(db, "coach2@example.org")
    l12 = conversation.focus[0]
    commands.correct_conversation(
        db,
        conversation,
        coach,
        correction(
            conversation,
            minutes=45,
            shared_notes="Corrected shared notes.",
            private_notes="Corrected private notes.",
            focus_notes={l12.competency_id: "Corrected L1.2 notes."},
        ),
    )
    assert conversation.minutes == 45 and conversation.shared_notes == "Corrected shared notes."
    assert l12.notes == "Corrected L1.2 notes."
    assert conversation.focus[1].notes == "SEND review next term."  # not given: unchanged
    assert access.private_notes_for(db, conversation, coach) == "Corrected private notes."
    assert count(db, CompetencyRating) == 2  # ratings are not corrected
    with pytest.raises(ConversationError, match="Only the coach who recorded"):
        commands.correct_conversation(
            db, conversation, user(db, "facilitator@example.org"), correction(conversation)
        )
    commands.acknowledge_conversation(db, conversation, user(db, "participant1@example.org"))
    with pytest.raises(ConversationError, match="can no longer be corrected"):
        commands.correct_conversation(db, conversation, coach, correction(conversation))


def test_a_correction_is_checked_like_a_record(db, demo):
    conversation = record(
        db, held_on=days_ago(10), actions=[ActionInput("Observe", due_on=days_ago(5))]
    )
    coach = user(db, "coach2@example.org")
    with pytest.raises(ConversationError, match="in minutes") as caught:
        commands.correct_conversation(db, conversation, coach, correction(conversation, minutes=0))
    assert caught.value.field == "minutes"
    with pytest.raises(ConversationError, match="due before the conversation"):
        commands.correct_conversation(
            db, conversation, coach, correction(conversation, held_on=days_ago(2))
        )
    assert conversation.held_on == days_ago(10)


def test_the_participant_acknowledges_once_with_a_comment(db, demo):
    conversation = record(db)
    participant = user(db, "participant1@example.org")
    received: list[Any] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        received.append((sender, kwargs))

    for email in ("coach2@example.org", "participant2@example.org", "facilitator@example.org"):
        with pytest.raises(ConversationError, match="Only the participant"):
            commands.acknowledge_conversation(db, conversation, user(db, email))
    with signals.conversation_acknowledged.connected_to(receiver):
        commands.acknowledge_conversation(db, conversation, participant, "  Fair summary.  ")
    assert received == [(conversation, {"user": participant})]
    assert conversation.is_acknowledged and conversation.participant_comment == "Fair summary."
    with pytest.raises(ConversationError, match="already acknowledged"):
        commands.acknowledge_conversation(db, conversation, participant)


# --- preparation --------------------------------------------------------------------------


def test_the_participant_prepares_and_the_next_conversation_takes_it(db, demo):
    enrolment = enrolment_of(db, "participant1@example.org")
    participant = enrolment.user
    first = commands.save_preparation(
        db, enrolment, participant, "Trust after the restructure.", [competency(db, "L1.2").id]
    )
    again = commands.save_preparation(
        db,
        enrolment,
        participant,
        "Trust, and the SEND review.",
        [competency(db, "L2.3").id, competency(db, "L1.2").id],
    )
    assert again is first  # one open preparation, changed until it is used
    assert [c.code for c in again.competencies] == ["L1.2", "L2.3"]
    assert queries.open_preparation(db, enrolment) is again
    conversation = record(db)
    assert queries.preparation_for(db, conversation) is again
    assert queries.open_preparation(db, enrolment) is None


@pytest.mark.parametrize(
    ("reflection", "ids", "message"),
    [
        ("", [], "Choose the competencies you want to discuss"),
        ("x" * 4001, [], "Keep your reflection to 4,000"),
        ("Fine", [999_999], "Choose competencies from your framework."),
    ],
)
def test_preparation_rules(db, demo, reflection, ids, message):
    enrolment = enrolment_of(db, "participant1@example.org")
    with pytest.raises(ConversationError, match=message):
        commands.save_preparation(db, enrolment, enrolment.user, reflection, ids)


def test_only_a_coached_participant_prepares_for_themself(db, demo):
    enrolment = enrolment_of(db, "participant1@example.org")
    with pytest.raises(ConversationError, match="Only the participant"):
        commands.save_preparation(db, enrolment, user(db, "coach2@example.org"), "Hi", [])
    uncoached = enrolment_of(db, "participant6@example.org")
    with pytest.raises(ConversationError, match="You do not have a coach yet"):
        commands.save_preparation(db, uncoached, uncoached.user, "Hi", [])


# --- who may see ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "sees"),
    [
        ("participant1@example.org", True),
        ("coach2@example.org", True),
        ("facilitator@example.org", True),
        ("coach1@example.org", False),
        ("participant2@example.org", False),
    ],
)
def test_who_may_see_a_conversation(db, demo, email, sees):
    conversation = record(db)
    viewer = user(db, email)
    found = access.conversation_for_viewer(db, conversation.public_id, viewer)
    assert (found is conversation) is sees
    action = conversation.actions[0]
    assert (access.action_for_viewer(db, action.public_id, viewer) is action) is sees


def test_a_facilitator_of_another_cohort_sees_nothing(db, demo):
    from insights_lms.cohorts.services import enrol
    from insights_lms.enums import CohortRole
    from tests.factories import make_cohort

    conversation = record(db)
    other = make_cohort(db, demo.programme)
    stranger = make_user(db)
    enrol(db, other, stranger, CohortRole.FACILITATOR)
    assert access.conversation_for_viewer(db, conversation.public_id, stranger) is None
    assert (
        access.coachee_for_viewer(db, stranger, "demo-cohort", conversation.participant.public_id)
        is None
    )


def test_the_coach_who_recorded_keeps_access_after_a_new_coach_is_assigned(db, demo):
    from insights_lms.cohorts.services import assign_coach

    conversation = record(db)
    assign_coach(db, demo, user(db, "coach1@example.org"), conversation.participant)
    new_coach, old_coach = user(db, "coach1@example.org"), user(db, "coach2@example.org")
    assert access.conversation_for_viewer(db, conversation.public_id, new_coach) is conversation
    assert access.conversation_for_viewer(db, conversation.public_id, old_coach) is conversation
    assert access.private_notes_for(db, conversation, new_coach) is None
    assert access.private_notes_for(db, conversation, old_coach) == PRIVATE


# --- the coach's overview -------------------------------------------------------------------


def test_the_coach_sees_last_and_next_conversation_and_open_actions(db, demo):
    record(db, held_on=days_ago(40), next_on=days_ago(10))
    latest = record(db, held_on=days_ago(10), next_on=days_ago(-20), actions=[])
    overview = {
        s.participant.email: s for s in coachee_overview(db, user(db, "coach2@example.org"))
    }
    amina = overview["participant1@example.org"]
    assert amina.conversations.last is latest and amina.conversations.count == 2
    assert amina.conversations.next_on == days_ago(-20)
    assert [a.description for a in amina.open_actions] == [
        "Run a 'you said, we did' briefing",
        "Send the article on SEND audits",
    ]
    assert amina.overdue_actions == []
    tom = overview["participant2@example.org"]
    assert tom.conversations.last is None and tom.open_actions == []


# --- xAPI -----------------------------------------------------------------------------------


def test_the_conversation_is_stated_for_the_participant_with_the_coach_as_instructor(db, demo):
    conversation = record(db)
    enrolment = conversation.enrolment
    [held] = outbox(db, "conversation.recorded")
    BaseXapiStatement.model_validate(held)
    assert held["actor"]["account"]["name"] == enrolment.user.public_id
    assert held["verb"]["id"] == "http://adlnet.gov/expapi/verbs/attended"
    assert held["object"]["id"] == f"{BASE}conversations/{conversation.public_id}"
    assert held["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/meeting"
    context = held["context"]
    # xAPI 1.0.3 part 2, 2.4.6.2: the instructor is an Agent; the registration is the
    # participant's enrolment.
    assert context["instructor"]["account"]["name"] == user(db, "coach2@example.org").public_id
    assert context["registration"] == enrolment.registration
    activities = context["contextActivities"]
    assert [a["id"] for a in activities["grouping"]] == [
        f"{BASE}cohorts/demo-cohort",
        f"{BASE}programmes/{enrolment.cohort.programme.code}",
    ]
    competencies = f"{BASE}competencies/insights-school-leadership/"
    assert [a["id"] for a in activities["other"]] == [f"{competencies}L1.2", f"{competencies}L2.3"]
    extensions = context["extensions"]
    assert extensions[f"{BASE}xapi/extensions/occurred-on"] == conversation.held_on.isoformat()
    assert extensions[f"{BASE}xapi/extensions/conversation-mode"] == "online"
    result = held["result"]
    assert result["duration"] in ("PT50M00S", "PT50M")
    assert result["extensions"][f"{BASE}xapi/extensions/agreed-levels"] == {
        f"{competencies}L1.2": {"value": 3, "code": "established", "title": "Established"}
    }


def test_actions_agreed_and_completed_are_stated(db, demo):
    conversation = record(db)
    briefing, article = conversation.actions
    agreed = outbox(db, "action.agreed")
    assert len(agreed) == 2
    commands.complete_action(db, briefing, user(db, "participant1@example.org"))
    commands.complete_action(db, article, user(db, "coach2@example.org"))
    done = outbox(db, "action.completed")
    for statement in agreed + done:
        BaseXapiStatement.model_validate(statement)
        assert statement["context"]["registration"] == conversation.enrolment.registration
        parent = statement["context"]["contextActivities"]["parent"]
        assert [a["id"] for a in parent] == [f"{BASE}conversations/{conversation.public_id}"]
    assert agreed[0]["verb"]["id"] == "http://activitystrea.ms/agree"
    assert agreed[0]["object"]["id"].endswith(f"/actions/{briefing.public_id}")
    assert agreed[0]["object"]["definition"]["name"]["en-GB"] == briefing.description
    participant, coach = (user(db, e) for e in ("participant1@example.org", "coach2@example.org"))
    first, second = done
    assert first["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert first["actor"]["account"]["name"] == participant.public_id
    assert first["context"]["instructor"]["account"]["name"] == coach.public_id
    assert first["result"] == {"completion": True}
    # The coach's own action: the coach completed it.
    assert second["actor"]["account"]["name"] == coach.public_id
    assert "instructor" not in second["context"]


def test_acknowledging_is_stated_without_the_comment(db, demo):
    conversation = record(db)
    commands.acknowledge_conversation(
        db, conversation, conversation.participant, "I see it differently."
    )
    [ack] = outbox(db, "conversation.acknowledged")
    BaseXapiStatement.model_validate(ack)
    assert ack["verb"]["id"] == "http://activitystrea.ms/acknowledge"
    assert ack["actor"]["account"]["name"] == conversation.participant.public_id
    assert "I see it differently." not in json.dumps(ack)


def test_a_correction_restates_only_what_changed(db, demo):
    conversation = record(db)
    coach = user(db, "coach2@example.org")
    [first] = outbox(db, "conversation.recorded")
    commands.correct_conversation(
        db, conversation, coach, correction(conversation, shared_notes="Only notes changed.")
    )
    assert len(outbox(db, "conversation.recorded")) == 1  # no statement carries notes
    commands.correct_conversation(db, conversation, coach, correction(conversation, minutes=40))
    _, void, restated = outbox(db, "conversation.recorded")
    assert void["verb"]["id"] == "http://adlnet.gov/expapi/verbs/voided"
    assert void["object"] == {"objectType": "StatementRef", "id": first["id"]}
    assert restated["result"]["duration"] in ("PT40M00S", "PT40M")
    for statement in (void, restated):
        BaseXapiStatement.model_validate(statement)


def test_no_statement_carries_private_or_free_text(db, demo):
    first = record(db, held_on=days_ago(30), next_on=days_ago(2))
    enrolment = first.enrolment
    commands.save_preparation(db, enrolment, enrolment.user, "My prep reflection text", [])
    second = record(
        db,
        reviews=[ActionReview(first.actions[0].id, ActionStatus.DONE, "Review comment text")],
        private_notes="Second private note text",
    )
    commands.correct_conversation(
        db,
        second,
        user(db, "coach2@example.org"),
        correction(second, minutes=30, private_notes="Corrected private text"),
    )
    commands.acknowledge_conversation(db, second, enrolment.user, "Participant comment text")
    everything = json.dumps(outbox(db))
    assert outbox(db, "conversation.recorded") and outbox(db, "action.completed")
    for text in (
        PRIVATE,
        "Second private note text",
        "Corrected private text",
        "Trust is growing.",
        "two agreed changes",
        "My prep reflection text",
        "Review comment text",
        "Participant comment text",
    ):
        assert text not in everything


# --- demo -----------------------------------------------------------------------------------


def test_the_demo_adds_conversations_through_the_services(db, demo):
    from insights_lms.db import utcnow
    from insights_lms.demo.conversations import add_demo

    add_demo(db, demo, utcnow())
    amina = enrolment_of(db, "participant1@example.org")
    priya = enrolment_of(db, "participant3@example.org")
    first, second = reversed(queries.conversations_of(db, amina))
    assert first.is_acknowledged and not second.is_acknowledged
    assert [c.coach.email for c in (first, second)] == ["coach2@example.org"] * 2
    assert [a.status for a in first.actions] == [ActionStatus.DONE, ActionStatus.OPEN]
    assert len(queries.open_actions(db, amina)) == 3
    assert queries.preparation_for(db, second) is not None
    assert queries.open_preparation(db, amina) is not None
    assert "headship" in access.private_notes_for(db, first, user(db, "coach2@example.org"))
    [helen] = queries.conversations_of(db, priya)
    assert helen.is_acknowledged and helen.coach.email == "coach1@example.org"
    agreed = latest_ratings(db, amina)[RatingKind.AGREED]
    assert agreed[competency(db, "L1.2").id].level.value == 3
    assert count(db, Conversation) == 3
    everything = json.dumps(outbox(db))
    assert "headship" not in everything and "seemed tired" not in everything


# --- the portfolio's conversation log ---------------------------------------------------------


def test_the_portfolio_log_has_shared_parts_only_and_follows_the_options(db, demo):
    from insights_lms.portfolio.providers.conversations import conversation_log
    from insights_lms.portfolio.services import PortfolioOptions

    old = record(db, held_on=days_ago(40), next_on=days_ago(20))
    new = record(db, held_on=days_ago(5), focus=[FocusInput(competency(db, "L2.3").id, "New")])
    commands.acknowledge_conversation(db, old, old.participant, "Agreed.")
    enrolment = old.enrolment
    entries = conversation_log(db, enrolment, PortfolioOptions())
    assert [e.held_on for e in entries] == [old.held_on, new.held_on]  # oldest first
    first = entries[0]
    assert first.coach_name == "Marcus Reid" and first.mode == "Online" and first.minutes == 50
    assert first.shared_notes == SHARED and first.participant_comment == "Agreed."
    assert [(f.competency_code, f.agreed_level) for f in first.focus] == [
        ("L1.2", "3 Established"),
        ("L2.3", ""),
    ]
    assert [(a.owner, a.status) for a in first.actions] == [
        ("Participant", "Open"),
        ("Coach", "Open"),
    ]
    assert PRIVATE not in repr(entries)
    recent = conversation_log(db, enrolment, PortfolioOptions(date_from=days_ago(10)))
    assert [e.held_on for e in recent] == [new.held_on]
    l12 = frozenset({competency(db, "L1.2").id})
    on_l12 = conversation_log(db, enrolment, PortfolioOptions(competency_ids=l12))
    assert [e.held_on for e in on_l12] == [old.held_on]
    assert [f.competency_code for f in on_l12[0].focus] == ["L1.2"]
