"""Registers (facilitators) and completing a module with a reflection (participants), through
the Flask client with real CSRF tokens."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa
from flask import render_template_string

from insights_lms.attendance.models import Attendance, AttendanceStatus, ModuleCompletion
from insights_lms.attendance.services import (
    complete_module,
    participant_module_records,
    record_attendance,
)
from insights_lms.auth.models import User
from insights_lms.cohorts.models import Cohort, CohortModule
from insights_lms.enums import CohortRole
from tests.conftest import csrf_token, login
from tests.factories import enrolled, make_cohort

PROGRAMME = "insights-2026"
PAST, FUTURE = "M1", "M4"
REGISTER = f"/cohorts/demo-cohort/sessions/{PAST}/register"
FUTURE_REGISTER = f"/cohorts/demo-cohort/sessions/{FUTURE}/register"
REGISTERS = "/cohorts/demo-cohort/registers"
COMPLETE = f"/programmes/{PROGRAMME}/modules/{PAST}/complete"
FUTURE_COMPLETE = f"/programmes/{PROGRAMME}/modules/{FUTURE}/complete"
MODULE_PAGE = f"/programmes/{PROGRAMME}/modules/{PAST}"
OTHER_PASSWORD = "a long password"


def text(response) -> str:
    return html.unescape(response.text)


def person(db, email: str) -> User:
    return db.scalar(sa.select(User).where(User.email == email))


def session_of(db, module_code: str) -> CohortModule:
    cohort = db.scalar(sa.select(Cohort).where(Cohort.code == "demo-cohort"))
    return next(cm for cm in cohort.cohort_modules if cm.module.code == module_code)


def token(client, url: str = "/") -> str:
    return csrf_token(client.get(url).text)


def switch_to(client, email: str, password: str = "insights-demo") -> None:
    client.post("/logout", data={"csrf_token": token(client)})
    login(client, email, password)


def textarea(html_text: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html_text, re.S)
    assert match, f"no textarea {name}"
    return html.unescape(match.group(1)).strip()


def completions(db) -> list[ModuleCompletion]:
    db.expire_all()
    return list(db.scalars(sa.select(ModuleCompletion)))


def attendances(db) -> dict[str, Attendance]:
    db.expire_all()
    return {a.participant.email: a for a in db.scalars(sa.select(Attendance))}


@pytest.fixture
def past_title(db, demo) -> str:
    return session_of(db, PAST).module.title


@pytest.fixture
def future_title(db, demo) -> str:
    return session_of(db, FUTURE).module.title


@pytest.fixture
def other_facilitator(db, demo) -> User:
    other = make_cohort(db, demo.programme, code="other-cohort")
    user = enrolled(
        db, other, CohortRole.FACILITATOR, email="other.fac@school.example", password=OTHER_PASSWORD
    )
    db.commit()
    return user


# --- the register -------------------------------------------------------------------------


def test_register_has_a_labelled_radio_group_and_note_per_participant(client, db, demo, past_title):
    login(client, "facilitator@example.org")
    response = client.get(REGISTER)
    assert response.status_code == 200
    page = text(response)
    assert f"<h1>Register: {past_title}</h1>" in page
    participants = demo.members(CohortRole.PARTICIPANT)
    assert page.count("<fieldset") == len(participants) == 6
    for p in participants:
        assert re.search(rf"<legend[^>]*>{p.name}</legend>", page)
        assert f'<label class="visually-hidden" for="note_{p.id}">Note for {p.name}</label>' in page
        for value, label in (("present", "Present"), ("late", "Late"), ("absent", "Absent")):
            match = re.search(
                rf'<input id="(status_{p.id}-\d)" name="status_{p.id}" type="radio" '
                rf'value="{value}">',
                page,
            )
            assert match, f"no {value} radio for {p.name}"
            assert f'<label for="{match.group(1)}">{label}</label>' in page
    assert "checked" not in page  # nothing marked yet
    assert '<button type="submit" class="button">Save the register</button>' in page


def test_facilitator_saves_marks_and_sees_them_when_coming_back(client, db, demo, past_title):
    amina, tom = person(db, "participant1@example.org"), person(db, "participant2@example.org")
    priya = person(db, "participant3@example.org")
    login(client, "facilitator@example.org")
    data = {
        "csrf_token": token(client, REGISTER),
        f"status_{amina.id}": "present",
        f"status_{tom.id}": "late",
        f"note_{tom.id}": "Arrived after the keynote",
        f"status_{priya.id}": "apologies",
        f"note_{priya.id}": "Ofsted",
    }
    response = client.post(REGISTER, data=data)
    assert response.status_code == 302 and response.location.endswith(REGISTER)
    page = text(client.get(REGISTER))
    assert f"Register saved for {past_title}: 2 present (1 late)." in page
    assert re.search(rf'name="status_{amina.id}" type="radio" value="present"', page)
    assert re.search(
        rf'checked id="status_{tom.id}-\d" name="status_{tom.id}" type="radio" value="late"', page
    )
    assert 'value="Arrived after the keynote"' in page
    assert "by Farah Begum" in page
    saved = attendances(db)
    assert {e: a.status for e, a in saved.items()} == {
        "participant1@example.org": AttendanceStatus.PRESENT,
        "participant2@example.org": AttendanceStatus.LATE,
        "participant3@example.org": AttendanceStatus.APOLOGIES,
    }
    # The facilitator corrects a mark: the same row changes.
    data[f"status_{priya.id}"] = "present"
    data[f"note_{priya.id}"] = ""
    client.post(REGISTER, data={**data, "csrf_token": token(client, REGISTER)})
    assert "3 present (1 late)." in text(client.get(REGISTER))
    assert attendances(db)["participant3@example.org"].status == AttendanceStatus.PRESENT
    assert len(attendances(db)) == 3


def test_registers_list_shows_counts_and_links_only_for_held_sessions(client, db, demo, past_title):
    facilitator = person(db, "facilitator@example.org")
    amina, tom = person(db, "participant1@example.org"), person(db, "participant2@example.org")
    cm = session_of(db, PAST)
    record_attendance(db, cm, {amina.id: ("present", ""), tom.id: ("late", "")}, facilitator)
    complete_module(db, cm, amina, "Learned", "Trial")
    db.commit()
    login(client, "facilitator@example.org")
    page = text(client.get(REGISTERS))
    assert "<h1>Registers: Insights demo cohort</h1>" in page
    row = re.search(rf"<th scope=\"row\">1\. {past_title}</th>(.*?)</tr>", page, re.S).group(1)
    assert "<td>2 of 6</td><td>1 of 6</td>" in row.replace("\n", "").replace("      ", "")
    assert f'href="{REGISTER}"' in page
    assert f'href="{FUTURE_REGISTER}"' not in page
    assert page.count(">Register<span") == 4  # modules 0-3 have been held


def test_bad_register_input_is_refused_with_the_input_kept(client, db, demo):
    amina, tom = person(db, "participant1@example.org"), person(db, "participant2@example.org")
    login(client, "facilitator@example.org")
    response = client.post(
        REGISTER,
        data={
            "csrf_token": token(client, REGISTER),
            f"status_{amina.id}": "present",
            f"note_{tom.id}": "Phoned in sick",
        },
    )
    assert response.status_code == 400
    page = text(response)
    assert "The register was not saved" in page
    assert "Choose a status for Tom Hughes to save this note." in page
    assert 'value="Phoned in sick"' in page
    assert re.search(rf'checked id="status_{amina.id}-\d"', page)

    for data in (
        {f"status_{amina.id}": "asleep"},
        {f"status_{amina.id}": "present", f"note_{amina.id}": "x" * 201},
        {},
    ):
        response = client.post(REGISTER, data={"csrf_token": token(client, REGISTER), **data})
        assert response.status_code == 400
    assert "Mark at least one participant before saving the register." in text(response)
    assert attendances(db) == {}


def test_register_for_a_future_session_is_not_open(client, db, demo, future_title):
    amina = person(db, "participant1@example.org")
    login(client, "facilitator@example.org")
    page = text(client.get(FUTURE_REGISTER))
    assert "The register is not open yet" in page
    assert (
        f"{future_title} has not happened yet. Its register opens when the session starts" in page
    )
    assert "<fieldset" not in page
    response = client.post(
        FUTURE_REGISTER, data={"csrf_token": token(client), f"status_{amina.id}": "present"}
    )
    assert response.status_code == 400
    assert f"{future_title} has not happened yet: its register opens when" in text(response)
    assert attendances(db) == {}


def test_registers_are_for_the_cohorts_facilitators_only(client, db, demo, other_facilitator):
    amina = person(db, "participant1@example.org")
    login(client, "other.fac@school.example", OTHER_PASSWORD)
    for url in (REGISTER, REGISTERS):
        response = client.get(url)
        assert response.status_code == 403
        assert "You cannot see this page" in response.text
    post = {"csrf_token": token(client), f"status_{amina.id}": "absent"}
    assert client.post(REGISTER, data=post).status_code == 403
    for email in ("participant1@example.org", "coach1@example.org"):
        switch_to(client, email)
        for url in (REGISTER, REGISTERS):
            assert client.get(url).status_code == 403
        post = {"csrf_token": token(client), f"status_{amina.id}": "present"}
        assert client.post(REGISTER, data=post).status_code == 403
    assert attendances(db) == {}


def test_unknown_cohort_or_module_is_404(client, demo):
    login(client, "facilitator@example.org")
    for url in (
        "/cohorts/demo-cohort/sessions/NOPE/register",
        "/cohorts/no-such-cohort/sessions/M1/register",
        "/cohorts/no-such-cohort/registers",
    ):
        assert client.get(url).status_code == 404


# --- completing a module ------------------------------------------------------------------


def test_participant_completes_a_module_with_a_reflection(client, db, demo, past_title):
    login(client, "participant1@example.org")
    response = client.get(COMPLETE)
    assert response.status_code == 200
    page = text(response)
    assert f"<h1>Record {past_title} as completed</h1>" in page
    assert '<label for="learned">What I learned</label>' in page
    assert '<label for="will_trial">What I will trial back in school</label>' in page
    assert "Your attendance: Not recorded" in page
    assert ">Record as completed</button>" in page
    response = client.post(
        COMPLETE,
        data={
            "csrf_token": csrf_token(page),
            "learned": "Name the dilemma\r\nbefore deciding.",
            "will_trial": "A decision log for SLT.",
        },
    )
    assert response.status_code == 302 and response.location.endswith(MODULE_PAGE)
    assert f"{past_title} is recorded as completed, with your reflection." in text(
        client.get(MODULE_PAGE)
    )
    [done] = completions(db)
    assert done.participant.email == "participant1@example.org"
    assert (done.learned, done.will_trial) == (
        "Name the dilemma\nbefore deciding.",
        "A decision log for SLT.",
    )

    # Coming back: the reflection is there to edit.
    page = text(client.get(COMPLETE))
    assert f"<h1>Your reflection on {past_title}</h1>" in page
    assert textarea(page, "learned") == "Name the dilemma\nbefore deciding."
    assert textarea(page, "will_trial") == "A decision log for SLT."
    assert ">Update my reflection</button>" in page
    client.post(
        COMPLETE,
        data={"csrf_token": token(client, COMPLETE), "learned": "Revised", "will_trial": "Log"},
    )
    assert f"Your reflection on {past_title} is updated." in text(client.get(MODULE_PAGE))
    [again] = completions(db)
    assert (again.id, again.learned, again.completed_dt) == (done.id, "Revised", done.completed_dt)


def test_completion_shows_the_participants_attendance(client, db, demo):
    amina = person(db, "participant1@example.org")
    record_attendance(
        db, session_of(db, PAST), {amina.id: ("late", "")}, person(db, "facilitator@example.org")
    )
    db.commit()
    login(client, "participant1@example.org")
    assert "Your attendance: Attended (late)" in text(client.get(COMPLETE))


@pytest.mark.parametrize(
    ("empty", "kept", "message"),
    [
        ("learned", "will_trial", "Write what you learned."),
        ("will_trial", "learned", "Write what you will trial back in school."),
    ],
)
def test_an_empty_answer_is_refused_and_the_other_is_kept(client, db, demo, empty, kept, message):
    login(client, "participant1@example.org")
    response = client.post(
        COMPLETE,
        data={"csrf_token": token(client, COMPLETE), empty: "   ", kept: "Kept <text> & all"},
    )
    assert response.status_code == 400
    page = text(response)
    assert "There is a problem" in page
    assert page.count(message) == 2  # in the summary and by the field
    assert f'<a href="#{empty}">{message}</a>' in page
    assert textarea(page, kept) == "Kept <text> & all"
    assert "Kept &lt;text&gt; &amp; all" in response.text  # escaped, never markup
    assert completions(db) == []


def test_an_over_long_answer_is_refused(client, db, demo):
    login(client, "participant1@example.org")
    response = client.post(
        COMPLETE,
        data={"csrf_token": token(client, COMPLETE), "learned": "x" * 4001, "will_trial": "T"},
    )
    assert response.status_code == 400
    assert "Keep what you learned to 4000 characters or fewer." in text(response)
    assert completions(db) == []


def test_a_module_cannot_be_completed_before_it_happens(client, db, demo, future_title):
    login(client, "participant1@example.org")
    page = text(client.get(FUTURE_COMPLETE))
    assert "This module has not happened yet" in page
    assert "<textarea" not in page
    response = client.post(
        FUTURE_COMPLETE,
        data={"csrf_token": token(client), "learned": "Too soon", "will_trial": "Too soon"},
    )
    assert response.status_code == 400
    assert (
        f"{future_title} has not happened yet: you can record it as completed once the session "
        "has started" in text(response)
    )
    assert completions(db) == []


def test_participants_only_ever_see_and_change_their_own_reflection(client, db, demo, past_title):
    amina = person(db, "participant1@example.org")
    secret = "Amina's private reflection on trust"
    complete_module(db, session_of(db, PAST), amina, secret, "Amina's trial")
    db.commit()

    login(client, "participant2@example.org")
    # There is no URL with another user's id: the page is always the signed-in user's own.
    for url in (
        COMPLETE,
        f"{COMPLETE}?cohort=demo-cohort",
        f"{COMPLETE}?user={amina.id}",
        f"{COMPLETE}?participant={amina.id}",
    ):
        response = client.get(url)
        assert response.status_code == 200
        page = text(response)
        assert f"<h1>Record {past_title} as completed</h1>" in page
        assert secret not in page and "Amina's trial" not in page
        assert textarea(page, "learned") == ""
    for url in ("/", MODULE_PAGE):
        assert secret not in text(client.get(url))

    # Tom's own completion is his; Amina's stays as she wrote it.
    client.post(
        f"{COMPLETE}?participant={amina.id}",
        data={
            "csrf_token": token(client, COMPLETE),
            "learned": "Tom's learning",
            "will_trial": "Tom's trial",
            "participant_id": str(amina.id),
        },
    )
    by_owner = {c.participant.email: c.learned for c in completions(db)}
    assert by_owner == {
        "participant1@example.org": secret,
        "participant2@example.org": "Tom's learning",
    }

    # And the facilitator's pages show attendance and counts, not reflections.
    switch_to(client, "facilitator@example.org")
    for url in (REGISTER, REGISTERS):
        assert secret not in text(client.get(url))


def test_coaches_facilitators_and_other_cohorts_cannot_complete(
    client, db, demo, other_facilitator
):
    for email in ("coach1@example.org", "facilitator@example.org"):
        login(client, email)
        assert client.get(COMPLETE).status_code == 403
        data = {"csrf_token": token(client), "learned": "L", "will_trial": "T"}
        assert client.post(COMPLETE, data=data).status_code == 403
        client.post("/logout", data={"csrf_token": token(client)})
    login(client, "participant1@example.org")
    assert client.get(f"{COMPLETE}?cohort=other-cohort").status_code == 403
    assert client.get(f"{COMPLETE}?cohort=no-such-cohort").status_code == 404
    assert client.get(f"/programmes/{PROGRAMME}/modules/NOPE/complete").status_code == 404
    assert client.get("/programmes/no-such-programme/modules/M1/complete").status_code == 404
    assert completions(db) == []


def test_forms_without_a_csrf_token_change_nothing(client, db, demo):
    amina = person(db, "participant1@example.org")
    login(client, "participant1@example.org")
    response = client.post(COMPLETE, data={"learned": "L", "will_trial": "T"})
    assert response.status_code == 400
    assert "That form has expired" in response.text
    switch_to(client, "facilitator@example.org")
    response = client.post(REGISTER, data={f"status_{amina.id}": "present"})
    assert response.status_code == 400
    assert completions(db) == [] and attendances(db) == {}


def test_signed_out_visitors_are_sent_to_sign_in(client, demo):
    for url in (REGISTER, REGISTERS, COMPLETE):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login?next=" in response.location


# --- the partial for the participant's home page -----------------------------------------

RECORD_TEMPLATE = (
    '{% from "lms/attendance/_module_record.html" import module_record %}'
    "{% for r in records %}<section>{{ module_record(r, tz) }}</section>{% endfor %}"
)


def test_module_record_partial_shows_attendance_and_reflection_or_a_link(app, db, demo):
    amina = person(db, "participant1@example.org")
    facilitator = person(db, "facilitator@example.org")
    s = sorted(demo.cohort_modules, key=lambda cm: cm.module.sequence)
    record_attendance(db, s[0], {amina.id: ("present", "")}, facilitator)
    record_attendance(db, s[1], {amina.id: ("apologies", "")}, facilitator)
    complete_module(db, s[0], amina, "Line one\nLine two\n\nWhy <b>purpose</b>", "Assemblies")
    db.commit()
    records = participant_module_records(db, amina, demo)
    with app.test_request_context("/"):
        rendered = render_template_string(
            RECORD_TEMPLATE, records=[records[cm.id] for cm in s], tz="Europe/London"
        )
    parts = rendered.split("<section>")[1:]
    held, apologies, unmarked, future = parts[0], parts[1], parts[3], parts[4]
    assert "Attendance: <strong" in held and ">Attended</strong>" in held
    assert "<dt>What I learned</dt>" in held and "<dt>What I will trial back in school</dt>" in held
    assert "<p>Line one<br>Line two</p><p>Why &lt;b&gt;purpose&lt;/b&gt;</p>" in held
    assert (
        f'href="/programmes/{PROGRAMME}/modules/M0/complete?cohort=demo-cohort">Edit my reflection'
        in held
    )
    assert ">Apologies</strong>" in apologies and "Record it as completed" in apologies
    assert (
        f'href="/programmes/{PROGRAMME}/modules/M1/complete?cohort=demo-cohort">Record it as'
        in apologies
    )
    assert ">Not recorded</strong>" in unmarked
    assert future.strip() == "</section>"  # nothing for a session that has not happened
