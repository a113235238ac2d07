"""A participant's feedback on one module session of their cohort.

One row per participant and session: the participant may change their answers (it is a survey,
not a record of learning), and facilitators see the answers only in aggregate, with comments
shown without names so that participants can be candid.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from insights_lms.auth.models import User
from insights_lms.cohorts.models import CohortModule
from insights_lms.db import Base, utcnow
from insights_lms.enums import StrEnum, enum_column

#: Relevance and expected impact are answered on a 1 to 5 scale.
SCALE = (1, 2, 3, 4, 5)
COMMENT_MAX = 2000


class Stretch(StrEnum):
    """'Serve or stretch': how demanding the module was for this leader."""

    TOO_COMFORTABLE = "too_comfortable"
    ABOUT_RIGHT = "about_right"
    TOO_MUCH = "too_much"


class ModuleFeedback(Base):
    """One participant's answers about one module session."""

    __tablename__ = "lms_module_feedback"
    __table_args__ = (
        sa.UniqueConstraint("cohort_module_id", "participant_id"),
        sa.CheckConstraint("relevance BETWEEN 1 AND 5", name="relevance_range"),
        sa.CheckConstraint("impact BETWEEN 1 AND 5", name="impact_range"),
        sa.CheckConstraint(f"length(comment) <= {COMMENT_MAX}", name="comment_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_module_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_cohort_module.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_user.id", ondelete="CASCADE"))
    relevance: Mapped[int]
    stretch: Mapped[Stretch] = mapped_column(enum_column(Stretch))
    impact: Mapped[int]
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    given_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)

    cohort_module: Mapped[CohortModule] = relationship()
    participant: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ModuleFeedback session={self.cohort_module_id} participant={self.participant_id}>"
