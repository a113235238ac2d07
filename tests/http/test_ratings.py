"""Ratings through the web: a facilitator or coach rates a participant, everyone entitled sees
every rater side by side on the progress map; everyone else gets 404 (or 403)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from insights_lms.competencies.models import Competency, Level
from insights_lms.enums import CohortRole
from insights_lms.ratings.models import CompetencyRating, RatingKind
from insights_lms.ratings.services import record_rating
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD, enrolled, make_cohort
from tests.factories import find_user as user
from tests.factories import participant_enrolment as enrolment_of

AMINA = "participant1@example.org"  # coached by coach2 in the demo cohort


def ids(db, *codes: str) -> list[int]:
    return [db.scalar(sa.select(Competency.id).where(Competency.code == c)) for c in codes]


def level_id(demo, value: int) -> int:
    level: Level = next(lv for lv in demo.programme.framework.scale.levels if lv.value == value)
    return level.id


def rate_url(db, email: str = AMINA) -> str:
    return f"/ratings/demo-cohort/{user(db, email).public_id}/new"


def map_url(db, email: str = AMINA) -> str:
    return f"/progress/demo-cohort/{user(db, email).public_id}"


def ratings(db) -> list[CompetencyRating]:
    db.expire_all()
    return list(db.scalars(sa.select(CompetencyRating).order_by(CompetencyRating.id)))


def test_a_facilitator_rates_two_competencies_and_the_participant_sees_them(app, client, db, demo):
    login(client, "facilitator@example.org")
    page = client.get(rate_url(db))
    assert page.status_code == 200
    assert "<h1>Rate Amina Rahman</h1>" in page.text
    assert "You are rating as Amina Rahman's facilitator." in page.text
    l12, l31 = ids(db, "L1.2", "L3.1")
    assert f'<label for="note_{l12}">Note on L1.2 (optional)</label>' in page.text
    response = client.post(
        rate_url(db),
        data={
            "csrf_token": csrf_token(page.text),
            "kind": "facilitator",
            f"level_{l12}": level_id(demo, 3),
            f"note_{l12}": "Led the staff survey <b>well</b>",
            f"level_{l31}": level_id(demo, 2),
        },
    )
    assert response.status_code == 302
    assert response.location.endswith(map_url(db))
    page = client.get(response.location)
    assert "Saved your facilitator rating of 2 competencies for Amina Rahman." in page.text
    assert [(r.kind, r.competency.code, r.level.value) for r in ratings(db)] == [
        (RatingKind.FACILITATOR, "L1.2", 3),
        (RatingKind.FACILITATOR, "L3.1", 2),
    ]

    participant = app.test_client()
    login(participant, AMINA)
    html = participant.get("/progress/").text
    assert "<h1>Your progress map</h1>" in html
    l12_row = html[html.index('id="c-L1.2"') : html.index('id="c-L1.3"')]
    assert re.search(r"Facilitator rating</dt>\s*<dd><strong>3 Established</strong>", l12_row)
    assert "Rating history for L1.2" in l12_row and "Farah Begum" in l12_row
    assert "Led the staff survey &lt;b&gt;well&lt;/b&gt;" in l12_row  # escaped
    assert '<svg xmlns="http://www.w3.org/2000/svg" width="720" height="320"' in html
    assert "Rate Amina Rahman" not in html  # the participant does not rate themselves here


def test_the_coach_rates_too_without_touching_the_facilitators_rating(client, db, demo):
    l12 = ids(db, "L1.2")[0]
    enrolment = enrolment_of(db, AMINA)
    competency = db.get(Competency, l12)
    facilitator = user(db, "facilitator@example.org")
    level = next(lv for lv in demo.programme.framework.scale.levels if lv.value == 3)
    record_rating(db, enrolment, competency, level, facilitator, RatingKind.FACILITATOR)
    db.commit()
    login(client, "coach2@example.org")
    page = client.get(rate_url(db))
    assert "You are rating as Amina Rahman's coach." in page.text
    response = client.post(
        rate_url(db),
        data={
            "csrf_token": csrf_token(page.text),
            "kind": "coach",
            f"level_{l12}": level_id(demo, 2),
        },
    )
    assert response.status_code == 302
    html = client.get(map_url(db)).text
    assert "<h1>Amina Rahman's progress map</h1>" in html
    row = html[html.index('id="c-L1.2"') : html.index('id="c-L1.3"')]
    assert re.search(r"Coach rating</dt>\s*<dd><strong>2 Developing</strong>", row)
    assert re.search(r"Facilitator rating</dt>\s*<dd><strong>3 Established</strong>", row)
    assert "Add evidence for" not in html  # the participant's own actions are not offered
    assert [r.kind for r in ratings(db)] == [RatingKind.FACILITATOR, RatingKind.COACH]


def test_bad_input_changes_nothing_and_keeps_what_was_typed(client, db, demo):
    login(client, "facilitator@example.org")
    page = client.get(rate_url(db))
    l11, l12 = ids(db, "L1.1", "L1.2")
    token = csrf_token(page.text)
    response = client.post(
        rate_url(db), data={"csrf_token": token, "kind": "facilitator", f"note_{l11}": "Typed note"}
    )
    assert response.status_code == 400
    assert "Error: Rate Amina Rahman" in response.text
    assert "Choose a level for L1.1 to keep your note." in response.text
    assert "Rate at least one competency" in response.text
    assert "\nTyped note</textarea>" in response.text
    response = client.post(
        rate_url(db),
        data={
            "csrf_token": token,
            "kind": "coach",  # the facilitator is not Amina's coach
            f"level_{l12}": level_id(demo, 2),
            f"note_{l12}": "Kept",
        },
    )
    assert response.status_code == 400
    assert "Choose one of the roles listed." in response.text
    assert "\nKept</textarea>" in response.text
    assert re.search(
        rf'value="{level_id(demo, 2)}" checked|checked[^>]*value="{level_id(demo, 2)}"',
        response.text,
    )
    assert ratings(db) == []


def test_posting_without_the_csrf_token_is_refused(client, db, demo):
    login(client, "facilitator@example.org")
    l11 = ids(db, "L1.1")[0]
    response = client.post(
        rate_url(db), data={"kind": "facilitator", f"level_{l11}": level_id(demo, 2)}
    )
    assert response.status_code == 400
    assert ratings(db) == []


@pytest.mark.parametrize(
    "email",
    [
        "participant2@example.org",  # another participant
        "coach1@example.org",  # a coach in the cohort, but not Amina's
    ],
)
def test_people_who_may_not_see_the_participant_get_404(client, db, demo, email):
    login(client, email)
    assert client.get(rate_url(db)).status_code == 404
    assert client.get(map_url(db)).status_code == 404
    l11 = ids(db, "L1.1")[0]
    page = client.get("/")  # any page with a token
    response = client.post(
        rate_url(db),
        data={
            "csrf_token": csrf_token(page.text),
            "kind": "coach",
            f"level_{l11}": level_id(demo, 2),
        },
    )
    assert response.status_code == 404
    assert ratings(db) == []


def test_a_facilitator_of_another_cohort_gets_404(client, db, demo):
    other = make_cohort(db, demo.programme)
    stranger = enrolled(db, other, CohortRole.FACILITATOR, password=PASSWORD)
    db.commit()
    login(client, stranger.email, PASSWORD)
    assert client.get(rate_url(db)).status_code == 404
    assert client.get(map_url(db)).status_code == 404


def test_the_participant_sees_their_own_map_by_its_address_but_cannot_rate(client, db, demo):
    login(client, AMINA)
    assert "<h1>Your progress map</h1>" in client.get(map_url(db)).text
    assert client.get(rate_url(db)).status_code == 403
    assert client.get("/progress/demo-cohort/no-such-person").status_code == 404
    assert client.get(f"/progress/no-such-cohort/{user(db, AMINA).public_id}").status_code == 404


def test_only_participants_have_a_map(client, db, demo):
    login(client, "facilitator@example.org")
    coach = user(db, "coach1@example.org")
    assert client.get(f"/progress/demo-cohort/{coach.public_id}").status_code == 404


def test_signed_out_visitors_are_sent_to_log_in(client, db, demo):
    response = client.get(rate_url(db))
    assert response.status_code == 302 and "/login" in response.location
    assert "/login" in client.get(map_url(db)).location
