"""Factories for tests: small objects with sensible defaults, overridable by keyword."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from insights_lms.auth.models import User
from insights_lms.auth.services import create_user
from insights_lms.cohorts.models import Cohort, Enrolment
from insights_lms.cohorts.services import create_cohort, enrol
from insights_lms.enums import CohortRole, SchoolPhase
from insights_lms.programmes.models import Programme

_counter = itertools.count(1)
PASSWORD = "correct horse battery"


def make_user(session: Session, **overrides: Any) -> User:
    n = next(_counter)
    values: dict[str, Any] = {
        "email": f"user{n}@school.example",
        "name": f"Test User {n}",
        "password": PASSWORD,
        "school": f"School {n}",
        "school_phase": SchoolPhase.PRIMARY,
        "role_in_school": "Headteacher",
    }
    values.update(overrides)
    return create_user(session, **values)


def make_cohort(session: Session, programme: Programme, **overrides: Any) -> Cohort:
    n = next(_counter)
    return create_cohort(
        session,
        programme,
        overrides.pop("code", f"cohort-{n}"),
        overrides.pop("title", f"Cohort {n}"),
        first_module_start=overrides.pop("first_module_start", None),
    )


def enrolled(session: Session, cohort: Cohort, role: CohortRole, **overrides: Any) -> User:
    user = make_user(session, **overrides)
    enrol(session, cohort, user, role)
    return user


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def find_user(session: Session, email: str) -> User:
    """An existing user (e.g. a demo login) by email."""
    found = session.scalar(sa.select(User).where(User.email == email))
    assert found is not None, email
    return found


def participant_enrolment(session: Session, email: str) -> Enrolment:
    """An existing user's participant enrolment, by email."""
    found = session.scalar(
        sa.select(Enrolment)
        .join(Enrolment.user)
        .where(User.email == email, Enrolment.role == CohortRole.PARTICIPANT)
    )
    assert found is not None, email
    return found
