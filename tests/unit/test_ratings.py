"""Ratings per rater: who may rate, every rater's history kept apart, the overview the progress
map shows, the xAPI statements (checked with Ralph), the chart macro, and ``coach_assigned``."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from typing import Any

import pytest
import sqlalchemy as sa
from ralph.models.xapi.base.statements import BaseXapiStatement

from insights_lms import signals
from insights_lms.assessment.models import AssessmentOccasion
from insights_lms.assessment.services import record_self_assessment
from insights_lms.cohorts import services as cohorts
from insights_lms.competencies.models import Competency, Level
from insights_lms.enums import CohortRole
from insights_lms.progress.services import progress_map
from insights_lms.ratings.models import CompetencyRating, RatingKind
from insights_lms.ratings.services import (
    Rater,
    RatingError,
    ratable_kinds,
    ratings_overview,
    record_rating,
    record_ratings,
)
from insights_lms.xapi.models import XapiStatement
from tests.factories import enrolled, make_cohort, utc
from tests.factories import find_user as user
from tests.factories import participant_enrolment as enrolment_of

BASE = "https://insights.example.org/"
AMINA = "participant1@example.org"  # coached by coach2 in the demo cohort


def competency(db, code: str) -> Competency:
    found = db.scalar(sa.select(Competency).where(Competency.code == code))
    assert found is not None
    return found


def levels(cohort) -> dict[int, Level]:
    return {lv.value: lv for lv in cohort.programme.framework.scale.levels}


def outbox(db) -> list[dict[str, Any]]:
    rows = db.scalars(
        sa.select(XapiStatement)
        .where(XapiStatement.event == "rating.recorded")
        .order_by(XapiStatement.id)
    )
    return [row.statement for row in rows]


# --- recording -----------------------------------------------------------------------------


def test_coach_facilitator_and_agreed_ratings_are_kept_apart_with_their_history(db, demo):
    amina = enrolment_of(db, AMINA)
    coach, facilitator = user(db, "coach2@example.org"), user(db, "facilitator@example.org")
    lv = levels(demo)
    l13 = competency(db, "L1.3")
    record_self_assessment(
        db,
        amina,
        AssessmentOccasion.START,
        None,
        {l13.id: (lv[1].id, "Unsure")},
        now=utc(2026, 9, 20),
    )
    record_rating(db, amina, l13, lv[2], coach, RatingKind.COACH, now=utc(2026, 10, 1))
    record_rating(db, amina, l13, lv[3], facilitator, "facilitator", now=utc(2026, 10, 2))
    record_rating(db, amina, l13, lv[3], coach, RatingKind.COACH, now=utc(2026, 10, 3))
    record_rating(
        db,
        amina,
        l13,
        lv[2],
        coach,
        RatingKind.AGREED,
        note="Agreed together",
        now=utc(2026, 10, 3, 12),
    )
    db.commit()

    row = ratings_overview(db, amina).for_competency(l13.id)
    assert row is not None
    assert [e.level.value for e in row.history[Rater.COACH]] == [2, 3]
    assert [e.level.value for e in row.history[Rater.FACILITATOR]] == [3]
    assert [e.level.value for e in row.history[Rater.AGREED]] == [2]
    assert [e.level.value for e in row.history[Rater.SELF]] == [1]
    # The coach's second rating changed neither the facilitator's nor the agreed level.
    assert {r: row.level(r) for r in Rater} == {
        Rater.SELF: 1,
        Rater.COACH: 3,
        Rater.FACILITATOR: 3,
        Rater.AGREED: 2,
    }
    assert row.latest(Rater.AGREED).note == "Agreed together"
    assert row.latest(Rater.FACILITATOR).rater_name == "Farah Begum"
    assert row.latest(Rater.SELF).occasion == "At the start"
    assert [e.rater for e in row.timeline] == [  # newest first
        Rater.AGREED,
        Rater.COACH,
        Rater.FACILITATOR,
        Rater.COACH,
        Rater.SELF,
    ]
    assert db.scalar(sa.select(sa.func.count()).select_from(CompetencyRating)) == 4


def test_several_competencies_at_once_or_nothing(db, demo):
    amina = enrolment_of(db, AMINA)
    facilitator = user(db, "facilitator@example.org")
    lv = levels(demo)
    l11, l12 = competency(db, "L1.1"), competency(db, "L1.2")
    with pytest.raises(RatingError, match=r"Choose a level of the .* scale for L1\.2"):
        record_ratings(
            db,
            amina,
            facilitator,
            RatingKind.FACILITATOR,
            {l11.id: (lv[2].id, ""), l12.id: (999_999, "")},
        )
    with pytest.raises(RatingError, match=r"Keep the note on L1\.1 to 4,000"):
        record_ratings(
            db, amina, facilitator, RatingKind.FACILITATOR, {l11.id: (lv[2].id, "x" * 4001)}
        )
    with pytest.raises(RatingError, match="Rate at least one competency"):
        record_ratings(db, amina, facilitator, RatingKind.FACILITATOR, {})
    assert db.scalar(sa.select(sa.func.count()).select_from(CompetencyRating)) == 0

    created = record_ratings(
        db,
        amina,
        facilitator,
        RatingKind.FACILITATOR,
        {l12.id: (lv[3].id, "  Strong staff survey  "), l11.id: (lv[2].id, "")},
    )
    assert [(r.competency.code, r.level.value, r.note) for r in created] == [
        ("L1.1", 2, ""),
        ("L1.2", 3, "Strong staff survey"),
    ]


def test_only_the_coach_and_the_cohorts_facilitators_may_rate(db, demo):
    amina = enrolment_of(db, AMINA)
    lv = levels(demo)
    l11 = competency(db, "L1.1")
    other_coach = user(db, "coach1@example.org")  # coaches others in the same cohort
    other_cohort = make_cohort(db, demo.programme)
    stranger = enrolled(db, other_cohort, CohortRole.FACILITATOR)
    assert ratable_kinds(db, amina, user(db, "coach2@example.org")) == [RatingKind.COACH]
    assert ratable_kinds(db, amina, user(db, "facilitator@example.org")) == [RatingKind.FACILITATOR]
    for outsider in (other_coach, stranger, amina.user):
        assert ratable_kinds(db, amina, outsider) == []
    with pytest.raises(RatingError, match="cannot record a coach rating"):
        record_rating(db, amina, l11, lv[2], other_coach, RatingKind.COACH)
    with pytest.raises(RatingError, match="cannot record a facilitator rating"):
        record_ratings(db, amina, stranger, RatingKind.FACILITATOR, {l11.id: (lv[2].id, "")})
    assert db.scalar(sa.select(sa.func.count()).select_from(CompetencyRating)) == 0


def test_the_progress_map_carries_every_rater_and_the_chart_rows(db, demo):
    amina = enrolment_of(db, AMINA)
    lv = levels(demo)
    l23 = competency(db, "L2.3")
    record_self_assessment(db, amina, AssessmentOccasion.START, None, {l23.id: (lv[1].id, "")})
    record_rating(db, amina, l23, lv[2], user(db, "coach2@example.org"), RatingKind.COACH)
    db.commit()
    result = progress_map(db, amina)
    row = next(r for r in result.rows if r.competency.code == "L2.3")
    assert row.self_rating is not None and row.self_rating.level.value == 1
    assert row.ratings is not None and row.ratings.level(Rater.COACH) == 2
    assert result.ratings is not None and result.ratings.max_level == 4
    chart = {r["code"]: r for r in result.ratings.chart_rows}
    assert len(chart) == 10
    assert chart["L2.3"] == {
        "code": "L2.3",
        "title": l23.title,
        "self": 1,
        "coach": 2,
        "facilitator": None,
        "agreed": None,
    }
    assert chart["L1.1"]["self"] is None


# --- xAPI ----------------------------------------------------------------------------------


def test_an_agreed_level_is_achieved_by_the_participant_with_the_coach_as_instructor(db, demo):
    amina = enrolment_of(db, AMINA)
    coach = user(db, "coach2@example.org")
    l23 = competency(db, "L2.3")
    record_rating(
        db, amina, l23, levels(demo)[3], coach, RatingKind.AGREED, note="Private? Never sent."
    )
    db.commit()
    [statement] = outbox(db)
    BaseXapiStatement.model_validate(statement)
    assert "version" not in statement
    assert statement["actor"]["account"] == {"homePage": BASE, "name": amina.user.public_id}
    assert statement["verb"] == {
        "id": "https://w3id.org/xapi/tla/verbs/achieved",
        "display": {"en-GB": "achieved"},
    }
    obj = statement["object"]
    assert obj["id"] == f"{BASE}competencies/insights-school-leadership/L2.3"
    assert obj["definition"]["type"] == "https://w3id.org/xapi/tla/activity-types/competency"
    level = levels(demo)[3]
    assert statement["result"]["extensions"] == {
        f"{BASE}xapi/extensions/level": {"value": 3, "code": level.code, "title": level.title}
    }
    assert statement["result"]["score"] == {"raw": 3.0, "min": 1.0, "max": 4.0, "scaled": 0.75}
    context = statement["context"]
    assert context["registration"] == amina.registration
    assert context["instructor"]["account"]["name"] == coach.public_id
    assert [a["id"] for a in context["contextActivities"]["grouping"]] == [
        f"{BASE}cohorts/demo-cohort",
        f"{BASE}programmes/insights-2026",
    ]
    assert "extensions" not in context
    assert "Never sent" not in json.dumps(statement)  # notes stay in the LMS


def test_coach_and_facilitator_ratings_are_scored_with_the_rater_in_context(db, demo):
    amina = enrolment_of(db, AMINA)
    coach, facilitator = user(db, "coach2@example.org"), user(db, "facilitator@example.org")
    lv = levels(demo)
    l11 = competency(db, "L1.1")
    record_rating(db, amina, l11, lv[2], coach, RatingKind.COACH, note="Coach's note")
    record_rating(db, amina, l11, lv[4], facilitator, RatingKind.FACILITATOR)
    db.commit()
    by_coach, by_facilitator = outbox(db)
    rater = f"{BASE}xapi/extensions/rater"
    for statement, who, kind in (
        (by_coach, coach, "coach"),
        (by_facilitator, facilitator, "facilitator"),
    ):
        BaseXapiStatement.model_validate(statement)
        assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/scored"
        assert statement["actor"]["account"]["name"] == amina.user.public_id
        assert statement["context"]["instructor"]["account"]["name"] == who.public_id
        assert statement["context"]["extensions"] == {rater: kind}
        assert statement["context"]["registration"] == amina.registration
        assert "response" not in statement["result"]
    assert by_coach["result"]["score"]["raw"] == 2.0
    assert by_facilitator["result"]["score"]["scaled"] == 1.0


# --- the chart macro -------------------------------------------------------------------------


def render_chart(app, rows, max_level=4, **kwargs) -> str:
    with app.test_request_context():
        macro = app.jinja_env.get_template("lms/progress/_ratings_chart.html").module.ratings_chart
        return str(macro(rows, max_level, **kwargs))


ROWS = [
    {
        "code": "L1.1",
        "title": "Vision & values",
        "self": 2,
        "coach": 3,
        "facilitator": None,
        "agreed": 3,
    },
    {"code": "L1.2", "title": "Trust", "self": 1, "coach": None, "facilitator": 4, "agreed": None},
]


def test_the_chart_is_a_fixed_size_svg_with_a_legend_and_the_same_figures_as_a_table(app):
    html = render_chart(app, ROWS, level_titles={1: "Emerging", 2: "Developing"})
    svg = re.search(r"<svg[^>]*>", html)
    assert svg is not None
    for attribute in ('width="720"', 'height="320"', 'viewBox="0 0 720 320"', 'role="img"'):
        assert attribute in svg.group(0)
    drawing = re.search(r"<svg.*?</svg>", html, re.S)
    assert drawing is not None
    assert "<script" not in html and "href" not in drawing.group(0)
    assert "class=" not in drawing.group(0)  # inline attributes only: the same in a PDF
    for label in ("Self", "Coach", "Facilitator", "Agreed"):
        assert f">{label}</text>" in html  # the legend
        assert f'<th scope="col">{label}</th>' in html  # the table
    assert html.count("not rated</title>") == 3  # stubs for the three missing ratings
    assert (
        len(re.findall(r"<rect [^>]*fill=\"#[0-9a-f]{6}\"[^>]*><title>L1\.\d [A-Z]\w+: \d", html))
        == 5
    )
    assert "L1.1 Vision &amp; values" in html  # escaped
    assert "<td>2 Developing</td>" in html and "<td>4</td>" in html
    assert html.count("Not rated</span>") == 3


def test_the_chart_says_when_there_is_nothing_to_draw(app):
    empty = [
        {
            "code": "L1.1",
            "title": "T",
            "self": None,
            "coach": None,
            "facilitator": None,
            "agreed": None,
        }
    ]
    assert "No ratings yet." in render_chart(app, empty)
    assert "<svg" not in render_chart(app, [])


def test_the_chart_renders_in_weasyprint_without_complaint(app, caplog):
    import weasyprint

    html = render_chart(app, ROWS, level_titles={1: "Emerging"})
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = weasyprint.HTML(string=f"<html><body>{html}</body></html>").write_pdf()
    assert pdf.startswith(b"%PDF")
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


# --- coach_assigned ------------------------------------------------------------------------


def test_assigning_a_coach_sends_coach_assigned_once_per_change(db, demo):
    received: list[tuple[int, int, Any]] = []

    def listen(sender: Any, **kwargs: Any) -> None:
        received.append((sender.participant_id, sender.coach_id, kwargs["assigned_by"]))

    sam = user(db, "participant6@example.org")  # no coach in the demo
    helen, marcus = user(db, "coach1@example.org"), user(db, "coach2@example.org")
    farah = user(db, "facilitator@example.org")
    with signals.coach_assigned.connected_to(listen):
        cohorts.assign_coach(db, demo, helen, sam, assigned_by=farah)
        cohorts.assign_coach(db, demo, helen, sam, assigned_by=farah)  # no change
        cohorts.assign_coach(db, demo, marcus, sam)
    assert received == [(sam.id, helen.id, farah), (sam.id, marcus.id, None)]
    assert cohorts.coach_of(db, demo, sam) is marcus


def test_timestamps_are_the_ratings_own(db, demo):
    amina = enrolment_of(db, AMINA)
    when = dt.datetime(2026, 11, 3, 9, 30, tzinfo=dt.UTC)
    record_rating(
        db,
        amina,
        competency(db, "L1.1"),
        levels(demo)[2],
        user(db, "coach2@example.org"),
        RatingKind.COACH,
        now=when,
    )
    db.commit()
    [statement] = outbox(db)
    assert statement["timestamp"] == "2026-11-03T09:30:00.000+00:00"
