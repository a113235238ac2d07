"""xAPI statement for a self-assessment: the participant ``scored`` themselves on a
competency, the level as the score (see ``docs/xapi.md``)."""

from __future__ import annotations

from typing import Any

import tincan

from insights_lms import signals
from insights_lms.assessment.models import SelfRating
from insights_lms.xapi import outbox
from insights_lms.xapi.options import XapiOptions, options_for
from insights_lms.xapi.receivers import connect_receivers, session_of
from insights_lms.xapi.statements import (
    agent,
    competency_activity,
    context,
    module_activity,
    result_extensions,
    statement,
)
from insights_lms.xapi.vocabulary import ADLVerbs, Extensions

#: The ``event`` recorded with the statement.
SELF_ASSESSMENT_RECORDED = "self_assessment.recorded"


def self_assessed(rating: SelfRating, options: XapiOptions) -> tincan.Statement:
    """The participant rated themselves on one competency: the level is the score."""
    enrolment = rating.enrolment
    level = rating.level
    values = [lv.value for lv in level.scale.levels]
    low, high = min(values), max(values)
    score = tincan.Score(raw=level.value, min=low, max=high)
    if high > 0 and 0 <= level.value <= high:
        score.scaled = level.value / high
    result = tincan.Result(
        score=score,
        extensions=result_extensions(
            options,
            {Extensions.LEVEL: {"value": level.value, "code": level.code, "title": level.title}},
        ),
    )
    if rating.comment.strip():
        result.response = rating.comment.strip()
    parent = [module_activity(rating.module, options)] if rating.module is not None else []
    return statement(
        agent(enrolment.user, options),
        ADLVerbs.SCORED,
        competency_activity(rating.competency, options, full=True),
        rating.rated_dt,
        result=result,
        context=context(
            options,
            enrolment.cohort,
            registration=enrolment.registration,
            parent=parent,
            extensions={Extensions.OCCASION: rating.occasion.value},
        ),
    )


def on_self_assessment_recorded(sender: SelfRating, **_: Any) -> None:
    session = session_of(sender)
    assessed = self_assessed(sender, options_for(session))
    outbox.queue(
        session,
        assessed,
        event=SELF_ASSESSMENT_RECORDED,
        actor_name=sender.enrolment.user.public_id,
    )


def connect() -> None:
    """Connect the self-assessment statement to its signal (safe to call again)."""
    connect_receivers([(signals.self_assessment_recorded, on_self_assessment_recorded)])
