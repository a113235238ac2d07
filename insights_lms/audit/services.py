"""Writing audit records."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from insights_lms.audit.models import AuditRecord
from insights_lms.auth.models import User


def record(
    session: Session, actor: User | None, action: str, obj: Any, **detail: Any
) -> AuditRecord:
    """Append an audit record for ``action`` on ``obj`` (any model with an ``id``)."""
    entry = AuditRecord(
        actor=actor,
        action=action,
        object_type=type(obj).__name__,
        object_id=obj.id,
        detail=detail,
    )
    session.add(entry)
    session.flush()
    return entry
