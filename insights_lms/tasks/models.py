"""A participant's response to a practical task, with the evidence attached to it."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from insights_lms.cohorts.models import CohortTask, Enrolment
from insights_lms.context.models import SchoolChallenge
from insights_lms.db import Base, new_uuid, utcnow
from insights_lms.enums import StrEnum, enum_column
from insights_lms.evidence.models import Evidence

task_response_evidence = sa.Table(
    "lms_task_response_evidence",
    Base.metadata,
    sa.Column(
        "response_id", sa.ForeignKey("lms_task_response.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "evidence_id", sa.ForeignKey("lms_evidence.id", ondelete="CASCADE"), primary_key=True
    ),
)

task_response_challenge = sa.Table(
    "lms_task_response_challenge",
    Base.metadata,
    sa.Column(
        "response_id", sa.ForeignKey("lms_task_response.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "challenge_id",
        sa.ForeignKey("lms_school_challenge.id", ondelete="RESTRICT"),
        primary_key=True,
    ),
)


class ResponseStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    REVIEWED = "reviewed"


class TaskResponse(Base):
    """One participant's response to one practical task of their cohort."""

    __tablename__ = "lms_task_response"
    __table_args__ = (sa.UniqueConstraint("enrolment_id", "cohort_task_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_uuid)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_enrolment.id", ondelete="CASCADE"))
    cohort_task_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_cohort_task.id", ondelete="CASCADE")
    )
    response: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[ResponseStatus] = mapped_column(
        enum_column(ResponseStatus), default=ResponseStatus.DRAFT
    )
    created_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_dt: Mapped[dt.datetime | None]
    reviewed_dt: Mapped[dt.datetime | None]

    enrolment: Mapped[Enrolment] = relationship()
    cohort_task: Mapped[CohortTask] = relationship()
    evidence: Mapped[list[Evidence]] = relationship(
        secondary=task_response_evidence, order_by="Evidence.occurred_on"
    )
    challenges: Mapped[list[SchoolChallenge]] = relationship(
        secondary=task_response_challenge, order_by="SchoolChallenge.position"
    )

    @property
    def is_submitted(self) -> bool:
        return self.status in (ResponseStatus.SUBMITTED, ResponseStatus.REVIEWED)
