"""One-time links that let a newly enrolled user choose their password."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from insights_lms.auth.models import User
from insights_lms.db import Base, utcnow

#: How long a link to set a password stays valid.
INVITE_DAYS = 14


class InviteToken(Base):
    """A one-time "set your password" link. Only a SHA-256 of the token is stored, so the
    database never holds a usable link; it works once and until ``expires_dt``."""

    __tablename__ = "lms_invite_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_user.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_dt: Mapped[dt.datetime]
    used_dt: Mapped[dt.datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("lms_user.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    def __repr__(self) -> str:
        return f"<InviteToken user={self.user_id} used={self.used_dt is not None}>"
