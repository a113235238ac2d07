"""Self-ratings: a participant's rating of themselves on one competency at one occasion.

Rows are only ever inserted. A participant rates themselves at the start, after each module
and at the end; every rating is kept so that the history (and the chart of it) shows how
their view of their own practice moved over the programme.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from insights_lms.cohorts.models import Enrolment
from insights_lms.competencies.models import Competency, Level
from insights_lms.db import Base, utcnow
from insights_lms.enums import StrEnum, enum_column
from insights_lms.programmes.models import Module

#: The longest comment a participant may add to one rating.
COMMENT_MAX = 2000


class AssessmentOccasion(StrEnum):
    """When in the programme a self-rating was made."""

    START = "start"
    AFTER_MODULE = "after_module"
    END = "end"


def occasion_label(occasion: AssessmentOccasion, module: Module | None = None) -> str:
    """How people read an occasion: "At the start", "After: <module title>", "At the end"."""
    if occasion == AssessmentOccasion.AFTER_MODULE:
        return f"After: {module.title}" if module is not None else "After a module"
    if occasion == AssessmentOccasion.END:
        return "At the end"
    return "At the start"


def occasion_short_label(occasion: AssessmentOccasion, module: Module | None = None) -> str:
    """A few characters for a chart's axis: "Start", the module's code, "End"."""
    if occasion == AssessmentOccasion.AFTER_MODULE:
        return module.code if module is not None else "Module"
    if occasion == AssessmentOccasion.END:
        return "End"
    return "Start"


class SelfRating(Base):
    """A participant's rating of themselves on one competency (never updated or deleted).

    ``enrolment`` is the participant's enrolment, so it names both the participant and the
    cohort (and through it the programme, its framework and scale).
    """

    __tablename__ = "lms_self_rating"
    __table_args__ = (
        # A module is named exactly when the rating is "after a module".
        sa.CheckConstraint(
            "(occasion = 'after_module' AND module_id IS NOT NULL)"
            " OR (occasion <> 'after_module' AND module_id IS NULL)",
            name="module_iff_after_module",
        ),
        sa.CheckConstraint(f"length(comment) <= {COMMENT_MAX}", name="comment_length"),
        sa.Index(
            "ix_lms_self_rating_enrolment_competency_dt",
            "enrolment_id",
            "competency_id",
            "rated_dt",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_enrolment.id", ondelete="CASCADE"))
    # RESTRICT: a rating is history; content changes must not silently delete it.
    competency_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_competency.id", ondelete="RESTRICT")
    )
    level_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_level.id", ondelete="RESTRICT"))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    occasion: Mapped[AssessmentOccasion] = mapped_column(enum_column(AssessmentOccasion))
    module_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("lms_module.id", ondelete="RESTRICT")
    )
    rated_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)

    enrolment: Mapped[Enrolment] = relationship()
    competency: Mapped[Competency] = relationship()
    level: Mapped[Level] = relationship()
    module: Mapped[Module | None] = relationship()

    @property
    def occasion_label(self) -> str:
        return occasion_label(self.occasion, self.module)

    @property
    def occasion_short_label(self) -> str:
        return occasion_short_label(self.occasion, self.module)

    @property
    def level_label(self) -> str:
        """The level as people read it, e.g. "2 Developing"."""
        return f"{self.level.value} {self.level.title}"

    def __repr__(self) -> str:
        return (
            f"<SelfRating enrolment={self.enrolment_id} competency={self.competency_id} "
            f"level={self.level_id} {self.occasion}>"
        )


@event.listens_for(SelfRating, "before_update")
def _ratings_are_history(_mapper: Any, _connection: Any, rating: SelfRating) -> None:
    """A rating is what the participant said at the time: record a new one, never edit it."""
    session = object_session(rating)
    if session is not None and session.is_modified(rating, include_collections=False):
        raise ValueError("Self-ratings are history and cannot be changed: record a new rating.")
