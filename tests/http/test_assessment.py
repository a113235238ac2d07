"""Self-assessment through the web: the form, every bad input, and who sees whose ratings."""

from __future__ import annotations

import html as html_lib
import re

import pytest
import sqlalchemy as sa
from markupsafe import escape

from insights_lms.assessment.models import SelfRating
from insights_lms.competencies.models import Competency, Level
from insights_lms.enums import CohortRole
from insights_lms.programmes.models import Module
from tests.conftest import csrf_token, login
from tests.factories import make_cohort

INDEX = "/self-assessment/"
NEW = "/self-assessment/new"


def text(html: str) -> str:
    """What a reader sees: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def competencies(db) -> list[Competency]:
    return list(db.scalars(sa.select(Competency).order_by(Competency.position)))


def levels(db) -> dict[str, Level]:
    return {lv.title: lv for lv in db.scalars(sa.select(Level).order_by(Level.value))}


def by_code(db, code: str) -> Competency:
    return db.scalar(sa.select(Competency).where(Competency.code == code))


def module(db, code: str) -> Module:
    return db.scalar(sa.select(Module).where(Module.code == code))


def post_form(client, data: dict, url: str = NEW):
    token = csrf_token(client.get(url).text)
    return client.post(url, data={"csrf_token": token, **data})


def count_ratings(db) -> int:
    db.expire_all()
    return db.scalar(sa.select(sa.func.count()).select_from(SelfRating))


def test_form_has_labelled_radios_for_every_level_of_every_competency(client, db, demo):
    login(client, "participant1@example.org")
    page = client.get(NEW)
    assert page.status_code == 200
    html = page.text
    comps = competencies(db)
    assert len(comps) == 10
    for comp in comps:
        legend = re.search(
            rf'<fieldset[^>]* id="level_{comp.id}"[^>]*>\s*<legend>(.*?)</legend>', html
        )
        assert legend and text(legend.group(1)) == f"{comp.code} {comp.title}"
        for i, title in enumerate(("Emerging", "Developing", "Established", "Leading")):
            radio_id = f"level_{comp.id}-{i}"
            assert re.search(
                rf'<input [^>]*id="{radio_id}" name="level_{comp.id}" type="radio"', html
            )
            assert f'<label for="{radio_id}">{i + 1} {title}</label>' in html
            # The level descriptor for this competency is the radio's description.
            assert f'aria-describedby="level_{comp.id}-level-{i + 1}"' in html
        assert (
            f'<label for="comment_{comp.id}">Your comment on {comp.code} (optional)</label>' in html
        )
        for descriptor in comp.descriptors:
            assert str(escape(descriptor.text)) in html
    assert html.count('type="radio"') == 40
    assert html.count("<h1>") == 1
    # Competencies are grouped by domain, under h2 headings.
    assert '<h2 id="domain-L1-h">L1 Purpose, culture and ethical leadership</h2>' in html
    assert 'name="csrf_token"' in html


def test_occasions_offered_are_the_start_and_modules_that_have_ended(client, db, demo):
    login(client, "participant1@example.org")
    select = re.search(r'<select[^>]*name="occasion"[^>]*>(.*?)</select>', client.get(NEW).text)
    options = [text(o) for o in re.findall(r"<option[^>]*>.*?</option>", select.group(1))]
    # The demo cohort is between module 3 and module 4.
    ended = [f"After: {module(db, code).title}" for code in ("M0", "M1", "M2", "M3")]
    assert options == ["At the start", *ended]
    assert '<option selected value="start">' in select.group(1)  # a first rating is a baseline


def test_saving_a_self_assessment_shows_it_in_the_chart_and_history(client, db, demo):
    login(client, "participant1@example.org")
    lv = levels(db)
    l11, l23 = by_code(db, "L1.1"), by_code(db, "L2.3")
    response = post_form(
        client,
        {
            "occasion": "start",
            f"level_{l11.id}": lv["Emerging"].id,
            f"comment_{l11.id}": "I lean on the trust's wording.",
            f"level_{l23.id}": lv["Established"].id,
        },
    )
    assert response.status_code == 302
    assert response.location.endswith("/self-assessment/?cohort=demo-cohort")
    assert count_ratings(db) == 2

    html = client.get(response.location).text
    assert "Saved your self-assessment of 2 competencies." in html
    assert html.count("<polyline") == 2
    assert "I lean on the trust&#39;s wording." in html
    page = text(html)
    assert "L1.1 Vision, values and ethical leadership 1 Emerging" in page  # the table
    assert "Not rated yet" in page and "L3.1" in page
    assert "You have rated 2 of 10 competencies so far." in page


def test_the_last_rating_is_preselected_and_shown_as_a_hint(client, db, demo):
    login(client, "participant1@example.org")
    lv = levels(db)
    l11 = by_code(db, "L1.1")
    post_form(client, {"occasion": "start", f"level_{l11.id}": lv["Developing"].id})
    html = client.get(NEW).text
    assert "Last time: 2 Developing (At the start," in html
    assert re.search(rf'<input [^>]*checked id="level_{l11.id}-1"', html)
    assert len(re.findall(r"<input [^>]*checked", html)) == 1
    # The baseline is done: the newest occasion is offered next.
    assert f'<option selected value="after_module:{module(db, "M3").id}">' in html


def test_rating_again_keeps_the_earlier_rating(client, db, demo):
    login(client, "participant1@example.org")
    lv = levels(db)
    l11 = by_code(db, "L1.1")
    post_form(client, {"occasion": "start", f"level_{l11.id}": lv["Emerging"].id})
    m2 = module(db, "M2")
    post_form(
        client, {"occasion": f"after_module:{m2.id}", f"level_{l11.id}": lv["Established"].id}
    )
    assert count_ratings(db) == 2
    page = text(client.get(INDEX).text)
    assert "1 Emerging 3 Established" in page  # both columns of the table
    assert f"After: {m2.title}" in page


def test_nothing_rated_is_refused_and_the_comment_typed_is_kept(client, db, demo):
    login(client, "participant1@example.org")
    l12 = by_code(db, "L1.2")
    response = post_form(
        client, {"occasion": "start", f"comment_{l12.id}": "Trust is growing <slowly>"}
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "Rate at least one competency" in response.text
    assert "Choose a level for L1.2 to keep your comment." in response.text
    assert "Trust is growing &lt;slowly&gt;</textarea>" in response.text
    assert "<title>Error: Rate yourself" in response.text
    assert count_ratings(db) == 0


def test_a_comment_without_a_level_is_refused_even_when_others_are_rated(client, db, demo):
    login(client, "participant1@example.org")
    l11, l12 = by_code(db, "L1.1"), by_code(db, "L1.2")
    response = post_form(
        client,
        {
            "occasion": "start",
            f"level_{l11.id}": levels(db)["Leading"].id,
            f"comment_{l12.id}": "Forgot the level",
        },
    )
    assert response.status_code == 400
    assert "Choose a level for L1.2 to keep your comment." in response.text
    # What they chose is kept.
    assert re.search(rf'<input [^>]*checked id="level_{l11.id}-3"', response.text)
    assert count_ratings(db) == 0


@pytest.mark.parametrize("bad_level", ["999999", "abc", ""])
def test_a_level_that_is_not_on_the_scale_is_refused(client, db, demo, bad_level):
    login(client, "participant1@example.org")
    l11 = by_code(db, "L1.1")
    response = post_form(client, {"occasion": "start", f"level_{l11.id}": bad_level})
    assert response.status_code == 400
    if bad_level:
        assert "Choose one of the levels for L1.1." in response.text
    else:
        assert "Rate at least one competency" in response.text
    assert count_ratings(db) == 0


def test_an_occasion_that_is_not_available_is_refused(client, db, demo):
    login(client, "participant1@example.org")
    l11 = by_code(db, "L1.1")
    for occasion in (f"after_module:{module(db, 'M5').id}", "end", "whenever", ""):
        response = post_form(
            client, {"occasion": occasion, f"level_{l11.id}": levels(db)["Leading"].id}
        )
        assert response.status_code == 400, occasion
        assert "Choose" in text(response.text)
    assert count_ratings(db) == 0


def test_a_long_comment_is_refused(client, db, demo):
    login(client, "participant1@example.org")
    l11 = by_code(db, "L1.1")
    response = post_form(
        client,
        {
            "occasion": "start",
            f"level_{l11.id}": levels(db)["Leading"].id,
            f"comment_{l11.id}": "x" * 2001,
        },
    )
    assert response.status_code == 400
    assert "Keep your comment on L1.1 to 2,000 characters or fewer." in response.text
    assert count_ratings(db) == 0


def test_posting_without_a_csrf_token_is_refused(client, db, demo):
    login(client, "participant1@example.org")
    l11 = by_code(db, "L1.1")
    response = client.post(NEW, data={"occasion": "start", f"level_{l11.id}": 1})
    assert response.status_code == 400
    assert "That form has expired" in response.text
    assert count_ratings(db) == 0


def test_signed_out_visitors_are_sent_to_sign_in(client, db, demo):
    for url in (INDEX, NEW, f"{NEW}?cohort=demo-cohort"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response.location
    token = csrf_token(client.get("/login").text)
    response = client.post(NEW, data={"csrf_token": token, "occasion": "start"})
    assert response.status_code == 302 and "/login" in response.location
    assert count_ratings(db) == 0


@pytest.mark.parametrize("email", ["coach1@example.org", "facilitator@example.org"])
def test_coaches_and_facilitators_have_no_self_assessment(client, db, demo, email):
    login(client, email)
    for url in (INDEX, NEW, f"{INDEX}?cohort=demo-cohort", f"{NEW}?cohort=demo-cohort"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Self-assessment is for participants" in response.text
    token = csrf_token(client.get("/").text)
    l11 = by_code(db, "L1.1")
    response = client.post(
        NEW, data={"csrf_token": token, "occasion": "start", f"level_{l11.id}": 1}
    )
    assert response.status_code == 403
    assert count_ratings(db) == 0


def test_a_participant_only_ever_sees_their_own_ratings(app, client, db, demo):
    lv = levels(db)
    l11 = by_code(db, "L1.1")
    login(client, "participant1@example.org")
    post_form(
        client,
        {
            "occasion": "start",
            f"level_{l11.id}": lv["Leading"].id,
            f"comment_{l11.id}": "Amina's private reflection",
        },
    )
    assert count_ratings(db) == 1

    other = app.test_client()
    login(other, "participant2@example.org")
    for url in (INDEX, NEW, f"{INDEX}?cohort=demo-cohort", f"{NEW}?cohort=demo-cohort"):
        html = other.get(url).text
        assert "private reflection" not in html, url
        assert "Last time" not in html and "checked" not in html, url
        assert "<polyline" not in html, url
    assert "You have not rated yourself yet" in other.get(INDEX).text
    # What participant 2 saves is theirs alone.
    post_form(other, {"occasion": "start", f"level_{l11.id}": lv["Emerging"].id})
    assert "1 Emerging" in text(other.get(INDEX).text)
    mine = text(client.get(INDEX).text)
    assert "4 Leading" in mine and "1 Emerging" not in mine.split("Your ratings and comments")[1]


def test_another_participants_cohort_is_not_found(app, client, db, demo):
    # participant1 is also in a second cohort; participant2 is not.
    from insights_lms.auth.models import User
    from insights_lms.cohorts.services import enrol

    second = make_cohort(db, demo.programme, code="second-cohort", title="Second cohort")
    amina = db.scalar(sa.select(User).where(User.email == "participant1@example.org"))
    enrol(db, second, amina, CohortRole.PARTICIPANT)
    db.commit()

    login(client, "participant2@example.org")
    for url in (f"{INDEX}?cohort=second-cohort", f"{NEW}?cohort=second-cohort"):
        assert client.get(url).status_code == 404
        assert client.get(url.replace("second-cohort", "no-such-cohort")).status_code == 404
    token = csrf_token(client.get(INDEX).text)
    l11 = by_code(db, "L1.1")
    response = client.post(
        f"{NEW}?cohort=second-cohort",
        data={"csrf_token": token, "occasion": "start", f"level_{l11.id}": 1},
    )
    assert response.status_code == 404
    assert count_ratings(db) == 0


def test_a_participant_in_two_cohorts_rates_in_each_separately(client, db, demo):
    from insights_lms.auth.models import User
    from insights_lms.cohorts.services import enrol

    second = make_cohort(db, demo.programme, code="second-cohort", title="Second cohort")
    amina = db.scalar(sa.select(User).where(User.email == "participant1@example.org"))
    enrol(db, second, amina, CohortRole.PARTICIPANT)
    db.commit()
    login(client, "participant1@example.org")
    lv = levels(db)
    l11 = by_code(db, "L1.1")

    # Without ?cohort= the newest cohort is shown; the page links to the other one.
    html = client.get(INDEX).text
    assert "Second cohort" in html and 'href="/self-assessment/?cohort=demo-cohort"' in html
    post_form(
        client,
        {"occasion": "start", f"level_{l11.id}": lv["Developing"].id},
        url=f"{NEW}?cohort=demo-cohort",
    )
    assert "2 Developing" in text(client.get(f"{INDEX}?cohort=demo-cohort").text)
    assert "You have not rated yourself yet" in client.get(f"{INDEX}?cohort=second-cohort").text


def test_self_assessment_pages_use_no_external_resources(client, db, demo):
    login(client, "participant1@example.org")
    post_form(
        client, {"occasion": "start", f"level_{by_code(db, 'L1.1').id}": levels(db)["Leading"].id}
    )
    for url in (INDEX, NEW):
        html = client.get(url).text
        assert not re.search(r'(src|href)="https?://', html)
        assert "<script" not in html
        assert html.count("<h1>") == 1
