"""Goldfish-bowl challenges and case studies: the services, their state rules, who may see and
do what, what counts in a participant's record, the signals and the xAPI statements.

xAPI references are to the 1.0.3 specification, part two (data), section 2.4.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from ralph.models.xapi.base.statements import BaseXapiStatement

from insights_lms import signals
from insights_lms.cohorts.models import Cohort, CohortModule, Enrolment
from insights_lms.cohorts.services import enrol
from insights_lms.competencies.models import Competency
from insights_lms.db import utcnow
from insights_lms.enums import ActivityKind, CohortRole
from insights_lms.peer import access, case_studies, challenges
from insights_lms.peer.case_studies import CaseStudyInput
from insights_lms.peer.challenges import ChallengeInput
from insights_lms.peer.models import (
    CaseStudy,
    CaseStudyStatus,
    ChallengeContribution,
    ChallengeState,
    ContributionKind,
    GoldfishChallenge,
)
from insights_lms.peer.validation import PeerError
from insights_lms.xapi.models import XapiStatement
from tests.factories import enrolled, make_cohort, make_user
from tests.factories import find_user as user
from tests.factories import participant_enrolment as enrolment_of

BASE = "https://insights.example.org/"
PROGRAMME = f"{BASE}programmes/insights-2026"
COHORT = f"{BASE}cohorts/demo-cohort"
COMPETENCIES = f"{BASE}competencies/insights-school-leadership/"
DISCUSSION = "http://id.tincanapi.com/activitytype/discussion"
ARTICLE = "http://activitystrea.ms/article"
STAGE = f"{BASE}xapi/extensions/challenge-stage"


# --- helpers -----------------------------------------------------------------------------


def competency_ids(db, *codes: str) -> list[int]:
    found = {code: id_ for code, id_ in db.execute(sa.select(Competency.code, Competency.id))}
    return [found[code] for code in codes]


def goldfish_session(cohort: Cohort) -> CohortModule:
    """The cohort's first module session with a goldfish bowl."""
    return next(
        cm
        for cm in sorted(cohort.cohort_modules, key=lambda s: s.starts_at)
        if any(a.kind == ActivityKind.GOLDFISH_BOWL for a in cm.module.activities)
    )


def challenge_input(db, cohort: Cohort | None = None, **overrides: Any) -> ChallengeInput:
    values: dict[str, Any] = {
        "title": "Restructuring the SEND team",
        "context": "Our SENCo retires in July; two TAs want **more** responsibility.",
        "decision_to_make": "Do I appoint internally or advertise?",
        "competency_ids": competency_ids(db, "L1.3", "L2.3"),
        "cohort_module_id": goldfish_session(cohort).id if cohort is not None else None,
    }
    values.update(overrides)
    return ChallengeInput(**values)


def post(db, email: str = "participant1@example.org", **overrides: Any) -> GoldfishChallenge:
    enrolment = enrolment_of(db, email)
    return challenges.post_challenge(
        db,
        enrolment=enrolment,
        user=enrolment.user,
        data=challenge_input(db, enrolment.cohort, **overrides),
    )


def study_input(db, **overrides: Any) -> CaseStudyInput:
    values: dict[str, Any] = {
        "title": "Family liaison pilot",
        "context": "Persistent absence in Year 4 was 19%.",
        "what_i_did": "We mapped absence by family circumstance and hired a liaison worker.",
        "impact": "Persistent absence fell to 11% in two terms.",
        "transferable": "Start from the pattern, not the class list.",
        "competency_ids": competency_ids(db, "L4.1"),
    }
    values.update(overrides)
    return CaseStudyInput(**values)


def write(db, email: str = "participant1@example.org", *, share: bool = False) -> CaseStudy:
    enrolment = enrolment_of(db, email)
    return case_studies.create_case_study(
        db, enrolment=enrolment, user=enrolment.user, data=study_input(db), share=share
    )


def outbox(db, event: str) -> list[dict[str, Any]]:
    db.flush()
    return [
        row.statement
        for row in db.scalars(
            sa.select(XapiStatement).where(XapiStatement.event == event).order_by(XapiStatement.id)
        )
    ]


def ids(activities: list[dict[str, Any]] | None) -> list[str]:
    return [a["id"] for a in activities or []]


def assert_valid(statement: dict[str, Any]) -> None:
    BaseXapiStatement.model_validate(statement)
    assert "version" not in statement  # 2.4.10: set by the LRS, not by the provider
    assert statement["context"]["platform"] == "Insights LMS"
    assert ids(statement["context"]["contextActivities"]["grouping"]) == [COHORT, PROGRAMME]


class Received:
    """Collects what a signal sends."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, dict[str, Any]]] = []

    def __call__(self, sender: Any, **kwargs: Any) -> None:
        self.calls.append((sender, kwargs))


@pytest.fixture
def other_cohort(db, demo) -> Cohort:
    """A second cohort of the same programme, with a participant and a coach of its own."""
    cohort = make_cohort(db, demo.programme, code="other-cohort")
    enrolled(db, cohort, CohortRole.PARTICIPANT, email="outsider@school.example")
    enrolled(db, cohort, CohortRole.COACH, email="outside-coach@school.example")
    db.flush()
    return cohort


# --- posting a challenge -----------------------------------------------------------------


def test_a_participant_posts_a_challenge_and_it_is_announced(db, demo):
    received = Received()
    amina = user(db, "participant1@example.org")
    with signals.challenge_posted.connected_to(received):
        challenge = post(db)
    assert received.calls == [(challenge, {"user": amina})]
    assert challenge.state == ChallengeState.OPEN and challenge.is_open
    assert challenge.owner == amina and challenge.cohort == demo
    assert [c.code for c in challenge.competencies] == ["L1.3", "L2.3"]
    assert challenge.cohort_module == goldfish_session(demo)


def test_posting_a_challenge_states_post_with_the_challenge_as_a_discussion(db, demo):
    challenge = post(db)
    [statement] = outbox(db, "challenge.posted")
    assert_valid(statement)
    amina = challenge.owner
    assert statement["actor"]["account"] == {"homePage": BASE, "name": amina.public_id}
    assert statement["verb"]["id"] == "http://activitystrea.ms/post"
    assert statement["object"]["id"] == f"{BASE}peer/challenges/{challenge.public_id}"
    assert statement["object"]["definition"] == {
        "type": DISCUSSION,
        "name": {"en-GB": "Restructuring the SEND team"},
    }
    context = statement["context"]
    assert context["registration"] == challenge.enrolment.registration
    assert ids(context["contextActivities"]["other"]) == [
        COMPETENCIES + "L1.3",
        COMPETENCIES + "L2.3",
    ]
    module = goldfish_session(demo).module
    assert ids(context["contextActivities"]["parent"]) == [f"{PROGRAMME}/modules/{module.code}"]
    text = json.dumps(statement)
    assert "SENCo" not in text and "appoint internally" not in text  # privacy: title only


def test_a_challenge_without_a_session_has_no_parent(db, demo):
    post(db, cohort_module_id=None)
    [statement] = outbox(db, "challenge.posted")
    assert "parent" not in statement["context"]["contextActivities"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "  "}, "title", "Give it a title."),
        ({"title": "x" * 201}, "title", "200 characters"),
        ({"context": ""}, "context", "Describe the context"),
        ({"decision_to_make": " "}, "decision_to_make", "what decision you have to make"),
        ({"decision_to_make": "x" * 10_001}, "decision_to_make", "10,000 characters"),
        ({"competency_ids": []}, "competencies", "at least one competency"),
        ({"competency_ids": [999_999]}, "competencies", "from the programme's framework"),
    ],
)
def test_a_challenge_must_be_complete(db, demo, overrides, field, message):
    with pytest.raises(PeerError, match=message) as caught:
        post(db, **overrides)
    assert caught.value.field == field
    assert db.scalar(sa.select(sa.func.count()).select_from(GoldfishChallenge)) == 0


def test_a_challenge_can_only_be_brought_to_a_session_of_its_cohort(db, demo, other_cohort):
    foreign = goldfish_session(other_cohort)
    with pytest.raises(PeerError, match="your cohort's module sessions") as caught:
        post(db, cohort_module_id=foreign.id)
    assert caught.value.field == "cohort_module"


def test_only_a_participant_posts_on_their_own_enrolment(db, demo):
    coach = user(db, "coach1@example.org")
    coach_enrolment = access.member_enrolment(db, coach, demo)
    with pytest.raises(PeerError, match="Only a participant"):
        challenges.post_challenge(
            db, enrolment=coach_enrolment, user=coach, data=challenge_input(db, demo)
        )
    with pytest.raises(PeerError, match="Only a participant"):
        challenges.post_challenge(
            db,
            enrolment=enrolment_of(db, "participant1@example.org"),
            user=user(db, "participant2@example.org"),
            data=challenge_input(db, demo),
        )


def test_the_owner_edits_an_open_challenge_but_not_once_decided(db, demo):
    challenge = post(db)
    amina = challenge.owner
    challenges.update_challenge(
        db,
        challenge,
        user=amina,
        data=challenge_input(
            db, demo, title="SEND team: internal or external?", cohort_module_id=None
        ),
    )
    assert challenge.title == "SEND team: internal or external?"
    assert challenge.cohort_module is None
    with pytest.raises(PeerError, match="Only the problem owner"):
        challenges.update_challenge(
            db, challenge, user=user(db, "participant2@example.org"), data=challenge_input(db)
        )
    challenges.record_decision(db, challenge, user=amina, resolution="Advertise.")
    with pytest.raises(PeerError, match="can no longer change"):
        challenges.update_challenge(db, challenge, user=amina, data=challenge_input(db))


# --- questions and suggestions -----------------------------------------------------------


def test_peers_ask_and_suggest_and_each_is_announced(db, demo):
    challenge = post(db)
    tom = user(db, "participant2@example.org")
    received = Received()
    with signals.challenge_answered.connected_to(received):
        question = challenges.add_contribution(
            db, challenge, user=tom, kind="question", text="Who else could lead SEND?"
        )
        suggestion = challenges.add_contribution(
            db,
            challenge,
            user=user(db, "participant3@example.org"),
            kind=ContributionKind.SUGGESTION,
            text="Ask the TAs what support they would need.",
        )
    assert received.calls == [
        (question, {"user": tom}),
        (suggestion, {"user": user(db, "participant3@example.org")}),
    ]
    assert challenge.questions == [question] and challenge.suggestions == [suggestion]
    assert question.enrolment == enrolment_of(db, tom.email)


def test_coaches_and_facilitators_of_the_cohort_contribute_in_their_role(db, demo):
    challenge = post(db)
    by_coach = challenges.add_contribution(
        db, challenge, user=user(db, "coach1@example.org"), kind="question", text="What is SEND?"
    )
    by_facilitator = challenges.add_contribution(
        db, challenge, user=user(db, "facilitator@example.org"), kind="suggestion", text="Pilot."
    )
    assert by_coach.enrolment.role == CohortRole.COACH
    assert by_facilitator.enrolment.role == CohortRole.FACILITATOR


def test_a_question_states_asked_and_a_suggestion_commented_without_their_text(db, demo):
    challenge = post(db)
    tom = user(db, "participant2@example.org")
    challenges.add_contribution(db, challenge, user=tom, kind="question", text="Who else? Zebra")
    coach = user(db, "coach1@example.org")
    challenges.add_contribution(db, challenge, user=coach, kind="suggestion", text="Pilot. Yak")
    asked, commented = outbox(db, "challenge.answered")
    for statement in (asked, commented):
        assert_valid(statement)
        assert statement["object"]["id"] == f"{BASE}peer/challenges/{challenge.public_id}"
        assert statement["object"]["definition"]["type"] == DISCUSSION
        assert "result" not in statement  # privacy: no free text leaves the app
        assert "Zebra" not in json.dumps(statement) and "Yak" not in json.dumps(statement)
        assert ids(statement["context"]["contextActivities"]["other"]) == [
            COMPETENCIES + "L1.3",
            COMPETENCIES + "L2.3",
        ]
    assert asked["verb"]["id"] == "http://adlnet.gov/expapi/verbs/asked"
    assert asked["actor"]["account"]["name"] == tom.public_id
    assert asked["context"]["registration"] == enrolment_of(db, tom.email).registration
    assert commented["verb"]["id"] == "http://adlnet.gov/expapi/verbs/commented"
    coach_enrolment = access.member_enrolment(db, coach, demo)
    assert commented["context"]["registration"] == coach_enrolment.registration


@pytest.mark.parametrize(
    ("kind", "text", "field", "message"),
    [
        ("opinion", "Hmm", "kind", "question or a suggestion"),
        ("question", "   ", "text", "Write your question."),
        ("suggestion", "", "text", "Write your suggestion."),
        ("question", "x" * 4001, "text", "4,000 characters"),
    ],
)
def test_a_contribution_must_be_complete(db, demo, kind, text, field, message):
    challenge = post(db)
    with pytest.raises(PeerError, match=message) as caught:
        challenges.add_contribution(
            db, challenge, user=user(db, "participant2@example.org"), kind=kind, text=text
        )
    assert caught.value.field == field
    assert challenge.contributions == []


def test_the_owner_and_outsiders_cannot_contribute(db, demo, other_cohort):
    challenge = post(db)
    with pytest.raises(PeerError, match="answer them below"):
        challenges.add_contribution(db, challenge, user=challenge.owner, kind="question", text="?")
    for email in ("outsider@school.example", "outside-coach@school.example"):
        with pytest.raises(PeerError, match="Only members of the cohort"):
            challenges.add_contribution(
                db, challenge, user=user(db, email), kind="question", text="?"
            )
    admin = make_user(db, is_admin=True)
    with pytest.raises(PeerError, match="Only members of the cohort"):
        challenges.add_contribution(db, challenge, user=admin, kind="question", text="?")
    assert db.scalar(sa.select(sa.func.count()).select_from(ChallengeContribution)) == 0


def test_a_decided_challenge_is_closed_to_contributions(db, demo):
    challenge = post(db)
    challenges.record_decision(db, challenge, user=challenge.owner, resolution="Advertise.")
    tom = user(db, "participant2@example.org")
    assert not access.can_contribute(db, tom, challenge)
    with pytest.raises(PeerError, match="closed to new ideas"):
        challenges.add_contribution(db, challenge, user=tom, kind="question", text="Why?")


def test_the_owner_answers_questions_only(db, demo):
    challenge = post(db)
    tom = user(db, "participant2@example.org")
    question = challenges.add_contribution(db, challenge, user=tom, kind="question", text="Who?")
    suggestion = challenges.add_contribution(
        db, challenge, user=tom, kind="suggestion", text="Ask."
    )
    challenges.answer_question(db, question, user=challenge.owner, answer="Our assistant head.")
    assert question.answer == "Our assistant head." and question.answered_dt is not None
    challenges.answer_question(db, question, user=challenge.owner, answer="Our assistant head, Jo.")
    assert question.answer == "Our assistant head, Jo."
    with pytest.raises(PeerError, match="Only questions are answered"):
        challenges.answer_question(db, suggestion, user=challenge.owner, answer="Thanks")
    with pytest.raises(PeerError, match="Only the problem owner"):
        challenges.answer_question(db, question, user=tom, answer="Me")
    with pytest.raises(PeerError, match="Write your answer") as caught:
        challenges.answer_question(db, question, user=challenge.owner, answer=" ")
    assert caught.value.field == "answer"


# --- decision and outcome ----------------------------------------------------------------


def test_open_then_decided_then_outcome_recorded(db, demo):
    challenge = post(db)
    amina = challenge.owner
    received = Received()
    with signals.challenge_resolved.connected_to(received):
        with pytest.raises(PeerError, match="Record your decision first"):
            challenges.record_outcome(db, challenge, user=amina, outcome="It worked.")
        challenges.record_decision(db, challenge, user=amina, resolution="Advertise externally.")
        assert challenge.state == ChallengeState.DECIDED and challenge.decided_dt is not None
        with pytest.raises(PeerError, match="already recorded your decision"):
            challenges.record_decision(db, challenge, user=amina, resolution="Again")
        challenges.record_outcome(db, challenge, user=amina, outcome="We appointed in May.")
        with pytest.raises(PeerError, match="already recorded what happened"):
            challenges.record_outcome(db, challenge, user=amina, outcome="Again")
    assert challenge.state == ChallengeState.OUTCOME_RECORDED
    assert challenge.resolution == "Advertise externally."
    assert challenge.outcome == "We appointed in May." and challenge.outcome_dt is not None
    assert received.calls == [(challenge, {"user": amina}), (challenge, {"user": amina})]


@pytest.mark.parametrize("email", ["participant2@example.org", "facilitator@example.org"])
def test_only_the_owner_records_the_decision_and_outcome(db, demo, email):
    challenge = post(db)
    with pytest.raises(PeerError, match="Only the problem owner"):
        challenges.record_decision(db, challenge, user=user(db, email), resolution="Mine")
    challenges.record_decision(db, challenge, user=challenge.owner, resolution="Advertise.")
    with pytest.raises(PeerError, match="Only the problem owner"):
        challenges.record_outcome(db, challenge, user=user(db, email), outcome="Mine")


def test_a_decision_must_be_written(db, demo):
    challenge = post(db)
    with pytest.raises(PeerError, match="Say what you decided") as caught:
        challenges.record_decision(db, challenge, user=challenge.owner, resolution="  ")
    assert caught.value.field == "resolution" and challenge.is_open


def test_the_decision_and_the_outcome_each_state_resolve_with_their_stage(db, demo):
    challenge = post(db)
    later = utcnow() + dt.timedelta(days=30)
    challenges.record_decision(db, challenge, user=challenge.owner, resolution="Advertise. Quokka")
    challenges.record_outcome(
        db, challenge, user=challenge.owner, outcome="Hired. Wombat", now=later
    )
    decided, recorded = outbox(db, "challenge.resolved")
    for statement in (decided, recorded):
        assert_valid(statement)
        assert statement["verb"]["id"] == "http://activitystrea.ms/resolve"
        assert statement["object"]["id"] == f"{BASE}peer/challenges/{challenge.public_id}"
        assert statement["context"]["registration"] == challenge.enrolment.registration
        assert "Quokka" not in json.dumps(statement) and "Wombat" not in json.dumps(statement)
    assert decided["context"]["extensions"] == {STAGE: "decided"}
    assert "result" not in decided
    assert recorded["context"]["extensions"] == {STAGE: "outcome-recorded"}
    assert recorded["result"] == {"completion": True}
    assert recorded["timestamp"].startswith(later.strftime("%Y-%m-%dT%H:%M"))


# --- access ------------------------------------------------------------------------------


def test_membership_is_any_role_in_the_cohort(db, demo, other_cohort):
    for email in (
        "participant1@example.org",
        "coach1@example.org",
        "coach2@example.org",
        "facilitator@example.org",
    ):
        assert access.is_member(db, user(db, email), demo), email
    assert not access.is_member(db, user(db, "outsider@school.example"), demo)
    assert not access.is_member(db, user(db, "outside-coach@school.example"), demo)
    assert access.is_member(db, make_user(db, is_admin=True), demo)
    assert access.cohort_for_member(db, "demo-cohort", user(db, "outsider@school.example")) is None
    assert access.cohort_for_member(db, "no-such-cohort", user(db, "coach1@example.org")) is None


def test_only_members_see_a_challenge(db, demo, other_cohort):
    challenge = post(db)
    public_id = challenge.public_id
    for email in ("participant2@example.org", "coach1@example.org", "facilitator@example.org"):
        assert access.challenge_for_viewer(db, public_id, user(db, email)) == challenge
    for email in ("outsider@school.example", "outside-coach@school.example"):
        assert access.challenge_for_viewer(db, public_id, user(db, email)) is None
    assert access.challenge_for_viewer(db, "no-such-id", user(db, "coach1@example.org")) is None


def test_who_sees_a_case_study_as_it_is_shared_and_featured(db, demo, other_cohort):
    study = write(db)
    amina = study.author
    peer = user(db, "participant2@example.org")
    facilitator = user(db, "facilitator@example.org")
    outsider = user(db, "outsider@school.example")
    nobody = make_user(db)
    admin = make_user(db, is_admin=True)

    def viewers() -> set[str]:
        people = [amina, peer, facilitator, outsider, nobody, admin]
        return {p.email for p in people if access.can_view_case_study(db, p, study)}

    assert viewers() == {amina.email}  # a draft: its author alone, not even an administrator
    case_studies.share_case_study(db, study, user=amina)
    assert viewers() == {amina.email, peer.email, facilitator.email, admin.email}
    case_studies.set_featured(db, study, user=facilitator, featured=True)
    assert viewers() == {amina.email, peer.email, facilitator.email, admin.email, outsider.email}
    case_studies.set_featured(db, study, user=facilitator, featured=False)
    assert outsider.email not in viewers()


# --- what counts in a participant's record -----------------------------------------------


def test_challenges_count_as_evidence_for_the_owner_by_competency(db, demo):
    first = post(db)
    second = post(db, title="Lunchtime rota", competency_ids=competency_ids(db, "L1.3"))
    amina = enrolment_of(db, "participant1@example.org")
    by_competency = challenges.challenges_for_progress(db, amina)
    l13, l23 = competency_ids(db, "L1.3", "L2.3")
    assert set(by_competency) == {l13, l23}
    assert [i.title for i in by_competency[l13]] == ["Lunchtime rota", first.title]
    [item] = by_competency[l23]
    assert item.public_id == first.public_id and item.status == "Open"
    assert item.endpoint == "lms.peer.challenge"
    assert item.occurred_on == first.created_dt.astimezone(ZoneInfo("Europe/London")).date()
    challenges.record_decision(db, second, user=second.owner, resolution="Two sittings.")
    assert challenges.challenges_for_progress(db, amina)[l13][0].status == "Decided"
    assert (
        challenges.challenges_for_progress(db, enrolment_of(db, "participant2@example.org")) == {}
    )


def test_contributions_count_for_each_peer(db, demo):
    challenge = post(db)
    tom = user(db, "participant2@example.org")
    first = challenges.add_contribution(db, challenge, user=tom, kind="question", text="Who?")
    later = utcnow() + dt.timedelta(minutes=5)
    second = challenges.add_contribution(
        db, challenge, user=tom, kind="suggestion", text="Ask.", now=later
    )
    challenges.add_contribution(
        db, challenge, user=user(db, "participant3@example.org"), kind="question", text="When?"
    )
    mine = challenges.contributions_of(db, enrolment_of(db, tom.email))
    assert mine == [second, first]
    assert [c.code for c in mine[0].challenge.competencies] == ["L1.3", "L2.3"]
    assert challenges.contributions_of(db, enrolment_of(db, "participant1@example.org")) == []


# --- case studies ------------------------------------------------------------------------


def test_a_draft_is_private_until_shared_and_sharing_is_announced(db, demo):
    received = Received()
    with signals.case_study_published.connected_to(received):
        study = write(db)
        assert study.status == CaseStudyStatus.DRAFT and received.calls == []
        assert case_studies.shared_case_studies(db, demo) == []
        case_studies.share_case_study(db, study, user=study.author)
    assert received.calls == [(study, {"user": study.author})]
    assert study.is_shared and study.shared_dt is not None
    assert case_studies.shared_case_studies(db, demo) == [study]
    with pytest.raises(PeerError, match="already shared"):
        case_studies.share_case_study(db, study, user=study.author)


def test_sharing_states_shared_with_the_case_study_as_an_article(db, demo):
    study = write(db, share=True)
    [statement] = outbox(db, "case_study.shared")
    assert_valid(statement)
    assert statement["actor"]["account"]["name"] == study.author.public_id
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/shared"
    assert statement["object"]["id"] == f"{BASE}peer/case-studies/{study.public_id}"
    assert statement["object"]["definition"] == {
        "type": ARTICLE,
        "name": {"en-GB": "Family liaison pilot"},
    }
    assert statement["context"]["registration"] == study.enrolment.registration
    assert ids(statement["context"]["contextActivities"]["other"]) == [COMPETENCIES + "L4.1"]
    assert "liaison worker" not in json.dumps(statement)


def test_only_the_author_shares_or_edits(db, demo):
    study = write(db)
    tom = user(db, "participant2@example.org")
    with pytest.raises(PeerError, match="Only the author"):
        case_studies.share_case_study(db, study, user=tom)
    with pytest.raises(PeerError, match="Only the author"):
        case_studies.update_case_study(db, study, user=tom, data=study_input(db))
    assert outbox(db, "case_study.shared") == []


def test_editing_keeps_a_shared_and_featured_study_so(db, demo):
    study = write(db, share=True)
    case_studies.set_featured(db, study, user=user(db, "facilitator@example.org"), featured=True)
    case_studies.update_case_study(
        db, study, user=study.author, data=study_input(db, title="Family liaison: two terms on")
    )
    assert study.title == "Family liaison: two terms on"
    assert study.is_shared and study.is_featured
    assert len(outbox(db, "case_study.shared")) == 1  # an edit is not a new share


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"context": " "}, "context"),
        ({"what_i_did": ""}, "what_i_did"),
        ({"impact": ""}, "impact"),
        ({"transferable": ""}, "transferable"),
        ({"impact": "x" * 10_001}, "impact"),
        ({"competency_ids": []}, "competencies"),
    ],
)
def test_a_case_study_must_be_complete(db, demo, overrides, field):
    enrolment = enrolment_of(db, "participant1@example.org")
    with pytest.raises(PeerError) as caught:
        case_studies.create_case_study(
            db, enrolment=enrolment, user=enrolment.user, data=study_input(db, **overrides)
        )
    assert caught.value.field == field
    assert db.scalar(sa.select(sa.func.count()).select_from(CaseStudy)) == 0


def test_a_facilitator_of_the_cohort_features_and_unfeatures(db, demo, other_cohort):
    study = write(db, share=True)
    facilitator = user(db, "facilitator@example.org")
    received = Received()
    with signals.case_study_featured.connected_to(received):
        case_studies.set_featured(db, study, user=facilitator, featured=True)
        case_studies.set_featured(
            db, study, user=facilitator, featured=True
        )  # no change, no signal
        assert case_studies.featured_case_studies(db, demo.programme) == [study]
        case_studies.set_featured(db, study, user=facilitator, featured=False)
    assert received.calls == [
        (study, {"user": facilitator, "featured": True}),
        (study, {"user": facilitator, "featured": False}),
    ]
    assert case_studies.featured_case_studies(db, demo.programme) == []
    assert study.featured_by is None and study.featured_dt is None


def test_others_cannot_feature_and_drafts_cannot_be_featured(db, demo, other_cohort):
    draft = write(db)
    facilitator = user(db, "facilitator@example.org")
    with pytest.raises(PeerError, match="Only a case study shared"):
        case_studies.set_featured(db, draft, user=facilitator, featured=True)
    case_studies.share_case_study(db, draft, user=draft.author)
    for email in ("participant2@example.org", "coach1@example.org", "participant1@example.org"):
        assert not access.can_feature(db, user(db, email), draft)
        with pytest.raises(PeerError, match="Only a facilitator"):
            case_studies.set_featured(db, draft, user=user(db, email), featured=True)
    other_facilitator = enrolled(db, other_cohort, CohortRole.FACILITATOR)
    with pytest.raises(PeerError, match="Only a facilitator"):
        case_studies.set_featured(db, draft, user=other_facilitator, featured=True)
    assert not draft.is_featured


def test_only_participants_write_case_studies(db, demo):
    coach = user(db, "coach2@example.org")
    enrolment = access.member_enrolment(db, coach, demo)
    with pytest.raises(PeerError, match="Only a participant"):
        case_studies.create_case_study(db, enrolment=enrolment, user=coach, data=study_input(db))


def test_member_enrolment_prefers_the_participant_role(db, demo):
    amina = user(db, "participant1@example.org")
    enrol(db, demo, amina, CohortRole.COACH)
    found = access.member_enrolment(db, amina, demo)
    assert isinstance(found, Enrolment) and found.role == CohortRole.PARTICIPANT


def test_session_choices_name_the_goldfish_bowls(db, demo):
    choices = challenges.cohort_module_choices(demo)
    assert [c.cohort_module for c in choices] == sorted(
        demo.cohort_modules, key=lambda s: s.starts_at
    )
    with_bowls = [c for c in choices if c.goldfish_bowls]
    assert with_bowls and with_bowls[0].goldfish_bowls == ("The staffing decision",)


# --- demo data ---------------------------------------------------------------------------


def test_the_demo_has_a_resolved_challenge_an_open_one_and_a_featured_case_study(db, demo):
    from insights_lms.demo.peer import add_demo

    now = utcnow()
    resolved, open_one, study = add_demo(db, demo, now)
    assert resolved.state == ChallengeState.OUTCOME_RECORDED
    assert resolved.resolution and resolved.outcome
    assert resolved.cohort_module is not None and resolved.cohort_module.ends_at < now
    assert "The staffing decision" in [a.title for a in resolved.cohort_module.module.activities]
    assert {c.kind for c in resolved.contributions} == set(ContributionKind)
    peers = {c.author.email for c in resolved.contributions}
    assert peers == {"participant1@example.org", "participant4@example.org"}
    assert any(c.answer for c in resolved.questions)
    assert resolved.created_dt < resolved.decided_dt < resolved.outcome_dt < now
    assert open_one.state == ChallengeState.OPEN and open_one.contributions
    assert study.is_shared and study.is_featured
    assert study.featured_by == user(db, "facilitator@example.org")
    assert case_studies.featured_case_studies(db, demo.programme) == [study]
    statements = [row.statement for row in db.scalars(sa.select(XapiStatement))]
    assert {s["verb"]["id"].rsplit("/", 1)[-1] for s in statements} == {
        "post",
        "asked",
        "commented",
        "resolve",
        "shared",
    }
    for statement in statements:
        assert_valid(statement)
        assert statement["timestamp"] < now.isoformat()
