"""A coach's (or facilitator's) review of a piece of evidence; every review is kept."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from insights_lms.auth.models import User
from insights_lms.db import Base, utcnow
from insights_lms.enums import StrEnum, enum_column
from insights_lms.evidence.models import Evidence


class ReviewOutcome(StrEnum):
    ACCEPTED = "accepted"
    NEEDS_MORE = "needs_more"


class EvidenceReview(Base):
    """One review of one piece of evidence. Reviews are history: a new review is a new row,
    and the evidence's current outcome is its latest review."""

    __tablename__ = "lms_evidence_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_evidence.id", ondelete="CASCADE"), index=True
    )
    # A review outlives its reviewer's account: history is never lost.
    reviewer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("lms_user.id", ondelete="SET NULL")
    )
    outcome: Mapped[ReviewOutcome] = mapped_column(enum_column(ReviewOutcome))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    reviewed_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)

    evidence: Mapped[Evidence] = relationship()
    reviewer: Mapped[User | None] = relationship()

    @property
    def is_accepted(self) -> bool:
        return self.outcome == ReviewOutcome.ACCEPTED

    def __repr__(self) -> str:
        return f"<EvidenceReview {self.id} {self.outcome.value}>"
