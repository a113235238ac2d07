"""Enrolling from CSV through the web: dry run, fix, import, one-time links; and access."""

from __future__ import annotations

import html
import io
import re

import sqlalchemy as sa

from insights_lms.auth.models import User
from insights_lms.enums import CohortRole
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD, enrolled, make_cohort

HEADER = "name,email,school,phase,role_in_school,cohort_role\n"
BAD = (
    HEADER
    + "Zoë Brontë,zoe@school.example,Bow Primary,primary,Head,participant\nOmar Khan,omar(at)school,Mile End,secondary,Deputy,participant\n"
)
FIXED = BAD.replace("omar(at)school", "omar@school.example")


def upload(client, cohort_code: str, text: str, encoding: str = "utf-8"):
    page = client.get(f"/cohorts/{cohort_code}/import")
    return client.post(
        f"/cohorts/{cohort_code}/import",
        data={
            "csrf_token": csrf_token(page.text),
            "file": (io.BytesIO(text.encode(encoding)), "people.csv"),
        },
        content_type="multipart/form-data",
    )


def confirm(client, cohort_code: str, preview_html: str, mode: str):
    text = re.search(r'name="csv_text" type="hidden" value="([^"]*)"', preview_html)
    assert text, "the preview carries the checked file"
    return client.post(
        f"/cohorts/{cohort_code}/import/confirm",
        data={
            "csrf_token": csrf_token(preview_html),
            "csv_text": html.unescape(text.group(1)),
            "mode": mode,
        },
    )


def test_facilitator_fixes_a_bad_row_then_imports_and_new_people_set_passwords(client, db, demo):
    login(client, "facilitator@example.org")
    assert "Enrol people from a CSV file" in client.get(f"/cohorts/{demo.code}").text
    preview = upload(client, demo.code, BAD)
    assert preview.status_code == 200
    assert "1 row has problems" in preview.text
    assert "Line 3 (Omar Khan)" in preview.text
    assert "is not a valid email address" in preview.text
    assert "Import the 1 good row and skip 1" in preview.text
    assert db.scalar(sa.select(User).where(User.email == "zoe@school.example")) is None

    fixed = upload(client, demo.code, FIXED, "cp1252")
    assert "Windows-1252" in fixed.text
    assert "problems" not in fixed.text
    assert "Import 2 rows" in fixed.text
    done = confirm(client, demo.code, fixed.text, "all")
    assert done.status_code == 200
    assert "2 enrolled (2 new accounts)" in done.text
    links = re.findall(r"http://localhost/welcome/[\w-]+", done.text)
    assert len(links) == 2
    board = client.get(f"/cohorts/{demo.code}/dashboard").text
    assert "Zoë Brontë" in board and "Omar Khan" in board

    again = confirm(client, demo.code, upload(client, demo.code, FIXED).text, "all")
    assert "0 enrolled (0 new accounts)" in again.text
    assert "2 already enrolled: unchanged" in again.text

    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})
    path = links[0].removeprefix("http://localhost")
    welcome = client.get(path)
    assert welcome.status_code == 200
    assert welcome.headers["Referrer-Policy"] == "no-referrer"
    mismatch = client.post(
        path,
        data={
            "csrf_token": csrf_token(welcome.text),
            "password": "a long passphrase",
            "confirm": "other",
        },
    )
    assert mismatch.status_code == 400 and "not the same" in mismatch.text
    home = client.post(
        path,
        data={
            "csrf_token": csrf_token(welcome.text),
            "password": "a long passphrase",
            "confirm": "a long passphrase",
        },
        follow_redirects=True,
    )
    assert "your password is set" in home.text
    assert client.get(path).status_code == 404  # used once


def test_a_file_that_is_not_csv_is_refused_with_a_reason(client, demo):
    login(client, "facilitator@example.org")
    response = upload(client, demo.code, "just some words\n")
    assert response.status_code == 400
    assert "missing: name, email, cohort_role" in response.text


def test_only_the_cohorts_facilitators_may_import(client, db, demo):
    other = make_cohort(db, demo.programme)
    outsider = enrolled(db, other, CohortRole.FACILITATOR)
    db.commit()
    assert client.get(f"/cohorts/{demo.code}/import").status_code == 302
    login(client, "participant1@example.org")
    assert client.get(f"/cohorts/{demo.code}/import").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})
    login(client, outsider.email, PASSWORD)
    assert client.get(f"/cohorts/{demo.code}/import").status_code == 404
    assert client.get(f"/cohorts/{demo.code}/import/sample.csv").status_code == 404
    response = client.post(
        f"/cohorts/{demo.code}/import/confirm",
        data={"csrf_token": csrf_token(client.get("/").text), "csv_text": FIXED, "mode": "all"},
    )
    assert response.status_code == 404
    assert db.scalar(sa.select(User).where(User.email == "zoe@school.example")) is None


def test_importing_needs_a_csrf_token(client, db, demo):
    login(client, "facilitator@example.org")
    response = client.post(
        f"/cohorts/{demo.code}/import/confirm", data={"csv_text": FIXED, "mode": "all"}
    )
    assert response.status_code == 400
    assert db.scalar(sa.select(User).where(User.email == "zoe@school.example")) is None


def test_the_sample_file_imports_cleanly(client, db, demo):
    login(client, "facilitator@example.org")
    sample = client.get(f"/cohorts/{demo.code}/import/sample.csv")
    assert sample.mimetype == "text/csv"
    preview = upload(client, demo.code, sample.text)
    assert "Import 2 rows" in preview.text
