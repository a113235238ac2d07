"""Framework → Domain → Competency (a tree), a Scale of ordered Levels, and descriptors."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from insights_lms.db import Base


class Framework(Base):
    """A competency framework, loaded from a YAML file in ``competencies/``."""

    __tablename__ = "lms_framework"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    version: Mapped[str] = mapped_column(sa.String(32))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    source: Mapped[str] = mapped_column(sa.Text, default="")

    scale: Mapped[Scale] = relationship(
        back_populates="framework", uselist=False, cascade="all, delete-orphan"
    )
    domains: Mapped[list[Domain]] = relationship(
        back_populates="framework", order_by="Domain.position", cascade="all, delete-orphan"
    )
    competencies: Mapped[list[Competency]] = relationship(
        back_populates="framework", order_by="Competency.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Framework {self.code} v{self.version}>"


class Scale(Base):
    """The ordered levels every competency of a framework is rated on."""

    __tablename__ = "lms_scale"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_framework.id", ondelete="CASCADE"), unique=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))

    framework: Mapped[Framework] = relationship(back_populates="scale")
    levels: Mapped[list[Level]] = relationship(
        back_populates="scale", order_by="Level.value", cascade="all, delete-orphan"
    )


class Level(Base):
    """One level of a scale; ``value`` orders the levels (1 = lowest)."""

    __tablename__ = "lms_level"
    __table_args__ = (
        sa.UniqueConstraint("scale_id", "value"),
        sa.UniqueConstraint("scale_id", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scale_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_scale.id", ondelete="CASCADE"))
    value: Mapped[int]
    code: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")

    scale: Mapped[Scale] = relationship(back_populates="levels")


class Domain(Base):
    """A group of competencies (e.g. ``L2`` Curriculum, teaching and inclusion)."""

    __tablename__ = "lms_domain"
    __table_args__ = (sa.UniqueConstraint("framework_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_framework.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(sa.String(32))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    framework: Mapped[Framework] = relationship(back_populates="domains")
    competencies: Mapped[list[Competency]] = relationship(
        back_populates="domain", order_by="Competency.position"
    )

    @property
    def top_competencies(self) -> list[Competency]:
        return [c for c in self.competencies if c.parent_id is None]


class Competency(Base):
    """A competency (code like ``L2.3``), optionally nested under a parent competency."""

    __tablename__ = "lms_competency"
    __table_args__ = (sa.UniqueConstraint("framework_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_framework.id", ondelete="CASCADE"))
    domain_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_domain.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("lms_competency.id", ondelete="CASCADE")
    )
    code: Mapped[str] = mapped_column(sa.String(32))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    indicators: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)

    framework: Mapped[Framework] = relationship(back_populates="competencies")
    domain: Mapped[Domain] = relationship(back_populates="competencies")
    parent: Mapped[Competency | None] = relationship(
        back_populates="children", remote_side="Competency.id"
    )
    children: Mapped[list[Competency]] = relationship(
        back_populates="parent", order_by="Competency.position"
    )
    descriptors: Mapped[list[LevelDescriptor]] = relationship(
        back_populates="competency", cascade="all, delete-orphan"
    )

    def descriptor_for(self, level: Level) -> str:
        for descriptor in self.descriptors:
            if descriptor.level_id == level.id:
                return descriptor.text
        return ""

    def __repr__(self) -> str:
        return f"<Competency {self.code}>"


class LevelDescriptor(Base):
    """What a level looks like for one competency."""

    __tablename__ = "lms_level_descriptor"
    __table_args__ = (sa.UniqueConstraint("competency_id", "level_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competency_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_competency.id", ondelete="CASCADE")
    )
    level_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_level.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(sa.Text)

    competency: Mapped[Competency] = relationship(back_populates="descriptors")
    level: Mapped[Level] = relationship()
