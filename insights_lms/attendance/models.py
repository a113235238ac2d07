"""Attendance at a cohort's module sessions, and a participant's completion with reflection."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from insights_lms.auth.models import User
from insights_lms.cohorts.models import CohortModule
from insights_lms.db import Base, utcnow
from insights_lms.enums import StrEnum, enum_column

#: The longest note a facilitator can keep against one mark in a register.
NOTE_MAX = 200
#: The longest answer to each reflection question.
REFLECTION_MAX = 4000


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    LATE = "late"
    APOLOGIES = "apologies"
    ABSENT = "absent"

    @property
    def attended(self) -> bool:
        """Late arrivals were there: they count as attending."""
        return self in (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


class Attendance(Base):
    """One participant's mark in the register of one module session.

    A facilitator may correct a mark later: the row is updated (``recorded_by``/``recorded_dt``
    say who changed it last), never duplicated.
    """

    __tablename__ = "lms_attendance"
    __table_args__ = (sa.UniqueConstraint("cohort_module_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_module_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_cohort_module.id", ondelete="CASCADE")
    )
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_user.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[AttendanceStatus] = mapped_column(enum_column(AttendanceStatus))
    note: Mapped[str] = mapped_column(sa.String(NOTE_MAX), default="")
    # A register outlives the account of the facilitator who took it.
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("lms_user.id", ondelete="SET NULL")
    )
    recorded_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)

    cohort_module: Mapped[CohortModule] = relationship()
    participant: Mapped[User] = relationship(foreign_keys=[participant_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])

    def __repr__(self) -> str:
        return f"<Attendance {self.cohort_module_id}/{self.participant_id} {self.status}>"


class ModuleCompletion(Base):
    """A participant's record that they completed a module, with their reflection on it."""

    __tablename__ = "lms_module_completion"
    __table_args__ = (sa.UniqueConstraint("cohort_module_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_module_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_cohort_module.id", ondelete="CASCADE")
    )
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_user.id", ondelete="CASCADE"), index=True
    )
    learned: Mapped[str] = mapped_column(sa.Text)
    will_trial: Mapped[str] = mapped_column(sa.Text)
    completed_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)

    cohort_module: Mapped[CohortModule] = relationship()
    participant: Mapped[User] = relationship()

    @property
    def is_edited(self) -> bool:
        return self.updated_dt > self.completed_dt

    def __repr__(self) -> str:
        return f"<ModuleCompletion {self.cohort_module_id}/{self.participant_id}>"
