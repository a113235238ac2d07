"""Programme → Module (spaced, themed) and the PracticalTask between module N and N+1.

The dates on a programme are its *planned* reference run; each cohort gets its own copy of
the dates (``CohortModule``/``CohortTask``) so a programme is reused year after year.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from insights_lms.competencies.models import Competency, Framework
from insights_lms.db import Base
from insights_lms.enums import ActivityKind, ModuleKind, enum_column

module_competency = sa.Table(
    "lms_module_competency",
    Base.metadata,
    sa.Column("module_id", sa.ForeignKey("lms_module.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "competency_id", sa.ForeignKey("lms_competency.id", ondelete="CASCADE"), primary_key=True
    ),
)

task_competency = sa.Table(
    "lms_task_competency",
    Base.metadata,
    sa.Column(
        "task_id", sa.ForeignKey("lms_practical_task.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "competency_id", sa.ForeignKey("lms_competency.id", ondelete="CASCADE"), primary_key=True
    ),
)


class Programme(Base):
    """A programme of spaced modules mapped to one competency framework."""

    __tablename__ = "lms_programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    framework_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_framework.id"))
    time_zone: Mapped[str] = mapped_column(sa.String(64), default="Europe/London")
    #: The fewest days between one module's end and the next one's start in a cohort.
    min_gap_days: Mapped[int] = mapped_column(default=0, server_default="0")

    framework: Mapped[Framework] = relationship()
    modules: Mapped[list[Module]] = relationship(
        back_populates="programme", order_by="Module.sequence", cascade="all, delete-orphan"
    )
    tasks: Mapped[list[PracticalTask]] = relationship(
        back_populates="programme", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Programme {self.code}>"


class Module(Base):
    """One spaced module of a programme (launch, workshop, study visit, celebration)."""

    __tablename__ = "lms_module"
    __table_args__ = (
        sa.UniqueConstraint("programme_id", "code"),
        sa.UniqueConstraint("programme_id", "sequence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_programme.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(sa.String(32))
    sequence: Mapped[int]
    kind: Mapped[ModuleKind] = mapped_column(enum_column(ModuleKind))
    title: Mapped[str] = mapped_column(sa.String(200))
    theme: Mapped[str] = mapped_column(sa.String(200), default="")
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    objectives: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    planned_start: Mapped[dt.datetime]
    planned_end: Mapped[dt.datetime]
    location: Mapped[str] = mapped_column(sa.String(200), default="")

    programme: Mapped[Programme] = relationship(back_populates="modules")
    activities: Mapped[list[ModuleActivity]] = relationship(
        back_populates="module", order_by="ModuleActivity.position", cascade="all, delete-orphan"
    )
    competencies: Mapped[list[Competency]] = relationship(
        secondary=module_competency, order_by="Competency.code"
    )
    # Read-only: tasks are attached from their side (``PracticalTask.after_module``), so that
    # two tasks can swap modules in one content load without the one-to-one bookkeeping
    # detaching either of them mid-way.
    task_after: Mapped[PracticalTask | None] = relationship(
        foreign_keys="PracticalTask.after_module_id", uselist=False, viewonly=True
    )

    def __repr__(self) -> str:
        return f"<Module {self.code} #{self.sequence}>"


class ModuleActivity(Base):
    """Something that happens in a module: expert input, a provocation, a goldfish bowl…"""

    __tablename__ = "lms_module_activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_module.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[ActivityKind] = mapped_column(enum_column(ActivityKind))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")

    module: Mapped[Module] = relationship(back_populates="activities")


class PracticalTask(Base):
    """A practical task trialled in school between module N and module N+1.

    It opens when module N ends and is due, unless the content says otherwise, when module
    N+1 starts. ``planned_opens``/``planned_due`` hold explicit overrides from the content.
    """

    __tablename__ = "lms_practical_task"
    __table_args__ = (sa.UniqueConstraint("programme_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_programme.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(sa.String(32))
    after_module_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_module.id", ondelete="CASCADE"))
    before_module_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_module.id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    instructions: Mapped[str] = mapped_column(sa.Text, default="")
    expected_evidence: Mapped[str] = mapped_column(sa.Text, default="")
    planned_opens: Mapped[dt.datetime | None]
    planned_due: Mapped[dt.datetime | None]

    programme: Mapped[Programme] = relationship(back_populates="tasks")
    after_module: Mapped[Module] = relationship(foreign_keys=[after_module_id])
    before_module: Mapped[Module] = relationship(foreign_keys=[before_module_id])
    competencies: Mapped[list[Competency]] = relationship(
        secondary=task_competency, order_by="Competency.code"
    )

    @property
    def opens(self) -> dt.datetime:
        return self.planned_opens or self.after_module.planned_end

    @property
    def due(self) -> dt.datetime:
        return self.planned_due or self.before_module.planned_start

    def __repr__(self) -> str:
        return f"<PracticalTask {self.code}>"
