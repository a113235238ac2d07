"""Developmental conversations, the competencies in focus, agreed actions and preparations.

A coach's private notes live in a table of their own (:class:`PrivateNote`) with no
relationship from :class:`Conversation`: loading, listing or exporting a conversation never
loads them, and the only way to read them is ``services.private_notes_for``, which answers
for the coach who wrote them and nobody else.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from insights_lms.auth.models import User
from insights_lms.cohorts.models import Enrolment
from insights_lms.competencies.models import Competency
from insights_lms.db import Base, new_uuid, utcnow
from insights_lms.enums import StrEnum, enum_column
from insights_lms.ratings.models import CompetencyRating

#: The longest shared or private notes of one conversation.
NOTES_MAX = 20_000
#: The longest notes on one competency in focus, comment or preparation.
SHORT_MAX = 4_000
#: The longest description of an agreed action.
ACTION_MAX = 500


class ConversationMode(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"


class ActionOwner(StrEnum):
    """Who will do an agreed action."""

    PARTICIPANT = "participant"
    COACH = "coach"


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


preparation_competency = sa.Table(
    "lms_preparation_competency",
    Base.metadata,
    sa.Column(
        "preparation_id",
        sa.ForeignKey("lms_conversation_preparation.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "competency_id", sa.ForeignKey("lms_competency.id", ondelete="CASCADE"), primary_key=True
    ),
)


class Conversation(Base):
    """One developmental conversation between a coach and a participant (their enrolment)."""

    __tablename__ = "lms_conversation"
    __table_args__ = (
        sa.CheckConstraint("minutes > 0", name="minutes_positive"),
        sa.CheckConstraint("next_on IS NULL OR next_on > held_on", name="next_after_held"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_uuid)
    enrolment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_enrolment.id", ondelete="CASCADE"), index=True
    )
    # The record outlives its coach's account (their private notes then have no reader).
    coach_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("lms_user.id", ondelete="SET NULL"), index=True
    )
    held_on: Mapped[dt.date] = mapped_column(sa.Date)
    minutes: Mapped[int]
    mode: Mapped[ConversationMode] = mapped_column(enum_column(ConversationMode))
    #: Notes the participant sees.
    shared_notes: Mapped[str] = mapped_column(sa.Text, default="")
    #: The date of the next conversation, if one was set.
    next_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    recorded_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)
    acknowledged_dt: Mapped[dt.datetime | None]
    #: The participant's comment when they acknowledged the record.
    participant_comment: Mapped[str] = mapped_column(sa.Text, default="")

    enrolment: Mapped[Enrolment] = relationship()
    coach: Mapped[User | None] = relationship()
    focus: Mapped[list[ConversationFocus]] = relationship(
        back_populates="conversation",
        cascade="all, delete-orphan",
        order_by="ConversationFocus.position",
    )
    actions: Mapped[list[AgreedAction]] = relationship(
        back_populates="conversation",
        cascade="all, delete-orphan",
        order_by="AgreedAction.position",
        foreign_keys="AgreedAction.conversation_id",
    )

    @property
    def participant(self) -> User:
        return self.enrolment.user

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_dt is not None

    @property
    def competencies(self) -> list[Competency]:
        return [f.competency for f in self.focus]

    def __repr__(self) -> str:
        return f"<Conversation {self.id} {self.held_on.isoformat()}>"


class PrivateNote(Base):
    """A coach's private notes on one conversation: only that coach ever reads them."""

    __tablename__ = "lms_conversation_private_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_conversation.id", ondelete="CASCADE"), unique=True
    )
    coach_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lms_user.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    updated_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ConversationFocus(Base):
    """A competency in focus in a conversation: notes, and the ratings recorded for it."""

    __tablename__ = "lms_conversation_focus"
    __table_args__ = (sa.UniqueConstraint("conversation_id", "competency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_conversation.id", ondelete="CASCADE")
    )
    competency_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_competency.id", ondelete="RESTRICT")
    )
    position: Mapped[int] = mapped_column(default=0)
    #: Shared notes on this competency (the participant sees them).
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    coach_rating_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("lms_competency_rating.id", ondelete="SET NULL")
    )
    agreed_rating_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("lms_competency_rating.id", ondelete="SET NULL")
    )

    conversation: Mapped[Conversation] = relationship(back_populates="focus")
    competency: Mapped[Competency] = relationship()
    coach_rating: Mapped[CompetencyRating | None] = relationship(foreign_keys=[coach_rating_id])
    agreed_rating: Mapped[CompetencyRating | None] = relationship(foreign_keys=[agreed_rating_id])


class AgreedAction(Base):
    """An action agreed in a conversation; its status changes are kept as updates."""

    __tablename__ = "lms_agreed_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_uuid)
    conversation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_conversation.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(sa.String(ACTION_MAX))
    owner: Mapped[ActionOwner] = mapped_column(enum_column(ActionOwner))
    due_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    competency_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("lms_competency.id", ondelete="SET NULL")
    )
    status: Mapped[ActionStatus] = mapped_column(
        enum_column(ActionStatus), default=ActionStatus.OPEN
    )
    status_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)

    conversation: Mapped[Conversation] = relationship(
        back_populates="actions", foreign_keys=[conversation_id]
    )
    competency: Mapped[Competency | None] = relationship()
    updates: Mapped[list[ActionUpdate]] = relationship(
        back_populates="action",
        cascade="all, delete-orphan",
        order_by="ActionUpdate.updated_dt, ActionUpdate.id",
    )

    @property
    def is_open(self) -> bool:
        return self.status == ActionStatus.OPEN

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < today

    def __repr__(self) -> str:
        return f"<AgreedAction {self.id} {self.status.value}>"


class ActionUpdate(Base):
    """A review of an action: marked done, kept open or dropped, with a comment; made in a
    later conversation (``conversation``) or by the participant on their actions page."""

    __tablename__ = "lms_agreed_action_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_agreed_action.id", ondelete="CASCADE"), index=True
    )
    conversation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("lms_conversation.id", ondelete="SET NULL")
    )
    status: Mapped[ActionStatus] = mapped_column(enum_column(ActionStatus))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lms_user.id", ondelete="SET NULL"))
    updated_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)

    action: Mapped[AgreedAction] = relationship(back_populates="updates")
    conversation: Mapped[Conversation | None] = relationship(foreign_keys=[conversation_id])
    by: Mapped[User | None] = relationship()


class Preparation(Base):
    """A participant's preparation for their next conversation: the competencies they want to
    discuss and a short reflection. Open (``conversation_id`` empty) until the coach records
    the conversation it was for; the participant may change it until then."""

    __tablename__ = "lms_conversation_preparation"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_enrolment.id", ondelete="CASCADE"), index=True
    )
    conversation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("lms_conversation.id", ondelete="SET NULL"), unique=True
    )
    reflection: Mapped[str] = mapped_column(sa.Text, default="")
    created_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)

    enrolment: Mapped[Enrolment] = relationship()
    conversation: Mapped[Conversation | None] = relationship()
    competencies: Mapped[list[Competency]] = relationship(
        secondary=preparation_competency, order_by="Competency.position"
    )
