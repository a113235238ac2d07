"""xAPI statements for the ratings feature's domain signals (connected by ``connect()``).

Every statement about a participant's competency level has the **participant as actor**, so an
LRS consumer that asks "what do we know of Amina on L2.3?" finds all of it with one agent query:

- An agreed level (coach and participant agreed it in a developmental conversation): TLA
  ``achieved`` on the competency, the level as score and ``level`` result extension, and the
  coach who recorded it as ``context.instructor``. This is the programme's statement that a
  competency level was reached.
- A coach's or a facilitator's rating: ADL ``scored`` on the competency, like a self-rating,
  with the rater as ``context.instructor`` and a ``rater`` context extension (``coach`` or
  ``facilitator``) so that it is never mistaken for the participant's view of themselves.
  xAPI's own pattern for an assessor's judgement is the learner as actor and the assessor in
  context: with the rater as actor, "Helen scored L2.3" would read as Helen being assessed.

A rating's note stays in the LMS: the statements carry levels, not what people wrote.
"""

from __future__ import annotations

from typing import Any

import tincan

from insights_lms.ratings.models import CompetencyRating, RatingKind
from insights_lms.signals import rating_recorded
from insights_lms.xapi import outbox
from insights_lms.xapi.options import XapiOptions, options_for
from insights_lms.xapi.receivers import connect_receivers, session_of
from insights_lms.xapi.statements import (
    agent,
    competency_activity,
    context,
    result_extensions,
    statement,
)
from insights_lms.xapi.vocabulary import ADLVerbs, Extensions, TLAVerbs

#: The outbox ``event`` of these statements.
RATING_RECORDED = "rating.recorded"
#: Context extension (under the base IRI, like the profile's others): whose rating a ``scored``
#: statement is, ``coach`` or ``facilitator``.
RATER_EXTENSION = "rater"


def _result(rating: CompetencyRating, options: XapiOptions) -> tincan.Result:
    """The level as a score on the scale and as the ``level`` extension (as self-ratings)."""
    level = rating.level
    values = [lv.value for lv in level.scale.levels]
    low, high = min(values), max(values)
    score = tincan.Score(raw=level.value, min=low, max=high)
    if high > 0 and 0 <= level.value <= high:
        score.scaled = level.value / high
    return tincan.Result(
        score=score,
        extensions=result_extensions(
            options,
            {Extensions.LEVEL: {"value": level.value, "code": level.code, "title": level.title}},
        ),
    )


def rating_statement(rating: CompetencyRating, options: XapiOptions) -> tincan.Statement:
    """``achieved`` for an agreed level, ``scored`` for a coach's or facilitator's rating."""
    if rating.rater is None:
        raise ValueError("a rating whose rater is gone cannot be described")
    enrolment = rating.enrolment
    extensions: dict[str, Any] | None = None
    verb = TLAVerbs.ACHIEVED
    if rating.kind != RatingKind.AGREED:
        verb = ADLVerbs.SCORED
        extensions = {RATER_EXTENSION: rating.kind.value}
    return statement(
        agent(enrolment.user, options),
        verb,
        competency_activity(rating.competency, options, full=True),
        rating.rated_dt,
        result=_result(rating, options),
        context=context(
            options,
            enrolment.cohort,
            registration=enrolment.registration,
            instructor=agent(rating.rater, options),
            extensions=extensions,
        ),
    )


def on_rating_recorded(sender: CompetencyRating, **_: Any) -> None:
    session = session_of(sender)
    rated = rating_statement(sender, options_for(session))
    outbox.queue(session, rated, event=RATING_RECORDED, actor_name=sender.enrolment.user.public_id)


def connect() -> None:
    """Connect the rating statement to ``rating_recorded`` (safe to call again)."""
    connect_receivers([(rating_recorded, on_rating_recorded)])
