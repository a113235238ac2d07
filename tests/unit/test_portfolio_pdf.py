"""The portfolio PDF as a reader gets it, checked with pypdf: pages, metadata, bookmarks, the
table of contents, "Page X of Y", every competency, the evidence and its files; the options;
the sections other features provide (shared notes only); and the cohort report."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from pathlib import Path
from types import SimpleNamespace

import pypdf
import pytest
import sqlalchemy as sa

from insights_lms.cohorts.models import Cohort, Enrolment
from insights_lms.competencies.models import Competency
from insights_lms.demo import build_demo
from insights_lms.portfolio import sections
from insights_lms.portfolio.providers.conversations import conversation_log
from insights_lms.portfolio.render import RenderedPDF, render_cohort_report, render_portfolio
from insights_lms.portfolio.services import PortfolioOptions, check_options
from insights_lms.storage import FilesystemStorage, Uploads
from tests.factories import participant_enrolment

AMINA = "participant1@example.org"


@pytest.fixture
def no_extra_sections(monkeypatch):
    monkeypatch.setattr(sections, "PROVIDERS", {})


@pytest.fixture
def cohort(app, db, content) -> Cohort:
    """The demo cohort with its activity (files included) and whatever sections the features
    provide today."""
    storage = FilesystemStorage(Path(app.config["INSIGHTS_UPLOAD_DIR"]))
    found, _ = build_demo(db, activity=True, uploads=Uploads(storage))
    db.commit()
    return found


def render(app, enrolment: Enrolment, options: PortfolioOptions | None = None) -> RenderedPDF:
    with app.app_context():
        from insights_lms.db import session

        return render_portfolio(session, session.get(Enrolment, enrolment.id), options)


def pages_text(data: bytes) -> tuple[pypdf.PdfReader, list[str]]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return reader, [page.extract_text() for page in reader.pages]


def outline_titles(outline: list) -> list[str]:
    titles: list[str] = []
    for item in outline:
        if isinstance(item, list):
            titles.extend(outline_titles(item))
        else:
            titles.append(item.title)
    return titles


def flat(text: str) -> str:
    """Text with line breaks and runs of spaces made single spaces (PDF lines wrap anywhere)."""
    return " ".join(text.split())


def test_the_demo_portfolio_reads_like_a_document(app, db, cohort, no_extra_sections):
    amina = participant_enrolment(db, AMINA)
    rendered = render(app, amina, PortfolioOptions(embed_attachments=True))
    assert rendered.refused == []
    assert rendered.filename.endswith("-portfolio.pdf") and "amina-rahman" in rendered.filename
    reader, pages = pages_text(rendered.data)
    n = len(reader.pages)
    # A cover, contents, summary, timeline, a page or more per competency, tasks, the index.
    assert 15 <= n <= 40
    meta = reader.metadata
    assert meta.title == "Progress portfolio: Amina Rahman"
    assert meta.author == "Amina Rahman"
    assert meta.creator == "Insights LMS"
    assert "Page 1 of" in pages[0] and f"Page 1 of {n}" in pages[0]
    assert f"Page {n} of {n}" in pages[-1]
    assert "Amina Rahman" in pages[0] and "Limehouse Fields Primary School" in pages[0]
    assert cohort.title in pages[0] and cohort.programme.title in pages[0]
    text = "\n".join(pages)
    for competency in cohort.programme.framework.competencies:
        assert competency.title in text, competency.code
    assert "Staff voice survey: what helps you do your best work?" in text
    assert "all 46 staff" in text  # the narrative, with its Markdown rendered
    assert "**" not in text

    # Bookmarks: the parts, then domains and competencies nested under them.
    titles = outline_titles(reader.outline)
    for part in ("Cover", "Contents", "Summary", "Programme timeline", "Competencies and evidence"):
        assert part in titles
    assert "L1.2 Building trust and culture" in titles
    assert "Practical tasks and responses" in titles and "Index of evidence" in titles

    # The table of contents gives the page each part starts on.
    contents = next(i for i, t in enumerate(pages) if "Contents" in t and "Summary" in t)
    summary_page = int(re.search(r"Summary\W+(\d+)", pages[contents]).group(1))
    assert "Latest levels by rater" in pages[summary_page - 1]
    timeline_page = int(re.search(r"Programme timeline\W+(\d+)", pages[contents]).group(1))
    assert "Programme timeline" in pages[timeline_page - 1]

    # Files: listed with name, size and SHA-256, and embedded under a readable name.
    assert set(reader.attachments) == {"E1-survey-summary.txt", "E1-survey-chart.png"}
    summary_bytes = reader.attachments["E1-survey-summary.txt"][0]
    assert summary_bytes.startswith(b"We asked **all 46 staff**")
    digest = hashlib.sha256(summary_bytes).hexdigest()
    assert digest in text.replace("\n", "")
    assert "survey-summary.txt" in text and "Attached to this PDF as E1-survey-summary.txt" in text
    # The image's preview is drawn inline.
    shown = [p for p, t in zip(reader.pages, pages, strict=True) if "survey-chart.png" in t]
    assert shown and any(page.images for page in shown)


def test_options_choose_competencies_dates_and_no_attachments(app, db, cohort, no_extra_sections):
    amina = participant_enrolment(db, AMINA)
    l13 = db.scalar(sa.select(Competency).where(Competency.code == "L1.3"))
    options = check_options(amina, competency_ids=[l13.id], date_from=dt.date(2026, 1, 1))
    reader, pages = pages_text(render(app, amina, options).data)
    text = "\n".join(pages)
    assert "Decision-making under uncertainty" in text
    assert "Decision log: moving to a two-sitting lunchtime" in text
    assert "Building trust and culture" not in text  # not chosen
    assert "Staff voice survey" not in text  # tagged to other competencies only
    assert "From 1 Jan 2026" in pages[0] and "(a selection)" in pages[0]
    assert reader.attachments == {}
    assert len(reader.pages) < 15


def test_extra_sections_print_shared_notes_and_never_private_ones(app, db, cohort, monkeypatch):
    """A provider may hand over richer objects than the section needs (an ORM row with the
    coach's private notes, say): only the documented attributes are printed."""
    conversation = SimpleNamespace(
        held_on=dt.date(2026, 11, 5),
        coach_name="Marcus Reid",
        mode="In person",
        minutes=45,
        shared_notes="We agreed to *slow down* decisions.",
        private_notes="PRIVATE: worried about her workload",
        private_note=SimpleNamespace(text="PRIVATE: second note"),
        focus=[
            sections.FocusEntry("L1.3", "Decision-making under uncertainty", "", "3 Established")
        ],
        actions=[sections.ActionEntry("Keep a decision log", "Participant", None, "Open")],
        participant_comment="",
    )
    challenge = sections.ChallengeEntry(
        title="Merging two year groups",
        created_dt=dt.datetime(2026, 10, 20, 12, tzinfo=dt.UTC),
        state="Decided",
        decision_to_make="Whether to merge **Year 5**.",
        questions=3,
        suggestions=1,
    )
    study = sections.CaseStudyEntry(
        title="A family-liaison pilot", shared_dt=None, impact="Absence fell."
    )
    monkeypatch.setattr(
        sections,
        "PROVIDERS",
        {
            "conversations": lambda session, enrolment, options: [conversation],
            "challenges": lambda session, enrolment, options: [challenge],
            "case_studies": lambda session, enrolment, options: [study],
        },
    )
    amina = participant_enrolment(db, AMINA)
    l13 = db.scalar(sa.select(Competency).where(Competency.code == "L1.3"))
    reader, pages = pages_text(
        render(app, amina, check_options(amina, competency_ids=[l13.id])).data
    )
    text = "\n".join(pages)
    assert "5 November 2026: conversation with Marcus Reid" in text
    assert "We agreed to slow down decisions." in text
    assert "Keep a decision log" in text and "agreed level 3 Established" in text
    assert "PRIVATE" not in text
    assert "Merging two year groups" in text and "3 questions and 1 suggestion" in text
    assert "A family-liaison pilot" in text and "Absence fell." in text
    titles = outline_titles(reader.outline)
    assert {"Developmental conversations", "Goldfish-bowl challenges", "Case studies"} <= set(
        titles
    )
    contents = next(t for t in pages if "Contents" in t and "Summary" in t)
    assert "Developmental conversations" in contents and "Case studies" in contents


def test_without_a_provider_there_is_no_empty_section(app, db, cohort, no_extra_sections):
    amina = participant_enrolment(db, AMINA)
    l13 = db.scalar(sa.select(Competency).where(Competency.code == "L1.3"))
    _, pages = pages_text(render(app, amina, check_options(amina, competency_ids=[l13.id])).data)
    assert "Developmental conversations" not in "\n".join(pages)


def test_the_conversation_log_prints_shared_notes_and_never_private_ones(app, db, cohort):
    """The real provider of the conversations feature, on the demo's conversations."""
    from insights_lms.conversations.models import Conversation, PrivateNote

    assert sections.PROVIDERS["conversations"] is conversation_log
    amina = participant_enrolment(db, AMINA)
    conversations = list(
        db.scalars(sa.select(Conversation).where(Conversation.enrolment_id == amina.id))
    )
    private = list(
        db.scalars(
            sa.select(PrivateNote.text).where(
                PrivateNote.conversation_id.in_([c.id for c in conversations])
            )
        )
    )
    assert conversations and private, "the demo should give Amina conversations with private notes"
    text = flat("\n".join(pages_text(render(app, amina).data)[1]))
    assert "Developmental conversations" in text
    for conversation in conversations:
        first_sentence = conversation.shared_notes.split(".")[0]
        assert flat(first_sentence) in text
    for note in private:
        assert flat(note)[:40] not in text


def test_challenges_and_case_studies_print_the_owners_words_not_the_peers(app, db, cohort):
    """The real providers of the peer-learning feature, on the demo's challenge and study."""
    from insights_lms.peer.models import CaseStudy, CaseStudyStatus, GoldfishChallenge

    challenge = db.scalars(
        sa.select(GoldfishChallenge).where(GoldfishChallenge.resolution != "")
    ).first()
    study = db.scalar(sa.select(CaseStudy).where(CaseStudy.status == CaseStudyStatus.SHARED))
    assert challenge is not None and study is not None
    owner_text = flat("\n".join(pages_text(render(app, challenge.enrolment).data)[1]))
    assert "Goldfish-bowl challenges" in owner_text
    assert flat(challenge.title) in owner_text
    assert flat(challenge.resolution.split(".")[0]) in owner_text
    for contribution in challenge.contributions:  # peers' words stay on the peer pages
        assert flat(contribution.text)[:40] not in owner_text
    author_text = flat("\n".join(pages_text(render(app, study.enrolment).data)[1]))
    assert "Case studies" in author_text and flat(study.title) in author_text


def test_the_cohort_report(app, db, cohort):
    with app.app_context():
        from insights_lms.db import session

        rendered = render_cohort_report(session, session.get(Cohort, cohort.id))
    assert rendered.filename == "demo-cohort-cohort-report.pdf"
    reader, pages = pages_text(rendered.data)
    text = "\n".join(pages)
    assert reader.metadata.title == f"Cohort report: {cohort.title}"
    for heading in (
        "Completion by module",
        "Completion by practical task",
        "Evidence coverage",
        "Change in self-ratings",
    ):
        assert heading in text
    for participant in ("Amina Rahman", "Tom Hughes", "Sam Whitfield"):
        assert participant in text
    n = len(reader.pages)
    assert f"Page 1 of {n}" in pages[0]
    assert "3 of 6" in text  # the first module: three participants completed it
