"""The programme evaluation page and CSV, for the cohort's facilitators only."""

from __future__ import annotations

import csv
import io

from insights_lms.enums import CohortRole
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD, enrolled, make_cohort


def test_facilitator_reads_the_evaluation_and_downloads_it(client, demo):
    login(client, "facilitator@example.org")
    page = client.get(f"/cohorts/{demo.code}/evaluation")
    assert page.status_code == 200
    assert "<h1>Programme evaluation</h1>" in page.text
    assert "Baseline to latest, per competency" in page.text
    assert "L2.3" in page.text
    download = client.get(f"/cohorts/{demo.code}/evaluation.csv")
    assert download.status_code == 200
    assert download.mimetype == "text/csv"
    assert "attachment" in download.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert {r["item"] for r in rows if r["section"] == "rating_change"} >= {"L2.3", "L1.1"}


def test_only_the_cohorts_facilitators_see_the_evaluation(client, db, demo):
    other = make_cohort(db, demo.programme)
    outsider = enrolled(db, other, CohortRole.FACILITATOR)
    db.commit()
    for path in (f"/cohorts/{demo.code}/evaluation", f"/cohorts/{demo.code}/evaluation.csv"):
        assert client.get(path).status_code == 302
    login(client, "participant1@example.org")
    assert client.get(f"/cohorts/{demo.code}/evaluation.csv").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})
    login(client, outsider.email, PASSWORD)
    assert client.get(f"/cohorts/{demo.code}/evaluation").status_code == 404
    assert client.get(f"/cohorts/{demo.code}/evaluation.csv").status_code == 404
