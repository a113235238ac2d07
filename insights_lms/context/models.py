"""A participant's school context: phase, size, and how much each challenge weighs on it.

``SchoolChallenge`` rows come from the programme content (``challenges:`` in the programme YAML);
evidence and practical-task responses link to them by ``lms_school_challenge.id``. School challenge
ratings are never overwritten: each change adds a row, so a leader can show how their
context moved over the year.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from insights_lms.auth.models import User
from insights_lms.db import Base, utcnow
from insights_lms.enums import SchoolPhase, enum_column
from insights_lms.programmes.models import Programme

PUPILS_MIN, PUPILS_MAX = 1, 10_000
STAFF_MIN, STAFF_MAX = 1, 5_000
NOTES_MAX = 4000
COMMENT_MAX = 1000

#: How much a challenge weighs on the school now, from 0 to 4.
WEIGHTS: dict[int, str] = {
    0: "Not a concern",
    1: "Minor",
    2: "Moderate",
    3: "Significant",
    4: "Severe",
}


class SchoolChallenge(Base):
    """A challenge schools face, from the programme's content (e.g. pupil attendance)."""

    __tablename__ = "lms_school_challenge"
    __table_args__ = (
        # Its name from before the table was renamed (migration 0006): SQLite cannot rename it.
        sa.UniqueConstraint("programme_id", "code", name="uq_lms_challenge_programme_id_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_programme.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    programme: Mapped[Programme] = relationship()

    def __repr__(self) -> str:
        return f"<SchoolChallenge {self.code}>"


class SchoolContext(Base):
    """One participant's school context profile (one per participant)."""

    __tablename__ = "lms_school_context"
    __table_args__ = (
        sa.CheckConstraint(
            f"pupils IS NULL OR (pupils >= {PUPILS_MIN} AND pupils <= {PUPILS_MAX})",
            name="pupils_range",
        ),
        sa.CheckConstraint(
            f"staff IS NULL OR (staff >= {STAFF_MIN} AND staff <= {STAFF_MAX})",
            name="staff_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_user.id", ondelete="CASCADE"), unique=True
    )
    phase: Mapped[SchoolPhase | None] = mapped_column(enum_column(SchoolPhase))
    pupils: Mapped[int | None]
    staff: Mapped[int | None]
    # What makes the school's context distinctive, in the participant's words.
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    updated_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    ratings: Mapped[list[SchoolChallengeRating]] = relationship(
        back_populates="school_context",
        cascade="all, delete-orphan",
        order_by=lambda: [SchoolChallengeRating.rated_dt, SchoolChallengeRating.id],
    )

    def __repr__(self) -> str:
        return f"<SchoolContext user={self.user_id}>"


class SchoolChallengeRating(Base):
    """How much one challenge weighed on the school from ``rated_dt`` (history: never updated)."""

    __tablename__ = "lms_school_challenge_rating"
    __table_args__ = (
        sa.CheckConstraint("weight >= 0 AND weight <= 4", name="weight_range"),
        sa.Index(
            "ix_lms_school_challenge_rating_context_challenge",
            "school_context_id",
            "challenge_id",
            "rated_dt",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_context_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_school_context.id", ondelete="CASCADE")
    )
    challenge_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_school_challenge.id", ondelete="CASCADE")
    )
    weight: Mapped[int]
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    rated_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)

    school_context: Mapped[SchoolContext] = relationship(back_populates="ratings")
    challenge: Mapped[SchoolChallenge] = relationship()

    @property
    def weight_label(self) -> str:
        return WEIGHTS.get(self.weight, str(self.weight))

    def __repr__(self) -> str:
        return f"<ContextChallengeRating challenge={self.challenge_id} weight={self.weight}>"
