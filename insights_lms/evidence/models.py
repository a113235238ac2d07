"""Evidence items, their files, and the competencies they are tagged to."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from insights_lms.auth.models import User
from insights_lms.cohorts.models import CohortTask, Enrolment
from insights_lms.competencies.models import Competency
from insights_lms.context.models import SchoolChallenge
from insights_lms.db import Base, new_uuid, utcnow
from insights_lms.enums import StrEnum, enum_column
from insights_lms.programmes.models import Module

evidence_competency = sa.Table(
    "lms_evidence_competency",
    Base.metadata,
    sa.Column(
        "evidence_id", sa.ForeignKey("lms_evidence.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "competency_id", sa.ForeignKey("lms_competency.id", ondelete="CASCADE"), primary_key=True
    ),
)

evidence_challenge = sa.Table(
    "lms_evidence_challenge",
    Base.metadata,
    sa.Column(
        "evidence_id", sa.ForeignKey("lms_evidence.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "challenge_id",
        sa.ForeignKey("lms_school_challenge.id", ondelete="RESTRICT"),
        primary_key=True,
    ),
)


class Evidence(Base):
    """A piece of evidence of a participant's practice, within one enrolment (cohort)."""

    __tablename__ = "lms_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_uuid)
    enrolment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_enrolment.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_user.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(200))
    occurred_on: Mapped[dt.date] = mapped_column(sa.Date)
    narrative: Mapped[str] = mapped_column(sa.Text, default="")
    module_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("lms_module.id", ondelete="SET NULL")
    )
    cohort_task_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("lms_cohort_task.id", ondelete="SET NULL")
    )
    created_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)
    is_deleted: Mapped[bool] = mapped_column(default=False)
    deleted_dt: Mapped[dt.datetime | None]

    enrolment: Mapped[Enrolment] = relationship()
    owner: Mapped[User] = relationship()
    module: Mapped[Module | None] = relationship()
    cohort_task: Mapped[CohortTask | None] = relationship()
    competencies: Mapped[list[Competency]] = relationship(
        secondary=evidence_competency, order_by="Competency.code"
    )
    challenges: Mapped[list[SchoolChallenge]] = relationship(
        secondary=evidence_challenge, order_by="SchoolChallenge.position"
    )
    files: Mapped[list[EvidenceFile]] = relationship(
        back_populates="evidence", cascade="all, delete-orphan", order_by="EvidenceFile.id"
    )

    def __repr__(self) -> str:
        return f"<Evidence {self.id} {self.title!r}>"


class EvidenceFile(Base):
    """A file attached to evidence: stored under a generated key, described here."""

    __tablename__ = "lms_evidence_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_uuid)
    evidence_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_evidence.id", ondelete="CASCADE"), index=True
    )
    original_name: Mapped[str] = mapped_column(sa.String(255))
    storage_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    mimetype: Mapped[str] = mapped_column(sa.String(128))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    thumbnail_key: Mapped[str | None] = mapped_column(sa.String(64))
    uploaded_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)

    evidence: Mapped[Evidence] = relationship(back_populates="files")

    @property
    def is_image(self) -> bool:
        return self.kind == "image"


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
