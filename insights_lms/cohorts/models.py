"""Cohort (a run of a programme), its dated sessions and task windows, and who is in it."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from insights_lms.auth.models import User
from insights_lms.db import Base, new_uuid, utcnow
from insights_lms.enums import CohortRole, enum_column
from insights_lms.programmes.models import Module, PracticalTask, Programme


class Cohort(Base):
    """One run of a programme, e.g. the 2026-27 Tower Hamlets cohort."""

    __tablename__ = "lms_cohort"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_programme.id"))
    created_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)

    programme: Mapped[Programme] = relationship()
    cohort_modules: Mapped[list[CohortModule]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan", order_by="CohortModule.starts_at"
    )
    task_windows: Mapped[list[CohortTask]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan", order_by="CohortTask.opens_at"
    )
    enrolments: Mapped[list[Enrolment]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan"
    )

    def members(self, role: CohortRole) -> list[User]:
        users = [e.user for e in self.enrolments if e.role == role]
        return sorted(users, key=lambda u: u.name.casefold())

    def __repr__(self) -> str:
        return f"<Cohort {self.code}>"


class CohortModule(Base):
    """When and where a cohort meets for one module (a module *session*)."""

    __tablename__ = "lms_cohort_module"
    __table_args__ = (
        sa.UniqueConstraint("cohort_id", "module_id"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_cohort.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_module.id", ondelete="CASCADE"))
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    location: Mapped[str] = mapped_column(sa.String(200), default="")

    cohort: Mapped[Cohort] = relationship(back_populates="cohort_modules")
    module: Mapped[Module] = relationship()


class CohortTask(Base):
    """The window in which a cohort's participants do one practical task."""

    __tablename__ = "lms_cohort_task"
    __table_args__ = (
        sa.UniqueConstraint("cohort_id", "task_id"),
        sa.CheckConstraint("due_at > opens_at", name="due_after_opens"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_cohort.id", ondelete="CASCADE"))
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_practical_task.id", ondelete="CASCADE"))
    opens_at: Mapped[dt.datetime]
    due_at: Mapped[dt.datetime]

    cohort: Mapped[Cohort] = relationship(back_populates="task_windows")
    task: Mapped[PracticalTask] = relationship()


class Enrolment(Base):
    """A user's role in a cohort; ``registration`` identifies it in xAPI statements."""

    __tablename__ = "lms_enrolment"
    __table_args__ = (sa.UniqueConstraint("cohort_id", "user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_cohort.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_user.id", ondelete="CASCADE"))
    role: Mapped[CohortRole] = mapped_column(enum_column(CohortRole))
    registration: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_uuid)
    created_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)

    cohort: Mapped[Cohort] = relationship(back_populates="enrolments")
    user: Mapped[User] = relationship()


class CoachAssignment(Base):
    """A coach working with a participant within a cohort (one coach per participant)."""

    __tablename__ = "lms_coach_assignment"
    __table_args__ = (
        sa.UniqueConstraint("cohort_id", "participant_id"),
        sa.CheckConstraint("coach_id <> participant_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_cohort.id", ondelete="CASCADE"))
    coach_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_user.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_user.id", ondelete="CASCADE"))
    created_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)

    cohort: Mapped[Cohort] = relationship()
    coach: Mapped[User] = relationship(foreign_keys=[coach_id])
    participant: Mapped[User] = relationship(foreign_keys=[participant_id])
