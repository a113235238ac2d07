"""Conversations through the web: the coach records, reviews earlier actions and corrects; the
participant prepares, reads, acknowledges and marks actions done; the facilitator reads. Every
route is refused (404) to another coach, another participant and another cohort's facilitator,
and the private notes appear in no response the participant or facilitator can reach."""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from insights_lms.competencies.models import Competency
from insights_lms.conversations import commands
from insights_lms.conversations.models import (
    ActionOwner,
    ActionStatus,
    AgreedAction,
    Conversation,
    ConversationMode,
)
from insights_lms.conversations.validation import ActionInput, ConversationInput, FocusInput
from insights_lms.enums import CohortRole
from insights_lms.ratings.models import CompetencyRating, RatingKind
from tests.conftest import csrf_token, login
from tests.factories import enrolled, make_cohort
from tests.factories import find_user as user
from tests.factories import participant_enrolment as enrolment_of

PRIVATE = "PRIVATE-NOTE: she may apply for the headship at Stepney"
SHARED = "We agreed to focus on trust after the restructure."


def competency(db, code: str) -> Competency:
    found = db.scalar(sa.select(Competency).where(Competency.code == code))
    assert found is not None
    return found


def days_ago(n: int) -> dt.date:
    return dt.date.today() - dt.timedelta(days=n)


def level_id(db, value: int) -> int:
    enrolment = enrolment_of(db, "participant1@example.org")
    levels = enrolment.cohort.programme.framework.scale.levels
    return next(lv.id for lv in levels if lv.value == value)


def new_url(db, email: str = "participant1@example.org") -> str:
    return f"/conversations/coachee/demo-cohort/{user(db, email).public_id}/new"


def form_data(db, page: str, **overrides: Any) -> dict[str, Any]:
    """A filled-in record form: L1.2 (rated 2, agreed 3) and L2.3 in focus, one action."""
    l12, l23 = competency(db, "L1.2"), competency(db, "L2.3")
    data: dict[str, Any] = {
        "csrf_token": csrf_token(page),
        "held_on": days_ago(1).isoformat(),
        "minutes": "45",
        "mode": "in_person",
        f"focus_{l12.id}": "y",
        f"coach_level_{l12.id}": str(level_id(db, 2)),
        f"agreed_level_{l12.id}": str(level_id(db, 3)),
        f"notes_{l12.id}": "Staff trust is growing.",
        f"focus_{l23.id}": "y",
        f"notes_{l23.id}": "SEND review next term.",
        "shared_notes": SHARED,
        "private_notes": PRIVATE,
        "action_1_description": "Run a 'you said, we did' briefing",
        "action_1_owner": "participant",
        "action_1_due": days_ago(-14).isoformat(),
        "action_1_competency": str(l12.id),
        "action_2_owner": "participant",
        "action_3_owner": "participant",
        "next_on": days_ago(-27).isoformat(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def record_via_form(client: FlaskClient, db, **overrides: Any) -> Any:
    page = client.get(new_url(db))
    assert page.status_code == 200
    return client.post(new_url(db), data=form_data(db, page.text, **overrides))


def conversations(db) -> list[Conversation]:
    db.expire_all()
    return list(db.scalars(sa.select(Conversation).order_by(Conversation.id)))


def recorded(db, **overrides: Any) -> Conversation:
    """A conversation recorded through the service (coach2 with participant1)."""
    enrolment = enrolment_of(db, "participant1@example.org")
    values: dict[str, Any] = {
        "held_on": days_ago(3),
        "minutes": 60,
        "mode": ConversationMode.ONLINE,
        "focus": [
            FocusInput(
                competency(db, "L1.2").id,
                "Trust notes",
                coach_level_id=level_id(db, 2),
                agreed_level_id=level_id(db, 3),
            ),
            FocusInput(competency(db, "L2.3").id),
        ],
        "shared_notes": SHARED,
        "private_notes": PRIVATE,
        "actions": [
            ActionInput("Write the SEND action plan", ActionOwner.PARTICIPANT, days_ago(-10)),
            ActionInput("Share the audit template", ActionOwner.COACH, days_ago(-5)),
        ],
        "next_on": days_ago(-25),
    }
    values.update(overrides)
    conversation = commands.record_conversation(
        db, enrolment, user(db, "coach2@example.org"), ConversationInput(**values)
    )
    db.commit()
    return conversation


@pytest.fixture
def conversation(db, demo) -> Conversation:
    return recorded(db)


# --- the coach records ----------------------------------------------------------------------


def test_the_record_form_is_labelled_and_prefilled_from_the_preparation(client, db, demo):
    enrolment = enrolment_of(db, "participant1@example.org")
    commands.save_preparation(
        db, enrolment, enrolment.user, "I want to talk about trust.", [competency(db, "L1.2").id]
    )
    db.commit()
    login(client, "coach2@example.org")
    page = client.get(new_url(db))
    assert page.status_code == 200
    html = page.text
    assert html.count("<h1>") == 1 and "Record a conversation with Amina Rahman" in html
    l12 = competency(db, "L1.2")
    assert f'<label for="focus_{l12.id}">In focus: L1.2 Building trust and culture</label>' in html
    assert f'<label for="coach_level_{l12.id}">Your rating of L1.2 (optional)</label>' in html
    assert f'<label for="agreed_level_{l12.id}">Level agreed for L1.2 (optional)</label>' in html
    assert '<label for="action_1_description">Action 1: what will be done</label>' in html
    assert '<label for="private_notes">Private notes</label>' in html
    assert "Amina Rahman\u2019s preparation" in html and "I want to talk about trust." in html
    assert re.search(rf'id="focus_{l12.id}"[^>]* checked|checked[^>]*id="focus_{l12.id}"', html)


def test_the_coach_records_and_each_role_sees_what_they_may(app, client, db, demo):
    login(client, "coach2@example.org")
    response = record_via_form(client, db)
    assert response.status_code == 302
    [conversation] = conversations(db)
    assert response.location.endswith(f"/conversations/{conversation.public_id}")
    page = client.get(response.location)
    assert "Saved your conversation with Amina Rahman" in page.text
    assert PRIVATE in page.text and "Your private notes" in page.text
    assert SHARED in page.text and "2 Developing" in page.text and "3 Established" in page.text
    assert "Run a &#39;you said, we did&#39; briefing" in page.text
    ratings = {r.kind: r for r in db.scalars(sa.select(CompetencyRating))}
    assert set(ratings) == {RatingKind.COACH, RatingKind.AGREED}
    assert conversation.focus[0].agreed_rating_id == ratings[RatingKind.AGREED].id

    participant = app.test_client()
    login(participant, "participant1@example.org")
    page = participant.get(f"/conversations/{conversation.public_id}")
    assert page.status_code == 200
    assert SHARED in page.text and "3 Established" in page.text
    assert "Run a &#39;you said, we did&#39; briefing" in page.text
    assert PRIVATE not in page.text and "private notes" not in page.text.lower()
    assert "Acknowledge this record" in page.text

    facilitator = app.test_client()
    login(facilitator, "facilitator@example.org")
    page = facilitator.get(f"/conversations/{conversation.public_id}")
    assert page.status_code == 200 and SHARED in page.text
    assert PRIVATE not in page.text and "Acknowledge this record" not in page.text


def test_nothing_in_focus_is_refused_and_what_was_typed_is_kept(client, db, demo):
    login(client, "coach2@example.org")
    l12, l23 = competency(db, "L1.2"), competency(db, "L2.3")
    response = record_via_form(
        client,
        db,
        **{
            f"focus_{l12.id}": None,
            f"focus_{l23.id}": None,
            f"coach_level_{l12.id}": None,
            f"agreed_level_{l12.id}": None,
            f"notes_{l12.id}": None,
            f"notes_{l23.id}": None,
        },
    )
    assert response.status_code == 400
    assert "Choose at least one competency in focus" in response.text
    assert PRIVATE in response.text and SHARED in response.text  # kept for the coach
    assert "Run a &#39;you said, we did&#39; briefing" in response.text
    assert conversations(db) == [] and db.scalar(sa.select(CompetencyRating.id)) is None


def test_a_level_for_a_competency_not_in_focus_is_refused(client, db, demo):
    login(client, "coach2@example.org")
    l12 = competency(db, "L1.2")
    response = record_via_form(client, db, **{f"focus_{l12.id}": None})
    assert response.status_code == 400
    assert "Tick “In focus” for L1.2 to record this level." in response.text
    assert conversations(db) == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"held_on": ""}, "Enter the date of the conversation."),
        ({"held_on": "31/02/2026"}, "Enter the date as a real date"),
        ({"held_on": days_ago(-2).isoformat()}, "cannot be in the future"),
        ({"minutes": "0"}, "in minutes (1 to 480)"),
        ({"mode": None}, "Choose in person or online."),
        ({"next_on": days_ago(5).isoformat()}, "The next conversation must be after this one"),
        ({"action_2_due": days_ago(-3).isoformat()}, "Say what action 2 is"),
    ],
)
def test_bad_input_is_refused_with_a_message(client, db, demo, overrides, message):
    login(client, "coach2@example.org")
    response = record_via_form(client, db, **overrides)
    assert response.status_code == 400
    assert message in response.text
    assert "There is a problem" in response.text and PRIVATE in response.text
    assert conversations(db) == []


def test_the_next_conversation_reviews_the_open_actions(client, db, conversation):
    plan, template = conversation.actions
    login(client, "coach2@example.org")
    page = client.get(new_url(db))
    assert "Actions from earlier conversations" in page.text
    assert "Write the SEND action plan" in page.text and "Share the audit template" in page.text
    response = client.post(
        new_url(db),
        data=form_data(
            db,
            page.text,
            **{
                f"review_{plan.id}": "done",
                f"review_{plan.id}_comment": "Plan agreed with the SENCo.",
                f"review_{template.id}": "dropped",
                f"review_{template.id}_comment": "",
            },
        ),
    )
    assert response.status_code == 400
    assert "Say why the action is dropped." in response.text
    response = client.post(
        new_url(db),
        data=form_data(
            db,
            page.text,
            **{
                f"review_{plan.id}": "done",
                f"review_{plan.id}_comment": "Plan agreed with the SENCo.",
                f"review_{template.id}": "open",
            },
        ),
    )
    assert response.status_code == 302
    db.expire_all()
    assert db.get(AgreedAction, plan.id).status == ActionStatus.DONE
    assert db.get(AgreedAction, template.id).status == ActionStatus.OPEN
    page = client.get(response.location)
    assert "Earlier actions reviewed" in page.text and "Plan agreed with the SENCo." in page.text


# --- the participant ---------------------------------------------------------------------------


def test_the_participant_lists_reads_and_acknowledges(client, db, conversation):
    login(client, "participant1@example.org")
    page = client.get("/conversations/")
    assert page.status_code == 200
    assert "Your coaching conversations" in page.text
    assert f"/conversations/{conversation.public_id}" in page.text
    assert "Please read and acknowledge" in page.text
    assert days_ago(-25).strftime("%-d %B %Y") in page.text  # the next conversation
    show = client.get(f"/conversations/{conversation.public_id}")
    response = client.post(
        f"/conversations/{conversation.public_id}/acknowledge",
        data={"csrf_token": csrf_token(show.text), "comment": "A fair record."},
    )
    assert response.status_code == 302
    page = client.get(response.location)
    assert "you have acknowledged the record" in page.text
    assert "A fair record." in page.text and "Acknowledge this record" not in page.text
    response = client.post(
        f"/conversations/{conversation.public_id}/acknowledge",
        data={"csrf_token": csrf_token(page.text), "comment": "Again"},
    )
    assert response.status_code == 302
    assert "You have already acknowledged this record." in client.get(response.location).text
    db.expire_all()
    assert db.get(Conversation, conversation.id).participant_comment == "A fair record."


def test_a_too_long_comment_is_refused_and_kept(client, db, conversation):
    login(client, "participant1@example.org")
    show = client.get(f"/conversations/{conversation.public_id}")
    comment = "Not quite. " * 400
    response = client.post(
        f"/conversations/{conversation.public_id}/acknowledge",
        data={"csrf_token": csrf_token(show.text), "comment": comment},
    )
    assert response.status_code == 400 and "Not quite. Not quite." in response.text
    db.expire_all()
    assert not db.get(Conversation, conversation.id).is_acknowledged


def test_the_participant_marks_their_own_action_done(client, db, conversation):
    plan, template = conversation.actions
    login(client, "participant1@example.org")
    page = client.get("/conversations/actions")
    assert page.status_code == 200
    assert "Write the SEND action plan" in page.text and "Share the audit template" in page.text
    assert f"/conversations/actions/{plan.public_id}/done" in page.text
    assert f"/conversations/actions/{template.public_id}/done" not in page.text  # the coach's
    response = client.post(
        f"/conversations/actions/{plan.public_id}/done", data={"csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 302
    page = client.get(response.location)
    assert "Marked “Write the SEND action plan” done." in page.text
    db.expire_all()
    assert db.get(AgreedAction, plan.id).status == ActionStatus.DONE
    response = client.post(
        f"/conversations/actions/{template.public_id}/done",
        data={"csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 403
    assert db.get(AgreedAction, template.id).status == ActionStatus.OPEN


def test_the_participant_prepares_and_the_coach_sees_it(app, client, db, demo):
    login(client, "participant1@example.org")
    page = client.get("/conversations/prepare")
    assert (
        page.status_code == 200 and "<legend>Competencies you want to discuss</legend>" in page.text
    )
    l12 = competency(db, "L1.2")
    response = client.post(
        "/conversations/prepare",
        data={"csrf_token": csrf_token(page.text), "reflection": "x" * 4001},
    )
    assert response.status_code == 400 and "Keep your reflection" in response.text
    response = client.post(
        "/conversations/prepare",
        data={
            "csrf_token": csrf_token(page.text),
            "competencies": [str(l12.id)],
            "reflection": "Trust after the restructure.",
        },
    )
    assert response.status_code == 302
    assert "Saved your preparation" in client.get(response.location).text
    page = client.get("/conversations/prepare")
    assert "Trust after the restructure." in page.text  # it can be changed until used
    coach = app.test_client()
    login(coach, "coach2@example.org")
    amina = user(db, "participant1@example.org")
    page = coach.get(f"/conversations/coachee/demo-cohort/{amina.public_id}")
    assert "Trust after the restructure." in page.text
    facilitator = app.test_client()
    login(facilitator, "facilitator@example.org")
    page = facilitator.get(f"/conversations/coachee/demo-cohort/{amina.public_id}")
    assert page.status_code == 200 and "Trust after the restructure." not in page.text


def test_a_participant_without_a_coach_is_told_so(client, db, demo):
    login(client, "participant6@example.org")
    assert "You do not have a coach yet" in client.get("/conversations/").text
    page = client.get("/conversations/prepare")
    response = client.post(
        "/conversations/prepare",
        data={"csrf_token": csrf_token(page.text), "reflection": "Hello"},
    )
    assert response.status_code == 400 and "You do not have a coach yet" in response.text


# --- correcting ------------------------------------------------------------------------------


def test_the_coach_corrects_until_the_participant_acknowledges(app, client, db, conversation):
    login(client, "coach2@example.org")
    url = f"/conversations/{conversation.public_id}/edit"
    page = client.get(url)
    assert page.status_code == 200 and PRIVATE in page.text and SHARED in page.text
    data = {
        "csrf_token": csrf_token(page.text),
        "held_on": conversation.held_on.isoformat(),
        "minutes": "40",
        "mode": "online",
        "shared_notes": "Corrected shared notes.",
        "private_notes": "Corrected private notes.",
        f"notes_{competency(db, 'L1.2').id}": "Corrected trust notes",
        f"notes_{competency(db, 'L2.3').id}": "",
        "next_on": "",
    }
    response = client.post(url, data={**data, "minutes": "999"})
    assert response.status_code == 400 and "Corrected private notes." in response.text
    response = client.post(url, data=data)
    assert response.status_code == 302
    page = client.get(response.location)
    assert "Corrected shared notes." in page.text and "Corrected private notes." in page.text
    assert "40 minutes" in page.text and "Corrected trust notes" in page.text
    participant = app.test_client()
    login(participant, "participant1@example.org")
    assert participant.get(url).status_code == 403
    commands.acknowledge_conversation(
        db, db.get(Conversation, conversation.id), user(db, "participant1@example.org")
    )
    db.commit()
    response = client.get(url)
    assert response.status_code == 302
    assert "can no longer be corrected" in client.get(response.location).text
    response = client.post(url, data=data)
    assert response.status_code == 302


# --- the coach's and facilitator's pages ------------------------------------------------------


def test_coachees_at_a_glance_show_last_and_next_conversation_and_open_actions(client, db, demo):
    recorded(db, held_on=days_ago(40), next_on=days_ago(12))
    conversation = recorded(
        db,
        held_on=days_ago(12),
        actions=[
            ActionInput("Observe two lessons", ActionOwner.PARTICIPANT, days_ago(2)),
            ActionInput("Share the audit template", ActionOwner.COACH, days_ago(-5)),
        ],
    )
    login(client, "coach2@example.org")
    page = client.get("/coaching/")
    assert "Last and next conversation" in page.text
    assert f"Last: {days_ago(12).strftime('%a %-d %b %Y')}" in re.sub(r"<[^>]+>", "", page.text)
    assert days_ago(-25).strftime("%-d %b %Y") in page.text
    cell = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.text))
    assert "4, overdue: Observe two lessons, due" in cell  # two from each conversation
    assert "Share the audit template" not in page.text  # not overdue: on the coachee's page
    amina = user(db, "participant1@example.org")
    page = client.get(f"/coaching/demo-cohort/{amina.public_id}")
    assert "Record a conversation" in page.text
    assert "Share the audit template" in page.text and "overdue" in page.text
    assert f"/conversations/coachee/demo-cohort/{amina.public_id}" in page.text
    page = client.get(f"/conversations/coachee/demo-cohort/{amina.public_id}")
    assert page.status_code == 200 and "Amina Rahman\u2019s conversations" in page.text
    assert f"/conversations/{conversation.public_id}" in page.text
    assert PRIVATE not in page.text


def test_the_coach_marks_an_action_done_from_the_coachee_page(client, db, conversation):
    template = conversation.actions[1]
    login(client, "coach2@example.org")
    amina = user(db, "participant1@example.org")
    page = client.get(f"/conversations/coachee/demo-cohort/{amina.public_id}")
    response = client.post(
        f"/conversations/actions/{template.public_id}/done",
        data={"csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 302
    assert response.location.endswith(f"/conversations/coachee/demo-cohort/{amina.public_id}")
    db.expire_all()
    assert db.get(AgreedAction, template.id).status == ActionStatus.DONE


def test_the_facilitator_reads_but_does_not_record_or_mark(client, db, conversation):
    login(client, "facilitator@example.org")
    amina = user(db, "participant1@example.org")
    page = client.get(f"/conversations/coachee/demo-cohort/{amina.public_id}")
    assert page.status_code == 200 and "Record a conversation" not in page.text
    assert "Mark done" not in page.text
    assert client.get(new_url(db)).status_code == 403
    response = client.post(
        f"/conversations/actions/{conversation.actions[0].public_id}/done",
        data={"csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 403
    assert client.get(f"/conversations/{conversation.public_id}/edit").status_code == 403


# --- access ------------------------------------------------------------------------------------


def other_facilitator(db, demo) -> str:
    other = make_cohort(db, demo.programme)
    enrolled(
        db, other, CohortRole.FACILITATOR, email="elsewhere@example.org", password="long enough pw"
    )
    db.commit()
    return "elsewhere@example.org"


@pytest.mark.parametrize("who", ["coach1", "participant2", "other-facilitator"])
def test_every_route_is_404_for_people_with_no_business_there(app, db, conversation, who):
    demo = conversation.enrolment.cohort
    client = app.test_client()
    if who == "other-facilitator":
        login(client, other_facilitator(db, demo), "long enough pw")
    else:
        login(client, f"{who}@example.org")
    token = csrf_token(client.get("/").text)
    amina = user(db, "participant1@example.org")
    coachee = f"/conversations/coachee/demo-cohort/{amina.public_id}"
    action = conversation.actions[0]
    for url in (
        f"/conversations/{conversation.public_id}",
        f"/conversations/{conversation.public_id}/edit",
        coachee,
        f"{coachee}/new",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert PRIVATE not in response.text
    for url in (
        f"/conversations/{conversation.public_id}/acknowledge",
        f"/conversations/{conversation.public_id}/edit",
        f"{coachee}/new",
        f"/conversations/actions/{action.public_id}/done",
    ):
        response = client.post(url, data={"csrf_token": token, "comment": "x", "minutes": "5"})
        assert response.status_code == 404, url
    db.expire_all()
    assert not db.get(Conversation, conversation.id).is_acknowledged
    assert db.get(AgreedAction, action.id).status == ActionStatus.OPEN
    assert len(conversations(db)) == 1


def test_the_participant_cannot_use_the_coach_pages_about_themself(client, db, conversation):
    login(client, "participant1@example.org")
    amina = user(db, "participant1@example.org")
    coachee = f"/conversations/coachee/demo-cohort/{amina.public_id}"
    assert client.get(coachee).status_code == 404
    assert client.get(f"{coachee}/new").status_code == 404
    assert client.get(f"/conversations/{conversation.public_id}/edit").status_code == 403


def test_participant_pages_are_404_for_non_participants(app, client, db, demo):
    login(client, "coach2@example.org")
    for url in ("/conversations/", "/conversations/actions", "/conversations/prepare"):
        assert client.get(url).status_code == 404, url
    client = app.test_client()
    login(client, "participant1@example.org")
    assert client.get("/conversations/?cohort=not-my-cohort").status_code == 404


def test_state_changes_need_a_csrf_token(client, db, conversation):
    login(client, "participant1@example.org")
    response = client.post(f"/conversations/{conversation.public_id}/acknowledge", data={})
    assert response.status_code == 400
    db.expire_all()
    assert not db.get(Conversation, conversation.id).is_acknowledged


def crawl(client: FlaskClient, starts: list[str], limit: int = 200) -> dict[str, str]:
    """Every page reachable by following links from ``starts`` (GET only, this app only)."""
    seen: dict[str, str] = {}
    queue = deque(starts)
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        if urlsplit(url).path.endswith(".pdf"):
            # PDFs (portfolios, the cohort report) are read with pypdf by their own tests
            # below; rendering each of them here would only make this crawl slow.
            seen[url] = ""
            continue
        response = client.get(url)
        textual = response.mimetype.startswith("text/") or response.mimetype.endswith("json")
        ok = response.status_code < 400 and textual
        seen[url] = response.get_data(as_text=True) if ok else ""
        response.close()  # downloads are streamed from files
        if response.status_code in (301, 302, 303) and response.location:
            queue.append(urlsplit(response.location).path or "/")
            continue
        if not response.mimetype.startswith("text/html"):
            continue
        for href in re.findall(r'href="([^"#]*)', seen[url]):
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if parts.path.startswith("/static") or parts.path in seen:
                continue
            queue.append(href.replace("&amp;", "&"))
    return seen


@pytest.mark.parametrize("email", ["participant1@example.org", "facilitator@example.org"])
def test_private_notes_are_in_no_page_the_participant_or_facilitator_can_reach(
    client, db, conversation, email
):
    commands.save_preparation(
        db, conversation.enrolment, conversation.participant, "Prep for next time", []
    )
    db.commit()
    login(client, email)
    amina = conversation.participant.public_id
    # From the home page, the conversations pages and the coaching pages (whichever the
    # navigation links to), following every link.
    starts = ["/", "/conversations/", "/conversations/actions", "/conversations/prepare"]
    starts += ["/coaching/", f"/conversations/coachee/demo-cohort/{amina}"]
    pages = crawl(client, starts)
    assert pages[f"/conversations/{conversation.public_id}"]  # reached, and shown
    assert len([text for text in pages.values() if text]) > 10
    for url, text in pages.items():
        assert PRIVATE not in text, url
        assert "PRIVATE-NOTE" not in text, url


def pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize(
    "email", ["participant1@example.org", "coach2@example.org", "facilitator@example.org"]
)
def test_the_portfolio_carries_the_shared_record_and_never_private_notes(
    client, db, conversation, email
):
    login(client, email)
    amina = conversation.participant.public_id
    response = client.get(f"/portfolio/demo-cohort/{amina}/portfolio.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = re.sub(r"\s+", " ", pdf_text(response.get_data()))
    assert "Developmental conversations" in text
    assert "focus on trust after the restructure" in text  # the shared notes
    assert "headship" not in text and "PRIVATE-NOTE" not in text  # not even for the coach


def test_the_cohort_reports_never_carry_private_notes(client, db, conversation):
    login(client, "facilitator@example.org")
    csv = client.get("/portfolio/demo-cohort/report.csv")
    assert csv.status_code == 200 and "headship" not in csv.get_data(as_text=True)
    report = client.get("/portfolio/demo-cohort/report.pdf")
    assert report.status_code == 200
    assert "headship" not in pdf_text(report.get_data())
