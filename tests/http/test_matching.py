"""Coach matching through the web: the facilitator's matching page with ranked suggestions and
reasons, confirming or overriding a suggestion, coach profiles; access for everyone else."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from insights_lms.cohorts import services as cohorts
from insights_lms.cohorts.models import CoachAssignment
from insights_lms.demo.matching import add_demo
from insights_lms.enums import CohortRole
from insights_lms.matching.models import CoachProfile
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD, enrolled, make_cohort
from tests.factories import find_user as user

SAM = "participant6@example.org"  # the demo's participant without a coach
BOARD = "/matching/demo-cohort"


@pytest.fixture
def rich_demo(db, rich_demo):
    add_demo(db, rich_demo, dt.datetime.now(dt.UTC))
    db.commit()
    return rich_demo


def assign_url(db, email: str = SAM) -> str:
    return f"{BOARD}/{user(db, email).public_id}/assign"


def coach_of(db, cohort, email: str = SAM):
    db.expire_all()
    return cohorts.coach_of(db, cohort, user(db, email))


def test_the_facilitator_sees_ranked_suggestions_with_reasons_and_confirms_one(
    client, db, rich_demo
):
    login(client, "facilitator@example.org")
    page = client.get(BOARD)
    assert page.status_code == 200
    html = page.text
    assert "<h1>Match coaches</h1>" in html
    assert '<h2 id="p-' in html and "Sam Whitfield</h2>" in html
    assert "Amina Rahman</h2>" not in html  # has a coach
    helen = user(db, "coach1@example.org")
    assert html.index("<strong>Helen Okafor</strong> · score 10") < html.index(
        "<strong>Marcus Reid</strong> · score 4"
    )
    for reason in (
        "Experience of special schools, like Sam&#39;s",
        "Leads on L1.3 Decision-making under uncertainty, one of Sam&#39;s lowest "
        "self-ratings (1 Emerging)",
        "Experience of “Rising SEND needs”, severe at Sam&#39;s school",
        "1 of 4 places free",
        "No experience of special schools recorded",
    ):
        assert reason in html
    # The best suggestion is proposed, with its reasons tied to its radio button.
    radio = re.search(
        rf'<input type="radio" id="([^"]+)" name="coach" value="{helen.public_id}" checked '
        r'aria-describedby="([^"]+)">',
        html,
    )
    assert radio is not None and radio.group(2) == radio.group(1) + "-why"
    assert f'<label for="{radio.group(1)}">' in html

    response = client.post(
        assign_url(db), data={"csrf_token": csrf_token(html), "coach": helen.public_id}
    )
    assert response.status_code == 302 and response.location.endswith(BOARD)
    html = client.get(BOARD).text
    assert "Helen Okafor is now Sam Whitfield&#39;s coach." in html
    assert "Every participant in this cohort has a coach." in html
    assert "Sam Whitfield: Helen Okafor" in html
    assert coach_of(db, rich_demo) is helen


def test_the_facilitator_can_pick_another_coach(client, db, rich_demo):
    login(client, "facilitator@example.org")
    page = client.get(BOARD)
    marcus = user(db, "coach2@example.org")
    response = client.post(
        assign_url(db), data={"csrf_token": csrf_token(page.text), "coach": marcus.public_id}
    )
    assert response.status_code == 302
    assert coach_of(db, rich_demo) is marcus


def test_a_choice_that_is_not_a_cohort_coach_is_refused_and_nothing_changes(client, db, rich_demo):
    login(client, "facilitator@example.org")
    token = csrf_token(client.get(BOARD).text)
    amina = user(db, "participant1@example.org")
    response = client.post(assign_url(db), data={"csrf_token": token, "coach": amina.public_id})
    assert response.status_code == 400
    assert "Choose one of the cohort&#39;s coaches." in response.text
    assert "<title>Error: Match coaches" in response.text
    response = client.post(assign_url(db), data={"csrf_token": token})
    assert response.status_code == 400 and "Choose a coach." in response.text
    assert coach_of(db, rich_demo) is None


def test_a_participant_matched_meanwhile_is_not_matched_twice(client, db, rich_demo):
    login(client, "facilitator@example.org")
    token = csrf_token(client.get(BOARD).text)
    helen, marcus = user(db, "coach1@example.org"), user(db, "coach2@example.org")
    cohorts.assign_coach(db, rich_demo, helen, user(db, SAM))
    db.commit()
    response = client.post(assign_url(db), data={"csrf_token": token, "coach": marcus.public_id})
    assert response.status_code == 302
    assert "Sam Whitfield already has a coach: Helen Okafor." in client.get(response.location).text
    assert coach_of(db, rich_demo) is helen


@pytest.mark.parametrize("email", ["coach1@example.org", "participant6@example.org"])
def test_only_the_cohorts_facilitators_see_or_use_the_matching_page(client, db, rich_demo, email):
    login(client, email)
    assert client.get(BOARD).status_code == 403
    token = csrf_token(client.get("/").text)
    response = client.post(
        assign_url(db), data={"csrf_token": token, "coach": user(db, email).public_id}
    )
    assert response.status_code == 403
    assert coach_of(db, rich_demo) is None


def test_a_facilitator_of_another_cohort_is_refused_and_unknown_things_are_404(client, db, demo):
    other = make_cohort(db, demo.programme)
    stranger = enrolled(db, other, CohortRole.FACILITATOR, password=PASSWORD)
    outsider = enrolled(db, other, CohortRole.PARTICIPANT)
    db.commit()
    login(client, stranger.email, PASSWORD)
    assert client.get(BOARD).status_code == 403
    assert client.get(f"/matching/{other.code}").status_code == 200
    assert client.get("/matching/no-such-cohort").status_code == 404
    client = client.application.test_client()
    login(client, "facilitator@example.org")
    token = csrf_token(client.get(BOARD).text)
    # A participant of another cohort cannot be matched through this cohort's page.
    response = client.post(f"{BOARD}/{outsider.public_id}/assign", data={"csrf_token": token})
    assert response.status_code == 404
    assert db.scalar(sa.select(sa.func.count()).select_from(CoachAssignment)) == 5


def test_posting_without_csrf_is_refused(client, db, rich_demo):
    login(client, "facilitator@example.org")
    response = client.post(assign_url(db), data={"coach": user(db, "coach1@example.org").public_id})
    assert response.status_code == 400
    assert coach_of(db, rich_demo) is None


# --- coach profiles ------------------------------------------------------------------------


def test_a_coach_edits_their_own_profile(client, db, demo):
    login(client, "coach1@example.org")
    page = client.get("/matching/profile")
    assert page.status_code == 200
    assert "<h1>Your coach profile</h1>" in page.text
    assert '<label for="capacity">Capacity: how many coachees at once</label>' in page.text
    assert '<label for="strength-L2.3">L2.3 Inclusion and SEND</label>' in page.text
    assert "<legend>School phases of experience</legend>" in page.text
    response = client.post(
        "/matching/profile",
        data={
            "csrf_token": csrf_token(page.text),
            "capacity": "4",
            "phases": ["secondary", "special"],
            "strengths": ["L2.3", "L3.1"],
            "challenges": ["send-needs"],
            "bio": "Former head of a special school.",
        },
    )
    assert response.status_code == 302 and response.location.endswith("/matching/profile")
    page = client.get(response.location)
    assert "Saved your coach profile." in page.text
    assert re.search(r'id="strength-L2\.3" name="strengths" value="L2\.3" checked', page.text)
    assert not re.search(r'id="strength-L1\.1" name="strengths" value="L1\.1" checked', page.text)
    profile = db.scalar(sa.select(CoachProfile))
    assert profile is not None
    assert (profile.capacity, profile.strengths, profile.challenges) == (
        4,
        ["L2.3", "L3.1"],
        ["send-needs"],
    )


def test_a_bad_capacity_is_explained_and_what_was_typed_is_kept(client, db, demo):
    login(client, "coach1@example.org")
    page = client.get("/matching/profile")
    response = client.post(
        "/matching/profile",
        data={
            "csrf_token": csrf_token(page.text),
            "capacity": "lots",
            "strengths": ["L2.3"],
            "bio": "Kept bio",
        },
    )
    assert response.status_code == 400
    assert "Enter the capacity as a whole number, e.g. 3." in response.text
    assert 'value="lots"' in response.text and "Kept bio</textarea>" in response.text
    assert re.search(r'value="L2\.3" checked', response.text)
    assert db.scalar(sa.select(CoachProfile)) is None


def test_participants_have_no_coach_profile(client, db, demo):
    login(client, "participant1@example.org")
    assert client.get("/matching/profile").status_code == 403


def test_a_facilitator_edits_a_coach_profile_of_their_cohort(client, db, rich_demo):
    login(client, "facilitator@example.org")
    marcus = user(db, "coach2@example.org")
    url = f"{BOARD}/coaches/{marcus.public_id}"
    assert f'href="{url}"' in client.get(BOARD).text
    page = client.get(url)
    assert "<h1>Marcus Reid's coach profile</h1>" in page.text
    assert 'value="3"' in page.text  # the demo profile's capacity
    response = client.post(
        url,
        data={"csrf_token": csrf_token(page.text), "capacity": "5", "phases": ["primary"]},
    )
    assert response.status_code == 302 and response.location.endswith(BOARD)
    html = client.get(BOARD).text
    assert "Saved Marcus Reid&#39;s coach profile." in html
    assert "2 of 5" in html  # Marcus's load and new capacity in the coaches table
    db.expire_all()
    profile = db.scalar(sa.select(CoachProfile).where(CoachProfile.user_id == marcus.id))
    assert profile is not None and profile.capacity == 5 and profile.strengths == []
    assert profile.updated_by is not None and profile.updated_by.email == "facilitator@example.org"


def test_coach_profiles_are_only_for_facilitators_of_the_coachs_cohort(client, db, demo):
    helen = user(db, "coach1@example.org")
    url = f"{BOARD}/coaches/{helen.public_id}"
    other = make_cohort(db, demo.programme)
    stranger = enrolled(db, other, CohortRole.FACILITATOR, password=PASSWORD)
    db.commit()
    login(client, stranger.email, PASSWORD)
    assert client.get(url).status_code == 403
    client = client.application.test_client()
    login(client, "coach2@example.org")  # another coach of the cohort
    assert client.get(url).status_code == 403
    client = client.application.test_client()
    login(client, "facilitator@example.org")
    amina = user(db, "participant1@example.org")
    assert client.get(f"{BOARD}/coaches/{amina.public_id}").status_code == 404  # not a coach
    assert client.get(url).status_code == 200


def test_signed_out_visitors_are_sent_to_log_in(client, db, demo):
    assert "/login" in client.get(BOARD).location
    assert "/login" in client.get("/matching/profile").location
