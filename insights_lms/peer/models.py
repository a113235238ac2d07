"""Goldfish-bowl challenges (with peers' questions and suggestions) and case studies of practice.

A challenge and a case study belong to their author's *participant enrolment*, so the cohort,
the programme and the xAPI registration all follow from it. A contribution belongs to its
author's enrolment in the same cohort (participant, coach or facilitator): that says in which
role they spoke, and whose record it counts in.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from insights_lms.auth.models import User
from insights_lms.cohorts.models import Cohort, CohortModule, Enrolment
from insights_lms.competencies.models import Competency
from insights_lms.db import Base, new_uuid, utcnow
from insights_lms.enums import StrEnum, enum_column

challenge_competency = sa.Table(
    "lms_goldfish_challenge_competency",
    Base.metadata,
    sa.Column(
        "challenge_id",
        sa.ForeignKey("lms_goldfish_challenge.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "competency_id", sa.ForeignKey("lms_competency.id", ondelete="CASCADE"), primary_key=True
    ),
)

case_study_competency = sa.Table(
    "lms_case_study_competency",
    Base.metadata,
    sa.Column(
        "case_study_id", sa.ForeignKey("lms_case_study.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "competency_id", sa.ForeignKey("lms_competency.id", ondelete="CASCADE"), primary_key=True
    ),
)


class ChallengeState(StrEnum):
    """Open (peers contribute) → decided (the owner's decision) → outcome recorded."""

    OPEN = "open"
    DECIDED = "decided"
    OUTCOME_RECORDED = "outcome_recorded"


class ContributionKind(StrEnum):
    QUESTION = "question"
    SUGGESTION = "suggestion"


class CaseStudyStatus(StrEnum):
    """A draft only its author sees; shared, every member of the cohort sees it."""

    DRAFT = "draft"
    SHARED = "shared"


class GoldfishChallenge(Base):
    """A real leadership challenge a participant sets out for peers to work on."""

    __tablename__ = "lms_goldfish_challenge"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_uuid)
    #: The problem owner's participant enrolment (so: the owner and the cohort).
    enrolment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_enrolment.id", ondelete="CASCADE"), index=True
    )
    #: The module session it was brought to, if any.
    cohort_module_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("lms_cohort_module.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    context: Mapped[str] = mapped_column(sa.Text, default="")
    decision_to_make: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[ChallengeState] = mapped_column(
        enum_column(ChallengeState), default=ChallengeState.OPEN
    )
    #: What the owner decided, and when.
    resolution: Mapped[str] = mapped_column(sa.Text, default="")
    decided_dt: Mapped[dt.datetime | None]
    #: What happened afterwards, and when it was recorded.
    outcome: Mapped[str] = mapped_column(sa.Text, default="")
    outcome_dt: Mapped[dt.datetime | None]
    created_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)

    enrolment: Mapped[Enrolment] = relationship()
    cohort_module: Mapped[CohortModule | None] = relationship()
    competencies: Mapped[list[Competency]] = relationship(
        secondary=challenge_competency, order_by="Competency.code"
    )
    contributions: Mapped[list[ChallengeContribution]] = relationship(
        back_populates="challenge",
        cascade="all, delete-orphan",
        order_by="ChallengeContribution.id",
    )

    @property
    def owner(self) -> User:
        return self.enrolment.user

    @property
    def cohort(self) -> Cohort:
        return self.enrolment.cohort

    @property
    def is_open(self) -> bool:
        return self.state == ChallengeState.OPEN

    @property
    def questions(self) -> list[ChallengeContribution]:
        return [c for c in self.contributions if c.kind == ContributionKind.QUESTION]

    @property
    def suggestions(self) -> list[ChallengeContribution]:
        return [c for c in self.contributions if c.kind == ContributionKind.SUGGESTION]

    def __repr__(self) -> str:
        return f"<GoldfishChallenge {self.id} {self.state.value} {self.title!r}>"


class ChallengeContribution(Base):
    """A clarifying question or a suggestion from a member of the cohort (the owner may answer
    a question)."""

    __tablename__ = "lms_challenge_contribution"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_uuid)
    challenge_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_goldfish_challenge.id", ondelete="CASCADE"), index=True
    )
    #: The contributor's enrolment in the challenge's cohort (any role).
    enrolment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_enrolment.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ContributionKind] = mapped_column(enum_column(ContributionKind))
    text: Mapped[str] = mapped_column(sa.Text)
    answer: Mapped[str] = mapped_column(sa.Text, default="")
    answered_dt: Mapped[dt.datetime | None]
    created_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)

    challenge: Mapped[GoldfishChallenge] = relationship(back_populates="contributions")
    enrolment: Mapped[Enrolment] = relationship()

    @property
    def author(self) -> User:
        return self.enrolment.user

    @property
    def is_question(self) -> bool:
        return self.kind == ContributionKind.QUESTION

    def __repr__(self) -> str:
        return f"<ChallengeContribution {self.id} {self.kind.value}>"


class CaseStudy(Base):
    """A participant's write-up of a piece of their practice: description, not evaluation."""

    __tablename__ = "lms_case_study"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_uuid)
    #: The author's participant enrolment.
    enrolment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_enrolment.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    context: Mapped[str] = mapped_column(sa.Text, default="")
    what_i_did: Mapped[str] = mapped_column(sa.Text, default="")
    impact: Mapped[str] = mapped_column(sa.Text, default="")
    transferable: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[CaseStudyStatus] = mapped_column(
        enum_column(CaseStudyStatus), default=CaseStudyStatus.DRAFT
    )
    shared_dt: Mapped[dt.datetime | None]
    is_featured: Mapped[bool] = mapped_column(default=False)
    featured_dt: Mapped[dt.datetime | None]
    featured_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("lms_user.id", ondelete="SET NULL")
    )
    created_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)

    enrolment: Mapped[Enrolment] = relationship()
    featured_by: Mapped[User | None] = relationship()
    competencies: Mapped[list[Competency]] = relationship(
        secondary=case_study_competency, order_by="Competency.code"
    )

    @property
    def author(self) -> User:
        return self.enrolment.user

    @property
    def cohort(self) -> Cohort:
        return self.enrolment.cohort

    @property
    def is_shared(self) -> bool:
        return self.status == CaseStudyStatus.SHARED

    def __repr__(self) -> str:
        return f"<CaseStudy {self.id} {self.status.value} {self.title!r}>"
