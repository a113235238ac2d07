"""Fixtures for the xAPI forwarding tests against a real LRS (``tests/lrs.py``)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from tests.lrs import WRITER, FaultProxy, LrsUnavailable, TestLRS, start_lrs

#: Small backoffs so that the fault tests take seconds, not minutes. The timeouts leave room
#: for a busy machine (the hanging-LRS tests shorten the read timeout themselves).
FAST_FORWARDING = {
    "INSIGHTS_XAPI_CONNECT_TIMEOUT": 2.0,
    "INSIGHTS_XAPI_READ_TIMEOUT": 3.0,
    "INSIGHTS_XAPI_BACKOFF_BASE": 0.05,
    "INSIGHTS_XAPI_BACKOFF_CAP": 0.2,
    "INSIGHTS_XAPI_WORKER_POLL": 0.1,
    "INSIGHTS_XAPI_LEASE_SECONDS": 6.0,
}


@pytest.fixture(scope="module")
def _lrs_process() -> Iterator[TestLRS]:
    """One Learning Locker statement service per test module (starting Node takes seconds)."""
    try:
        server = start_lrs()
    except LrsUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"the test LRS must run in CI: {exc}")
        pytest.skip(str(exc))
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def lrs(_lrs_process: TestLRS) -> TestLRS:
    """The module's LRS, fresh for the test: default clients, and only the statements stored
    during the test (``TestLRS.fresh``); started again if an earlier test stopped it."""
    return _lrs_process.fresh()


@pytest.fixture
def proxy(lrs: TestLRS) -> Iterator[FaultProxy]:
    fault_proxy = FaultProxy(lrs.port)
    try:
        yield fault_proxy
    finally:
        fault_proxy.close()


def forward_to(
    app: Flask, endpoint: str, credentials: tuple[str, str] = WRITER, **extra: Any
) -> None:
    """Point the app's ``lms xapi`` commands at ``endpoint``."""
    app.config.update(
        {
            "INSIGHTS_LRS_ENDPOINT": endpoint,
            "INSIGHTS_LRS_USERNAME": credentials[0],
            "INSIGHTS_LRS_PASSWORD": credentials[1],
            **FAST_FORWARDING,
            **extra,
        }
    )


@pytest.fixture
def activity(app: Flask, db: Session, content: Any) -> list[str]:
    """The demo cohort with its term of activity (evidence with files), plus the events the
    demo does not have: evidence updated, deleted (voided) and restored, and an attendance
    mark corrected (voided and stated again). Returns the event names recorded."""
    from insights_lms.attendance.models import Attendance, AttendanceStatus
    from insights_lms.attendance.services import record_attendance
    from insights_lms.demo import build_demo
    from insights_lms.evidence.models import Evidence
    from insights_lms.evidence.services import (
        EvidenceInput,
        delete_evidence,
        restore_evidence,
        update_evidence,
    )
    from insights_lms.storage import get_storage, upload_transaction
    from insights_lms.xapi.models import XapiStatement

    with app.app_context():
        with upload_transaction(get_storage()) as uploads:
            build_demo(db, activity=True, uploads=uploads)
            db.commit()
        pieces = list(
            db.scalars(
                sa.select(Evidence).where(Evidence.is_deleted.is_(False)).order_by(Evidence.id)
            )
        )
        first, second = pieces[0], pieces[1]
        with upload_transaction(get_storage()) as uploads:
            update_evidence(
                db,
                uploads,
                first,
                user=first.owner,
                data=EvidenceInput(
                    first.title + " (revised)",
                    first.occurred_on,
                    first.narrative,
                    [c.id for c in first.competencies],
                    module_id=first.module_id,
                    cohort_task_id=first.cohort_task_id,
                    challenge_ids=[c.id for c in first.challenges],
                ),
                max_file_size=20 * 1024 * 1024,
            )
            db.commit()
        delete_evidence(db, second, second.owner)
        db.commit()
        restore_evidence(db, second, second.owner)
        db.commit()
        mark = db.scalars(
            sa.select(Attendance)
            .where(Attendance.status == AttendanceStatus.PRESENT)
            .order_by(Attendance.id)
        ).first()
        assert mark is not None
        record_attendance(
            db,
            mark.cohort_module,
            {mark.participant_id: (AttendanceStatus.LATE, "Arrived after the break")},
            mark.recorded_by,
            now=mark.cohort_module.starts_at + dt.timedelta(hours=2),
        )
        db.commit()
    return sorted(set(db.scalars(sa.select(XapiStatement.event))))
