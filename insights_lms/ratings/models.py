"""Ratings of a participant on a competency by someone other than themselves.

Self-ratings live in ``assessment`` (they carry an occasion). Here are the others: a coach's
rating, a facilitator's rating, and the level agreed between coach and participant in a
developmental conversation. Rows are only ever inserted: every rater's history is kept and no
rating ever overwrites another rater's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from insights_lms.auth.models import User
from insights_lms.cohorts.models import Enrolment
from insights_lms.competencies.models import Competency, Level
from insights_lms.db import Base, utcnow
from insights_lms.enums import StrEnum, enum_column

#: The longest note a rater may add to one rating.
NOTE_MAX = 4000


class RatingKind(StrEnum):
    """Who a rating speaks for."""

    #: The participant's coach.
    COACH = "coach"
    #: A facilitator of the participant's cohort.
    FACILITATOR = "facilitator"
    #: The level coach and participant agreed in a developmental conversation.
    AGREED = "agreed"


class CompetencyRating(Base):
    """One rating of one participant (their enrolment) on one competency; never changed."""

    __tablename__ = "lms_competency_rating"
    __table_args__ = (
        sa.CheckConstraint(f"length(note) <= {NOTE_MAX}", name="note_length"),
        sa.Index(
            "ix_lms_competency_rating_enrolment_competency_dt",
            "enrolment_id",
            "competency_id",
            "rated_dt",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The participant's enrolment (so: the participant and the cohort).
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_enrolment.id", ondelete="CASCADE"))
    competency_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_competency.id", ondelete="RESTRICT")
    )
    level_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_level.id", ondelete="RESTRICT"))
    kind: Mapped[RatingKind] = mapped_column(enum_column(RatingKind))
    # A rating outlives its rater's account: history is never lost.
    rater_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lms_user.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    rated_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)

    enrolment: Mapped[Enrolment] = relationship()
    competency: Mapped[Competency] = relationship()
    level: Mapped[Level] = relationship()
    rater: Mapped[User | None] = relationship()

    @property
    def level_label(self) -> str:
        """The level as people read it, e.g. "2 Developing"."""
        return f"{self.level.value} {self.level.title}"

    def __repr__(self) -> str:
        return (
            f"<CompetencyRating {self.kind} enrolment={self.enrolment_id} "
            f"competency={self.competency_id} level={self.level_id}>"
        )


@event.listens_for(CompetencyRating, "before_update")
def _ratings_are_history(_mapper: Any, _connection: Any, rating: CompetencyRating) -> None:
    session = object_session(rating)
    if session is not None and session.is_modified(rating, include_collections=False):
        raise ValueError("Ratings are history and cannot be changed: record a new rating.")
