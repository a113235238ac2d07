"""A coach's profile: how many coachees they can take, the school phases they know, the
competencies they lead on (their strengths) and the school challenges they have met.

Strengths and challenges are stored by their **content codes** (``L2.3``,
``pupil-attendance``), not as foreign keys to ``lms_competency`` / ``lms_school_challenge``:

- the profile describes a person's experience, which outlives any one framework version or
  programme: a coach who leads on ``L2.3`` still does when the framework is reloaded, and in
  every programme built on the same framework;
- the content loader refuses to remove a competency or challenge that people's *records*
  refer to (``content.loader.records_referring_to``); a coach's profile is not such a record
  and must not pin content in place;
- codes are what the content, the xAPI IRIs and the people reading the profile already use.

Matching compares a strength code with the codes of the participant's framework competencies
(and a challenge code with the codes of their programme's challenges), so a code that no
longer exists simply matches nothing; the profile page still shows it.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from insights_lms.auth.models import User
from insights_lms.db import Base, utcnow
from insights_lms.enums import SchoolPhase, enum_column

#: The most coachees a profile may offer to take at once.
CAPACITY_MAX = 30
BIO_MAX = 2000


class CoachProfile(Base):
    """One coach's profile (one per person, whatever cohorts they coach in)."""

    __tablename__ = "lms_coach_profile"
    __table_args__ = (
        sa.CheckConstraint(f"capacity >= 0 AND capacity <= {CAPACITY_MAX}", name="capacity_range"),
        sa.CheckConstraint(f"length(bio) <= {BIO_MAX}", name="bio_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_user.id", ondelete="CASCADE"), unique=True
    )
    #: How many coachees they can take at once, across the cohorts that are running.
    capacity: Mapped[int] = mapped_column(default=3)
    bio: Mapped[str] = mapped_column(sa.Text, default="")
    updated_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Who last changed it (the coach, or a facilitator of one of their cohorts).
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("lms_user.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    phase_rows: Mapped[list[CoachPhase]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", order_by="CoachPhase.phase"
    )
    strength_rows: Mapped[list[CoachStrength]] = relationship(
        back_populates="profile",
        cascade="all, delete-orphan",
        order_by="CoachStrength.competency_code",
    )
    context_rows: Mapped[list[CoachContextExperience]] = relationship(
        back_populates="profile",
        cascade="all, delete-orphan",
        order_by="CoachContextExperience.challenge_code",
    )

    @property
    def phases(self) -> list[SchoolPhase]:
        """The school phases they have experience of, in the enum's order."""
        have = {row.phase for row in self.phase_rows}
        return [phase for phase in SchoolPhase if phase in have]

    @property
    def strengths(self) -> list[str]:
        """The codes of the competencies they lead on."""
        return sorted(row.competency_code for row in self.strength_rows)

    @property
    def challenges(self) -> list[str]:
        """The codes of the school challenges they have experience of."""
        return sorted(row.challenge_code for row in self.context_rows)

    def __repr__(self) -> str:
        return f"<CoachProfile user={self.user_id} capacity={self.capacity}>"


class CoachPhase(Base):
    """A school phase the coach has experience of."""

    __tablename__ = "lms_coach_phase"
    __table_args__ = (sa.UniqueConstraint("profile_id", "phase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_coach_profile.id", ondelete="CASCADE")
    )
    phase: Mapped[SchoolPhase] = mapped_column(enum_column(SchoolPhase))

    profile: Mapped[CoachProfile] = relationship(back_populates="phase_rows")


class CoachStrength(Base):
    """A competency the coach leads on, by its code (see the module docstring for why)."""

    __tablename__ = "lms_coach_strength"
    __table_args__ = (sa.UniqueConstraint("profile_id", "competency_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_coach_profile.id", ondelete="CASCADE")
    )
    competency_code: Mapped[str] = mapped_column(sa.String(32))

    profile: Mapped[CoachProfile] = relationship(back_populates="strength_rows")


class CoachContextExperience(Base):
    """A school challenge the coach has experience of, by its code."""

    __tablename__ = "lms_coach_context_experience"
    __table_args__ = (sa.UniqueConstraint("profile_id", "challenge_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_coach_profile.id", ondelete="CASCADE")
    )
    challenge_code: Mapped[str] = mapped_column(sa.String(64))

    profile: Mapped[CoachProfile] = relationship(back_populates="context_rows")
