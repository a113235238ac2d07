"""A user's personal calendar feed: the secret token in their subscription URL."""

from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from insights_lms.auth.models import User
from insights_lms.db import Base, utcnow


def new_feed_token() -> str:
    """A fresh secret for a feed URL (calendar apps cannot sign in: the URL is the secret)."""
    return secrets.token_urlsafe(32)


class CalendarFeed(Base):
    """The one calendar feed of a user; resetting it replaces the token."""

    __tablename__ = "lms_calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_user.id", ondelete="CASCADE"), unique=True
    )
    token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_feed_token)
    created_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)
    reset_dt: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<CalendarFeed user={self.user_id}>"
