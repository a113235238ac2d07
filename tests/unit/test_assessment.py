"""Self-assessment services: ratings are history, validated against the cohort's framework."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import io
import re

import pytest
import sqlalchemy as sa
from flask import render_template_string

from insights_lms.assessment import charts, services
from insights_lms.assessment.models import AssessmentOccasion, SelfRating
from insights_lms.assessment.services import AssessmentError, record_self_assessment
from insights_lms.auth.models import User
from insights_lms.cohorts.models import Enrolment
from insights_lms.competencies.models import Competency, Domain, Framework, Level, Scale
from insights_lms.enums import CohortRole, ModuleKind
from insights_lms.programmes.models import Module, Programme
from insights_lms.signals import self_assessment_recorded
from tests.factories import enrolled, make_cohort, utc

START = AssessmentOccasion.START
AFTER = AssessmentOccasion.AFTER_MODULE
END = AssessmentOccasion.END


def enrolment_of(db, email: str, role: CohortRole = CohortRole.PARTICIPANT) -> Enrolment:
    return db.scalar(
        sa.select(Enrolment).join(Enrolment.user).where(User.email == email, Enrolment.role == role)
    )


@pytest.fixture
def enrolment(db, demo) -> Enrolment:
    return enrolment_of(db, "participant1@example.org")


@pytest.fixture
def framework(enrolment) -> Framework:
    return enrolment.cohort.programme.framework


def level(framework: Framework, value: int) -> Level:
    return next(lv for lv in framework.scale.levels if lv.value == value)


def comp(framework: Framework, code: str) -> Competency:
    return next(c for c in framework.competencies if c.code == code)


def session_of(enrolment: Enrolment, module_code: str):
    return next(cm for cm in enrolment.cohort.cohort_modules if cm.module.code == module_code)


def after_end_of(enrolment: Enrolment, module_code: str, days: int = 1) -> dt.datetime:
    return session_of(enrolment, module_code).ends_at + dt.timedelta(days=days)


def rate(db, enrolment, ratings, occasion=START, module=None, now=None):
    return record_self_assessment(db, enrolment, occasion, module, ratings, now=now)


def test_rating_again_keeps_every_earlier_rating(db, enrolment, framework):
    l11 = comp(framework, "L1.1")
    first_dt = after_end_of(enrolment, "M0") - dt.timedelta(days=30)
    rate(db, enrolment, {l11.id: (level(framework, 1).id, "Relying on my head")}, now=first_dt)
    m1 = session_of(enrolment, "M1").module
    rate(
        db,
        enrolment,
        {l11.id: (level(framework, 2).id, "Planning ahead now")},
        AFTER,
        m1,
        now=after_end_of(enrolment, "M1"),
    )
    db.commit()

    history = services.rating_history(db, enrolment)[l11.id]
    assert [(r.level.title, r.comment, r.occasion_label) for r in history] == [
        ("Emerging", "Relying on my head", "At the start"),
        ("Developing", "Planning ahead now", f"After: {m1.title}"),
    ]
    assert db.scalar(sa.select(sa.func.count()).select_from(SelfRating)) == 2
    latest = services.latest_self_ratings(db, enrolment)
    assert list(latest) == [l11.id]
    assert latest[l11.id].level_label == "2 Developing"


def test_a_saved_rating_cannot_be_changed(db, enrolment, framework):
    (rating,) = rate(db, enrolment, {comp(framework, "L1.1").id: (level(framework, 1).id, "")})
    db.commit()
    rating.level_id = level(framework, 4).id
    with pytest.raises(ValueError, match="Self-ratings are history"):
        db.flush()
    db.rollback()
    assert services.latest_self_ratings(db, enrolment)[rating.competency_id].level.value == 1


def test_latest_is_the_newest_rating_whatever_order_they_were_saved_in(db, enrolment, framework):
    l21 = comp(framework, "L2.1")
    now = after_end_of(enrolment, "M2")
    rate(db, enrolment, {l21.id: (level(framework, 3).id, "")}, now=now)
    rate(db, enrolment, {l21.id: (level(framework, 1).id, "")}, now=now - dt.timedelta(days=40))
    latest = services.latest_self_ratings(db, enrolment)
    assert latest[l21.id].level.value == 3
    history = services.rating_history(db, enrolment)[l21.id]
    assert [r.level.value for r in history] == [1, 3]


def test_a_self_assessment_may_rate_only_some_competencies_and_strips_comments(
    db, enrolment, framework
):
    chosen = {
        comp(framework, "L3.2").id: (level(framework, 4).id, "  Sharing with the trust  "),
        comp(framework, "L1.1").id: (level(framework, 2).id, ""),
    }
    created = rate(db, enrolment, chosen)
    assert [(r.competency.code, r.comment) for r in created] == [
        ("L1.1", ""),
        ("L3.2", "Sharing with the trust"),
    ]
    assert len({r.rated_dt for r in created}) == 1


def test_nothing_rated_is_refused(db, enrolment):
    with pytest.raises(AssessmentError, match="Rate at least one competency"):
        rate(db, enrolment, {})


def test_a_level_from_another_scale_is_refused(db, enrolment, framework):
    other = Framework(code="other-fw", title="Other framework", version="1")
    other.scale = Scale(title="Other scale", levels=[Level(value=1, code="a", title="A")])
    db.add(other)
    db.flush()
    with pytest.raises(AssessmentError, match=r"Leadership practice scale for L1\.1"):
        rate(db, enrolment, {comp(framework, "L1.1").id: (other.scale.levels[0].id, "")})


def test_a_competency_of_another_framework_is_refused(db, enrolment, framework):
    other = Framework(code="other-fw", title="Other framework", version="1")
    domain = Domain(code="D1", title="Other domain", framework=other)
    db.add(Competency(code="X1", title="Other", framework=other, domain=domain))
    db.flush()
    stranger = other.competencies[0]
    with pytest.raises(AssessmentError, match="not part of the Insights School Leadership"):
        rate(db, enrolment, {stranger.id: (level(framework, 1).id, "")})


def test_rating_after_a_module_that_has_not_ended_is_refused(db, enrolment, framework):
    m5 = session_of(enrolment, "M5")
    ratings = {comp(framework, "L1.1").id: (level(framework, 2).id, "")}
    with pytest.raises(AssessmentError, match="once its session has ended"):
        rate(db, enrolment, ratings, AFTER, m5.module, now=m5.starts_at + dt.timedelta(hours=1))
    # The moment the session ends, it can be rated.
    assert rate(db, enrolment, ratings, AFTER, m5.module, now=m5.ends_at)


def test_rating_after_a_module_of_another_programme_is_refused(db, enrolment, framework):
    other = Programme(
        code="other-programme",
        title="Another programme",
        framework=framework,
        modules=[
            Module(
                code="O1",
                sequence=1,
                kind=ModuleKind.WORKSHOP,
                title="Someone else's workshop",
                planned_start=utc(2020, 1, 6, 9),
                planned_end=utc(2020, 1, 6, 16),
            )
        ],
    )
    db.add(other)
    db.flush()
    ratings = {comp(framework, "L1.1").id: (level(framework, 2).id, "")}
    with pytest.raises(AssessmentError, match="is not a module of Insights"):
        rate(db, enrolment, ratings, AFTER, other.modules[0])


def test_after_module_needs_a_module_and_other_occasions_must_not_name_one(
    db, enrolment, framework
):
    ratings = {comp(framework, "L1.1").id: (level(framework, 2).id, "")}
    with pytest.raises(AssessmentError, match="Choose the module"):
        rate(db, enrolment, ratings, AFTER, None)
    with pytest.raises(AssessmentError, match="Only a rating after a module"):
        rate(db, enrolment, ratings, START, session_of(enrolment, "M0").module)
    with pytest.raises(AssessmentError, match="Choose when"):
        rate(db, enrolment, ratings, "halfway")


def test_the_end_can_be_rated_once_the_last_module_has_started(db, enrolment, framework):
    last = session_of(enrolment, "M7")
    ratings = {comp(framework, "L1.1").id: (level(framework, 4).id, "")}
    with pytest.raises(AssessmentError, match="once the final module has started"):
        rate(db, enrolment, ratings, END, now=last.starts_at - dt.timedelta(minutes=1))
    assert rate(db, enrolment, ratings, END, now=last.starts_at)


def test_only_participants_rate_themselves(db, demo, framework):
    coach = enrolment_of(db, "coach1@example.org", CohortRole.COACH)
    with pytest.raises(AssessmentError, match="Only participants"):
        rate(db, coach, {comp(framework, "L1.1").id: (level(framework, 2).id, "")})


def test_comments_are_limited_to_2000_characters(db, enrolment, framework):
    l11 = comp(framework, "L1.1")
    with pytest.raises(AssessmentError, match="2,000 characters"):
        rate(db, enrolment, {l11.id: (level(framework, 2).id, "x" * 2001)})
    assert rate(db, enrolment, {l11.id: (level(framework, 2).id, "x" * 2000)})


def test_a_signal_is_sent_for_every_rating(db, enrolment, framework):
    received = []

    def receiver(sender, **kwargs):
        received.append((sender, kwargs))

    ratings = {c.id: (level(framework, 2).id, "") for c in framework.competencies[:3]}
    with self_assessment_recorded.connected_to(receiver):
        created = rate(db, enrolment, ratings)
    assert [sender for sender, _ in received] == created
    assert all(kwargs == {"user": enrolment.user} for _, kwargs in received)
    assert all(sender.id is not None for sender, _ in received)  # sent after the flush


def test_a_refused_self_assessment_sends_no_signal_and_saves_nothing(db, enrolment, framework):
    received = []
    good = (level(framework, 2).id, "")
    ratings = {comp(framework, "L1.1").id: good, comp(framework, "L1.2").id: (-1, "")}
    with (
        self_assessment_recorded.connected_to(lambda sender, **kw: received.append(sender)),
        pytest.raises(AssessmentError),
    ):
        rate(db, enrolment, ratings)
    db.flush()
    assert received == []
    assert db.scalar(sa.select(sa.func.count()).select_from(SelfRating)) == 0


def test_occasions_are_the_start_each_ended_module_and_the_end(db, content):
    programme = db.scalar(sa.select(Programme).where(Programme.code == "insights-2026"))
    cohort = make_cohort(db, programme)
    enrolled(db, cohort, CohortRole.PARTICIPANT)
    enrolment = cohort.enrolments[0]
    sessions = sorted(cohort.cohort_modules, key=lambda s: s.module.sequence)

    before = services.available_occasions(db, enrolment, sessions[0].starts_at)
    assert [o.label for o in before] == ["At the start"]

    during_m2 = services.available_occasions(db, enrolment, sessions[2].starts_at)
    assert [o.label for o in during_m2] == [
        "At the start",
        f"After: {sessions[0].module.title}",
        f"After: {sessions[1].module.title}",
    ]
    assert [o.key for o in during_m2][1:] == [
        f"after_module:{sessions[0].module_id}",
        f"after_module:{sessions[1].module_id}",
    ]

    last_started = services.available_occasions(db, enrolment, sessions[-1].starts_at)
    assert last_started[-1].label == "At the end"
    assert len(last_started) == len(sessions) + 1  # start, all but the last module, end
    after_all = services.available_occasions(db, enrolment, sessions[-1].ends_at)
    assert [o.label for o in after_all][-2:] == [
        f"After: {sessions[-1].module.title}",
        "At the end",
    ]


def test_status_offers_the_baseline_first_then_the_newest_occasion(db, enrolment, framework):
    now = after_end_of(enrolment, "M3", days=2)
    status = services.assessment_status(db, enrolment, now)
    assert (status.rated, status.total, status.last_rated_dt) == (0, 10, None)
    assert status.due.label == "At the start"

    rate(db, enrolment, {comp(framework, "L1.1").id: (level(framework, 1).id, "")}, now=now)
    status = services.assessment_status(db, enrolment, now)
    m3 = session_of(enrolment, "M3").module
    assert (status.rated, status.last_rated_dt) == (1, now)
    assert status.due.label == f"After: {m3.title}"

    rate(db, enrolment, {comp(framework, "L1.2").id: (level(framework, 2).id, "")}, AFTER, m3, now)
    status = services.assessment_status(db, enrolment, now)
    assert status.rated == 2
    assert status.due is None


def render_chart(app, chart) -> str:
    with app.app_context():
        return render_template_string(
            '{% from "lms/assessment/_chart.html" import self_rating_chart %}'
            "{{ self_rating_chart(chart) }}",
            chart=chart,
        )


def test_chart_has_a_line_per_rated_competency_and_a_table_of_the_values(
    app, db, enrolment, framework
):
    l11, l21 = comp(framework, "L1.1"), comp(framework, "L2.1")
    m0, m1 = session_of(enrolment, "M0").module, session_of(enrolment, "M1").module
    rate(
        db,
        enrolment,
        {l11.id: (level(framework, 1).id, ""), l21.id: (level(framework, 2).id, "")},
        now=after_end_of(enrolment, "M0") - dt.timedelta(days=20),
    )
    rate(
        db,
        enrolment,
        {l11.id: (level(framework, 2).id, "")},
        AFTER,
        m0,
        after_end_of(enrolment, "M0"),
    )
    rate(
        db,
        enrolment,
        {l11.id: (level(framework, 4).id, "")},
        AFTER,
        m1,
        after_end_of(enrolment, "M1"),
    )
    chart = charts.chart_for(db, enrolment)

    assert [c.short_label for c in chart.columns] == ["Start", "M0", "M1"]
    assert [s.competency.code for s in chart.series] == ["L1.1", "L2.1"]
    l11_series = chart.series[0]
    ys = [p.y for p in l11_series.points]
    assert ys[0] > ys[1] > ys[2]  # higher levels are drawn higher up
    assert [p.x for p in l11_series.points] == [c.x for c in chart.columns]

    html = render_chart(app, chart)
    assert html.count("<polyline") == 2
    assert html.count("<circle") == 4  # L1.1 three times, L2.1 once
    assert "Emerging" in html and "Leading" in html  # the level axis
    assert not re.search(r"(href|src)=|<script", html)  # nothing external, no script
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</th>(.*?)</tr>", html, re.S)
    cells = {
        html_lib.unescape(head): [
            re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", body)
        ]
        for head, body in rows
    }
    assert cells == {
        f"L1.1 {l11.title}": ["1 Emerging", "2 Developing", "4 Leading"],
        f"L2.1 {l21.title}": ["2 Developing", "—Not rated", "—Not rated"],
    }
    assert (
        "L1.1 Vision, values and ethical leadership: 1 Emerging at the start; 2 Developing after"
        in (html.replace("&#39;", "'"))
    )


def test_chart_of_no_ratings_says_so(app, db, enrolment):
    chart = charts.chart_for(db, enrolment)
    assert chart.is_empty
    html = render_chart(app, chart)
    assert "No self-ratings yet." in html
    assert "<svg" not in html


def test_chart_with_many_self_assessments_slants_its_labels(app, db, enrolment, framework):
    l11 = comp(framework, "L1.1")
    base = after_end_of(enrolment, "M0") - dt.timedelta(days=30)
    for day in range(7):
        rate(
            db,
            enrolment,
            {l11.id: (level(framework, 1 + day % 4).id, "")},
            now=base + dt.timedelta(days=day),
        )
    chart = charts.chart_for(db, enrolment)
    assert chart.slant and len(chart.columns) == 7
    html = render_chart(app, chart)
    assert html.count('transform="rotate(-40') == 7
    assert all(chart.left <= c.x <= chart.plot_right for c in chart.columns)


def test_chart_draws_in_weasyprint(app, db, enrolment, framework):
    """The portfolio prints this chart: WeasyPrint must draw its SVG (text included)."""
    weasyprint = pytest.importorskip("weasyprint")
    from pypdf import PdfReader

    l11 = comp(framework, "L1.1")
    m0 = session_of(enrolment, "M0").module
    rate(db, enrolment, {l11.id: (level(framework, 1).id, "")}, now=m0.planned_start)
    rate(
        db,
        enrolment,
        {l11.id: (level(framework, 3).id, "")},
        AFTER,
        m0,
        after_end_of(enrolment, "M0"),
    )
    html = render_chart(app, charts.chart_for(db, enrolment))
    fetched = []

    def no_fetching(url, *args, **kwargs):
        fetched.append(url)
        raise ValueError(f"the chart must not fetch {url}")

    pdf = weasyprint.HTML(string=f"<html><body>{html}</body></html>", url_fetcher=no_fetching)
    reader = PdfReader(io.BytesIO(pdf.write_pdf()))
    drawn = " ".join(page.extract_text() for page in reader.pages)
    assert fetched == []
    for label in ("1 Emerging", "4 Leading", "Start", "M0", "3 Established"):
        assert label in drawn
