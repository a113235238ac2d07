"""Which reminders have been sent, so that none is ever sent twice."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from insights_lms.auth.models import User
from insights_lms.cohorts.models import CohortModule, CohortTask
from insights_lms.db import Base, utcnow
from insights_lms.enums import StrEnum, enum_column


class ReminderKind(StrEnum):
    TASK_DUE = "task_due"
    MODULE_SOON = "module_soon"


class ReminderSent(Base):
    """A reminder email the SMTP server accepted (recorded only after it did)."""

    __tablename__ = "lms_reminder_sent"
    __table_args__ = (
        # NULLs are distinct in unique constraints, so each pair only binds its own kind.
        sa.UniqueConstraint("user_id", "cohort_task_id"),
        sa.UniqueConstraint("user_id", "cohort_module_id"),
        sa.CheckConstraint(
            "(kind = 'task_due' AND cohort_task_id IS NOT NULL AND cohort_module_id IS NULL)"
            " OR (kind = 'module_soon' AND cohort_module_id IS NOT NULL"
            " AND cohort_task_id IS NULL)",
            name="one_target",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_user.id", ondelete="CASCADE"))
    kind: Mapped[ReminderKind] = mapped_column(enum_column(ReminderKind))
    cohort_task_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("lms_cohort_task.id", ondelete="CASCADE")
    )
    cohort_module_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("lms_cohort_module.id", ondelete="CASCADE")
    )
    sent_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    cohort_task: Mapped[CohortTask | None] = relationship()
    cohort_module: Mapped[CohortModule | None] = relationship()
