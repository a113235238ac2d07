"""Creating users and checking passwords, with throttling of repeated failures."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from insights_lms.auth.models import PASSWORD_METHOD, LoginAttempt, User
from insights_lms.db import utcnow
from insights_lms.enums import SchoolPhase
from insights_lms.errors import DomainError

MIN_PASSWORD_LENGTH = 10
#: Common passwords refused even when long enough (the file names its source).
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
# Compared against when the email is unknown, so that a wrong email takes as long as a
# wrong password and does not reveal who has an account.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method=PASSWORD_METHOD)


class UserError(DomainError):
    """A user cannot be created or changed as asked; the message says why."""


class LoginThrottled(Exception):
    """Too many failed attempts recently; try again after ``retry_after``."""

    def __init__(self, retry_after: dt.datetime):
        self.retry_after = retry_after
        super().__init__(f"too many failed attempts; retry after {retry_after.isoformat()}")


@dataclass(frozen=True)
class ThrottlePolicy:
    max_attempts: int = 5
    window: dt.timedelta = dt.timedelta(minutes=15)


@functools.cache
def _common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


def password_problem(password: str) -> str | None:
    """Why ``password`` may not be chosen (too short, or a well-known one), else None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters."
    if password.strip().lower() in _common_passwords():
        return (
            "That password is one of the most common ones, which are tried first when "
            "guessing. Choose another: a few unrelated words make a good one."
        )
    return None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    school: str = "",
    school_phase: SchoolPhase | None = None,
    role_in_school: str = "",
    is_admin: bool = False,
    password_hash: str | None = None,
) -> User:
    """Create a user with a hashed password; refuse duplicates and weak passwords.

    ``password_hash`` (a hash of ``password`` made earlier) saves re-hashing when many users
    share a password, as the demo logins do.
    """
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise UserError(f"{email!r} is not a valid email address: {exc}") from None
    if not name.strip():
        raise UserError("A name is required.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.")
    if problem := password_problem(password):
        raise UserError(problem, "password")
    if session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise UserError(f"A user with email {email} already exists.")
    user = User(
        email=email,
        name=name.strip(),
        school=school.strip(),
        school_phase=school_phase,
        role_in_school=role_in_school.strip(),
        is_admin=is_admin,
    )
    if password_hash is None:
        user.set_password(password)
    else:
        user.password_hash = password_hash
    session.add(user)
    session.flush()
    return user


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def _recent_failures(session: Session, email: str, since: dt.datetime) -> list[dt.datetime]:
    last_success = session.scalar(
        sa.select(sa.func.max(LoginAttempt.attempted_dt)).where(
            LoginAttempt.email == email, LoginAttempt.succeeded.is_(True)
        )
    )
    floor = max(since, last_success) if last_success else since
    return list(
        session.scalars(
            sa.select(LoginAttempt.attempted_dt)
            .where(
                LoginAttempt.email == email,
                LoginAttempt.succeeded.is_(False),
                LoginAttempt.attempted_dt > floor,
            )
            .order_by(LoginAttempt.attempted_dt)
        )
    )


def authenticate(
    session: Session,
    email: str,
    password: str,
    *,
    remote_addr: str = "",
    policy: ThrottlePolicy | None = None,
    now: dt.datetime | None = None,
) -> User | None:
    """The active user with this email and password, or None; every attempt is recorded.

    After ``policy.max_attempts`` failures within ``policy.window`` the email is locked until
    the oldest of those failures leaves the window: :class:`LoginThrottled` is raised and the
    password is not even checked.
    """
    policy = policy or ThrottlePolicy()
    now = now or utcnow()
    email = normalise_email(email)
    failures = _recent_failures(session, email, now - policy.window)
    if len(failures) >= policy.max_attempts:
        raise LoginThrottled(failures[-policy.max_attempts] + policy.window)
    user = get_user_by_email(session, email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        ok = False
    else:
        ok = user.is_active and user.check_password(password)
    session.add(
        LoginAttempt(
            email=email[:254], remote_addr=remote_addr[:64], attempted_dt=now, succeeded=ok
        )
    )
    if ok and user is not None:
        user.last_login_dt = now
    session.flush()
    return user if ok else None


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Replace ``user``'s password after checking the current one. Every session of the user
    ends (:meth:`User.set_password` revokes them); the caller signs the current device in again.
    """
    if not user.check_password(current):
        raise UserError("Your current password is not right. Check it and try again.", "current")
    if problem := password_problem(new):
        raise UserError(problem, "password")
    user.set_password(new)
    session.flush()
