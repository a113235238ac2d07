"""Peer learning through the web: posting a goldfish-bowl challenge, peers' questions and
suggestions, the owner's answers, decision and outcome; writing, sharing and featuring case
studies; and, for every route, who gets 404 (outside the cohort), 403 (inside it, not allowed),
a sign-in page (anonymous) or a CSRF refusal."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from insights_lms.cohorts.models import Cohort
from insights_lms.competencies.models import Competency
from insights_lms.db import utcnow
from insights_lms.enums import CohortRole
from insights_lms.peer import case_studies, challenges
from insights_lms.peer.case_studies import CaseStudyInput
from insights_lms.peer.challenges import ChallengeInput
from insights_lms.peer.models import (
    CaseStudy,
    ChallengeContribution,
    ChallengeState,
    GoldfishChallenge,
)
from insights_lms.xapi.models import XapiStatement
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD, enrolled, make_cohort, make_user
from tests.factories import find_user as user
from tests.factories import participant_enrolment as enrolment_of

OUTSIDER = "outsider@school.example"
OUTSIDE_COACH = "outside-coach@school.example"


def competency_ids(db, *codes: str) -> list[int]:
    rows = db.execute(sa.select(Competency.code, Competency.id).where(Competency.code.in_(codes)))
    found = {code: id_ for code, id_ in rows}
    return [found[code] for code in codes]


@pytest.fixture
def other_cohort(db, demo) -> Cohort:
    """A second cohort of the same programme, with its own participant and coach."""
    cohort = make_cohort(db, demo.programme, code="other-cohort")
    enrolled(db, cohort, CohortRole.PARTICIPANT, email=OUTSIDER, name="Olive Outsider")
    enrolled(db, cohort, CohortRole.COACH, email=OUTSIDE_COACH, name="Oscar Outside")
    db.commit()
    return cohort


@pytest.fixture
def challenge(db, demo) -> GoldfishChallenge:
    """participant1's open challenge, with a question from participant2."""
    enrolment = enrolment_of(db, "participant1@example.org")
    found = challenges.post_challenge(
        db,
        enrolment=enrolment,
        user=enrolment.user,
        data=ChallengeInput(
            title="Restructuring the SEND team",
            context="Our SENCo retires in July.",
            decision_to_make="Appoint internally or advertise?",
            competency_ids=competency_ids(db, "L1.3", "L2.3"),
        ),
    )
    challenges.add_contribution(
        db, found, user=user(db, "participant2@example.org"), kind="question", text="Who else?"
    )
    db.commit()
    return found


@pytest.fixture
def study(db, demo) -> CaseStudy:
    """participant1's case study, still a draft."""
    enrolment = enrolment_of(db, "participant1@example.org")
    found = case_studies.create_case_study(
        db,
        enrolment=enrolment,
        user=enrolment.user,
        data=CaseStudyInput(
            title="Family liaison pilot",
            context="Persistent absence in Year 4 was 19%.",
            what_i_did="We mapped absence by family circumstance.",
            impact="Persistent absence fell to 11%.",
            transferable="Start from the pattern, not the class list.",
            competency_ids=competency_ids(db, "L4.1"),
        ),
    )
    db.commit()
    return found


def sign_in(client, email: str) -> None:
    password = PASSWORD if email.endswith("@school.example") else "insights-demo"
    page = login(client, email, password)
    assert "Sign out" in page.text, email


def token(client, path: str = "/peer/") -> str:
    return csrf_token(client.get(path).text)


def count(db, model: Any) -> int:
    db.expire_all()
    return db.scalar(sa.select(sa.func.count()).select_from(model))


def reload(db, obj: Any) -> Any:
    db.expire_all()
    return db.get(type(obj), obj.id)


# --- challenges --------------------------------------------------------------------------


def test_a_participant_posts_a_challenge_on_two_competencies(client, db, demo):
    sign_in(client, "participant1@example.org")
    page = client.get("/peer/cohorts/demo-cohort/challenges/new")
    assert page.status_code == 200
    assert "<h1>Post a goldfish-bowl challenge</h1>" in page.text
    assert '<label for="decision_to_make">The decision to make</label>' in page.text
    assert "goldfish bowl: The staffing decision" in page.text
    session_id = next(
        cm.id
        for cm in demo.cohort_modules
        if cm.module.title == "Deciding when the answer is unclear"
    )
    response = client.post(
        "/peer/cohorts/demo-cohort/challenges/new",
        data={
            "csrf_token": csrf_token(page.text),
            "title": "Restructuring the SEND team",
            "context": "Our SENCo retires in **July**.",
            "decision_to_make": "Appoint internally or advertise?",
            "competencies": competency_ids(db, "L1.3", "L2.3"),
            "cohort_module": str(session_id),
        },
    )
    assert response.status_code == 302
    page = client.get(response.location)
    assert "Posted your challenge “Restructuring the SEND team”" in page.text
    assert "<h1>Restructuring the SEND team</h1>" in page.text
    assert "<strong>July</strong>" in page.text  # Markdown rendered
    assert "L1.3 Decision-making under uncertainty" in page.text and "L2.3" in page.text
    assert "Deciding when the answer is unclear" in page.text and ">Open<" in page.text
    assert "Add a question or suggestion" not in page.text  # not for the owner
    assert "Record my decision" in page.text
    assert [s.event for s in db.scalars(sa.select(XapiStatement))] == ["challenge.posted"]
    listing = client.get("/peer/cohorts/demo-cohort").text
    assert "Restructuring the SEND team" in listing
    mine = client.get("/peer/").text
    assert "My challenges" in mine and "Restructuring the SEND team" in mine


def test_a_challenge_with_no_competency_is_refused_and_the_text_kept(client, db, demo):
    sign_in(client, "participant1@example.org")
    response = client.post(
        "/peer/cohorts/demo-cohort/challenges/new",
        data={
            "csrf_token": token(client, "/peer/cohorts/demo-cohort/challenges/new"),
            "title": "Kept title",
            "context": "Kept context <b>bold</b>",
            "decision_to_make": "Kept decision",
            "cohort_module": "",
        },
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "Choose at least one competency." in response.text
    assert 'value="Kept title"' in response.text
    assert "Kept context &lt;b&gt;bold&lt;/b&gt;" in response.text
    assert "Kept decision" in response.text
    assert count(db, GoldfishChallenge) == 0


def test_a_challenge_without_csrf_is_refused(client, db, demo):
    sign_in(client, "participant1@example.org")
    response = client.post(
        "/peer/cohorts/demo-cohort/challenges/new",
        data={
            "title": "No token",
            "context": "c",
            "decision_to_make": "d",
            "competencies": competency_ids(db, "L1.3"),
        },
    )
    assert response.status_code == 400
    assert count(db, GoldfishChallenge) == 0


def test_peers_ask_and_suggest_and_see_each_other(app, client, db, challenge):
    sign_in(client, "participant3@example.org")
    page = client.get(f"/peer/challenges/{challenge.public_id}")
    assert "Add a question or suggestion" in page.text
    assert "<legend>Kind of contribution</legend>" in page.text
    response = client.post(
        f"/peer/challenges/{challenge.public_id}/contributions",
        data={
            "csrf_token": csrf_token(page.text),
            "kind": "suggestion",
            "text": "Ask the TAs what *support* they need. <script>alert(1)</script>",
        },
    )
    assert response.status_code == 302
    page = client.get(response.location)
    assert "Added your suggestion" in page.text
    assert "Suggestion from Priya Shah" in page.text and "Question from Tom Hughes" in page.text
    assert "<em>support</em>" in page.text and "<script>alert" not in page.text
    coach = app.test_client()
    sign_in(coach, "coach1@example.org")
    response = coach.post(
        f"/peer/challenges/{challenge.public_id}/contributions",
        data={"csrf_token": token(coach), "kind": "question", "text": "What does the SENCo say?"},
    )
    assert response.status_code == 302
    assert "Question from Helen Okafor (Coach)" in coach.get(response.location).text
    assert count(db, ChallengeContribution) == 3
    mine = client.get("/peer/").text
    assert "My contributions" in mine and "Suggestion on" in mine


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "Kept question text"}, "Choose whether this is a question or a suggestion."),
        ({"kind": "question", "text": "  "}, "Write your question."),
        ({"kind": "question", "text": "Kept long " * 500}, "4,000 characters"),
    ],
)
def test_a_bad_contribution_is_refused_and_kept(client, db, challenge, data, message):
    sign_in(client, "participant3@example.org")
    response = client.post(
        f"/peer/challenges/{challenge.public_id}/contributions",
        data={"csrf_token": token(client), **data},
    )
    assert response.status_code == 400
    assert message in response.text
    assert "<h1>Restructuring the SEND team</h1>" in response.text
    if data["text"].strip():
        assert data["text"][:20] in response.text
    assert count(db, ChallengeContribution) == 1


def test_the_owner_cannot_contribute_to_their_own(client, db, challenge):
    sign_in(client, "participant1@example.org")
    response = client.post(
        f"/peer/challenges/{challenge.public_id}/contributions",
        data={"csrf_token": token(client), "kind": "question", "text": "Me?"},
    )
    assert response.status_code == 400
    assert "answer them below" in response.text
    assert count(db, ChallengeContribution) == 1


def test_the_owner_answers_a_question(app, client, db, challenge):
    [question] = challenge.contributions
    sign_in(client, "participant1@example.org")
    page = client.get(f"/peer/challenges/{challenge.public_id}")
    assert f'<label for="answer-{question.public_id}">Your answer to Tom Hughes</label>' in (
        page.text
    )
    response = client.post(
        f"/peer/contributions/{question.public_id}/answer",
        data={"csrf_token": csrf_token(page.text), "answer": "  "},
    )
    assert response.status_code == 400 and "Write your answer." in response.text
    response = client.post(
        f"/peer/contributions/{question.public_id}/answer",
        data={"csrf_token": csrf_token(page.text), "answer": "Our assistant head."},
    )
    assert response.status_code == 302
    peer = app.test_client()
    sign_in(peer, "participant2@example.org")
    page = peer.get(f"/peer/challenges/{challenge.public_id}").text
    assert "Amina Rahman answered:" in page and "Our assistant head." in page
    assert "Your answer to" not in page
    response = peer.post(
        f"/peer/contributions/{question.public_id}/answer",
        data={"csrf_token": token(peer), "answer": "Not mine to answer"},
    )
    assert response.status_code == 403
    assert reload(db, question).answer == "Our assistant head."


def test_the_owner_decides_then_records_what_happened(app, client, db, challenge):
    sign_in(client, "participant1@example.org")
    url = f"/peer/challenges/{challenge.public_id}"
    response = client.post(f"{url}/decision", data={"csrf_token": token(client), "resolution": " "})
    assert response.status_code == 400 and "Say what you decided." in response.text
    response = client.post(
        f"{url}/outcome", data={"csrf_token": token(client), "outcome": "Too early"}
    )
    assert response.status_code == 400 and "Record your decision first" in response.text
    assert "Too early" in response.text
    response = client.post(
        f"{url}/decision",
        data={"csrf_token": token(client), "resolution": "Advertise externally."},
    )
    assert response.status_code == 302
    page = client.get(url).text
    assert "Recorded your decision" in page and ">Decided<" in page
    assert "Advertise externally." in page and "Record what happened" in page
    response = client.post(
        f"{url}/outcome", data={"csrf_token": token(client), "outcome": "Appointed in May."}
    )
    assert response.status_code == 302
    page = client.get(url).text
    assert ">Outcome recorded<" in page and "Appointed in May." in page
    assert reload(db, challenge).state == ChallengeState.OUTCOME_RECORDED
    peer = app.test_client()
    sign_in(peer, "participant2@example.org")
    page = peer.get(url).text
    assert "Decision made" in page and "Advertise externally." in page
    assert "Appointed in May." in page
    assert "closed to new questions" in page and "Add a question or suggestion" not in page


def test_only_the_owner_decides_edits_or_records_the_outcome(client, db, challenge):
    sign_in(client, "participant2@example.org")
    url = f"/peer/challenges/{challenge.public_id}"
    assert "Record my decision" not in client.get(url).text
    csrf = token(client)
    assert (
        client.post(f"{url}/decision", data={"csrf_token": csrf, "resolution": "X"}).status_code
        == 403
    )
    assert (
        client.post(f"{url}/outcome", data={"csrf_token": csrf, "outcome": "X"}).status_code == 403
    )
    assert client.get(f"{url}/edit").status_code == 403
    assert reload(db, challenge).is_open


def test_the_owner_edits_an_open_challenge(client, db, challenge):
    sign_in(client, "participant1@example.org")
    url = f"/peer/challenges/{challenge.public_id}/edit"
    page = client.get(url)
    assert page.status_code == 200 and 'value="Restructuring the SEND team"' in page.text
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(page.text),
            "title": "",
            "context": "Kept edit",
            "decision_to_make": "d",
            "competencies": competency_ids(db, "L1.3"),
        },
    )
    assert response.status_code == 400 and "Kept edit" in response.text
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(page.text),
            "title": "SEND team: who leads?",
            "context": "c",
            "decision_to_make": "d",
            "competencies": competency_ids(db, "L1.3"),
            "cohort_module": "",
        },
    )
    assert response.status_code == 302
    assert reload(db, challenge).title == "SEND team: who leads?"
    challenges.record_decision(db, reload(db, challenge), user=challenge.owner, resolution="Done")
    db.commit()
    response = client.get(url)
    assert response.status_code == 302
    assert "can no longer change" in client.get(response.location).text


# --- case studies ------------------------------------------------------------------------


def case_study_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Reading for pleasure",
        "context": "Year 6 boys read least.",
        "what_i_did": "A staff book club and reading mentors.",
        "impact": "Library loans doubled.",
        "transferable": "Begin with the adults' reading.",
    }
    data.update(overrides)
    return data


def test_a_participant_writes_a_draft_then_shares_it(app, client, db, demo):
    sign_in(client, "participant1@example.org")
    page = client.get("/peer/cohorts/demo-cohort/case-studies/new")
    assert page.status_code == 200
    assert "Describe, do not evaluate" in page.text
    assert '<label for="what_i_did">What I did</label>' in page.text
    response = client.post(
        "/peer/cohorts/demo-cohort/case-studies/new",
        data={
            "csrf_token": csrf_token(page.text),
            **case_study_form(),
            "competencies": competency_ids(db, "L2.1"),
            "submit": "Save as a draft",
        },
    )
    assert response.status_code == 302
    page = client.get(response.location).text
    assert "only you can see it" in page and "Share with my cohort" in page
    [study] = db.scalars(sa.select(CaseStudy))
    peer = app.test_client()
    sign_in(peer, "participant2@example.org")
    assert peer.get(f"/peer/case-studies/{study.public_id}").status_code == 404
    assert "Reading for pleasure" not in peer.get("/peer/cohorts/demo-cohort").text
    response = client.post(
        f"/peer/case-studies/{study.public_id}/share", data={"csrf_token": token(client)}
    )
    assert response.status_code == 302
    assert "Shared “Reading for pleasure”" in client.get(response.location).text
    page = peer.get(f"/peer/case-studies/{study.public_id}")
    assert page.status_code == 200 and "Begin with the adults" in page.text
    assert "Reading for pleasure" in peer.get("/peer/cohorts/demo-cohort").text
    assert [s.event for s in db.scalars(sa.select(XapiStatement))] == ["case_study.shared"]


def test_save_and_share_at_once_and_editing_keeps_it_shared(client, db, demo):
    sign_in(client, "participant1@example.org")
    response = client.post(
        "/peer/cohorts/demo-cohort/case-studies/new",
        data={
            "csrf_token": token(client),
            **case_study_form(),
            "competencies": competency_ids(db, "L2.1"),
            "share": "Save and share with my cohort",
        },
    )
    assert response.status_code == 302
    [study] = db.scalars(sa.select(CaseStudy))
    assert study.is_shared
    page = client.get(f"/peer/case-studies/{study.public_id}/edit")
    assert "Save changes" in page.text and "Save as a draft" not in page.text
    response = client.post(
        f"/peer/case-studies/{study.public_id}/edit",
        data={
            "csrf_token": csrf_token(page.text),
            **case_study_form(title="Reading for pleasure, a year on"),
            "competencies": competency_ids(db, "L2.1", "L2.2"),
            "submit": "Save changes",
        },
    )
    assert response.status_code == 302
    study = reload(db, study)
    assert study.title == "Reading for pleasure, a year on" and study.is_shared


def test_a_bad_case_study_is_refused_and_kept(client, db, demo):
    sign_in(client, "participant1@example.org")
    response = client.post(
        "/peer/cohorts/demo-cohort/case-studies/new",
        data={
            "csrf_token": token(client),
            **case_study_form(impact="", transferable="Kept transferable text"),
            "competencies": competency_ids(db, "L2.1"),
            "share": "Save and share with my cohort",
        },
    )
    assert response.status_code == 400
    assert "Describe the evidence of impact you have." in response.text
    assert "Kept transferable text" in response.text and 'value="Reading for pleasure"' in (
        response.text
    )
    assert count(db, CaseStudy) == 0 and count(db, XapiStatement) == 0


def test_a_facilitator_features_it_for_the_whole_programme(app, client, db, study, other_cohort):
    case_studies.share_case_study(db, study, user=study.author)
    db.commit()
    url = f"/peer/case-studies/{study.public_id}"
    outsider = app.test_client()
    sign_in(outsider, OUTSIDER)
    assert outsider.get(url).status_code == 404
    assert (
        "Family liaison pilot" not in outsider.get("/peer/programmes/insights-2026/featured").text
    )

    sign_in(client, "facilitator@example.org")
    page = client.get(url)
    assert "Feature for the whole programme" in page.text
    response = client.post(f"{url}/feature", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    assert "Featured “Family liaison pilot”" in client.get(response.location).text
    assert reload(db, study).is_featured

    featured = outsider.get("/peer/programmes/insights-2026/featured")
    assert featured.status_code == 200 and "Family liaison pilot" in featured.text
    page = outsider.get(url)
    assert page.status_code == 200 and "Featured for the programme" in page.text
    assert "Feature for the whole programme" not in page.text
    assert "Peer learning in" not in page.text  # not a member of that cohort

    response = client.post(f"{url}/unfeature", data={"csrf_token": token(client, url)})
    assert response.status_code == 302
    assert outsider.get(url).status_code == 404


@pytest.mark.parametrize(
    "email", ["participant1@example.org", "participant2@example.org", "coach2@example.org"]
)
def test_only_a_facilitator_may_feature(client, db, study, email):
    case_studies.share_case_study(db, study, user=study.author)
    db.commit()
    sign_in(client, email)
    url = f"/peer/case-studies/{study.public_id}"
    assert "Feature for the whole programme" not in client.get(url).text
    assert client.post(f"{url}/feature", data={"csrf_token": token(client)}).status_code == 403
    assert not reload(db, study).is_featured


def test_only_the_author_edits_or_shares(client, db, study):
    case_studies.share_case_study(db, study, user=study.author)
    db.commit()
    sign_in(client, "participant2@example.org")
    url = f"/peer/case-studies/{study.public_id}"
    assert client.get(f"{url}/edit").status_code == 403
    assert client.post(f"{url}/edit", data={"csrf_token": token(client)}).status_code == 403
    assert client.post(f"{url}/share", data={"csrf_token": token(client)}).status_code == 403


# --- access to every route ---------------------------------------------------------------


def routes(challenge: GoldfishChallenge, study: CaseStudy) -> list[tuple[str, str]]:
    question = challenge.contributions[0]
    c, s = challenge.public_id, study.public_id
    return [
        ("GET", "/peer/cohorts/demo-cohort"),
        ("GET", "/peer/cohorts/demo-cohort/challenges/new"),
        ("POST", "/peer/cohorts/demo-cohort/challenges/new"),
        ("GET", f"/peer/challenges/{c}"),
        ("GET", f"/peer/challenges/{c}/edit"),
        ("POST", f"/peer/challenges/{c}/edit"),
        ("POST", f"/peer/challenges/{c}/contributions"),
        ("POST", f"/peer/contributions/{question.public_id}/answer"),
        ("POST", f"/peer/challenges/{c}/decision"),
        ("POST", f"/peer/challenges/{c}/outcome"),
        ("GET", "/peer/cohorts/demo-cohort/case-studies/new"),
        ("POST", "/peer/cohorts/demo-cohort/case-studies/new"),
        ("GET", f"/peer/case-studies/{s}"),
        ("GET", f"/peer/case-studies/{s}/edit"),
        ("POST", f"/peer/case-studies/{s}/edit"),
        ("POST", f"/peer/case-studies/{s}/share"),
        ("POST", f"/peer/case-studies/{s}/feature"),
        ("POST", f"/peer/case-studies/{s}/unfeature"),
    ]


def snapshot(db) -> tuple[Any, ...]:
    db.expire_all()
    return (
        count(db, GoldfishChallenge),
        count(db, ChallengeContribution),
        count(db, CaseStudy),
        tuple(db.execute(sa.select(GoldfishChallenge.state, GoldfishChallenge.title))),
        tuple(db.execute(sa.select(CaseStudy.status, CaseStudy.is_featured, CaseStudy.title))),
        tuple(db.scalars(sa.select(ChallengeContribution.answer))),
    )


@pytest.mark.parametrize("email", [OUTSIDER, OUTSIDE_COACH])
def test_people_outside_the_cohort_get_404_everywhere(
    client, db, challenge, study, other_cohort, email
):
    case_studies.share_case_study(db, study, user=study.author)
    db.commit()
    before = snapshot(db)
    sign_in(client, email)
    csrf = token(client)
    for method, path in routes(challenge, study):
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data={"csrf_token": csrf, "title": "x", "text": "x"})
        assert response.status_code == 404, (method, path)
    assert snapshot(db) == before
    page = client.get("/peer/")
    assert page.status_code == 200 and "Restructuring the SEND team" not in page.text


def test_anonymous_visitors_are_sent_to_sign_in(client, db, challenge, study):
    before = snapshot(db)
    csrf = csrf_token(client.get("/login").text)
    pages = [("GET", "/peer/"), ("GET", "/peer/programmes/insights-2026/featured")]
    for method, path in [*pages, *routes(challenge, study)]:
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data={"csrf_token": csrf, "title": "x"})
        assert response.status_code == 302, (method, path)
        assert "/login" in response.location
    assert snapshot(db) == before


def test_every_post_without_csrf_is_refused(client, db, challenge, study):
    before = snapshot(db)
    sign_in(client, "participant1@example.org")
    for method, path in routes(challenge, study):
        if method == "POST":
            response = client.post(path, data={"title": "x", "text": "x", "resolution": "x"})
            assert response.status_code == 400, path
    assert snapshot(db) == before


def test_coaches_and_facilitators_read_but_do_not_post_challenges_or_case_studies(client, db, demo):
    sign_in(client, "coach1@example.org")
    assert client.get("/peer/cohorts/demo-cohort").status_code == 200
    assert "Post a challenge" not in client.get("/peer/cohorts/demo-cohort").text
    assert client.get("/peer/cohorts/demo-cohort/challenges/new").status_code == 403
    assert client.get("/peer/cohorts/demo-cohort/case-studies/new").status_code == 403
    page = client.get("/peer/")
    assert page.status_code == 200 and "/peer/cohorts/demo-cohort" in page.text
    assert "My challenges" not in page.text


def test_the_featured_page_needs_an_enrolment_in_the_programme(client, db, demo):
    make_user(db, email="nobody@school.example")
    db.commit()
    sign_in(client, "nobody@school.example")
    assert client.get("/peer/programmes/insights-2026/featured").status_code == 404
    assert client.get("/peer/programmes/no-such-programme/featured").status_code == 404
    page = client.get("/peer/")
    assert page.status_code == 200 and "When you are enrolled in one" in page.text


def test_unknown_records_are_404(client, db, demo):
    sign_in(client, "participant1@example.org")
    for path in (
        "/peer/challenges/no-such-id",
        "/peer/case-studies/no-such-id",
        "/peer/cohorts/no-such-cohort",
        "/peer/?cohort=no-such-cohort",
    ):
        assert client.get(path).status_code == 404, path


def test_a_challenge_counts_as_evidence_on_the_owners_progress_map(client, db, demo):
    from insights_lms.demo.peer import add_demo

    add_demo(db, demo, utcnow())
    db.commit()
    challenge = db.scalars(sa.select(GoldfishChallenge).order_by(GoldfishChallenge.id)).first()
    login(client, challenge.owner.email)
    page = client.get(f"/progress/?cohort={demo.code}")
    assert f"/peer/challenges/{challenge.public_id}" in page.text
    assert "Goldfish-bowl challenge:" in page.text
