"""Module feedback: giving it (once per session, changeable) and the facilitator's summary."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from insights_lms import signals
from insights_lms.cohorts.models import Cohort, CohortModule
from insights_lms.db import utcnow
from insights_lms.enums import CohortRole
from insights_lms.feedback import services
from insights_lms.feedback.models import COMMENT_MAX, ModuleFeedback, Stretch
from tests.factories import enrolled, find_user, make_cohort


def past_session(cohort: Cohort) -> CohortModule:
    return min(
        (cm for cm in cohort.cohort_modules if cm.ends_at < utcnow()), key=lambda cm: cm.starts_at
    )


def future_session(cohort: Cohort) -> CohortModule:
    return max(cohort.cohort_modules, key=lambda cm: cm.starts_at)


def answers(**overrides):
    values = {"relevance": 4, "stretch": "about_right", "impact": 3, "comment": "Useful day."}
    values.update(overrides)
    return values


def rows(db) -> list[ModuleFeedback]:
    return list(db.scalars(sa.select(ModuleFeedback)))


def test_a_participant_gives_feedback_and_can_change_it(db, demo):
    cm = past_session(demo)
    amina = find_user(db, "participant1@example.org")
    sent = []

    def receiver(sender, **kwargs):
        sent.append((sender, kwargs))

    with signals.feedback_given.connected_to(receiver):
        first = services.give_feedback(db, cm, amina, **answers())
        second = services.give_feedback(
            db, cm, amina, **answers(relevance="5", stretch="too_much", comment="  More time  ")
        )
    assert first is second
    assert len(rows(db)) == 1
    assert (second.relevance, second.stretch, second.impact) == (5, Stretch.TOO_MUCH, 3)
    assert second.comment == "More time"
    assert [kwargs["created"] for _, kwargs in sent] == [True, False]
    assert all(kwargs["user"] is amina for _, kwargs in sent)


def test_feedback_waits_for_the_session(db, demo):
    cm = future_session(demo)
    amina = find_user(db, "participant1@example.org")
    with pytest.raises(services.FeedbackError, match="once the session has started"):
        services.give_feedback(db, cm, amina, **answers())
    assert rows(db) == []


def test_only_the_cohorts_participants_give_feedback(db, demo, content):
    cm = past_session(demo)
    coach = find_user(db, "coach1@example.org")
    outsider = enrolled(db, make_cohort(db, demo.programme), CohortRole.PARTICIPANT)
    for user in (coach, outsider):
        with pytest.raises(services.FeedbackError, match="Only the cohort's participants"):
            services.give_feedback(db, cm, user, **answers())
    assert rows(db) == []


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"relevance": 0}, "relevance"),
        ({"relevance": "6"}, "relevance"),
        ({"relevance": "high"}, "relevance"),
        ({"impact": None}, "impact"),
        ({"stretch": "meh"}, "stretch"),
        ({"comment": "x" * (COMMENT_MAX + 1)}, "comment"),
    ],
)
def test_bad_answers_are_refused_and_change_nothing(db, demo, bad, field):
    cm = past_session(demo)
    amina = find_user(db, "participant1@example.org")
    services.give_feedback(db, cm, amina, **answers())
    with pytest.raises(services.FeedbackError) as refused:
        services.give_feedback(db, cm, amina, **answers(**{"relevance": 2, **bad}))
    assert refused.value.field == field
    db.expire_all()
    assert [(r.relevance, r.comment) for r in rows(db)] == [(4, "Useful day.")]


def test_results_summarise_each_module_without_names(db, demo, content):
    cm = past_session(demo)
    participants = demo.members(CohortRole.PARTICIPANT)
    given = [
        (5, "too_comfortable", 4, "Great speakers"),
        (3, "about_right", 2, ""),
        (4, "about_right", 3, ""),
    ]
    for person, (relevance, stretch, impact, comment) in zip(participants, given, strict=False):
        services.give_feedback(
            db, cm, person, relevance=relevance, stretch=stretch, impact=impact, comment=comment
        )
    # Another cohort of the same programme: not part of this cohort's results.
    other = make_cohort(
        db, demo.programme, first_module_start=min(s.starts_at for s in demo.cohort_modules)
    )
    stranger = enrolled(db, other, CohortRole.PARTICIPANT)
    services.give_feedback(db, past_session(other), stranger, **answers(relevance=1))

    results = services.module_results(db, demo)
    assert [r.cohort_module.module.sequence for r in results] == sorted(
        s.module.sequence for s in demo.cohort_modules
    )
    result = next(r for r in results if r.cohort_module is cm)
    assert result.participants == len(participants)
    assert result.responses == 3
    assert result.mean_relevance == pytest.approx(4.0)
    assert result.mean_impact == pytest.approx(3.0)
    assert result.stretch[Stretch.ABOUT_RIGHT] == 2
    assert result.share(Stretch.TOO_COMFORTABLE) == pytest.approx(1 / 3)
    assert result.comments == ["Great speakers"]
    untouched = next(r for r in results if r.cohort_module is not cm)
    assert (untouched.responses, untouched.mean_relevance) == (0, None)
