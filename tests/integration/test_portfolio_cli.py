"""``flask --app insights_lms lms portfolio export``: every portfolio of a cohort rendered in
worker processes, failures listed at the end (and a non-zero exit), nothing skipped."""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest

from insights_lms.cohorts.models import Cohort
from insights_lms.demo import build_demo
from insights_lms.enums import CohortRole
from insights_lms.portfolio import sections
from insights_lms.portfolio.render import portfolio_filename
from insights_lms.storage import FilesystemStorage, Uploads
from tests.factories import participant_enrolment


@pytest.fixture
def cohort(app, db, content, monkeypatch) -> Cohort:
    monkeypatch.setattr(sections, "PROVIDERS", {})
    storage = FilesystemStorage(Path(app.config["INSIGHTS_UPLOAD_DIR"]))
    found, _ = build_demo(db, activity=True, uploads=Uploads(storage))
    db.commit()
    return found


def export(runner, *args: str):
    return runner.invoke(args=["lms", "portfolio", "export", *args])


def authors(folder: Path) -> dict[str, str]:
    return {
        pdf.name: str(pypdf.PdfReader(pdf).metadata.author)
        for pdf in sorted(folder.glob("*.pdf"))
        if pdf.is_file()
    }


def test_every_portfolio_of_the_cohort_in_two_workers(runner, db, cohort, tmp_path):
    out = tmp_path / "portfolios"
    result = export(runner, "--cohort", cohort.code, "--out", str(out), "--jobs", "2")
    assert result.exit_code == 0, result.output + result.stderr
    assert "Wrote 6 of 6 portfolios" in result.output
    assert "Rendering 6 portfolios" in result.stderr  # the progress bar
    participants = cohort.members(CohortRole.PARTICIPANT)
    expected = {
        portfolio_filename(participant_enrolment(db, p.email)): p.name for p in participants
    }
    assert authors(out) == expected
    assert not list(out.glob(".portfolio-*"))  # no half-written files left behind


def test_one_participant(runner, db, cohort, tmp_path):
    result = export(
        runner,
        "--cohort",
        cohort.code,
        "--out",
        str(tmp_path),
        "--user",
        "Participant1@example.org",
    )
    assert result.exit_code == 0, result.output + result.stderr
    assert "Wrote 1 of 1 portfolios" in result.output
    amina = participant_enrolment(db, "participant1@example.org")
    assert authors(tmp_path) == {portfolio_filename(amina): "Amina Rahman"}


def test_failures_are_listed_and_the_command_fails(runner, db, cohort, tmp_path):
    """A portfolio that cannot be written is reported by name; the others are still written."""
    tom = participant_enrolment(db, "participant2@example.org")
    (tmp_path / portfolio_filename(tom)).mkdir()  # a folder where Tom's PDF should go
    result = export(runner, "--cohort", cohort.code, "--out", str(tmp_path), "--jobs", "2")
    assert result.exit_code == 1
    assert "Wrote 5 of 6 portfolios" in result.output
    assert "1 failed:" in result.stderr
    assert "Tom Hughes <participant2@example.org>: IsADirectoryError" in result.stderr
    assert len(authors(tmp_path)) == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cohort", "no-such-cohort"], "no cohort with code 'no-such-cohort'"),
        (
            ["--cohort", "demo-cohort", "--user", "coach1@example.org"],
            "not a participant of demo-cohort: coach1@example.org",
        ),
        (["--cohort", "demo-cohort", "--jobs", "0"], "0 is not in the range"),
    ],
)
def test_bad_arguments(runner, cohort, tmp_path, args, message):
    out = tmp_path / "out"
    result = export(runner, "--out", str(out), *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not out.exists()
