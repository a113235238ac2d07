"""Creating users and signing in: hashing, validation, and throttling of password guessing."""

from __future__ import annotations

import datetime as dt

import pytest

from insights_lms.auth.models import LoginAttempt
from insights_lms.auth.services import (
    LoginThrottled,
    ThrottlePolicy,
    UserError,
    authenticate,
    change_password,
    create_user,
    password_problem,
)
from insights_lms.demo import DEMO_PASSWORD
from tests.factories import PASSWORD, make_user, utc


def test_create_user_normalises_email_and_hashes_password(db):
    user = create_user(
        db, email="  Head.Teacher@School.Example ", name="Ann Head", password=PASSWORD
    )
    assert user.email == "head.teacher@school.example"
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password(PASSWORD)
    assert not user.check_password("wrong password here")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"email": "not-an-email"}, "not a valid email"),
        ({"password": "short"}, "at least 10 characters"),
        ({"name": "   "}, "name is required"),
    ],
)
def test_create_user_refuses_bad_input(db, kwargs, message):
    values = {"email": "ok@school.example", "name": "Ok", "password": PASSWORD, **kwargs}
    with pytest.raises(UserError, match=message):
        create_user(db, **values)


def test_create_user_refuses_duplicate_email_whatever_the_case(db):
    make_user(db, email="dup@school.example")
    with pytest.raises(UserError, match="already exists"):
        make_user(db, email="DUP@school.example")


def test_changing_password_ends_existing_sessions(db):
    user = make_user(db)
    old_token = user.get_id()
    user.set_password("a brand new password")
    assert user.get_id() != old_token


def test_authenticate_accepts_right_password_and_records_attempt(db):
    user = make_user(db, email="a@school.example")
    assert authenticate(db, "A@School.example", PASSWORD) is user
    assert user.last_login_dt is not None
    attempts = db.query(LoginAttempt).all()
    assert [(a.email, a.succeeded) for a in attempts] == [("a@school.example", True)]


def test_authenticate_rejects_wrong_password_unknown_email_and_inactive_user(db):
    user = make_user(db, email="b@school.example")
    assert authenticate(db, "b@school.example", "wrong password!") is None
    assert authenticate(db, "nobody@school.example", PASSWORD) is None
    user.is_active = False
    assert authenticate(db, "b@school.example", PASSWORD) is None


def test_throttle_locks_after_repeated_failures_then_unlocks(db):
    make_user(db, email="c@school.example")
    policy = ThrottlePolicy(max_attempts=3, window=dt.timedelta(minutes=15))
    start = utc(2026, 11, 23, 9, 0)
    for minute in range(3):
        assert (
            authenticate(
                db,
                "c@school.example",
                "guess",
                policy=policy,
                now=start + dt.timedelta(minutes=minute),
            )
            is None
        )
    # Locked: even the right password is not checked.
    with pytest.raises(LoginThrottled) as info:
        authenticate(
            db, "c@school.example", PASSWORD, policy=policy, now=start + dt.timedelta(minutes=4)
        )
    assert info.value.retry_after == start + dt.timedelta(minutes=15)
    # Once the first failure leaves the window, one more try is allowed.
    later = start + dt.timedelta(minutes=16)
    assert authenticate(db, "c@school.example", PASSWORD, policy=policy, now=later) is not None


def test_throttle_is_per_email_and_success_resets_the_count(db):
    make_user(db, email="d@school.example")
    make_user(db, email="e@school.example")
    policy = ThrottlePolicy(max_attempts=2)
    now = utc(2026, 11, 23, 9, 0)
    authenticate(db, "d@school.example", "guess", policy=policy, now=now)
    assert authenticate(
        db, "d@school.example", PASSWORD, policy=policy, now=now + dt.timedelta(seconds=1)
    )
    authenticate(db, "d@school.example", "guess", policy=policy, now=now + dt.timedelta(seconds=2))
    # One failure since the success: not locked.
    assert authenticate(
        db, "d@school.example", PASSWORD, policy=policy, now=now + dt.timedelta(seconds=3)
    )
    for i in range(2):
        authenticate(
            db, "e@school.example", "guess", policy=policy, now=now + dt.timedelta(seconds=i)
        )
    with pytest.raises(LoginThrottled):
        authenticate(
            db, "e@school.example", PASSWORD, policy=policy, now=now + dt.timedelta(seconds=5)
        )
    # d is unaffected by e's lock.
    assert authenticate(
        db, "d@school.example", PASSWORD, policy=policy, now=now + dt.timedelta(seconds=6)
    )


def test_revoking_sessions_replaces_the_session_token(db):
    user = make_user(db)
    before = user.get_id()
    user.revoke_sessions()
    assert user.get_id() != before
    assert user.check_password(PASSWORD)  # the password is untouched


def test_change_password_checks_the_current_one_and_revokes_sessions(db):
    user = make_user(db)
    before = user.get_id()
    with pytest.raises(UserError, match="current password is not right") as refused:
        change_password(db, user, "not the password", "a-much-longer-passphrase")
    assert refused.value.field == "current"
    with pytest.raises(UserError, match="at least 10 characters") as refused:
        change_password(db, user, PASSWORD, "short")
    assert refused.value.field == "password"
    assert user.get_id() == before and user.check_password(PASSWORD)
    change_password(db, user, PASSWORD, "a-much-longer-passphrase")
    assert user.check_password("a-much-longer-passphrase")
    assert user.get_id() != before


@pytest.mark.parametrize("weak", ["password12", "1234567890", "QWERTYUIOP", "password123"])
def test_common_passwords_are_refused_at_set_up_and_change(db, weak):
    assert "most common" in (password_problem(weak) or "")
    with pytest.raises(UserError, match="one of the most common"):
        create_user(db, email="new@school.example", name="New", password=weak)
    user = make_user(db)
    with pytest.raises(UserError, match="one of the most common"):
        change_password(db, user, PASSWORD, weak)
    assert user.check_password(PASSWORD)


def test_the_demo_and_sample_passwords_are_not_common():
    # The demo logins are a contract: `make demo` must keep accepting its password.
    for password in (DEMO_PASSWORD, PASSWORD, "a-much-longer-passphrase"):
        assert password_problem(password) is None
