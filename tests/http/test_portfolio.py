"""Portfolios and cohort reports through the web: who may download what (404 for everyone
else), the download options and their errors, and what comes back."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pypdf
import pytest
import sqlalchemy as sa

from insights_lms.cohorts.models import Cohort
from insights_lms.competencies.models import Competency
from insights_lms.demo import build_demo
from insights_lms.enums import CohortRole
from insights_lms.portfolio import sections
from insights_lms.storage import FilesystemStorage, Uploads
from tests.conftest import login
from tests.factories import PASSWORD, enrolled, find_user, make_cohort

AMINA = "participant1@example.org"
AMINAS_COACH = "coach2@example.org"
OTHER_COACH = "coach1@example.org"
FACILITATOR = "facilitator@example.org"
OTHER_PARTICIPANT = "participant2@example.org"
OTHER_FACILITATOR = "other-facilitator@school.example"


@pytest.fixture
def cohort(app, db, content, monkeypatch) -> Cohort:
    monkeypatch.setattr(sections, "PROVIDERS", {})
    storage = FilesystemStorage(Path(app.config["INSIGHTS_UPLOAD_DIR"]))
    found, _ = build_demo(db, activity=True, uploads=Uploads(storage))
    other = make_cohort(db, found.programme, code="other-cohort", title="Other cohort")
    enrolled(db, other, CohortRole.FACILITATOR, email=OTHER_FACILITATOR)
    db.commit()
    return found


def sign_in(app, email: str):
    client = app.test_client()
    password = PASSWORD if email == OTHER_FACILITATOR else "insights-demo"
    assert login(client, email, password).status_code == 200
    return client


def urls(db, cohort: Cohort, email: str = AMINA) -> dict[str, str]:
    person = find_user(db, email)
    base = f"/portfolio/{cohort.code}/{person.public_id}"
    return {"options": f"{base}/", "pdf": f"{base}/portfolio.pdf"}


def report_urls(cohort: Cohort) -> list[str]:
    return [
        f"/portfolio/{cohort.code}/",
        f"/portfolio/{cohort.code}/report.pdf",
        f"/portfolio/{cohort.code}/report.csv",
    ]


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_signing_in_is_required(app, db, cohort):
    client = app.test_client()
    for url in [*urls(db, cohort).values(), *report_urls(cohort), "/portfolio/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location, url


def test_the_participant_downloads_their_own_portfolio(app, db, cohort):
    client = sign_in(app, AMINA)
    index = client.get("/portfolio/").text
    assert "Download your progress portfolio" in index
    assert urls(db, cohort)["options"] in index
    page = client.get(urls(db, cohort)["options"])
    assert page.status_code == 200
    assert "<h1>Your progress portfolio</h1>" in page.text
    assert '<label for="date_from">From</label>' in page.text
    assert '<label for="attachments">' in page.text
    assert page.text.count('type="checkbox" id="competency-') == 10
    assert page.text.count(" checked>") == 10  # every competency, to begin with
    response = client.get(urls(db, cohort)["pdf"])
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=demo-cohort-")
    assert "no-store" in response.headers["Cache-Control"]
    text = pdf_text(response.data)
    assert "Amina Rahman" in text and "Staff voice survey" in text


@pytest.mark.parametrize("email", [AMINAS_COACH, FACILITATOR])
def test_their_coach_and_facilitator_may_download_it(app, db, cohort, email):
    client = sign_in(app, email)
    page = client.get(urls(db, cohort)["options"])
    assert page.status_code == 200 and "Progress portfolio: Amina Rahman" in page.text
    # Coaches find it on their portfolio page, facilitators on the cohort's page.
    listing = "/portfolio/" if email == AMINAS_COACH else f"/portfolio/{cohort.code}/"
    assert urls(db, cohort)["options"] in client.get(listing).text
    if email == AMINAS_COACH:  # one full download is enough to show the route works for them
        response = client.get(urls(db, cohort)["pdf"])
        assert response.status_code == 200 and response.data.startswith(b"%PDF-")


@pytest.mark.parametrize("email", [OTHER_PARTICIPANT, OTHER_COACH, OTHER_FACILITATOR])
def test_nobody_else_may(app, db, cohort, email):
    client = sign_in(app, email)
    for url in urls(db, cohort).values():
        assert client.get(url).status_code == 404, url
    assert urls(db, cohort)["options"] not in client.get("/portfolio/").text


def test_a_coach_or_facilitator_has_no_portfolio_of_their_own(app, db, cohort):
    client = sign_in(app, AMINAS_COACH)
    for url in urls(db, cohort, AMINAS_COACH).values():
        assert client.get(url).status_code == 404
    assert (
        client.get(f"/portfolio/no-such-cohort/{find_user(db, AMINA).public_id}/").status_code
        == 404
    )


def test_options_filter_the_pdf(app, db, cohort):
    client = sign_in(app, AMINA)
    l13 = db.scalar(sa.select(Competency).where(Competency.code == "L1.3"))
    response = client.get(
        urls(db, cohort)["pdf"],
        query_string={"options": "1", "competencies": str(l13.id), "date_from": "2026-01-01"},
    )
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "Decision-making under uncertainty" in text
    assert "Building trust and culture" not in text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"date_from": "2026-12-01", "date_to": "2026-11-01"},
            "The start of the date range must be on or before its end.",
        ),
        ({"date_from": "1 December"}, "Enter the date as a real date, e.g. 2026-11-23."),
        ({"date_to": "2026-11-30", "competencies": None}, "Choose at least one competency"),
        ({"competencies": "999999"}, "is not a valid choice"),
    ],
)
def test_bad_options_are_explained_and_kept(app, db, cohort, query, message):
    client = sign_in(app, AMINA)
    l11 = db.scalar(sa.select(Competency).where(Competency.code == "L1.1"))
    params = {"options": "1", "competencies": str(l11.id), "attachments": "y", **query}
    params = {k: v for k, v in params.items() if v is not None}
    response = client.get(urls(db, cohort)["pdf"], query_string=params)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "There is a problem" in response.text and message in response.text
    for name in ("date_from", "date_to"):
        if name in params:
            assert f'name="{name}" type="date" value="{params[name]}"' in response.text
    assert 'id="attachments" name="attachments" type="checkbox" value="y"' in response.text
    assert " checked" in response.text  # the ticked box stays ticked


def test_facilitators_get_the_cohort_report(app, db, cohort):
    client = sign_in(app, FACILITATOR)
    index = client.get("/portfolio/").text
    assert f"/portfolio/{cohort.code}/report.pdf" in index
    page = client.get(f"/portfolio/{cohort.code}/")
    assert page.status_code == 200
    assert "<h1>Cohort report: " in page.text
    assert page.text.count('<th scope="row">') == 6  # a row per participant
    assert urls(db, cohort)["options"] in page.text
    response = client.get(f"/portfolio/{cohort.code}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "Evidence coverage" in pdf_text(response.data)
    response = client.get(f"/portfolio/{cohort.code}/report.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=demo-cohort-cohort-report.csv"
    )
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert len(rows) == 6 and {"Participant", "Evidence L1.1"} <= set(rows[0])


@pytest.mark.parametrize("email", [AMINA, AMINAS_COACH, OTHER_FACILITATOR])
def test_only_the_cohorts_facilitators_get_its_report(app, db, cohort, email):
    client = sign_in(app, email)
    for url in report_urls(cohort):
        assert client.get(url).status_code == 404, url


def test_someone_with_nothing_to_download_is_told_so(app, db, cohort):
    client = sign_in(app, OTHER_FACILITATOR)
    page = client.get("/portfolio/")
    assert page.status_code == 200 and "Other cohort" in page.text
    db.execute(sa.delete(Cohort.__table__).where(Cohort.code == "other-cohort"))
    db.commit()
    page = client.get("/portfolio/")
    assert "the portfolios you can download appear here" in page.text
