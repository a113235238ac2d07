"""The school context page, as a participant uses it through the browser's forms.

``/school-context/`` always shows the signed-in participant's own profile: there is no URL
naming another participant's, so no one can reach someone else's profile.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from markupsafe import escape

from insights_lms.auth.models import User
from insights_lms.context.models import SchoolChallenge, SchoolChallengeRating, SchoolContext
from tests.conftest import csrf_token, login
from tests.http.test_pages import headings

URL = "/school-context/"


def challenges(db) -> dict[str, SchoolChallenge]:
    return {c.code: c for c in db.scalars(sa.select(SchoolChallenge))}


def form_data(html: str, **fields: Any) -> dict[str, Any]:
    data = {
        "csrf_token": csrf_token(html),
        "phase": "primary",
        "pupils": "420",
        "staff": "48",
        "notes": "",
    }
    data.update(fields)
    return data


def field_value(html: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    return match.group(1) if match else None


def checked_weight(html: str, challenge: SchoolChallenge) -> str | None:
    for tag in re.findall(rf'<input[^>]*name="weight_{challenge.id}"[^>]*>', html):
        if "checked" in tag:
            return re.search(r'value="(\d)"', tag).group(1)
    return None


def context_of(db, email: str) -> SchoolContext | None:
    db.expire_all()
    return db.scalar(sa.select(SchoolContext).join(SchoolContext.user).where(User.email == email))


def test_the_form_has_a_labelled_field_for_everything(client, db, demo):
    login(client, "participant1@example.org")
    page = client.get(URL)
    html = page.text

    assert page.status_code == 200
    assert headings(html, 1) == ["Your school context"]
    for name in ("phase", "pupils", "staff", "notes"):
        assert re.search(rf'<label for="{name}">', html), name
    assert 'label for="phase">Phase of your school' in html
    assert '<option selected value="primary">Primary</option>' in html  # from the account
    for challenge in challenges(db).values():
        assert f"<legend><strong>{escape(challenge.title)}</strong></legend>" in html
        assert str(escape(challenge.description)) in html
        for value in range(5):
            assert f'<label for="weight_{challenge.id}-{value}">' in html
        assert f'<label for="comment_{challenge.id}">Comment (optional)</label>' in html
    for label in ("Not a concern", "Minor", "Moderate", "Significant", "Severe"):
        assert html.count(f" \N{EN DASH} {label}</label>") == 7
    assert '<button type="submit" class="button">Save my school context</button>' in html
    assert "How your context has changed" in headings(html, 2)
    assert "You have not rated any challenges yet" in html
    # Looking at the page creates nothing.
    assert context_of(db, "participant1@example.org") is None


def test_saving_the_profile_shows_it_and_its_dated_history(client, db, demo):
    by_code = challenges(db)
    poverty, attendance = by_code["child-poverty"], by_code["pupil-attendance"]
    login(client, "participant1@example.org")
    html = client.get(URL).text

    saved = client.post(
        URL,
        data=form_data(
            html,
            phase="all_through",
            pupils="1,450",
            staff="130",
            notes="Two sites & one community <3",
            **{
                f"weight_{poverty.id}": "4",
                f"comment_{poverty.id}": "Half our pupils are eligible for free meals.",
                f"weight_{attendance.id}": "2",
            },
        ),
    )
    assert saved.status_code == 302 and saved.headers["Location"].endswith(URL)

    html = client.get(URL).text
    assert "Your school context has been saved." in html
    assert '<option selected value="all_through">All through</option>' in html
    assert field_value(html, "pupils") == "1450"
    assert "Two sites &amp; one community &lt;3</textarea>" in html
    assert checked_weight(html, poverty) == "4"
    assert checked_weight(html, attendance) == "2"
    assert checked_weight(html, by_code["mental-health"]) is None
    assert "<strong>Severe</strong> (4 of 4)" in html
    assert "Half our pupils are eligible for free meals." in html
    assert "<dd>1,450</dd>" in html

    context = context_of(db, "participant1@example.org")
    assert (context.pupils, context.staff, context.notes) == (
        1450,
        130,
        "Two sites & one community <3",
    )

    # A later change adds to the history rather than replacing it.
    client.post(
        URL,
        data=form_data(
            html,
            phase="all_through",
            pupils="1450",
            staff="130",
            notes="Two sites & one community <3",
            **{
                f"weight_{poverty.id}": "3",
                f"comment_{poverty.id}": "Half our pupils are eligible for free meals.",
                f"weight_{attendance.id}": "2",
            },
        ),
    )
    html = client.get(URL).text
    history = html.split("How your context has changed", 1)[1]
    poverty_history = history.split("<h3>Child poverty</h3>", 1)[1].split("</ol>", 1)[0]
    assert poverty_history.index("Severe") < poverty_history.index("Significant")
    assert poverty_history.count("<li>") == 2
    assert re.search(r"Significant</strong> \(3 of 4\) <span class=\"tag\">Now</span>", history)
    weights = db.scalars(
        sa.select(SchoolChallengeRating.weight)
        .where(SchoolChallengeRating.challenge_id == poverty.id)
        .order_by(SchoolChallengeRating.id)
    ).all()
    assert weights == [4, 3]


def test_bad_numbers_are_refused_with_a_message_and_the_input_is_kept(client, db, demo):
    mental_health = challenges(db)["mental-health"]
    login(client, "participant2@example.org")
    html = client.get(URL).text

    for pupils, message in (
        ("-5", "Enter a number of pupils between 1 and 10,000."),
        ("lots", "Enter the number of pupils as a whole number, for example 420."),
    ):
        page = client.post(
            URL,
            data=form_data(
                html,
                phase="secondary",
                pupils=pupils,
                staff="61",
                notes="Our school serves a new estate.",
                **{
                    f"weight_{mental_health.id}": "3",
                    f"comment_{mental_health.id}": "Waiting lists for CAMHS are long.",
                },
            ),
        )
        assert page.status_code == 400, pupils
        assert message in page.text
        assert page.text.count("Enter ") == 2  # once in the summary, once by the field
        assert "There is a problem" in page.text
        assert 'aria-invalid="true"' in page.text
        assert field_value(page.text, "pupils") == pupils
        assert re.search(
            r'<input[^>]*inputmode="numeric"[^>]*name="pupils"[^>]*type="text"', page.text
        )
        assert field_value(page.text, "staff") == "61"
        assert '<option selected value="secondary">Secondary</option>' in page.text
        assert "Our school serves a new estate.</textarea>" in page.text
        assert checked_weight(page.text, mental_health) == "3"
        assert "Waiting lists for CAMHS are long.</textarea>" in page.text

    assert context_of(db, "participant2@example.org") is None


def test_other_bad_input_is_refused_with_a_message(client, db, demo):
    send = challenges(db)["send-needs"]
    login(client, "participant2@example.org")
    html = client.get(URL).text

    cases = [
        ({"staff": "0"}, "Enter a number of staff between 1 and 5,000."),
        ({"phase": ""}, "Choose your school&#39;s phase."),
        ({"notes": "x" * 4001}, "Keep this to 4,000 characters."),
        ({f"weight_{send.id}": "9"}, "Not a valid choice"),
        (
            {f"comment_{send.id}": "Three new EHCPs"},
            "Comment on Rising SEND needs: Choose a weight for Rising SEND needs to save a comment",
        ),
    ]
    for fields, message in cases:
        page = client.post(URL, data=form_data(html, **fields))
        assert page.status_code == 400, fields
        assert message in page.text, fields
    assert context_of(db, "participant2@example.org") is None


def test_a_post_without_a_csrf_token_is_refused(client, db, demo):
    login(client, "participant1@example.org")
    html = client.get(URL).text
    data = form_data(html, notes="Should not be saved")
    del data["csrf_token"]

    page = client.post(URL, data=data)

    assert page.status_code == 400
    assert context_of(db, "participant1@example.org") is None


def test_each_participant_sees_and_saves_only_their_own_profile(client, db, demo):
    poverty = challenges(db)["child-poverty"]
    login(client, "participant1@example.org")
    html = client.get(URL).text
    client.post(
        URL,
        data=form_data(
            html,
            notes="Amina's private note about our context",
            pupils="333",
            **{f"weight_{poverty.id}": "4", f"comment_{poverty.id}": "Amina's comment"},
        ),
    )
    client.post("/logout", data={"csrf_token": csrf_token(client.get(URL).text)})

    login(client, "participant2@example.org")
    html = client.get(URL).text
    assert "Amina" not in html
    assert "333" not in html
    assert checked_weight(html, poverty) is None
    assert "You have not rated any challenges yet" in html
    # Saving their own profile leaves participant1's untouched.
    client.post(URL, data=form_data(html, notes="Tom's note", pupils="210"))
    assert "Tom&#39;s note</textarea>" in client.get(URL).text

    amina = context_of(db, "participant1@example.org")
    tom = context_of(db, "participant2@example.org")
    assert (amina.notes, amina.pupils) == ("Amina's private note about our context", 333)
    assert (tom.notes, tom.pupils) == ("Tom's note", 210)
    assert amina.id != tom.id
    # There is no URL that names someone else's profile.
    assert client.get(f"{URL}{amina.id}").status_code == 404
    assert client.get(f"/school-context/{amina.user_id}/").status_code == 404


def test_signing_in_is_required(client, demo):
    page = client.get(URL)
    assert page.status_code == 302
    assert "/login?next=" in page.headers["Location"]


def test_someone_who_is_not_a_participant_is_told_why_there_is_no_profile(client, db, demo):
    for email in ("coach1@example.org", "facilitator@example.org"):
        login(client, email)
        page = client.get(URL)
        assert page.status_code == 403, email
        assert "You are not a participant in any cohort" in page.text
        assert '<form method="post" novalidate>' not in page.text
        token = csrf_token(page.text)
        refused = client.post(URL, data={"csrf_token": token, "phase": "primary"})
        assert refused.status_code == 403
        client.post("/logout", data={"csrf_token": token})
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(SchoolContext)) == 0
