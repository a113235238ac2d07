"""What goes into a portfolio (evidence, ratings by every rater, tasks, the summary), its
download options, who may download it, and the sections other features provide."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import pytest
import sqlalchemy as sa

from insights_lms.cohorts.models import Cohort
from insights_lms.competencies.models import Competency, Level
from insights_lms.db import utcnow
from insights_lms.demo import build_demo
from insights_lms.enums import CohortRole
from insights_lms.portfolio import sections
from insights_lms.portfolio.providers.conversations import conversation_log
from insights_lms.portfolio.providers.peer import case_studies, goldfish_bowl_challenges
from insights_lms.portfolio.services import (
    PortfolioError,
    PortfolioOptions,
    build_portfolio,
    check_options,
    cohort_for_facilitator,
    downloadable,
    enrolment_for_viewer,
)
from insights_lms.ratings.models import RatingKind
from insights_lms.ratings.services import Rater, record_rating
from insights_lms.storage import FilesystemStorage, Uploads
from tests.factories import enrolled, find_user, make_cohort, participant_enrolment

AMINA = "participant1@example.org"


@pytest.fixture
def no_extra_sections(monkeypatch):
    """Portfolios without the sections other features provide (they are tested below)."""
    monkeypatch.setattr(sections, "PROVIDERS", {})


@pytest.fixture
def cohort(app, db, content, no_extra_sections) -> Cohort:
    """The demo cohort with its participants' activity, files included."""
    storage = FilesystemStorage(Path(app.config["INSIGHTS_UPLOAD_DIR"]))
    found, _ = build_demo(db, activity=True, uploads=Uploads(storage))
    db.commit()
    return found


def competency(db, code: str) -> Competency:
    found = db.scalar(sa.select(Competency).where(Competency.code == code))
    assert found is not None
    return found


def level(db, value: int) -> Level:
    found = db.scalar(sa.select(Level).where(Level.value == value))
    assert found is not None
    return found


# --- options -------------------------------------------------------------------------------


def test_options_are_checked(db, cohort):
    enrolment = participant_enrolment(db, AMINA)
    with pytest.raises(PortfolioError, match="start of the date range") as error:
        check_options(enrolment, date_from=dt.date(2026, 12, 1), date_to=dt.date(2026, 11, 1))
    assert error.value.field == "date_from"
    with pytest.raises(PortfolioError, match="at least one competency"):
        check_options(enrolment, competency_ids=[])
    other_framework_id = max(c.id for c in cohort.programme.framework.competencies) + 1000
    with pytest.raises(PortfolioError, match="framework"):
        check_options(enrolment, competency_ids=[other_framework_id])


def test_choosing_every_competency_is_no_filter(db, cohort):
    enrolment = participant_enrolment(db, AMINA)
    every = [c.id for c in cohort.programme.framework.competencies]
    options = check_options(enrolment, competency_ids=every, embed_attachments=True)
    assert options.competency_ids is None and options.embed_attachments
    one = check_options(enrolment, competency_ids=[every[2]], date_from=dt.date(2026, 9, 1))
    assert one.competency_ids == frozenset({every[2]}) and one.is_filtered


# --- content -------------------------------------------------------------------------------


def test_the_demo_portfolio_has_every_competency_and_numbered_evidence(db, cohort):
    portfolio = build_portfolio(db, participant_enrolment(db, AMINA))
    codes = [s.competency.code for s in portfolio.sections]
    assert codes == [c.code for c in cohort.programme.framework.competencies]
    # Evidence is numbered E1, E2… in date order.
    assert [e.ref for e in portfolio.evidence] == ["E1", "E2", "E3"]
    dates = [e.evidence.occurred_on for e in portfolio.evidence]
    assert dates == sorted(dates)
    survey = next(e for e in portfolio.evidence if e.evidence.title.startswith("Staff voice"))
    by_code = {s.competency.code: s for s in portfolio.sections}
    # Described in full under its first competency, referred to from the second.
    assert survey in by_code["L1.2"].evidence
    assert (survey, by_code["L1.2"].competency) in by_code["L2.2"].see_also
    assert by_code["L2.2"].evidence_count == 1
    assert [f.original_name for f in survey.images] == ["survey-chart.png"]
    assert {f.original_name for f in survey.files} == {"survey-summary.txt", "survey-chart.png"}
    assert survey.status == "Accepted"  # reviewed by the coach in the demo
    figures = portfolio.figures
    assert figures.evidence_items == 3 and figures.competencies_total == 10
    assert figures.tasks_submitted == 1 and figures.tasks_total == len(cohort.task_windows)
    assert figures.competencies_with_evidence == 5
    assert portfolio.coach is not None and portfolio.coach.email == "coach2@example.org"
    # Every section lists what each level looks like, lowest first.
    assert [lv.value for lv, _ in by_code["L1.1"].descriptors] == [1, 2, 3, 4]
    assert all(text for _, text in by_code["L1.1"].descriptors)


def test_every_raters_history_is_kept_apart_and_charted(db, cohort):
    enrolment = participant_enrolment(db, AMINA)
    coach = find_user(db, "coach2@example.org")
    facilitator = find_user(db, "facilitator@example.org")
    l13 = competency(db, "L1.3")
    before = build_portfolio(db, enrolment)
    counts = {
        h.rater: len(h.steps) for s in before.sections if s.competency == l13 for h in s.raters
    }
    # Newer than anything the demo recorded, so these are the latest of each rater.
    first = utcnow() + dt.timedelta(minutes=1)
    rate = functools.partial(record_rating, db, enrolment, l13)
    rate(level(db, 2), coach, RatingKind.COACH, note="Early days.", now=first)
    rate(level(db, 3), coach, RatingKind.COACH, now=first + dt.timedelta(minutes=2))
    rate(level(db, 3), coach, RatingKind.AGREED, now=first + dt.timedelta(minutes=3))
    rate(level(db, 2), facilitator, RatingKind.FACILITATOR, now=first)
    db.commit()

    portfolio = build_portfolio(db, enrolment)
    section = next(s for s in portfolio.sections if s.competency.code == "L1.3")
    history = {h.rater: h for h in section.raters}
    coach_steps = history[Rater.COACH].steps
    assert len(coach_steps) == counts[Rater.COACH] + 2
    assert [s.level.value for s in coach_steps[-2:]] == [2, 3]
    assert coach_steps[-2].note == "Early days." and coach_steps[-2].rater_name == coach.name
    assert len(history[Rater.AGREED].steps) == counts[Rater.AGREED] + 1
    assert history[Rater.AGREED].latest.level.value == 3
    assert history[Rater.FACILITATOR].latest.level.value == 2
    assert len(history[Rater.SELF].steps) == counts[Rater.SELF]  # untouched
    row = next(r for r in portfolio.chart_rows if r["code"] == "L1.3")
    assert (row["coach"], row["agreed"], row["facilitator"]) == (3, 3, 2)
    assert row["self"] == history[Rater.SELF].steps[-1].level.value
    assert {"Agreed", "Coach"} <= set(section.marks(level(db, 3)))
    assert "Facilitator" in section.marks(level(db, 2))


def test_a_date_range_keeps_only_what_happened_in_it(db, cohort):
    enrolment = participant_enrolment(db, AMINA)
    everything = build_portfolio(db, enrolment)
    newest = max(e.evidence.occurred_on for e in everything.evidence)
    recent = build_portfolio(db, enrolment, PortfolioOptions(date_from=newest))
    assert [e.evidence.occurred_on for e in recent.evidence] == [newest]
    assert recent.evidence[0].ref == "E1"  # numbered within the portfolio
    assert recent.period.startswith("From ")
    # Nothing was rated before the programme began.
    before = min(cm.starts_at for cm in cohort.cohort_modules).date() - dt.timedelta(days=30)
    early = build_portfolio(db, enrolment, PortfolioOptions(date_to=before))
    assert early.evidence == []
    assert all(not h.steps for s in early.sections for h in s.raters)
    assert all(row["self"] is None for row in early.chart_rows)
    assert early.figures.self_assessments == 0
    assert all(t.response is None for t in early.tasks)


def test_choosing_competencies_keeps_their_sections_and_evidence_only(db, cohort):
    enrolment = participant_enrolment(db, AMINA)
    l13 = competency(db, "L1.3")
    portfolio = build_portfolio(db, enrolment, check_options(enrolment, competency_ids=[l13.id]))
    assert [s.competency.code for s in portfolio.sections] == ["L1.3"]
    assert [e.evidence.title for e in portfolio.evidence] == [
        "Decision log: moving to a two-sitting lunchtime"
    ]
    assert [r["code"] for r in portfolio.chart_rows] == ["L1.3"]
    assert [d.code for d, _ in portfolio.domains] == ["L1"]


def test_tasks_show_submitted_responses_and_their_evidence(db, cohort):
    portfolio = build_portfolio(db, participant_enrolment(db, AMINA))
    submitted = [t for t in portfolio.tasks if t.response is not None and t.response.is_submitted]
    assert len(submitted) == 1
    assert "named one of our values" in submitted[0].response.response
    tom = build_portfolio(db, participant_enrolment(db, "participant2@example.org"))
    drafts = [t for t in tom.tasks if t.response is not None and not t.response.is_submitted]
    assert drafts  # a draft is known (its state shows) but never printed as a response
    assert tom.figures.tasks_submitted == 0


# --- who may download ----------------------------------------------------------------------


def test_the_participant_their_coach_and_facilitators_may_download(db, cohort, programme_cohort):
    amina = participant_enrolment(db, AMINA)
    public_id = amina.user.public_id
    allowed = [AMINA, "coach2@example.org", "facilitator@example.org"]
    refused = ["participant2@example.org", "coach1@example.org"]
    for email in allowed:
        found = enrolment_for_viewer(db, find_user(db, email), cohort.code, public_id)
        assert found is not None and found.id == amina.id, email
    for email in refused:
        assert enrolment_for_viewer(db, find_user(db, email), cohort.code, public_id) is None
    other_cohort, other_facilitator = programme_cohort
    assert enrolment_for_viewer(db, other_facilitator, cohort.code, public_id) is None
    # The right person, the wrong cohort: still nothing.
    assert enrolment_for_viewer(db, amina.user, other_cohort.code, public_id) is None
    # Coaches and facilitators have no portfolio of their own.
    coach = find_user(db, "coach2@example.org")
    assert enrolment_for_viewer(db, coach, cohort.code, coach.public_id) is None


def test_what_each_person_is_offered(db, cohort, programme_cohort):
    offer = downloadable(db, find_user(db, AMINA))
    assert [e.cohort.code for e in offer.own] == [cohort.code]
    assert offer.coached == [] and offer.facilitated == []
    coach = downloadable(db, find_user(db, "coach2@example.org"))
    in_demo = [e.user.email for e in coach.coached if e.cohort_id == cohort.id]
    assert in_demo == [AMINA, "participant2@example.org"]  # their coachees, by name
    assert coach.own == [] and coach.facilitated == []
    facilitator = downloadable(db, find_user(db, "facilitator@example.org"))
    assert (cohort.code, 6) in [(c.code, len(p)) for c, p in facilitator.facilitated]
    assert downloadable(db, programme_cohort[1]).facilitated[0][0].code == programme_cohort[0].code
    assert cohort_for_facilitator(db, programme_cohort[1], cohort.code) is None
    assert cohort_for_facilitator(db, find_user(db, "facilitator@example.org"), cohort.code)


@pytest.fixture
def programme_cohort(db, cohort):
    """Another cohort of the same programme, with a facilitator and a participant of its own."""
    other = make_cohort(db, cohort.programme, code="other-cohort", title="Other cohort")
    facilitator = enrolled(db, other, CohortRole.FACILITATOR, name="Other Facilitator")
    enrolled(db, other, CohortRole.PARTICIPANT, name="Other Participant")
    db.commit()
    return other, facilitator


# --- sections provided by other features -----------------------------------------------------


def test_sections_appear_when_their_feature_provides_them(db, cohort, monkeypatch):
    seen = []

    def conversation_log(session, enrolment, options):
        seen.append((enrolment.id, options))
        return [
            sections.ConversationEntry(
                held_on=dt.date(2026, 11, 5), coach_name="Marcus Reid", shared_notes="Notes."
            )
        ]

    monkeypatch.setattr(sections, "PROVIDERS", {"conversations": conversation_log})
    enrolment = participant_enrolment(db, AMINA)
    options = PortfolioOptions(date_from=dt.date(2026, 9, 1))
    portfolio = build_portfolio(db, enrolment, options)
    assert list(portfolio.extra) == ["conversations"]  # no provider: no section
    assert portfolio.extra["conversations"][0].coach_name == "Marcus Reid"
    assert seen == [(enrolment.id, options)]  # the provider gets the options to filter by


def test_the_providers_are_the_features_functions_in_document_order():
    assert {
        "conversations": conversation_log,
        "challenges": goldfish_bowl_challenges,
        "case_studies": case_studies,
    } == sections.PROVIDERS
