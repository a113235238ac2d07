"""Users and the login attempts used to throttle password guessing."""

from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from insights_lms.db import Base, new_uuid, utcnow
from insights_lms.enums import SchoolPhase, enum_column

PASSWORD_METHOD = "scrypt"  # noqa: S105 - a hashing method (werkzeug's scrypt n=2**15, r=8, p=1)
#: The method new password hashes use: PASSWORD_METHOD unless the test suite switched to the
#: testing config's cheaper one (``use_password_method``, ``Settings.password_method``).
_password_method = PASSWORD_METHOD


def use_password_method(method: str) -> None:
    """Hash new passwords with ``method`` (the test suite passes the testing config's)."""
    global _password_method
    _password_method = method


class User(UserMixin, Base):
    """A person: participant, coach or facilitator (their roles are per cohort)."""

    __tablename__ = "lms_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_uuid)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255), default="")
    # Flask-Login's id for the session cookie; replaced when the password changes so that
    # every existing session ends.
    session_token: Mapped[str] = mapped_column(
        sa.String(64), unique=True, default=lambda: secrets.token_urlsafe(32)
    )
    school: Mapped[str] = mapped_column(sa.String(200), default="")
    school_phase: Mapped[SchoolPhase | None] = mapped_column(enum_column(SchoolPhase))
    role_in_school: Mapped[str] = mapped_column(sa.String(200), default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_dt: Mapped[dt.datetime | None]

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=_password_method)
        self.revoke_sessions()

    def revoke_sessions(self) -> None:
        """End every session and "keep me signed in" cookie of this user, on every device:
        both hold the session token, which the loader no longer finds."""
        self.session_token = secrets.token_urlsafe(32)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        return self.session_token

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class LoginAttempt(Base):
    """A login attempt, kept to throttle repeated failures for an email address."""

    __tablename__ = "lms_login_attempt"
    __table_args__ = (sa.Index("ix_lms_login_attempt_email_dt", "email", "attempted_dt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    remote_addr: Mapped[str] = mapped_column(sa.String(64), default="")
    attempted_dt: Mapped[dt.datetime] = mapped_column(default=utcnow)
    succeeded: Mapped[bool] = mapped_column(default=False)
